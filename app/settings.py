"""Settings a person chooses (which models, how many threads), kept as JSON in the data folder."""

from __future__ import annotations

import json
import contextlib
import errno
import os
import threading
import time
from pathlib import Path
from typing import Any

from app.errors import FondlyError
from app.paths import data_dir
from llm.brief import DEFAULT_PACE, PACE_RANGE

DEFAULTS: dict[str, Any] = {
    "model": None,  # a GGUF file; None means the bundled SmolLM2
    "whisper_model": None,  # a CTranslate2 Whisper folder; None means the bundled tiny.en
    "threads": 0,  # 0: as many as the machine has, up to four
    "context": 4096,  # tokens of context for the text model
    "pace": DEFAULT_PACE,  # words per minute for new projects
    "gpu_layers": 0,  # layers to offload, where llama.cpp was built with a GPU; -1: all
    "text_size": 14,  # points, for the editor and preview
    "server": None,  # an OpenAI-compatible chat server URL to write with instead of a local model
    "trusted_servers": [],  # servers off this machine the person agreed to send memories to
    "models": [],  # models the person added: {"name", "kind": "text" | "speech", "path"}
    "model_folders": [],  # more folders `fondly models find` searches for .gguf files (full paths)
    # how a speech is written: "auto" (the person's own words with a small model, model prose with a
    # capable one), "memory-first" or "prose"
    "writing": "auto",
    # measured, never chosen: how fast each model wrote last time, by its file's full path
    # ({"tokens_per_second", "tokens", "seconds", "measured_at"}); kept by record_speed
    "speeds": {},
}
WRITING_MODES = ("auto", "memory-first", "prose")

# The text lane records a speed while the window may be saving the person's choices: one
# read-modify-write at a time, so neither loses the other's change.
_write_lock = threading.RLock()

# how a value typed at the command line becomes a setting, and what it may be
_INT_RANGES = {"threads": (0, 256), "context": (512, 1_048_576), "pace": PACE_RANGE, "gpu_layers": (-1, 1000),
               "text_size": (8, 48)}


def _path() -> Path:
    return data_dir() / "settings.json"


def load() -> dict[str, Any]:
    values = dict(DEFAULTS)
    path = _path()
    if path.exists():
        try:
            values.update(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as e:
            raise FondlyError(
                f"Fondly's settings file {path} can't be read ({e}). "
                "Fix it or delete it to go back to the defaults."
            ) from None
    return values


def get(key: str) -> Any:
    if key not in DEFAULTS:
        raise FondlyError(f"There is no setting called {key!r}. Settings: {', '.join(DEFAULTS)}.")
    return load()[key]


def set_value(key: str, value: Any) -> None:
    """Write one setting; the file is replaced whole, never left half-written."""
    if key not in DEFAULTS:
        raise FondlyError(f"There is no setting called {key!r}. Settings: {', '.join(DEFAULTS)}.")
    with _write_lock:
        values = load()
        values[key] = value
        path = _path()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two processes never share one; a killed one's goes at the next start
        try:
            tmp.write_text(json.dumps(values, indent=2), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as e:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)  # a full disk cut it short: nothing half-written is left
            if e.errno == errno.ENOSPC:
                from app.database import disk_full

                raise disk_full(path.parent, "the setting was not saved") from None
            raise FondlyError(f"Fondly can't save its settings to {path} ({e.strerror}).") from None


def parse(key: str, text: str | None) -> Any:
    """A setting from text, checked; "" or "default" puts the default back."""
    if key not in DEFAULTS:
        raise FondlyError(f"There is no setting called {key!r}. Settings: {', '.join(DEFAULTS)}.")
    if text is None or text.strip().lower() in ("", "default", "none"):
        return DEFAULTS[key]
    text = text.strip()
    if key in _INT_RANGES:
        low, high = _INT_RANGES[key]
        try:
            value = int(text)
        except ValueError:
            raise FondlyError(f"{key} must be a whole number from {low} to {high}, not {text!r}.") from None
        if not low <= value <= high:
            raise FondlyError(f"{key} must be from {low} to {high}; {value} is outside that.")
        return value
    if key == "writing":
        if text.lower() not in WRITING_MODES:
            raise FondlyError(f"writing must be one of {', '.join(WRITING_MODES)}, not {text!r}.")
        return text.lower()
    if key == "model":
        from app.native_check import check_model

        return str(check_model(text).path)
    if key == "whisper_model":
        from speech.models import check_model

        return str(check_model(text))
    if key == "server":
        from llm.remote import check_url

        return check_url(text)
    if key == "speeds":
        raise FondlyError("speeds are measured when a model writes; they can't be set.")
    raise FondlyError(f"{key} is changed through its own command, not set directly.")


def record_speed(path: str | Path, tokens: int, seconds: float) -> None:
    """Keep how fast the model at `path` just wrote (tokens after the first, over their seconds).

    A speed is a measurement, not a choice: if it can't be saved (a full disk) the writing it
    came from must not fail for it, so it is dropped."""
    if tokens < 2 or seconds <= 0:
        return
    key = str(Path(path).resolve())
    try:
        with _write_lock:
            speeds = dict(get("speeds") or {})
            speeds[key] = {"tokens_per_second": round((tokens - 1) / seconds, 1), "tokens": tokens,
                           "seconds": round(seconds, 3), "measured_at": time.strftime("%Y-%m-%d %H:%M")}
            set_value("speeds", speeds)
    except FondlyError:
        pass


def last_speed(path: str | Path | None) -> dict[str, Any] | None:
    """How fast the model at `path` wrote last time, or None: not measured yet (or a server)."""
    if not path:
        return None
    return (get("speeds") or {}).get(str(Path(path).resolve()))


def threads() -> int:
    """Threads for the models: the setting, or the machine's cores up to four."""
    n = int(get("threads") or 0)
    return n if n > 0 else max(1, min(4, os.cpu_count() or 1))
