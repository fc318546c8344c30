"""Checks on what the model wrote: nothing invented, no loops, the must-haves, the length.

A small model will happily invent a brother, a funeral director or a town. Every
paragraph is checked against everything the person gave: the memories it was built
from, the Brief, and the project's people. A proper name or a relative that appears in
none of them is flagged, and so is a paragraph that repeats itself, that does not use
its memories, or that touches something the person asked to leave out.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from llm.brief import Brief

WORDS_FILE = Path(__file__).resolve().parents[1] / "assets" / "words" / "english.txt.gz"

# capitalised words that are never names: titles, days, months, and what starts a line of speech
ALWAYS_FINE = {
    "i", "i'm", "i've", "i'd", "i'll", "god", "lord", "jesus", "christ", "heaven", "mum", "mom", "dad", "mummy",
    "daddy", "grandma", "grandpa", "granny", "nan", "papa", "mama", "sir", "madam", "mr", "mrs", "ms", "dr",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "christmas",
    "easter", "ok", "okay", "amen", "cheers", "thank", "thanks", "rest", "peace", "goodbye", "hello", "dear",
}

RELATIVES = {
    "wife", "husband", "son", "daughter", "brother", "sister", "uncle", "aunt", "auntie", "cousin", "nephew",
    "niece", "grandson", "granddaughter", "grandchild", "grandchildren", "stepson", "stepdaughter", "fiancé",
    "fiancee", "fiance", "girlfriend", "boyfriend", "sons", "daughters", "brothers", "sisters", "twin",
}

LIGHT_WORDS = re.compile(
    r"\b(laugh\w*|joke\w*|funny|smil\w*|grin\w*|teas\w*|silly|chuckl\w*|giggl\w*|humou?r\w*|prank\w*|"
    r"ridiculous|hilarious|wink\w*|daft|cheek\w*|mischie\w*|never (?:once )?(?:got|managed)|terrible at|"
    r"worst|we still (?:laugh|talk)|couldn't help|used to say|always said|nickname\w*)\b", re.I)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_STOP = {"the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "was", "were", "is",
         "he", "she", "it", "we", "they", "i", "my", "our", "his", "her", "their", "you", "that", "this",
         "had", "have", "has", "be", "been", "as", "by", "from", "so", "all", "every", "would", "could", "me",
         "us", "him", "them", "not", "no", "one", "there", "what", "when", "who", "how", "about", "just"}


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def content_words(text: str) -> set[str]:
    return {w.lower().strip("'’-") for w in _TOKEN.findall(text) if len(w) > 2 and w.lower() not in _STOP}


def _sentence_starts(text: str) -> set[int]:
    starts = {0}
    for m in re.finditer(r"[.!?:;\"“”]\s*|\n\s*|—\s*|-\s+", text):
        starts.add(m.end())
    return starts


def proper_names(text: str) -> list[str]:
    """Capitalised words that look like names or places, joined into phrases ("Lake Travis")."""
    starts = _sentence_starts(text)
    common = common_words()
    names: list[str] = []
    current: list[str] = []
    last_end = -10
    for m in _TOKEN.finditer(text):
        word = m.group(0).strip("'’-")
        word = re.sub(r"['’]s$", "", word)
        is_cap = word[:1].isupper() and not word.isupper() or (word.isupper() and len(word) > 1 and word != "I")
        lower = word.lower()
        if not is_cap or lower in ALWAYS_FINE:
            name = False
        elif m.start() in starts:
            name = lower not in common  # a common word that starts a sentence is just a word
        else:
            name = True
        if name:
            if current and m.start() - last_end <= 1:
                current.append(word)
            else:
                if current:
                    names.append(" ".join(current))
                current = [word]
            last_end = m.end()
        elif current:
            names.append(" ".join(current))
            current = []
    if current:
        names.append(" ".join(current))
    return names


@dataclass
class ParagraphCheck:
    invented_names: list[str] = field(default_factory=list)
    invented_relatives: list[str] = field(default_factory=list)
    avoided: list[str] = field(default_factory=list)
    loop: bool = False
    unused_sources: bool = False  # none of its memories' words appear
    not_light: bool = False  # a light moment was wanted and this is not one
    too_short: bool = False

    @property
    def ok(self) -> bool:
        return not (self.invented_names or self.invented_relatives or self.avoided or self.loop
                    or self.unused_sources or self.not_light or self.too_short)

    def problems(self) -> list[str]:
        out = []
        if self.invented_names:
            out.append("names not in your memories: " + ", ".join(self.invented_names))
        if self.invented_relatives:
            out.append("relatives not in your memories: " + ", ".join(self.invented_relatives))
        if self.avoided:
            out.append("mentions what you asked to leave out: " + ", ".join(self.avoided))
        if self.loop:
            out.append("repeats itself")
        if self.unused_sources:
            out.append("does not use its memories")
        if self.not_light:
            out.append("is not a light moment")
        if self.too_short:
            out.append("is too short")
        return out

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok, "problems": self.problems()}


class Grounds:
    """Everything a paragraph may draw on: the memories, the Brief, the project's names."""

    def __init__(self, texts: list[str], names: list[str], brief: Brief, speaker: str = ""):
        self.speaker = speaker
        allowed_text = " ".join(texts + names + [brief.shorthand, brief.style, brief.voice, brief.subject]
                                + brief.notes + brief.instructions + brief.anecdotes + brief.sources)
        self.words = {w.lower() for w in _TOKEN.findall(allowed_text)}
        self.words |= {re.sub(r"['’]s$", "", w) for w in self.words}
        self.text = allowed_text.lower()
        self.avoid = [a for a in brief.avoid if a.strip()]

    def unknown_names(self, paragraph: str) -> list[str]:
        out = []
        for m in re.finditer(r"\b(?i:my name is|my name's|i am|i'm) ([A-Z][a-z]+)\b", paragraph):
            if m.group(1).lower() != self.speaker.lower():
                out.append(f"the speaker called {m.group(1)}")  # a small model often signs as someone else
        for name in proper_names(paragraph):
            parts = [p.lower() for p in name.split()]
            if not all(p in self.words or p in ALWAYS_FINE for p in parts) and name not in out:
                out.append(name)
        return out

    def unknown_relatives(self, paragraph: str) -> list[str]:
        found = {w.lower() for w in _TOKEN.findall(paragraph)} & RELATIVES
        return sorted(r for r in found if r not in self.words and r.rstrip("s") not in self.words)

    def avoided(self, paragraph: str) -> list[str]:
        low = paragraph.lower()
        hits = []
        for phrase in self.avoid:
            keys = content_words(phrase) or {phrase.lower()}
            if any(re.search(rf"\b{re.escape(k)}", low) for k in keys):
                hits.append(phrase)
        return hits


