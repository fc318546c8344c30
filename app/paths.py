"""Where Fondly keeps its data: one folder, from platformdirs or `FONDLY_HOME`."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app.errors import FondlyError


def data_dir(create: bool = True) -> Path:
    """The data folder; `FONDLY_HOME` overrides it (tests always set it)."""
    home = os.environ.get("FONDLY_HOME")
    path = Path(home).expanduser() if home else Path(platformdirs.user_data_dir("Fondly", False))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise FondlyError(
                f"Fondly can't create its data folder {path} ({e.strerror}). "
                "Check its permissions, or set FONDLY_HOME to a folder you can write to."
            ) from None
    return path


def database_path() -> Path:
    return data_dir() / "fondly.db"


def audio_dir() -> Path:
    """Audio a memory was made from is copied here, so it survives the original moving."""
    path = data_dir() / "audio"
    path.mkdir(exist_ok=True)
    return path
