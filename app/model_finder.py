"""Find the GGUF models already on this computer: Ollama's, LM Studio's, GPT4All's, Jan's, the
Hugging Face cache's, and any folder the person adds.

A person who wants better prose than the bundled SmolLM2 often has a capable model already,
downloaded by another app. Nothing is copied or loaded here: each file's GGUF header is read
(llm.gguf, pure Python, no llama.cpp) to say what it is, and `model_manager.add` registers the file
where it lies. No file is hashed, so finding stays quick enough to run when Settings opens.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import platformdirs

from app import settings
from app.errors import USER_ERRORS, FondlyError

# the sources, in the order they are searched and listed; a file found twice keeps the first
# fmt: off
OLLAMA, LM_STUDIO, GPT4ALL, JAN, HF_CACHE, YOURS = (
    "Ollama", "LM Studio", "GPT4All", "Jan", "Hugging Face cache", "your folder")
# fmt: on

_OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
_DIGEST = re.compile(r"sha256[:-]([0-9a-f]{64})")
_SPLIT = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)  # gguf-split's parts: only the first is opened


@dataclass
class Found:
    """One model file found on this computer, described from its GGUF header."""

    name: str
    family: str  # the GGUF architecture: llama, qwen2, gemma2, phi3…
    parameters: int
    quantisation: str
    size_bytes: int
    path: str  # resolved: for Ollama and the Hugging Face cache, the blob itself
    source: str
    added: bool = False  # already one of the person's models (settings "models")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def find(extra_folders: Iterable[str | Path] = ()) -> list[Found]:
    """Every readable GGUF in the known places and the person's folders, each file once."""
    registered = {_resolved(m["path"]) for m in settings.get("models")}
    kept = settings.get("model_folders")
    folders = [*(f for f in kept if isinstance(f, str)), *extra_folders] if isinstance(kept, list) else [*extra_folders]
    found: list[Found] = []
    seen: set[str] = set()
    for source, name, path in candidates(folders):
        real = _resolved(path)
        if real is None or real in seen:
            continue
        seen.add(real)
        described = _describe(Path(real))
        if described is None:
            continue  # not a GGUF, damaged, or unreadable: quietly left out
        family, parameters, quantisation, size = described
        found.append(Found(name, family, parameters, quantisation, size, real, source, real in registered))
    return found


def missing_folders() -> list[str]:
    """The person's model folders that are not there now (a disk unplugged, a folder moved): said
    beside what was found, so an empty list is not taken for "no models in it"."""
    kept = settings.get("model_folders")
    return [f for f in kept if isinstance(f, str) and not Path(f).is_dir()] if isinstance(kept, list) else []


def name_for(path: str | Path) -> str | None:
    """The name another app knows a file by, for files whose own name says nothing (an Ollama
    blob is sha256-…); without reading any model."""
    real = _resolved(path)
    for source, name, candidate in candidates(()):
        if source in (OLLAMA, HF_CACHE) and _resolved(candidate) == real:
            return name
    return None


def candidates(folders: Iterable[str | Path] = ()) -> Iterator[tuple[str, str, Path]]:
    """(source, name, path) for every file that may be a model; nothing is read but folder
    listings and Ollama's small manifest files."""
    yield from _ollama()
    home = Path.home()
    for source, roots in (
        (LM_STUDIO, [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]),
        # GPT4All is a Qt app: its folder is <data>/nomic.ai/GPT4All (Linux, macOS)
        (
            GPT4ALL,
            [
                Path(platformdirs.user_data_dir()) / "nomic.ai" / "GPT4All",
                Path(platformdirs.user_data_dir("GPT4All", "nomic.ai")),
            ],
        ),
        # Jan: ~/jan before 0.5, then its data folder (<config>/Jan/data on Linux)
        (
            JAN,
            [
                home / "jan" / "models",
                Path(platformdirs.user_data_dir("Jan")),
                Path(platformdirs.user_config_dir("Jan")),
            ],
        ),
    ):
        for root in roots:
            yield from ((source, p.stem, p) for p in _ggufs(root))
    yield from _hugging_face()
    for folder in folders:
        yield from ((YOURS, p.stem, p) for p in _ggufs(Path(folder).expanduser()))


