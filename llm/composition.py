"""What a written speech is made of, whichever way it was written, and what it is checked for.

Both writers — the memory-first arranger (llm.arrange) and free model prose
(llm.compose) — produce the same thing: paragraphs of sentences, each sentence with
its origin (the person's words, their words turned to the speaker's voice, a checked
model edit, a framing line, or model prose), the memory it came from, and its
grounding check. The speech check sums those up honestly: sentences supported, words
not found, what was dropped, must-haves, and the length — met, or the shortfall said.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz

from llm.brief import Brief
from llm.grounding import KIN, Facts, Grounding, SentenceCheck, sentences, touches
from llm.speakable import read_text

# Origins of a sentence, as the provenance pane shows them.
YOURS = "memory"  # the person's own sentence, word for word (less what they said while thinking: see `spoken`)
VOICE = "voice"  # their sentence turned to the speaker's voice by a fixed rule ("Ann grew" → "I grew")
EDITED = "edited"  # a small model edit of their sentences, accepted because it passed the check
FRAME = "frame"  # an opening, closing or linking line from the reviewed phrase bank, filled with project facts
PROSE = "model"  # model prose (capable models), kept because it passed the check
ORIGINS = (YOURS, VOICE, EDITED, FRAME, PROSE)

MEMORY_FIRST, FREE_PROSE = "memory-first", "prose"
SMALL_MODEL = 1_000_000_000  # below this many parameters a model edits; it does not compose

LIGHT_WORDS = re.compile(
    r"\b(laugh\w*|joke\w*|funny|smil\w*|grin\w*|teas\w*|silly|chuckl\w*|giggl\w*|humou?r\w*|prank\w*|"
    r"ridiculous|hilarious|wink\w*|daft|cheek\w*|mischie\w*|never (?:once )?(?:got|managed|found out)|terrible at|"
    r"badly|worst|insisted|we still (?:laugh|talk)|couldn't help|nickname\w*|charged|burnt|spilled|spilt|"
    r"wrong|by mistake|forgot|got lost|set off|fell (?:in|into|off|asleep)|woke up in|medicinal|blam\w*|anyway|"
    r"trod on|put (?:\w+ )+off)\b",
    re.IGNORECASE,
)


@dataclass
class Source:
    """A memory as grounding: its id (None for the notes in the shorthand), title and text."""

    id: int | None
    title: str
    text: str


@dataclass
class Sentence:
    text: str
    origin: str
    memory_id: int | None = None
    supported: bool = True
    unsupported: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    spoken: str = ""  # the memory's sentence as it was said, when fillers or restarts were taken out (llm.speakable)

    @classmethod
    def checked(cls, check: SentenceCheck, origin: str, memory_id: int | None, spoken: str = "") -> Sentence:
        return cls(check.text, origin, memory_id, check.supported, list(check.unsupported), list(check.reasons), spoken)

    def to_dict(self) -> dict:
        """As stored: the spoken form only when it differs from what is read."""
        out = asdict(self)
        if not out["spoken"]:
            del out["spoken"]
        return out


@dataclass
class Paragraph:
    section: str
    sentences: list[Sentence]
    origin: str = YOURS  # the paragraph's main origin: memory, voice, edited, frame, model
    dropped: list[dict] = field(default_factory=list)  # sentences written and refused, with their words

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def memory_ids(self) -> list[int]:
        return list(dict.fromkeys(s.memory_id for s in self.sentences if s.memory_id is not None))

    @property
    def supported(self) -> bool:
        return all(s.supported for s in self.sentences)

    def to_dict(self) -> dict:
        """As stored in a revision's provenance (the pane and the eval read this)."""
        return {
            "section": self.section,
            "text": self.text,
            "memory_ids": self.memory_ids,
            "origin": self.origin,
            "sentences": [s.to_dict() for s in self.sentences],
            "dropped": self.dropped,
            "check": {
                "ok": self.supported,
                "problems": [
                    f"not in your memories: {', '.join(s.unsupported)}" for s in self.sentences if not s.supported
                ],
            },
        }


