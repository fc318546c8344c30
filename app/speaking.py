"""Words and speaking time: what a person needs to know about a speech's length."""

from __future__ import annotations

import re

from llm.brief import DEFAULT_PACE

_WORD = re.compile(r"[\w'’-]+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def speaking_seconds(words: int, pace: int = DEFAULT_PACE) -> int:
    return round(words * 60 / max(pace, 1))


def format_duration(seconds: int) -> str:
    """ "2 min 30 s", "45 s": how long the speech takes to read aloud."""
    minutes, secs = divmod(int(seconds), 60)
    if not minutes:
        return f"{secs} s"
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def clock(seconds: float) -> str:
    """ "2:05": a recording's length or a position in it."""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def summary(text: str, pace: int = DEFAULT_PACE) -> str:
    words = word_count(text)
    return f"{words} word{'s' if words != 1 else ''} · about {format_duration(speaking_seconds(words, pace))} at {pace} wpm"
