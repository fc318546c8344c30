"""The model manager: the bundled models, the ones a person added, and which are in use.

Adding a model checks it without loading it into this process (app.native_check: its header
read with hard limits, then llama.cpp loads it and writes a few tokens in a child process); a
Whisper folder must hold its three files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app import native_check, settings
from app.errors import FondlyError
from llm import gguf
from llm.models import bundled_model
from speech.models import bundled_model as bundled_whisper
from speech.models import check_model

TEXT_NOTE = (
    "tiny and fast, always available offline; it invents freely, so Fondly checks every paragraph. "
    "A larger Llama-family GGUF writes far better."
)
SPEECH_NOTE = "fast English transcription on any computer; a larger Whisper model spells better."


def _text_details(path: Path) -> dict[str, Any]:
    info = gguf.read(path)
    return {
        "architecture": info.architecture,
        "parameters": info.parameters,
        "quantization": info.quantization,
        "context_length": info.context_length,
        "chat_template": bool(info.chat_template),
        "size_bytes": info.size_bytes,
    }


def listing() -> list[dict[str, Any]]:
    """Every model, bundled ones first, each with what it is and whether it is in use."""
    current_text, current_speech = settings.get("model"), settings.get("whisper_model")
    rows = [
        {
            "name": "SmolLM2-135M-Instruct",
            "kind": "text",
            "path": str(bundled_model()),
            "bundled": True,
            "in_use": not current_text,
            "good_for": TEXT_NOTE,
            **_text_details(bundled_model()),
        },
        {
            "name": "Whisper tiny.en",
            "kind": "speech",
            "path": str(bundled_whisper()),
            "bundled": True,
            "in_use": not current_speech,
            "good_for": SPEECH_NOTE,
        },
    ]
    for m in settings.get("models"):
        row = {**m, "bundled": False, "in_use": m["path"] == (current_text if m["kind"] == "text" else current_speech)}
        if m["kind"] == "text" and Path(m["path"]).is_file():
            try:
                row.update(_text_details(Path(m["path"])))
            except FondlyError:
                row["problem"] = "the file is damaged"
        elif not Path(m["path"]).exists():
            row["problem"] = "the file is gone"
        rows.append(row)
    return rows


def add(path: str | Path, name: str | None = None) -> dict[str, Any]:
    """Check and remember a model: a GGUF file for writing (by its content: an Ollama blob has no
    .gguf suffix), a Whisper folder for transcribing. The file stays where it is."""
    path = Path(path).expanduser().resolve()
    if path.is_dir() and not (path / "model.bin").exists() and any(path.glob("*.gguf")):
        raise FondlyError(f"{path} is a folder. Choose the .gguf model file inside it.")
    if path.is_dir():
        check_model(path)
        entry = {"name": name or path.name, "kind": "speech", "path": str(path)}
    else:
        info = native_check.check_model(path)  # its header, then a real load and a few tokens in a child process
        entry = {"name": name or _text_name(path, info), "kind": "text", "path": str(path)}
    models = [m for m in settings.get("models") if m["path"] != entry["path"]]
    taken = {m["name"].lower() for m in models} | {r["name"].lower() for r in listing() if r["bundled"]}
    base, n = entry["name"], 2
    while entry["name"].lower() in taken:
        entry["name"], n = f"{base} ({n})", n + 1
    settings.set_value("models", models + [entry])
    return next(r for r in listing() if r["path"] == entry["path"])


def _text_name(path: Path, info: gguf.GGUFInfo) -> str:
    """The file's name, unless it says nothing: an Ollama or Hugging Face blob (sha256-…, no .gguf)
    is named as that app names it, else by the name inside the GGUF."""
    if path.suffix.lower() == ".gguf":
        return path.stem
    from app.model_finder import name_for

    return name_for(path) or info.name or path.name


def find(name: str) -> dict[str, Any]:
    for row in listing():
        if row["name"].lower() == name.lower():
            return row
    names = ", ".join(r["name"] for r in listing())
    raise FondlyError(f"There is no model called {name!r}. Models: {names}.")


def use(name: str) -> dict[str, Any]:
    row = find(name)
    key = "model" if row["kind"] == "text" else "whisper_model"
    settings.set_value(key, None if row["bundled"] else row["path"])
    return {**row, "in_use": True}


def remove(name: str) -> None:
    row = find(name)
    if row["bundled"]:
        raise FondlyError(f"{row['name']} comes with Fondly and can't be removed.")
    settings.set_value("models", [m for m in settings.get("models") if m["path"] != row["path"]])
    key = "model" if row["kind"] == "text" else "whisper_model"
    if settings.get(key) == row["path"]:
        settings.set_value(key, None)  # back to the bundled model
