"""Settings a person chooses (which models, how many threads), kept as JSON in the data folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from app.errors import FondlyError
from app.paths import data_dir

DEFAULTS: dict[str, Any] = {
    "model": None,  # a GGUF file; None means the bundled SmolLM2
    "whisper_model": None,  # a CTranslate2 Whisper folder; None means the bundled tiny.en
    "threads": 0,  # 0: as many as the machine has, up to four
    "context": 4096,  # tokens of context for the text model
    "pace": 120,  # words per minute for new projects
}


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
    values = load()
    values[key] = value
    path = _path()
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(values, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise FondlyError(f"Fondly can't save its settings to {path} ({e.strerror}).") from None


def threads() -> int:
    """Threads for the models: the setting, or the machine's cores up to four."""
    n = int(get("threads") or 0)
    return n if n > 0 else max(1, min(4, os.cpu_count() or 1))
