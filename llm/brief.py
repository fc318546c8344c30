"""The Brief: a person's shorthand, read deterministically into what to write.

    need a 2min toast for tom and anna, couple of jokes, nothing about her ex
    best man speech for Tom, 300 words, mention the stag do but not the police
    Write me an anecdote about the leeks for his funeral.

Rules, not a model: the same words always give the same Brief, and the person sees it (and
can change it) before anything is written. The shorthand is read in passes, each claiming the
words it understood: numbers and typos are normalised first (text2num, rapidfuzz), then each
field's cue table (llm.cues) is tried, in an order where the more specific reading wins ("Four
Weddings and a Funeral" is a style before it is an occasion; "one funny story" is a joke count
before "funny" is a tone). What no field claims is looked up in the project's memories: a
word they tell of (by lemma) is a topic, so "the bees" selects the bee story. What is left is
neither dropped nor guessed at: it is kept in `instructions`, which the chips and the CLI show
as not used when the writer can't use it, so the person can rephrase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

TASKS = ("speech", "anecdote", "opening", "closing", "rewrite")

# the speaking pace, in words a minute: what minutes become in words, everywhere
DEFAULT_PACE = 120  # a calm pace for a eulogy
PACE_RANGE = (60, 250)  # anything outside is not a believable read


@dataclass
class Brief:
    """What to write. Every field has a plain meaning a person can read and change."""

    task: str = "speech"  # speech, anecdote, opening, closing, rewrite
    occasion: str = "funeral"
    subject: str = ""
    relation: str = ""  # who the subject is to the speaker: father, wife, boss…
    speaker: str = ""  # who gives the speech, when the shorthand says ("from me (Priya)")
    sources: list[str] = field(default_factory=list)  # memories named, e.g. "dad.txt"
    search: list[str] = field(default_factory=list)  # topics: "the bees" — the stories about them come first
    jokes: int = 0  # how many light moments were asked for
    anecdotes: list[str] = field(default_factory=list)  # must-haves: "mention the stag do"
    style: str = ""  # "Four Weddings and a Funeral"
    voice: str = ""  # "Texas inflection"
    tone: list[str] = field(default_factory=list)
    audience: str = ""
    avoid: list[str] = field(default_factory=list)  # "the hospital"
    minutes: float | None = None
    words: int | None = None  # asked for in words
    target_words: int = 0  # the length to aim for, from words, minutes or the occasion
    rewrite: str = ""  # shorter, warmer, lighter, style: for task "rewrite"
    notes: list[str] = field(default_factory=list)  # facts and sayings given in the shorthand itself
    instructions: list[str] = field(default_factory=list)  # what no field holds, kept as said
    shorthand: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def topics(self) -> list[str]:
        """Everything the stories should be about: the must-haves, then the other topics."""
        return list(dict.fromkeys(self.anecdotes + self.search))

    def set_length(self, pace: int, default_minutes: float) -> None:
        """Turn minutes or words into the target word count (minutes at the speaker's pace)."""
        if self.words:
            self.target_words = int(self.words)
        elif self.minutes:
            self.target_words = round(self.minutes * pace)
        elif "short and sweet" in self.tone:
            self.target_words = round(default_minutes * 0.5 * pace)
        elif self.task == "anecdote":
            self.target_words = 130
        elif self.task in ("opening", "closing"):
            self.target_words = 90
        else:
            self.target_words = round(default_minutes * pace)
        self.target_words = max(20, min(self.target_words, 5000))


# --- reading: the passes in llm.shorthand, the cue words in llm.cues, the machinery in llm.reader ---


def parse(
    shorthand: str,
    occasion: str = "funeral",
    subject: str = "",
    pace: int = DEFAULT_PACE,
    default_minutes: float = 4.0,
    memory_titles: Iterable[str] = (),
    memories: Iterable[str] = (),
    people: Iterable[str] = (),
) -> Brief:
    """Read shorthand into a Brief (llm.shorthand). Deterministic, and never raises on any text.

    `occasion` and `subject` are the project's, kept unless the shorthand names others; `memories`
    are its memory texts (what a topic is looked up in) and `people` its names."""
    from llm.shorthand import read

    shorthand = shorthand if isinstance(shorthand, str) else str(shorthand)
    b = Brief(occasion=occasion, shorthand=shorthand)
    read(b, shorthand, subject, default_minutes, memory_titles, memories, people)
    b.set_length(pace, default_minutes)
    return b
