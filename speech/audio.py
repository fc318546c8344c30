"""Audio files in, 16 kHz mono float32 out — the only form the transcriber takes.

Decoding goes through faster-whisper's decoder (PyAV, with its own FFmpeg), so no
system ffmpeg is needed and every common format reads the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from speech.errors import SpeechError

SAMPLE_RATE = 16_000
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".aac", ".webm")


def is_audio(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


def decode(path: str | Path) -> np.ndarray:
    """The whole file as 16 kHz mono float32; a SpeechError if it is not usable audio."""
    from faster_whisper.audio import decode_audio  # heavy import, only when decoding

    path = Path(path)
    if not path.is_file():
        raise SpeechError(f"There is no audio file at {path}. Check the name and try again.")
    if path.stat().st_size == 0:
        raise SpeechError(f"{path.name} is empty (0 bytes). Choose the recording itself, not a placeholder.")
    try:
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as e:  # PyAV raises many types for a damaged file; all mean the same here
        raise SpeechError(
            f"{path.name} can't be read as audio ({type(e).__name__}: {e}). "
            "The file may be damaged or not really audio; try exporting it again as WAV or MP3."
        ) from None
    if audio.size == 0:
        raise SpeechError(f"{path.name} holds no sound. Check it plays, then import it again.")
    return np.ascontiguousarray(audio, dtype=np.float32)


def duration(audio: np.ndarray) -> float:
    return round(len(audio) / SAMPLE_RATE, 3)
