"""The evaluation's judge: scores a written draft against hand-written labels, independently.

This module shares no code with the grounding check that filters what is written
(llm/grounding.py) — not its tokens, not its lemmas, not its word lists — so a figure
it reports is a measurement, not the filter grading itself. It reads only the draft's
text, the case's memories and labels (tests/data/eval/*/case.json), and its own list of
framing words (frame-words.txt beside the cases), written by hand.

Its claims, per sentence of the draft:
- a capitalised word (after the first) must be in the memories, the people or the case facts,
  written the same way;
- a number (digits or words) must be in them too;
- a kin word must be in them, or be the relation the case's label gives;
- every other word of four letters or more must match a word of them closely (rapidfuzz),
  unless it is a framing word or very common (wordfreq).
And per case, by label: the must-haves (a light moment from the memories, a named memory
used), what must not appear, the length (or a shortfall shown), and the scaffold when a
project has no memories.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz, process
from wordfreq import zipf_frequency


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)?")
_SPLIT = re.compile(r"(?<=[.!?])[\"”]?\s+|\n+")
_META = re.compile(r"\b(speaker|paragraphs?|notes|inflection|as an ai|here it goes|here goes|i've added|"
                   r"i have added|prompt|style of|in this case|word count|rewrite|the following)\b|[\[\]{}<>]", re.I)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
            "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
            "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
            "twice": 2, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "dozen": 12}
_KIN = {"mother", "mum", "mom", "mummy", "mam", "father", "dad", "daddy", "papa", "son", "daughter", "child",
        "children", "kids", "brother", "sister", "husband", "wife", "uncle", "aunt", "auntie", "cousin", "nephew",
        "niece", "grandmother", "grandma", "gran", "granny", "nan", "nana", "grandfather", "grandpa", "grandad",
        "granddad", "grandson", "granddaughter", "grandchild", "grandchildren", "stepfather", "stepmother",
        "stepson", "stepdaughter", "fiance", "fiancee", "widow", "widower", "twin", "parents", "parent",
        "in-law", "sibling", "siblings", "boyfriend", "girlfriend"}
_KIN_SAME = {"mum": "mother", "mom": "mother", "mummy": "mother", "mam": "mother", "dad": "father",
             "daddy": "father", "papa": "father", "grandma": "grandmother", "gran": "grandmother",
             "granny": "grandmother", "nan": "grandmother", "nana": "grandmother", "grandpa": "grandfather",
             "grandad": "grandfather", "granddad": "grandfather", "auntie": "aunt", "kids": "children"}
COMMON = 5.8
# irregular past forms, so "taught" meets "teaching" and "sang" meets "sing"
_IRREGULAR = {"taught": "teach", "sang": "sing", "sung": "sing", "caught": "catch", "brought": "bring",
              "bought": "buy", "thought": "think", "told": "tell", "said": "say", "made": "make", "went": "go",
              "gone": "go", "came": "come", "knew": "know", "known": "know", "grew": "grow", "grown": "grow",
              "gave": "give", "given": "give", "took": "take", "taken": "take", "wrote": "write",
              "written": "write", "drove": "drive", "driven": "drive", "swam": "swim", "ran": "run", "won": "win",
              "lost": "lose", "met": "meet", "led": "lead", "left": "leave", "kept": "keep", "slept": "sleep",
              "stood": "stand", "sat": "sit", "spoke": "speak", "spoken": "speak", "fell": "fall", "felt": "feel",
              "found": "find", "held": "hold", "heard": "hear", "built": "build", "spent": "spend", "sent": "send",
              "woke": "wake", "drew": "draw", "drawn": "draw", "trod": "tread", "burnt": "burn", "spilt": "spill",
              "danced": "dance", "lived": "live", "loved": "love", "named": "name"}
_FUNCTION = {"others", "other", "herself", "himself", "itself", "themselves", "myself", "yourself", "ourselves",
             "else", "again", "also", "very", "just", "much", "many", "some", "such", "than", "then", "there",
             "these", "those", "this", "that", "what", "when", "where", "which", "while", "with", "would", "could",
             "should", "will", "shall", "might", "must", "been", "being", "have", "having", "into", "onto", "from",
             "about", "after", "before", "over", "under", "only", "even", "ever"}


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return _WORD.findall(_plain(text))


def _kin(word: str) -> str:
    w = word.lower()
    w = w[:-2] if w.endswith("'s") else w
    if w not in _KIN and w.endswith("s") and w[:-1] in _KIN:
        w = w[:-1]
    return _KIN_SAME.get(w, w) if w in _KIN or w.endswith("-in-law") else ""


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SPLIT.split(text) if s and s.strip()]


@dataclass
class CaseScore:
    case: str
    sentences: int = 0
    supported: int = 0
    unsupported: list[dict] = field(default_factory=list)  # {"sentence", "words"}
    invented_names: list[str] = field(default_factory=list)
    invented_numbers: list[str] = field(default_factory=list)
    invented_kin: list[str] = field(default_factory=list)
    meta: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    must_haves: dict[str, bool] = field(default_factory=dict)
    must_not: list[str] = field(default_factory=list)
    words: int = 0
    target_words: int = 0
    length_error: float = 0.0
    shortfall_shown: bool = False
    scaffold_expected: bool = False
    scaffold_ok: bool = True
    seconds: float = 0.0
    max_seconds: float = 0.0

    @property
    def supported_share(self) -> float:
        return self.supported / self.sentences if self.sentences else (1.0 if self.scaffold_expected else 0.0)

    def failures(self, min_share: float = 0.95) -> list[str]:
        """Why this case falls below the thresholds; empty when it passes."""
        out = []
        if self.scaffold_expected:
            if not self.scaffold_ok:
                out.append("an empty project gave prose, not a scaffold or an error")
            return out
        if self.supported_share < min_share:
            out.append(f"{self.supported_share:.0%} of sentences supported (needs {min_share:.0%})")
        for label, values in (("invented names", self.invented_names), ("invented numbers", self.invented_numbers),
                              ("invented kin", self.invented_kin), ("meta-text", self.meta),
                              ("repeated sentences", self.repeated), ("must not appear", self.must_not)):
            if values:
                out.append(f"{label}: {', '.join(values)}")
        out += [f"must-have not met: {k}" for k, ok in self.must_haves.items() if not ok]
        if abs(self.length_error) > 0.25 and not self.shortfall_shown:
            out.append(f"length off by {self.length_error:+.0%} with no shortfall shown")
        if self.max_seconds and self.seconds > self.max_seconds:
            out.append(f"took {self.seconds:.1f} s (limit {self.max_seconds:.0f} s)")
        return out

    def to_dict(self) -> dict:
        return {**asdict(self), "supported_share": round(self.supported_share, 3), "failures": self.failures()}


class Judge:
    """What a case allows: its memories, people and labelled facts, as words to match."""

    def __init__(self, case: dict, frame_words: set[str]):
        self.case = case
        labels = case.get("labels", {})
        facts = [m["text"] for m in case.get("memories", [])]
        facts += [case.get("subject", ""), case.get("speaker", ""), *case.get("people", [])]
        facts += labels.get("facts", [])  # what the shorthand itself states, labelled by hand
        facts += labels.get("relation", [])  # who the subject is to the speaker, as the shorthand says
        self.text = _plain(" \n ".join(facts))
        self.vocab = sorted({w.lower() for w in _words(self.text)})
        self._irregular_vocab = {_IRREGULAR.get(w, w) for w in self.vocab}
        self.caps = {w for w in _words(self.text) if w[:1].isupper()}
        self.numbers = {w.lower() for w in _words(self.text) if w.isdigit() or w.lower() in _NUMBERS}
        self.number_values = {_NUMBERS.get(w, w) for w in self.numbers}
        self.kin = {_kin(w) for w in _words(self.text) if _kin(w)} | {_kin(w) for w in labels.get("relation", [])}
        self.frame = {w.lower() for w in frame_words}

    def _found(self, word: str) -> bool:
        w = word.lower()
        if w in self.vocab or _IRREGULAR.get(w, w) in self._irregular_vocab:
            return True
        for form in {w, _IRREGULAR.get(w, w)}:
            for other in self.vocab:
                n = 0
                for a, b in zip(form, other):
                    if a != b:
                        break
                    n += 1
                if n >= 4 and n >= 0.6 * min(len(form), len(other)):
                    return True
        hit = process.extractOne(w, self.vocab, scorer=fuzz.ratio, score_cutoff=85)
        return hit is not None

    def sentence(self, sentence: str) -> tuple[list[str], list[str], list[str], list[str]]:
        """Unsupported words of one sentence: (names, numbers, kin, other words)."""
        names, nums, kin, other = [], [], [], []
        starts = {0}
        words: list[str] = []
        for part in re.split(r"[\"“”]", _plain(sentence)):  # a capital after a quote mark starts a sentence
            starts.add(len(words))
            words += _words(part)
        for i, w in enumerate(words):
            low = w.lower()
            base = re.sub(r"'(?:s|d|ll|ve|re|m|t)$", "", low)
            if _kin(w):
                if _kin(w) not in self.kin:
                    kin.append(w)
                continue
            if w.isdigit() or low in _NUMBERS:
                value = int(w) if w.isdigit() else _NUMBERS[low]
                if low not in self.numbers and value not in self.number_values and str(value) not in self.numbers:
                    nums.append(w)
                continue
            if w[:1].isupper() and w != "I" and not w.startswith("I'"):
                first = i in starts
                if not first or zipf_frequency(base, "en") < 3.0:
                    if w not in self.caps and re.sub(r"'s$", "", w) not in self.caps:
                        names.append(w)
                    continue
            if len(base) < 4 or base in self.frame or base in _FUNCTION or zipf_frequency(base, "en") >= COMMON:
                continue
            if not self._found(base):
                other.append(w)
        return names, nums, kin, other

    def score(self, text: str, checks: dict, seconds: float, name: str) -> CaseScore:
        labels = self.case.get("labels", {})
        sentences = [s for s in split_sentences(text) if _words(s)]
        out = CaseScore(case=name, seconds=round(seconds, 1), max_seconds=labels.get("max_seconds", 0))
        out.scaffold_expected = bool(labels.get("expect_scaffold"))
        if out.scaffold_expected:
            prose = [s for s in sentences if not re.fullmatch(r"\[[^\]]+\]", s)]
            out.scaffold_ok = not prose or bool(checks.get("error"))
            out.sentences = len(prose)
            return out
        seen: list[str] = []
        for s in sentences:
            names, nums, kin, other = self.sentence(s)
            out.sentences += 1
            if names or nums or kin or other:
                out.unsupported.append({"sentence": s, "words": names + nums + kin + other})
            else:
                out.supported += 1
            out.invented_names += [n for n in names if n not in out.invented_names]
            out.invented_numbers += [n for n in nums if n not in out.invented_numbers]
            out.invented_kin += [k for k in kin if k not in out.invented_kin]
            m = _META.search(s)
            if m:
                out.meta.append(m.group(0))
            if any(fuzz.ratio(s.lower(), t.lower()) >= 90 for t in seen):
                out.repeated.append(s)
            seen.append(s)
        for label in labels.get("must_have", []):
            out.must_haves[label["what"]] = any(
                fuzz.partial_ratio(_plain(p).lower(), _plain(s).lower()) >= 85 for p in label["any_of"] for s in sentences
                if len(s) >= 0.5 * len(p))
        low = _plain(text).lower()
        out.must_not = [w for w in labels.get("must_not", []) if re.search(rf"\b{re.escape(_plain(w).lower())}\b", low)]
        out.words = len(text.split())
        out.target_words = int(labels.get("target_words") or checks.get("target_words") or 1)
        out.length_error = round((out.words - out.target_words) / out.target_words, 3)
        out.shortfall_shown = bool(checks.get("shortfall"))
        return out
