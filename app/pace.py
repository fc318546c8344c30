"""A person's real speaking pace, measured from a practice read of their speech."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app import speaking
from app.errors import FondlyError
from speech import audio

BELIEVABLE = (40, 300)  # words a minute a real read of a speech can have


def measure(transcriber, path: str | Path, hotwords: Sequence[str] = ()) -> tuple[int, int, float]:
    """(words per minute, words heard, seconds of speech) for a recording of someone reading."""
    samples = audio.decode(path)
    segments = list(transcriber.transcribe(samples, hotwords))
    words = sum(speaking.word_count(s.text) for s in segments)
    if not segments or words < 20:
        raise FondlyError(
            "Too little speech was heard to measure a pace. Record yourself reading at least "
            "a paragraph of the speech, at the pace you will use on the day."
        )
    seconds = segments[-1].end - segments[0].start
    if seconds <= 0:
        raise FondlyError("The recording is too short to measure a pace.")
    wpm = round(words * 60 / seconds)
    if not BELIEVABLE[0] <= wpm <= BELIEVABLE[1]:
        raise FondlyError(f"The pace measured ({wpm} words a minute) is not believable; was it a read of the speech?")
    return wpm, words, round(seconds, 1)
