"""Before a model's first use on this install, prove in a child process that llama.cpp runs it here.

Why: a native crash (SIGILL from instructions this processor does not run, a model that makes
llama.cpp segfault) would take the whole window with it, and whatever the person was doing. The
child takes it instead; the window says what happened. A pass is remembered (llm.native.key:
llama-cpp-python's version, the processor's flags, the model file), so this costs a few seconds
once after an install, an upgrade or a new model, and nothing on every later draft. The set-up
records its own pass here too, so after `make run` even the first draft does not wait for it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import platformdirs

from app.errors import FondlyError
from llm import native

_lock = threading.Lock()  # two lanes opening the same model check it once


def checks_path() -> Path:
    """Machine facts, not the person's data: the user cache folder (FONDLY_CACHE overrides)."""
    base = os.environ.get("FONDLY_CACHE")
    folder = Path(base).expanduser() if base else Path(platformdirs.user_cache_dir("Fondly", False))
    return folder / "native-checks.json"


def checks() -> native.Checks:
    return native.Checks.load(checks_path())


def ensure_runs(model: str | Path, bundled: bool, smoke=None) -> None:
    """Return when llama.cpp has been seen to write with `model` on this processor; else raise the
    one message that says what happened and what to do."""
    smoke = smoke or native.smoke
    with _lock:
        record = checks()
        if record.has_passed(model):
            return
        result = smoke(model)
        if result.ok:
            record.remember(result)
            return
    if result.processor_crash:
        raise FondlyError(
            f"The text model crashed on this computer's processor ({result.signal_name}); run `make setup` again "
            f"(it rebuilds llama.cpp for this processor). {'' if bundled else 'Or choose another model. '}"
            "Nothing was lost: your memories and drafts are as they were.")
    raise FondlyError(result.explain() + " Nothing was lost: your memories and drafts are as they were.")
