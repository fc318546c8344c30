"""The Brief: a person's shorthand, parsed deterministically into what to write.

    Write a funeral speech using dad.txt and be sure to include at least one joke.
    In the style of Four Weddings and a Funeral, but with a Texas inflection.
    Make it about four minutes. Don't mention the hospital.

Rules, not a model: the same words always give the same Brief, and the person sees it
(and can change it) before anything is written. Nothing fails: a sentence that is
neither an instruction Fondly knows nor a fact is kept as a free instruction.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from llm.grounding import sentences
from llm.occasions import SHORTHAND_WORDS

TASKS = ("speech", "anecdote", "opening", "closing", "rewrite")

# the speaking pace, in words a minute: what minutes become in words, everywhere
DEFAULT_PACE = 120  # a calm pace for a eulogy
PACE_RANGE = (60, 250)  # anything outside is not a believable read

NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "a couple of": 2, "a couple": 2, "a few": 3, "several": 3, "half a": 0.5, "a half": 0.5,
}
_NUM = r"(\d+(?:\.\d+)?|a couple of|a couple|a few|several|half a|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"

OCCASION_WORDS = SHORTHAND_WORDS  # (occasion, pattern), from llm.occasions

RELATIONS = {
    "dad": "father", "father": "father", "daddy": "father", "pop": "father", "papa": "father",
    "mum": "mother", "mom": "mother", "mother": "mother", "mommy": "mother", "mummy": "mother", "mam": "mother",
    "grandfather": "grandfather", "grandpa": "grandfather", "granddad": "grandfather", "grandad": "grandfather",
    "grandmother": "grandmother", "grandma": "grandmother", "gran": "grandmother", "granny": "grandmother", "nan": "grandmother",
    "husband": "husband", "wife": "wife", "partner": "partner", "brother": "brother", "sister": "sister",
    "son": "son", "daughter": "daughter", "uncle": "uncle", "aunt": "aunt", "auntie": "aunt", "cousin": "cousin",
    "friend": "friend", "best friend": "friend", "boss": "boss", "colleague": "colleague", "mentor": "mentor",
    "teacher": "teacher", "neighbour": "neighbour", "neighbor": "neighbour",
}

TONES = ["warm", "funny", "humorous", "light-hearted", "lighthearted", "light", "solemn", "serious", "formal",
         "informal", "heartfelt", "uplifting", "celebratory", "gentle", "respectful", "joyful", "tender",
         "dignified", "playful", "sincere", "emotional", "short and sweet", "moving", "upbeat", "reverent"]

AUDIENCES = r"(?:the )?(family|kids|children|grandchildren|colleagues|co-?workers|friends|congregation|team|class|church|guests|whole office|office|neighbours|neighbors|students)"

FILE_RE = re.compile(r"(?<![\w.])([\w'()&-]+\.(?:txt|md|markdown|text|wav|flac|mp3|m4a|ogg|oga|opus|aac|webm))\b", re.I)

_INSTRUCTION = re.compile(
    r"\b(write|make|include|use|using|add|keep|give|please|put|mention|avoid|don't|do not|never mention|no more|"
    r"in the style|style of|tone|minutes?|seconds?|words|joke|funny|inflection|accent|rewrite|shorten|shorter|"
    r"longer|warmer|lighter|anecdote|speech|eulogy|toast|opening|closing|paragraph|story about|start with|"
    r"end with|finish with|sound|should|could you|can you|i want|i need|i'd like|let's|help me)\b", re.I)


@dataclass
class Brief:
    """What to write. Every field has a plain meaning a person can read and change."""

    task: str = "speech"  # speech, anecdote, opening, closing, rewrite
    occasion: str = "funeral"
    subject: str = ""
    relation: str = ""  # who the subject is to the speaker: father, wife, boss…
    sources: list[str] = field(default_factory=list)  # memories named, e.g. "dad.txt"
    search: list[str] = field(default_factory=list)  # "the story about the boat" -> "the boat"
    jokes: int = 0  # how many light moments were asked for
    anecdotes: list[str] = field(default_factory=list)  # named stories that must be told
    style: str = ""  # "Four Weddings and a Funeral"
    voice: str = ""  # "Texas inflection"
    tone: list[str] = field(default_factory=list)
    audience: str = ""
    avoid: list[str] = field(default_factory=list)  # "the hospital"
    minutes: float | None = None
    words: int | None = None  # asked for in words
    target_words: int = 0  # the length to aim for, from words, minutes or the occasion
    rewrite: str = ""  # shorter, warmer, lighter, style: for task "rewrite"
    notes: list[str] = field(default_factory=list)  # facts given in the shorthand itself
    instructions: list[str] = field(default_factory=list)  # anything else, kept as said
    shorthand: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Brief":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def set_length(self, pace: int, default_minutes: float) -> None:
        """Turn minutes or words into the target word count (minutes at the speaker's pace)."""
        if self.words:
            self.target_words = int(self.words)
        elif self.minutes:
            self.target_words = int(round(self.minutes * pace))
        elif self.task == "anecdote":
            self.target_words = 130
        elif self.task in ("opening", "closing"):
            self.target_words = 90
        else:
            self.target_words = int(round(default_minutes * pace))
        self.target_words = max(20, min(self.target_words, 5000))


def _number(text: str) -> float:
    text = text.lower().strip()
    try:
        return float(text)
    except ValueError:
        return float(NUMBERS.get(text, 1))


def _clean(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,.;:!?\"'“”")
    return re.sub(r"^(please|also|and|but|just)\s+", "", phrase, flags=re.I)


def parse(shorthand: str, occasion: str = "funeral", subject: str = "", pace: int = DEFAULT_PACE,
          default_minutes: float = 4.0, memory_titles: Iterable[str] = ()) -> Brief:
    """Parse shorthand into a Brief. Deterministic, and never raises on any text."""
    text = shorthand if isinstance(shorthand, str) else str(shorthand)
    text = text.replace("\r", "\n").replace("’", "'")
    low = text.lower()
    b = Brief(occasion=occasion, subject=subject, shorthand=shorthand)
    understood: list[tuple[int, int]] = []

    def take(m: re.Match) -> None:
        understood.append(m.span())

    for name, pattern in OCCASION_WORDS:
        if re.search(pattern, low):
            b.occasion = name
            break

    # the task
    if re.search(r"\brewrite\b|\bmake (?:this|it|the selection) (?:shorter|warmer|lighter|funnier|longer)|\bshorten\b", low):
        b.task = "rewrite"
        m = re.search(r"\b(shorter|warmer|lighter|funnier|longer|simpler|in (?:the|my) style)\b", low)
        b.rewrite = {"funnier": "lighter", "simpler": "shorter"}.get(m.group(1), m.group(1)) if m else "warmer"
        if b.rewrite.startswith("in "):
            b.rewrite = "style"
    elif re.search(r"\banecdotes?\b|\ba (?:short |little )?story about\b|\btell (?:the|a) story\b", low) and not re.search(
            r"\b(?:speech|eulogy|toast)\b", low):
        b.task = "anecdote"
    elif re.search(r"\b(?:an? |the )?(?:opening|opener|introduction|intro)\b", low) and not re.search(r"\bspeech\b.*\bwith\b", low):
        b.task = "opening"
    elif re.search(r"\b(?:a |the )?(?:closing|ending|conclusion|final words|last words)\b", low):
        b.task = "closing"

    # sources: named files and memory titles, then "the story about …" searches
    for m in FILE_RE.finditer(text):
        if m.group(1) not in b.sources:
            b.sources.append(m.group(1))
        take(m)
    for title in sorted({t for t in memory_titles if t and len(t) >= 3}, key=len, reverse=True):
        i = low.find(title.lower())
        if i >= 0 and title not in b.sources and not any(title.lower() in s.lower() for s in b.sources):
            b.sources.append(title)
            understood.append((i, i + len(title)))
    for m in re.finditer(r"\b(?:the |a )?(?:story|time|day|night|trip) (?:about|when|where|with|of) ([^.,;!?\n]{3,60})", text, re.I):
        topic = _clean(re.split(r"\b(?:and be|and make|and include|and keep|but)\b", m.group(1))[0])
        if topic and topic.lower() not in (s.lower() for s in b.search):
            b.search.append(topic)
            if re.search(r"\b(include|tell|must|be sure|make sure|don't forget)\b", low):
                b.anecdotes.append(topic)
        take(m)

    # must-haves: jokes
    if re.search(r"\bno (?:jokes?|humou?r)\b|\bnot funny\b|\bwithout (?:any )?(?:jokes?|humou?r)\b", low):
        b.jokes = 0
    else:
        m = re.search(rf"\b(?:at least |at most |exactly |include |with |add |)({_NUM})\s+(?:\w+\s+)?(?:jokes?|funny (?:stories|moments?|bits?)|light moments?|laughs?)\b", low)
        if m:
            b.jokes = max(1, int(_number(m.group(1))))
            take(m)
        elif re.search(r"\bjokes?\b|\bhumou?r\b|\bfunny\b|\blaughs?\b|\blight moment\b", low):
            b.jokes = 1

    # style and voice
    m = re.search(r"\b(?:in|with) the (?:style|spirit|manner|vein) of ([^.;\n]+?)(?=,| but\b| with\b| and (?:be|make|keep|include)\b|[.;!?\n]|$)", text, re.I)
    if m:
        b.style = _clean(m.group(1))
        take(m)
    else:
        m = re.search(r"\blike (?:a scene from |something from |)([A-Z][\w' ]+?)(?=,| but\b|[.;!?\n]|$)", text)
        if m and not re.search(r"\blike (?:he|she|they|we|i|it)\b", m.group(0), re.I):
            b.style = _clean(m.group(1))
            take(m)
    m = re.search(r"\b(?:with|in) (?:a |an |his |her |my |)([\w' -]{2,40}?) (inflection|accent|twang|drawl|lilt|voice|flavou?r|dialect|slang)\b", text, re.I)
    if m and m.group(1).lower() not in ("the", "a", "my own", "own"):
        b.voice = _clean(f"{m.group(1)} {m.group(2)}")
        take(m)

    # tone and audience
    for tone in TONES:
        if re.search(rf"\b{re.escape(tone)}\b", low) and not re.search(rf"\b(?:not|no|too) {re.escape(tone)}\b", low):
            if tone == "light" and "light moment" in low:
                continue
            normal = {"lighthearted": "light-hearted", "humorous": "funny"}.get(tone, tone)
            if normal not in b.tone:
                b.tone.append(normal)
    m = re.search(rf"\b(?:for|to|audience (?:is|of|will be)) {AUDIENCES}\b", low)
    if m:
        b.audience = m.group(1)
        take(m)

    # avoid
    for m in re.finditer(r"\b(?:(?:don't|do not|please don't|avoid)(?: (?:mention(?:ing)?|talk(?:ing)? about|bring(?:ing)? up|say(?:ing)? anything about|refer(?:ring)? to|use|say))?|(?:never|without) (?:mention(?:ing)?|talk(?:ing)? about|bring(?:ing)? up|say(?:ing)? anything about|refer(?:ring)? to))\s+([^.;!?\n]+?)(?=[.;!?\n]|, | but\b| and (?:make|keep|be|include|use|write)\b|$)", text, re.I):
        phrase = _clean(m.group(1))
        if phrase and not re.match(r"(any )?jokes?$|humou?r$|too long$|make it", phrase, re.I) and phrase.lower() not in (
                a.lower() for a in b.avoid):
            b.avoid.append(phrase)
        take(m)
    for m in re.finditer(r"\b(?:leave out|skip|no mention of|nothing about) ([^.;!?\n]+?)(?=[.;!?\n]|, | but\b|$)", text, re.I):
        phrase = _clean(m.group(1))
        if phrase and phrase.lower() not in (a.lower() for a in b.avoid):
            b.avoid.append(phrase)
        take(m)

    # a memory named only in what to leave out is not a source
    b.sources = [t for t in b.sources if not any(t.lower() in a.lower() for a in b.avoid)]

    # length
    m = re.search(rf"\b{_NUM}(?:[ -]and[ -]a[ -]half)?[ -](?:minutes?|mins?)\b", low)
    if m:
        b.minutes = _number(m.group(1)) + (0.5 if "and a half" in m.group(0) or "and-a-half" in m.group(0) else 0)
        take(m)
    m = re.search(rf"\b{_NUM}[ -](?:seconds?|secs?)\b", low) if b.minutes is None else None
    if m:  # "a 30-second toast", "45 secs"
        b.minutes = round(_number(m.group(1)) / 60, 2)
        take(m)
    m = re.search(r"\b(\d{2,4})[ -]words?\b", low)
    if m:
        b.words = int(m.group(1))
        take(m)
    if b.minutes is None and b.words is None:
        if re.search(r"\b(?:short|brief|quick)\b", low):
            b.minutes = round(default_minutes * 0.5, 1)
        elif re.search(r"\blong\b", low) and not re.search(r"\bnot (?:too )?long\b", low):
            b.minutes = round(default_minutes * 1.5, 1)

    # the speaker's relation to the subject
    m = re.search(r"\b(?:my|our) (" + "|".join(sorted(RELATIONS, key=len, reverse=True)) + r")\b", low)
    if m:
        b.relation = RELATIONS[m.group(1)]
    elif re.search(r"\bdad\b|\bfather\b", low):
        b.relation = "father"
    elif re.search(r"\bmum\b|\bmom\b|\bmother\b", low):
        b.relation = "mother"

    # a name the speech is for, when the project does not say
    if not b.subject:
        m = re.search(r"\b(?:for|about|to) (?:my |our )?(?:(?:" + "|".join(RELATIONS) + r") )?([A-Z][a-z]{2,})\b(?!\.\w)", text)
        if m and m.group(1).lower() not in RELATIONS and m.group(1) not in ("The", "This", "That", "Four"):
            b.subject = m.group(1)
            take(m)

    # what is left: facts stated in the shorthand, and instructions Fondly keeps as said
    for sentence in sentences(text):
        if _INSTRUCTION.search(sentence):
            if not _covered(text, sentence, understood):
                rest = _clean(sentence)
                if rest and len(rest) > 2:
                    b.instructions.append(rest)
        elif re.search(r"[A-Za-z]{2}", sentence):
            b.notes.append(_clean(sentence) + ".")

    if b.notes and b.task == "speech" and re.search(r"\babout (?:that|this|it|him|her)\b", low) and not re.search(
            r"\b(?:speech|eulogy|toast)\b", low):
        b.task = "anecdote"  # "He always said … Write something about that."
    b.set_length(pace, default_minutes)
    return b


_KNOWN_WORDS = re.compile(
    r"\b(please|write|me|a|an|the|funeral|speech|eulogy|toast|wedding|retirement|birthday|for|my|our|about|"
    r"using|use|and|be|sure|to|include|at|least|one|joke|jokes|make|it|in|style|of|but|with|keep|don't|do|not|"
    r"mention|minutes?|words|anecdote|that|this|short|long|brief|some|humou?r|funny|light|moment|tell|story|"
    r"opening|closing|i|want|need|would|like|can|you|could|also|just|really|very|lot|bit|something|"
    r"guests|family|friends|colleagues|team|congregation|kids|children|warm|solemn|dignified|gentle|"
    r"sister|brother|dad|mum|mom|father|mother|boss|wife|husband|friend|grandma|grandpa|how|what|"
    r"two|three|four|five|twice|once|times?|is|was|are|by|on|from|so|he|she|they|them|his|her)\b", re.I)


def _covered(text: str, sentence: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a sentence was fully understood: every word of it is a parsed span or a known word."""
    start = text.find(sentence)
    if start < 0:
        return False
    end = start + len(sentence)
    chars = list(sentence)
    for a, b in spans:
        for i in range(max(a, start), min(b, end)):
            chars[i - start] = " "
    leftover = _KNOWN_WORDS.sub(" ", "".join(chars))
    return not re.search(r"[A-Za-z]{3,}", leftover)