def _ollama() -> Iterator[tuple[str, str, Path]]:
    """Ollama keeps a manifest per model and tag (manifests/<registry>/<namespace>/<model>/<tag>),
    naming the weights' blob by digest; the name is the one `ollama list` shows."""
    root = Path(os.environ.get("OLLAMA_MODELS") or Path.home() / ".ollama" / "models").expanduser()
    manifests = root / "manifests"
    for manifest in sorted(_files(manifests)):
        parts = manifest.relative_to(manifests).parts
        if len(parts) != 4:
            continue
        registry, namespace, model, tag = parts
        try:
            layers = json.loads(manifest.read_text(encoding="utf-8"))["layers"]
            digest = next(layer["digest"] for layer in layers if layer.get("mediaType") == _OLLAMA_MODEL_LAYER)
        except (OSError, ValueError, KeyError, TypeError, StopIteration, AttributeError):
            continue
        match = _DIGEST.fullmatch(str(digest))
        if not match:
            continue  # never a path made of whatever a manifest says
        prefix = "" if namespace == "library" else f"{namespace}/"
        if registry != "registry.ollama.ai":
            prefix = f"{registry}/{namespace}/"
        yield OLLAMA, f"{prefix}{model}:{tag}", root / "blobs" / f"sha256-{match.group(1)}"


def _hugging_face() -> Iterator[tuple[str, str, Path]]:
    """huggingface_hub's cache: models--<owner>--<name>/snapshots/<commit>/… are links into blobs/."""
    if os.environ.get("HF_HUB_CACHE"):
        hub = Path(os.environ["HF_HUB_CACHE"])
    elif os.environ.get("HF_HOME"):
        hub = Path(os.environ["HF_HOME"]) / "hub"
    else:
        hub = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huggingface" / "hub"
    try:
        repos = sorted(p for p in hub.expanduser().iterdir() if p.name.startswith("models--"))
    except OSError:
        return
    for repo in repos:
        name = "/".join(repo.name.split("--")[1:])
        files = list(_ggufs(repo / "snapshots"))
        for path in files:
            yield HF_CACHE, name if len(files) == 1 else f"{name} ({path.name})", path


def _ggufs(root: Path) -> Iterator[Path]:
    for path in _files(root):
        split = _SPLIT.search(path.name)
        if path.name.lower().endswith(".gguf") and (not split or int(split.group(1)) == 1):
            yield path


def _files(root: Path) -> Iterator[Path]:
    """Every file under root, sorted per folder; folders that can't be read are passed over
    (os.walk ignores their errors) and linked folders are not followed, so a loop can't trap it."""
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        yield from (Path(folder) / n for n in sorted(names))


def _resolved(path: str | Path) -> str | None:
    try:
        return str(Path(path).expanduser().resolve(strict=True))
    except (OSError, RuntimeError):
        return None


FIND_SECONDS = 5.0  # per file (a 260,000-token header reads in well under 1 s); longer is left out
_described: dict[tuple[str, int, int], tuple[str, int, str, int] | None] = {}


def _describe(path: Path) -> tuple[str, int, str, int] | None:
    """(family, parameters, quantisation, size) from the header, remembered per file version so
    opening Settings again reads nothing twice."""
    from llm import gguf

    try:
        st = path.stat()
        if not path.is_file():
            return None
    except OSError:
        return None
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _described:
        try:
            info = gguf.read(path, seconds=FIND_SECONDS)  # header only, never more than the file holds
            size = st.st_size
            split = _SPLIT.search(path.name)
            if split:  # the whole model is every part
                size = sum(
                    _size(path.with_name(_SPLIT.sub(f"-{i:05d}-of-{split.group(2)}.gguf", path.name)))
                    for i in range(1, int(split.group(2)) + 1)
                )
            _described[key] = (info.architecture, info.parameters, info.quantization, size)
        except (*USER_ERRORS, OSError, ValueError):
            _described[key] = None
    return _described[key]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# --- the person's own folders -------------------------------------------------------------------


def add_folder(path: str | Path) -> str:
    """Remember a folder to search, by its full path."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FondlyError(f"{path} is not a folder. Give the folder that holds your .gguf files.")
    real = str(folder.resolve())
    folders = settings.get("model_folders")
    if real not in folders:
        settings.set_value("model_folders", [*folders, real])
    return real


def remove_folder(path: str | Path) -> str:
    """Stop searching a folder (the files in it are left alone)."""
    folders = settings.get("model_folders")
    for candidate in (str(path), str(Path(path).expanduser().resolve())):
        if candidate in folders:
            settings.set_value("model_folders", [f for f in folders if f != candidate])
            return candidate
    shown = ", ".join(folders) if folders else "none yet"
    raise FondlyError(f"{path} is not one of the folders Fondly searches (they are: {shown}).")


# --- how an entry reads -------------------------------------------------------------------------


def human_size(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} KB"


def human_parameters(n: int) -> str:
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"


def summary(f: Found) -> str:
    """ "llama, 3.2B parameters, Q4_K_M, 1.9 GB, from Ollama": the one line both CLI and Settings show."""
    return (
        f"{f.family}, {human_parameters(f.parameters)} parameters, {f.quantisation}, "
        f"{human_size(f.size_bytes)}, from {f.source}"
    )