@dataclass
class SpeechCheck:
    """The whole speech against the Brief: stored with the revision and shown to the person."""

    mode: str
    words: int
    target_words: int
    length_error: float  # (words - target) / target
    sentences: int
    supported: int
    unsupported_words: list[str]
    dropped: int  # sentences written and refused
    regenerated: int  # paragraphs written a second time
    fallbacks: int  # paragraphs that fell back to the memories' own sentences
    avoided: list[str]
    jokes_wanted: int
    light_moments: int
    sources_named: list[str]
    sources_unused: list[str]
    repeated: int
    shortfall: str = ""  # "2.1 of 3 min: add a memory about…"; empty when the length is met
    edits_tried: int = 0  # small model edits asked for (memory-first)
    edits_kept: int = 0  # of those, the ones that passed the check
    scaffold: bool = False
    notes: list[str] = field(default_factory=list)  # what the person should know: a style not applied, …

    @property
    def all_supported(self) -> bool:
        return self.supported == self.sentences and not self.unsupported_words

    @property
    def must_haves_met(self) -> bool:
        return self.light_moments >= self.jokes_wanted and not self.sources_unused and not self.avoided

    @property
    def ok(self) -> bool:
        length = abs(self.length_error) <= 0.25 or bool(self.shortfall)
        return (
            not self.scaffold
            and self.all_supported
            and self.must_haves_met
            and length
            and not self.repeated
            and self.sentences > 0
        )

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "all_supported": self.all_supported,
            "must_haves_met": self.must_haves_met,
            "ok": self.ok,
            "invented_names": self.unsupported_words,
        }


@dataclass
class Composition:
    paragraphs: list[Paragraph]
    check: SpeechCheck
    prompts: list[str] = field(default_factory=list)
    stopped: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs if p.sentences)


OnParagraph = Callable[[Paragraph], None]


def facts_for(brief: Brief, sources: Iterable[Source], names: list[str], speaker: str) -> Facts:
    """What may be said: the sources (memories and typed notes), people, who speaks about whom."""
    # the memories also as they will be read (llm.speakable): a cut may put a capital on a word ("Leeks grew…")
    spoken = [s.text for s in sources]
    texts = without_avoided(
        spoken + [t for t in map(read_text, spoken) if t not in spoken] + list(brief.notes) + list(brief.anecdotes),
        brief.avoid,
    )
    return Facts(
        texts=texts,
        names=list(names),
        subject=brief.subject,
        speaker=speaker,
        relation=brief.relation,
        occasion=brief.occasion,
        avoid=list(brief.avoid),
    )


def relation_in(sources: Iterable[Source], subject: str = "") -> str:
    """Who the subject is to the speaker as the memories say it, when the shorthand does not: a kin
    word used as a name ("Dad fished at Lake Travis every summer", "my grandad"), or a memory named
    by one ("dad.txt"), or the project's subject field ("Eileen, my gran"). The framing lines may
    then say "Goodbye, Dad" — the person's own word."""
    counts: dict[str, int] = {}
    for word in re.findall(r"[\w'’-]+", subject.lower()):
        if word in KIN:
            counts[KIN[word]] = counts.get(KIN[word], 0) + 2
    for src in sources:
        stem = re.sub(r"\.\w+$", "", src.title.strip()).lower()
        if stem in KIN:
            counts[KIN[stem]] = counts.get(KIN[stem], 0) + 2
        for m in re.finditer(r"\b(?:[Mm]y ([a-z]+)|([A-Z][a-z]+))\b", src.text):
            word = (m.group(1) or m.group(2)).lower()
            if word in KIN and (m.group(1) or m.group(2)[:1].isupper()):
                counts[KIN[word]] = counts.get(KIN[word], 0) + 1
    best = max(counts, key=counts.__getitem__, default="")
    return best if best and counts[best] >= 2 else ""


# the kin words a person calls someone by ("Goodbye, Gran"), not only speaks of ("my grandmother")
# fmt: off
CALLED = {"dad", "daddy", "papa", "pa", "pop", "da", "mum", "mom", "mummy", "mommy", "mam", "mama", "ma", "grandpa",
          "granddad", "grandad", "gramps", "grandma", "gran", "granny", "nan", "nana", "nanny", "grandpop", "granda",
          "nanna", "nonna", "nonno"}
# fmt: on
CALLED_AS = {
    "grandpop": "grandfather",
    "granda": "grandfather",
    "nanna": "grandmother",
    "nonna": "grandmother",
    "nonno": "grandfather",
}


def name_in(subject: str) -> str:
    """The project's subject field as a name a speech can say: "Eileen, my gran" → "Eileen",
    "Mum (Eileen)" → "Mum", "my gran" → "Gran", "Tom and Anna" → "Tom and Anna". The field is a
    note to the person as much as a name, and is never pasted whole."""
    first = re.split(r"\s*(?:[,;(\[/]|\s[-–—]\s)\s*", subject.strip(), maxsplit=1)[0].strip(" )]")
    first = re.sub(r"^(?:my|our|dear|dearest|the late)\s+", "", first, flags=re.IGNORECASE).strip()
    if first and first.lower() in KIN or first.lower() in CALLED:
        return first[:1].upper() + first[1:]
    return first