def repeats_itself(text: str) -> bool:
    """A loop: the same sentence twice, or a run of eight words said again."""
    sentences = [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]
    if len(sentences) != len(set(sentences)):
        return True
    words = text.lower().split()
    seen = set()
    for i in range(len(words) - 7):
        gram = tuple(words[i:i + 8])
        if gram in seen:
            return True
        seen.add(gram)
    return False


def uses(paragraph: str, source_texts: list[str], at_least: int = 2) -> bool:
    """Whether a paragraph draws on its memories: it shares a few of their content words."""
    if not source_texts:
        return True
    return len(content_words(paragraph) & content_words(" ".join(source_texts))) >= at_least


def is_light(paragraph: str) -> bool:
    return bool(LIGHT_WORDS.search(paragraph))


def check_paragraph(paragraph: str, grounds: Grounds, source_texts: list[str], light: bool = False,
                    min_words: int = 12) -> ParagraphCheck:
    return ParagraphCheck(
        invented_names=grounds.unknown_names(paragraph),
        invented_relatives=grounds.unknown_relatives(paragraph),
        avoided=grounds.avoided(paragraph),
        loop=repeats_itself(paragraph),
        unused_sources=not uses(paragraph, source_texts),
        not_light=light and not is_light(paragraph),
        too_short=len(paragraph.split()) < min_words,
    )


@dataclass
class SpeechCheck:
    """The whole speech against the Brief: stored with the revision and shown to the person."""

    words: int
    target_words: int
    length_error: float  # (words - target) / target
    invented_names: list[str]
    avoided: list[str]
    jokes_wanted: int
    light_moments: int
    sources_named: list[str]
    sources_unused: list[str]
    repetition: bool
    fallbacks: int  # paragraphs that fell back to the memory's own words

    @property
    def must_haves_met(self) -> bool:
        return self.light_moments >= self.jokes_wanted and not self.sources_unused and not self.avoided

    @property
    def ok(self) -> bool:
        return self.must_haves_met and not self.invented_names and abs(self.length_error) <= 0.2 and not self.repetition

    def to_dict(self) -> dict:
        return {**asdict(self), "must_haves_met": self.must_haves_met, "ok": self.ok}
