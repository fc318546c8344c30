"""Before a model's first use on this install, prove in a child process that llama.cpp runs it here.

Why: a native crash (SIGILL from instructions this processor does not run, a GGML_ASSERT abort on
a model file whose values llama.cpp's loader does not expect) would take the whole window with it,
and whatever the person was doing. The child takes it instead; the window says what happened.

`check_model` is the one way a model file becomes usable — `models add`, `config set model`,
`write --model`, `eval --model`, the model the settings name when the app or doctor opens it: its
header is read with hard limits (llm.gguf.read), its weights must be on the disk (not a sparse
file's holes), then the child loads it for real and writes a few tokens (llm.native.smoke). The outcome is remembered per file identity (llm.native.key:
llama-cpp-python's build, the processor, the file's path, inode, size and time): a pass costs a
few seconds once after an install, an upgrade or a new model; a failure is not retried — the app
would only make llama.cpp abort again — until the file or llama.cpp changes. The set-up records
its own pass here too, so after `make run` even the first draft does not wait for it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import platformdirs

from app.errors import FondlyError
from llm import gguf, native

_lock = threading.Lock()  # two lanes opening the same model check it once
_UNCHANGED = " Nothing was lost: your memories and drafts are as they were."


def checks_path() -> Path:
    """Machine facts, not the person's data: the user cache folder (FONDLY_CACHE overrides)."""
    base = os.environ.get("FONDLY_CACHE")
    folder = Path(base).expanduser() if base else Path(platformdirs.user_cache_dir("Fondly", False))
    return folder / "native-checks.json"


def checks() -> native.Checks:
    return native.Checks.load(checks_path())


def check_model(model: str | Path, bundled: bool = False, smoke=None) -> gguf.GGUFInfo:
    """The header, then a real load and a few tokens in a child; its GGUFInfo, or a FondlyError
    (ModelError) in one line that names the file."""
    info = gguf.read(model)
    ensure_runs(info.path, bundled, smoke, info)
    return info


def ensure_runs(model: str | Path, bundled: bool, smoke=None, info: gguf.GGUFInfo | None = None) -> None:
    """Return when llama.cpp has been seen to write with `model` on this processor; else raise the
    one message that says what happened and what to do. With `info` (its header, read), the file's
    weights must be on the disk before a child loads them."""
    smoke = smoke or native.smoke
    with _lock:
        record = checks()
        if record.has_passed(model):
            return
        known = record.failure(model)
        if known:
            raise FondlyError(known + _UNCHANGED)
        if info is not None:
            gguf.check_on_disk(info)  # weights that are holes would load as zeros
        result = smoke(model)
        record.remember(result)
        if result.ok:
            return
    if result.processor_crash:
        raise FondlyError(
            f"The text model crashed on this computer's processor ({result.signal_name}); run `make setup` again "
            f"(it rebuilds llama.cpp for this processor). {'' if bundled else 'Or choose another model.'}" + _UNCHANGED
        )
    raise FondlyError(result.explain(advice=bundled) + _UNCHANGED)