def address_of(subject: str, relation: str, sources: Iterable[Source], shorthand: str = "") -> str:
    """What the speaker calls the subject, as the memories do most: "Grandad" when every memory says
    "Grandad" though the project's subject is "Wilf"; "Gran" for "my gran" and "Gran said…"; the first
    name when that is what the memories use ("Eileen ran the post office"). A kin word counts only
    when it is the subject's relation (a memory of Grandad speaks of Nan too). With no memory saying
    either, the kin word the person typed in the shorthand ("a eulogy for my nan": Nan — a recording
    Whisper misheard may hold no "Nan" at all), else the name in the subject field (`name_in`) — never
    the field whole."""
    name = name_in(subject)
    relation = relation or relation_in([], subject)
    counts: dict[str, int] = {}
    sources = list(sources)
    for src in sources:
        for m in re.finditer(r"\b(?:([Mm]y|[Oo]ur) )?([A-Za-z][\w'’-]*)", src.text):
            word = re.sub(r"['’]s$", "", m.group(2))
            low = word.lower()
            kin = KIN.get(low) or CALLED_AS.get(low)
            if not relation or kin != relation or low not in CALLED:
                continue
            if word[:1].isupper() or m.group(1):  # "Gran said", "my gran": both what he calls her
                key = word[:1].upper() + word[1:].lower()
                counts[key] = counts.get(key, 0) + 1
        if name and name.lower() not in CALLED and name.lower() not in KIN:
            found = len(re.findall(rf"(?<![\w'’-]){re.escape(name)}(?![\w-])", src.text))
            if found:
                counts[name] = counts.get(name, 0) + found
    if not counts and shorthand:
        return address_of(subject, relation, [Source(0, "shorthand", shorthand)])
    if not counts:
        return name
    best = max(counts.values())
    called = [w for w, n in counts.items() if n == best]
    return next((w for w in called if w.lower() in CALLED), called[0])  # a tie: the word a grandchild says


def writing_mode(parameters: int | None, setting: str = "auto") -> str:
    """Memory-first for small models, free prose for capable ones (and servers); a setting wins."""
    if setting in (MEMORY_FIRST, FREE_PROSE):
        return setting
    return MEMORY_FIRST if parameters is not None and parameters < SMALL_MODEL else FREE_PROSE


def is_light(text: str) -> bool:
    return bool(LIGHT_WORDS.search(text))


def same_sentence(a: str, b: str) -> bool:
    """The same sentence, or one so like it (a word or two changed) that saying both is a loop."""
    norm = lambda s: " ".join(re.sub(r"[^\w ]", " ", s.lower()).split())
    return fuzz.ratio(norm(a), norm(b)) >= 85


# where a sentence may be cut and still be a sentence: before a joining word, or at a semicolon or dash
CLAUSE = re.compile(
    r",?\s+(?=(?:and|but|so|then|until|till|when|where|while|because|after|before|which|who|though|"
    r"although|as soon as|once)\s)|\s*;\s*|\s+[-–—]\s+|,\s+"
)


def cut_avoided(sentence: str, avoid: list[str]) -> str | None:
    """The sentence less what the person asked to leave out, by deletion only: cut from the clause
    that carries it to the end ("We got lost in Prague, and the police drove us home." → "We got
    lost in Prague."); None when the mention comes before any four words that can stand alone."""
    if not avoid or not touches(sentence, avoid):
        return sentence
    head = ""
    for m in CLAUSE.finditer(sentence):
        if touches(sentence[: m.start()], avoid):
            break
        head = sentence[: m.start()]
    head = head.rstrip(" ,;:-–—")
    if len(head.split()) < 4 or touches(head, avoid):
        return None
    end = sentence.rstrip()[-1:]
    return head + (end if end in "!?" else ".")


def without_avoided(texts: Iterable[str], avoid: list[str], cuts: list[str] | None = None) -> list[str]:
    """The texts less what the person asked to leave out. A story (a line) that opens with it is
    about it, and goes whole: "The last weeks in the hospital were hard. Siobhan and Tadhg visited
    every day." Elsewhere only the clause or sentence carrying it goes (`cut_avoided`), so the stag do
    is told without the police. What was cut is added to `cuts`, so the person is told what the
    avoid cost."""
    if not avoid:
        return list(texts)
    out = []
    for text in texts:
        lines = []
        for line in text.splitlines():
            said = sentences(line) if line.strip() else []
            if said and touches(said[0], avoid):
                if cuts is not None:
                    cuts.append(line.strip())
                lines.append("")
                continue
            kept = []
            for s in said:
                cut = cut_avoided(s, avoid)
                if cut != s and cuts is not None:
                    cuts.append(s if cut is None else s[len(cut) - 1 :].strip(" ,;.-–—"))
                if cut:
                    kept.append(cut)
            lines.append(" ".join(kept))
        out.append("\n".join(lines))
    return out


def untold_note(topic: str) -> str:
    """An ask no memory can serve, answered honestly, with the question that would fill it."""
    return (
        f"No memory tells of {topic} yet. What happened with {topic}? Record or type it as a memory, then write again."
    )


def left_out_note(cuts: list[str], avoid: list[str]) -> str:
    """What the person's "leave out" cost, named: never "2 sentences left out" alone."""
    if not cuts:
        return ""
    quoted = [c.rstrip(" .!?") for c in dict.fromkeys(cuts)]
    shown = "; ".join(f"“{c if len(c) <= 90 else c[:87].rsplit(' ', 1)[0] + '…'}”" for c in quoted)
    return f"Left out, as you asked (not {', '.join(avoid)}): {shown}."


def minutes(words: int, pace: int) -> str:
    return f"{words / max(1, pace):.1f}"


def speech_check(
    paragraphs: list[Paragraph],
    brief: Brief,
    sources: list[Source],
    mode: str,
    pace: int,
    shortfall_hint: str = "",
    regenerated: int = 0,
    fallbacks: int = 0,
    notes: Iterable[str] = (),
) -> SpeechCheck:
    sentences = [s for p in paragraphs for s in p.sentences]
    text = " ".join(s.text for s in sentences)
    words = len(text.split())
    target = max(1, brief.target_words)
    used_ids = {i for p in paragraphs for i in p.memory_ids}
    named = [s for s in sources if s.title.lower() in (x.lower() for x in brief.sources)]
    unused = [s.title for s in named if s.id not in used_ids]
    seen: list[str] = []
    repeated = 0
    for s in sentences:
        if any(same_sentence(s.text, t) for t in seen):
            repeated += 1
        seen.append(s.text)
    unsupported: list[str] = []
    for s in sentences:
        unsupported += [w for w in s.unsupported if w not in unsupported]
    avoided = sorted({w for s in sentences if "avoid" in s.reasons for w in s.unsupported})
    shortfall = ""
    if words < 0.75 * target:
        shortfall = f"{minutes(words, pace)} of {minutes(target, pace)} min"
        if shortfall_hint:
            shortfall += f": {shortfall_hint}"
    return SpeechCheck(
        mode=mode,
        words=words,
        target_words=brief.target_words,
        length_error=round((words - target) / target, 3),
        sentences=len(sentences),
        supported=sum(1 for s in sentences if s.supported),
        unsupported_words=unsupported,
        dropped=sum(len(p.dropped) for p in paragraphs),
        regenerated=regenerated,
        fallbacks=fallbacks,
        avoided=avoided,
        jokes_wanted=brief.jokes,
        light_moments=sum(
            1
            for p in paragraphs
            if p.origin != FRAME and any(is_light(s.text) and s.origin != FRAME for s in p.sentences)
        ),
        sources_named=[s.title for s in named],
        sources_unused=unused,
        repeated=repeated,
        shortfall=shortfall,
        notes=list(notes),
    )


def choose_sources(
    brief: Brief,
    memories: Iterable[Source],
    ranked_ids: list[int],
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> tuple[list[Source], list[str]]:
    """Named memories first, then the best matches of the search, then the rest; fitted by tokens.

    Returns the sources and the titles of memories left out because the context is full —
    said to the person, never dropped silently. `ranked_ids` is the full-text ranking.
    """
    memories = [m for m in memories if m.text.strip()]
    by_title = {m.title.lower(): m for m in memories}
    order: list[Source] = []
    if brief.notes:
        order.append(Source(None, "your note", " ".join(brief.notes)))
    for title in brief.sources:
        m = by_title.get(title.lower())
        if m and m not in order:
            order.append(m)
    by_id = {m.id: m for m in memories}
    for i in ranked_ids:
        if i in by_id and by_id[i] not in order:
            order.append(by_id[i])
    focused = brief.task in ("anecdote", "opening", "closing") and (brief.search or brief.notes or brief.sources)
    if not focused:
        order += [m for m in memories if m not in order]
    elif brief.task == "anecdote" and not brief.notes:
        order = order[: max(1, len(brief.sources))]  # an anecdote is about one memory
    kept, left_out, left = [], [], budget_tokens
    for m in order:
        cost = count_tokens(m.text) + 8
        if cost > left:
            left_out.append(m.title)
            continue
        kept.append(m)
        left -= cost
    return kept, left_out


def grounding_for(brief: Brief, sources: list[Source], names: list[str], speaker: str) -> Grounding:
    return Grounding(facts_for(brief, sources, names, speaker))
