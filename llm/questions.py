"""Questions worth answering: what a speechwriter would ask next, so the person has more to say.

A speech made of the person's own sentences is as long as what they gave, and most are short
(docs/quality.md). Fondly asks, from what it can see, in this order:

(a) what the Brief asks that the memories lack: a light moment when a joke is asked and no
    memory has one; the story asked for in the shorthand ("He always said we were the three
    bears and he was Goldilocks" → when, who the bears were, what was happening); a topic or
    must-have no memory tells of, or tells in a sentence;
(b) follow-ups on what the memories mention and never tell — a person, a place, a named
    thing, a chapter like the navy, named in fewer than three sentences ("You mentioned the
    Palais. What was a Friday night there like?"; "What did Grandad ever say about the navy?") —
    and
(c) the occasion's sections that no memory fills (what he taught, a story…),
    with (b) and (c) taken in turn, so the first few questions both deepen and widen.
When the memories are short of the asked length, the list holds enough questions to cover the
shortfall at about the seconds each answer could add, and two more (`enough`): the second
follow-ups (who else was at the Palais), then another story for a section already filled.

Rules, not a model: the same memories give the same questions, with ids that stay the same
for the same thing asked. Every phrasing is from the reviewed bank (assets/templates/
questions.json); the only words a question adds to it are the person's own — the name of
what a memory mentions, with the "the" it was said with, a time it was said with ("a Friday
night"), a line typed in the shorthand — and the project's name for the subject. So a
question never states a fact that is not in the memories, and never says "he" or "she" of
anyone (the memories may not say which). A time is paired with a place only when one clause
says both ("at the Palais every Friday", not "Cornwall … the leisure centre every Tuesday").
Nothing is asked about what the memories tell at length, or about what the person asked to
leave out. Answered questions never come back; skipped ones go to the end, in the order they
were skipped.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from llm.arrange import BODY_KEYS, Story, _score, about, stories_of
from llm.brief import DEFAULT_PACE, Brief
from llm.composition import Source, is_light, relation_in
from llm.grounding import (
    DATE_WORDS,
    KIN,
    STOPWORDS,
    content_forms,
    fold,
    name_phrases,
    sentences,
    tokens,
    touches,
    zipf_frequency,
)
from llm.occasions import SPEECH_NAMES, TEMPLATES

TOLD_WORDS = 30  # a story of this many words (as read: fillers and restarts gone) tells its topic; fewer is "a sentence about it"
KEY_ZIPF = 5.0  # a word this rare or rarer can name what a line is about ("pot", "tea"; not "always", "said")
MAX_FOLLOW = 8  # follow-ups listed at once: the first few matter, the rest come as those are answered
TOLD_SENTENCES = 3  # a thing named in this many sentences is told; in fewer, it is mentioned and can be asked after
SPARE = 2  # questions listed beyond those whose answers would cover the shortfall: some will be skipped
ID = re.compile(r"^[a-z0-9:-]{1,80}$")

# what is named but is no person, place or thing to ask after: languages, peoples, faiths
NOT_A_THING = set(
    """
english irish welsh scottish scots british french german italian spanish portuguese dutch american canadian
australian polish indian chinese japanese greek russian european african asian catholic protestant christian
jewish muslim hindu sikh anglican methodist baptist god tv ok
""".split()
)
PLACE_BEFORE = re.compile(
    r"\b(?:at|in|on|to|from|near|outside|inside|behind|round|around|across|into|by|past|toward|"
    r"towards|through|over|up|down)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
THE_BEFORE = re.compile(r"\b(the)\s+$", re.IGNORECASE)
AN_BEFORE = re.compile(r"\b(an?)\s+$", re.IGNORECASE)  # "a Bee Gees album": a name used as a word about a thing
# "this tiny little Fiat" is asked after as "the Fiat"
THIS_BEFORE = re.compile(r"\b(?:this|that|his|her|their|our|my|your)\s+(?:[a-z]+\s+){0,2}$", re.IGNORECASE)
TITLE_WORDS = {"mr", "mrs", "ms", "miss", "dr"}  # "Mrs Baker" is a person ("Father Christmas" is not one to ask after)
PERSON_AFTER = re.compile(
    r"^\s+(?:said|says|told|tells|asked|came|comes|visited|met|wanted|called|drove|married|"
    r"laughed|sang|insisted|used to|would)\b",
    re.IGNORECASE,
)
CLAUSE = re.compile(r"[,;:—–()]|\b(?:and|but|because|so|then)\b", re.IGNORECASE)  # where a day or season stops applying
# what a life has chapters of, named in lower case: asked after as where it took them and what they said of it
SERVICE = re.compile(
    r"\b(?:in|joined|left)\s+(the\s+(?:merchant\s+navy|navy|army|air\s+force|RAF|marines|"
    r"royal\s+navy|fire\s+brigade|police))\b",
    re.IGNORECASE,
)
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
WHEN_DAY = re.compile(rf"\b({DAYS})s?(?:\s+(?:night|morning|evening|afternoon)s?)?\b")
WHEN_SEASON = re.compile(r"\b(?:every|each|one|that|in the)\s+(summer|winter|spring|autumn)\b", re.IGNORECASE)
WHEN_FEAST = re.compile(r"\b(Christmas|Easter)\b")
SAYING = re.compile(
    r"\b(?:always said|used to say|would say|kept saying|said|says|called (?:us|me|him|her|them)|"
    r"told (?:us|me))\b",
    re.IGNORECASE,
)
WHO_WERE = re.compile(
    r"\b(?:we|you|they|us)\s+(?:were|are)\s+(the\s+[^,.;:!?]+?)(?=\s+(?:and|but|while|when)\b|"
    r"[,.;:!?]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    id: str  # stable for the same thing asked: "light-moment", "story:three-bears:when", "follow:palais"
    text: str  # as shown and asked
    fills: str  # what it would fill, for a person: "a light moment (you asked for one)"
    why: str  # why it is asked
    seconds: int  # about how many seconds of speech an answer could add

    def to_dict(self) -> dict:
        return {"id": self.id, "question": self.text, "fills": self.fills, "why": self.why, "seconds": self.seconds}


@lru_cache(maxsize=1)
def bank() -> dict:
    """The reviewed phrasings (assets/templates/questions.json)."""
    return json.loads((TEMPLATES / "questions.json").read_text(encoding="utf-8"))


def slug(text: str) -> str:
    """An id's part from words: "the Palais" → "palais", "Siobhán" → "siobhan"; never empty."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    words = [w for w in re.findall(r"[a-z0-9]+", plain)]
    while len(words) > 1 and words[0] in ("the", "a", "an", "his", "her", "their", "our", "my", "your"):
        words.pop(0)
    out = "-".join(words)[:60].strip("-")
    return out or f"x{zlib.crc32(text.encode('utf-8')):08x}"


def _seconds(value: float) -> int:
    """Rounded to five seconds, at least fifteen: an estimate, and said as one."""
    return max(15, round(value / 5.0) * 5)


def call_of(subject: str, relation: str, sources: Iterable[Source]) -> str:
    """What the speaker calls the subject: the memories' kin word for them ("Grandad") when the
    relation is known, as the arranger's framing lines do; else their name; else "them"."""
    if relation:
        counts: dict[str, int] = {}
        for src in sources:
            for tok in tokens(src.text):
                if tok[:1].isupper() and KIN.get(fold(tok)) == relation:
                    counts[tok] = counts.get(tok, 0) + 1
        if counts:
            return max(counts, key=counts.__getitem__)
    return subject or "them"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text}”"


def _key_phrase(note: str) -> str:
    """What a line typed in the shorthand is about, in its own words: "the three bears"."""
    toks = tokens(note)
    for i, tok in enumerate(toks):
        if fold(tok) == "the":
            run = []
            for t in toks[i + 1 : i + 5]:
                if fold(t) in STOPWORDS:
                    break
                run.append(t)
            if run:
                return " ".join([tok.lower()] + run)
    names = [p for p, at in name_phrases(note) if at > 0]  # a first word is a name only by a guess
    if names:
        return names[0]
    rare = [
        i for i, t in enumerate(toks) if fold(t) not in STOPWORDS and len(t) > 2 and zipf_frequency(fold(t)) < KEY_ZIPF
    ]
    if not rare:
        return " ".join(toks[:3])
    end = next((j for j in rare[1:] if j - rare[0] <= 3), rare[0])  # "a pot of tea" → "pot of tea"
    return " ".join(toks[rare[0] : end + 1])


def _told(stories: list[Story], matches) -> int:
    """The words of the longest story that `matches`, 0 when none does."""
    return max((s.words for s in stories if matches(s)), default=0)


# --- (a) what the Brief asks that the memories lack ---------------------------------------------


def _light(
    brief: Brief, stories: list[Story], call: str, past: bool, target_seconds: float, template: dict
) -> list[Question]:
    wanted = max(brief.jokes, 1 if "funny" in brief.tone else 0) if brief.task == "speech" else 0
    if not wanted or sum(1 for s in stories if is_light(s.text)) >= wanted:
        return []
    b = bank()["light"]
    share = next((s["share"] for s in template.get("sections", []) if s["key"] == "light"), 0)
    return [
        Question(
            "light-moment",
            b["past" if past else "present"].format(call=call),
            b["fills"],
            b["why"],
            _seconds(max(b["seconds"], share * target_seconds)),
        )
    ]


def _notes(brief: Brief, stories: list[Story], call: str) -> list[Question]:
    """The story asked for in the shorthand's own words, when no memory tells it at length."""
    out = []
    b = bank()
    for note in brief.notes:
        key = _key_phrase(note)
        keys = content_forms(key)
        words = _told(
            stories,
            lambda s: (
                # B023 is wrong here: _told calls this at once, inside this iteration, and never keeps it
                fuzz.partial_ratio(note.lower(), s.text.lower()) >= 85 or (keys and keys <= content_forms(s.text))  # noqa: B023
            ),
        )
        if words >= TOLD_WORDS:
            continue
        saying = bool(SAYING.search(note))
        bank_of = b["saying"] if saying else b["note"]
        quote = _quote(note) if len(note) <= 120 else _quote(key)
        fills = b["story"]["fills"].format(topic=key)
        why = b["story"]["why_thin"].format(words=words) if words else b["story"]["why_untold"]
        who = WHO_WERE.search(note)
        texts = {
            "when": bank_of["when"],
            "who": bank_of["who"] if (who or not saying) else bank_of["who_plain"],
            "what": bank_of["what"],
        }
        for part in ("when", "who", "what"):
            text = texts[part].format(quote=quote, call=call, who=who.group(1) if who else "")
            out.append(Question(f"story:{slug(key)}:{part}", text, fills, why, _seconds(bank_of["seconds"])))
    return out


def _topics(brief: Brief, stories: list[Story]) -> list[Question]:
    """A topic or must-have no memory tells of, or tells only in a sentence."""
    out = []
    b = bank()["topic"]
    for topic in brief.topics:
        if not content_forms(topic):
            continue
        best = max((about(s, topic) for s in stories), default=0)
        words = _told(stories, lambda s: best > 0 and about(s, topic) == best)  # noqa: B023 — called at once by _told
        if words >= TOLD_WORDS:
            continue
        text = (b["thin"] if words else b["untold"]).format(topic=topic)
        why = (b["why_thin"] if words else b["why_untold"]).format(topic=topic, words=words)
        out.append(
            Question(
                f"topic:{slug(topic)}",
                text,
                b["fills"].format(topic=topic),
                why,
                _seconds(b["seconds"] * (0.6 if words else 1)),
            )
        )
    return out


# --- (b) follow-ups on what the memories mention and never tell ----------------------------------


@dataclass
class _Named:
    phrase: str  # as the memory wrote it: "Palais"
    thing: str  # as the question quotes it: "the Palais", "Uncle Tadhg", "a Bee Gees album", "the navy"
    clauses: list[str]  # the clauses that name it, in order: where a time said with it is looked for
    kind: str  # person, place, thing, service
    title: str  # the title of the memory that first names it


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause of `sentence` around [start, end): a day said in another clause is not said of this."""
    cuts = [0] + [m.end() for m in CLAUSE.finditer(sentence) if m.end() <= start]
    after = [m.start() for m in CLAUSE.finditer(sentence) if m.start() >= end]
    return sentence[max(cuts) : min(after, default=len(sentence))].strip()


def _person_signal(sentence: str, at: int, phrase: str) -> str:
    """The kin word a name was said with ("Uncle" for "Uncle Tadhg"), "-" when something else says it
    is a person ("Mrs Baker", "Caoimhe says"), "" when nothing does."""
    before = re.search(r"(\w+)\s+$", sentence[:at])
    if before and fold(before.group(1)) in KIN and before.group(1)[:1].isupper():
        return before.group(1)
    if fold(tokens(phrase)[0]) in TITLE_WORDS or PERSON_AFTER.search(sentence[at + len(phrase) :]):
        return "-"
    return ""


def _mentioned(sources: list[Source], names: list[str], avoid: list[str], exclude: set[str]) -> list[_Named]:
    """The people, places and things the memories mention but do not tell, in order of mention: named in
    fewer than TOLD_SENTENCES sentences (a memory about the Palais that names it twice has told a
    sentence of it, not a Friday night there). Not what the person asked to leave out, not the subject
    or speaker, not a person whose memory it is (a memory titled "gwen" is hers)."""
    people = {fold(w) for n in names for w in tokens(n)}
    seen: dict[str, _Named] = {}
    count: dict[str, int] = {}
    for src in sources:
        if src.id is None:
            continue
        for sentence in sentences(src.text):
            in_this: set[str] = set()
            found: list[tuple[str, int, str]] = [(p, at, "") for p, at in name_phrases(sentence)]
            found += [(m.group(1), m.start(1), "service") for m in SERVICE.finditer(sentence)]
            for phrase, at, kind in found:
                words = {fold(w) for w in tokens(phrase)}
                key = " ".join(fold(w) for w in tokens(phrase) if kind != "service" or fold(w) != "the")
                if (
                    not key
                    or words & exclude
                    or key in NOT_A_THING
                    or all(len(w) < 2 for w in words)
                    or key in in_this
                    or key.removesuffix("s") in DATE_WORDS
                ):  # "On Saturdays" is a when
                    continue
                in_this.add(key)
                count[key] = count.get(key, 0) + 1
                if touches(sentence, avoid):
                    continue
                before = sentence[:at]
                end = at + len(phrase)
                clause = _clause(sentence, at, end)
                if key in seen:
                    named = seen[key]
                    named.clauses.append(clause)
                    if named.kind == "thing" and PLACE_BEFORE.search(before):
                        named.kind = "place"
                    continue
                if kind == "service":
                    thing = phrase.lower().replace("raf", "RAF")
                else:
                    kin = _person_signal(sentence, at, phrase)
                    the, an, this = THE_BEFORE.search(before), AN_BEFORE.search(before), THIS_BEFORE.search(before)
                    noun = re.match(r"\s+([a-z]+)\b", sentence[end:])
                    if kin or (words & people and not the):
                        kind, thing = "person", f"{kin} {phrase}" if kin not in ("", "-") else phrase
                    elif an and noun and fold(noun.group(1)) not in STOPWORDS:
                        kind, thing = "thing", f"{an.group(1)} {phrase} {noun.group(1)}"
                    else:
                        thing = f"{the.group(1)} {phrase}" if the else f"the {phrase}" if this else phrase
                        kind = "place" if PLACE_BEFORE.search(before) else "thing"
                seen[key] = _Named(phrase, thing, [clause], kind, src.title)
    out = []
    for key, named in seen.items():
        if count[key] >= TOLD_SENTENCES:
            continue  # told
        if named.kind == "person" and (
            key in fold(named.title) or any(f in content_forms(named.title) for f in content_forms(named.phrase))
        ):
            continue  # the memory is theirs
        out.append(named)
    return out


def _when(sentence: str) -> tuple[str, bool]:
    """A time the clause gives, in its own words, and whether it is plural: ("a Friday night",
    False), ("Saturdays", True), ("Friday nights", True), ("a summer", False), ("Christmas", False);
    ("", False) for none."""
    m = WHEN_DAY.search(sentence)
    if m:
        day = m.group(0)
        return (day, True) if day.endswith("s") else (f"a {day}", False)  # "Saturdays", "Friday nights"
    m = WHEN_SEASON.search(sentence)
    if m:
        return f"a {m.group(1)}", False
    m = WHEN_FEAST.search(sentence)
    return (m.group(1), False) if m else ("", False)


def _time_of(named: _Named) -> tuple[str, bool]:
    """The time said with a place in one clause; of several, one with a part of the day ("Friday
    nights" before "Friday"), else the first."""
    times = [t for t in (_when(c) for c in named.clauses) if t[0]]
    return next((t for t in times if " " in t[0].removeprefix("a ")), times[0] if times else ("", False))


def _follow_ups(
    sources: list[Source], names: list[str], avoid: list[str], exclude: set[str], call: str, past: bool
) -> tuple[list[Question], list[Question]]:
    """The first question for each name mentioned (in order of mention), and the second ones: who else
    was at a place they went to regularly; where a chapter like the navy took them, and what they said
    of it. Returned apart, so the first ones come first."""
    b = bank()["follow"]
    first, second = [], []

    def q(named: _Named, part: str, text: str) -> Question:
        return Question(
            f"follow:{slug(named.thing)}{part}",
            text,
            b["fills"].format(thing=named.thing),
            b["why"].format(thing=named.thing),
            _seconds(b["seconds"]),
        )

    for named in _mentioned(sources, names, avoid, exclude):
        fields = {"thing": named.thing, "call": call}
        if named.kind == "service":
            second.append(q(named, "", b["service"].format(**fields)))
            second.append(q(named, ":said", b["service_said" if past else "service_said_present"].format(**fields)))
            continue
        when, plural = _time_of(named) if named.kind == "place" else ("", False)
        form = ("place_when_plural" if plural else "place_when") if when else named.kind
        first.append(q(named, "", b[form].format(when=when, **fields)))
        if when:
            second.append(q(named, ":who", b["place_who"].format(**fields)))
    return first, second


# --- (c) the occasion's sections no memory fills, and more for those one does ---------------------


def _sections(
    template: dict,
    brief: Brief | None,
    stories: list[Story],
    occasion: str,
    call: str,
    past: bool,
    target_seconds: float,
    light_asked: bool,
) -> tuple[list[Question], list[Question]]:
    """The empty sections' questions, and, apart, a second question for each filled one ("Which other
    day…"): a speech short of its length needs more than one story, asked only when it is short."""
    b = bank()["sections"]
    keys = [s["key"] for s in template.get("sections", []) if s["key"] in BODY_KEYS and s["key"] in b]
    if (
        brief is not None
        and not brief.jokes
        and "light" in keys
        and ({"solemn", "formal", "dignified", "reverent"} & set(brief.tone))
    ):
        keys.remove("light")  # as the arranger: a solemn speech has no light part unless one is asked for
    filled = set()
    for st in stories:
        scores = _score(st, keys)
        filled.add(max(keys, key=lambda k: (scores.get(k, 0), -keys.index(k))) if keys else "")
    shares = {s["key"]: s.get("share", 0.2) for s in template.get("sections", [])}
    speech = SPEECH_NAMES.get(occasion, "a speech")
    empty, more = [], []
    for key in keys:
        entry = b[key]
        label = entry.get("label_present", entry["label"]) if not past else entry["label"]
        seconds = _seconds(min(90.0, shares.get(key, 0.2) * target_seconds))
        tense = "past" if past else "present"
        if key in filled:  # "Which other day…" only once a memory tells one
            more.append(
                Question(
                    f"section:{key}:more",
                    entry[f"more_{tense}"].format(call=call),
                    b["fills"].format(label=label),
                    b["why_more"].format(label=label),
                    seconds,
                )
            )
            continue
        if key == "light" and light_asked:  # asked already, as what the shorthand asks
            continue
        empty.append(
            Question(
                f"section:{key}",
                entry[tense].format(call=call),
                b["fills"].format(label=label),
                b["why"].format(speech=speech[:1].upper() + speech[1:], label=label),
                seconds,
            )
        )
    return empty, more


# --- the list --------------------------------------------------------------------------------------


def short_of(
    sources: list[Source], brief: Brief | None, template: dict, pace: int = DEFAULT_PACE
) -> tuple[float, float]:
    """(the asked length, what the memories give), in seconds at the speaker's pace (words a minute):
    the Brief's target (minutes, words, or the occasion's usual length, as it was read), else the
    occasion's; the memories' words, less what the person asked to leave out. The estimate the list
    is made long enough for, as the app's "1.6 of 3.0 min" is."""
    avoid = list(brief.avoid) if brief else []
    pace = max(1, pace)
    asked = brief.target_words / pace * 60 if brief and brief.target_words else float(template.get("minutes", 3)) * 60
    words = sum(s.words for s in stories_of([s for s in sources if s.text.strip()], avoid))
    return asked, words / pace * 60


def enough(questions: list[Question], short_seconds: float) -> int:
    """How many of the ordered questions, answered, would cover `short_seconds` of speech (the
    shortfall line's "answer 3 questions"): 0 when nothing is short; all of them when even all
    would not."""
    if short_seconds <= 0:
        return 0
    total = 0
    for i, q in enumerate(questions, 1):
        total += q.seconds
        if total >= short_seconds:
            return i
    return len(questions)


def ask(
    occasion: str,
    subject: str,
    sources: list[Source],
    brief: Brief | None,
    template: dict,
    names: list[str],
    answered: AbstractSet[str] = frozenset(),
    skipped: Sequence[str] = (),
    pace: int = DEFAULT_PACE,
) -> list[Question]:
    """Ordered list. Answered ids never come back; skipped ids go to the end (in the order skipped).
    When the memories are short of the asked length, the list holds questions enough to cover the
    shortfall (`enough`) and SPARE more: further follow-ups, then another story for a filled section.

    `sources` are the memories (and any typed notes), `template` the occasion's (llm.occasions),
    `names` the project's people; `brief` the shorthand read (at `pace`, words a minute), or None for
    no shorthand."""
    avoid = list(brief.avoid) if brief else []
    sources = [s for s in sources if s.text.strip()]
    stories = stories_of(sources, avoid)
    subject = (brief.subject if brief and brief.subject else subject) or ""
    relation = (brief.relation if brief else "") or relation_in(sources)
    call = call_of(subject, relation, sources)
    past = occasion == "funeral"
    target_seconds, given = short_of(sources, brief, template, pace)

    asked: list[Question] = []
    if brief is not None:
        asked += _light(brief, stories, call, past, target_seconds, template)
        asked += _notes(brief, stories, call)
        asked += _topics(brief, stories)
    speaker = brief.speaker if brief and brief.speaker else ""
    exclude = {fold(w) for n in (subject, speaker, call) if n for w in tokens(n)}
    topics = {slug(t) for t in brief.topics} if brief else set()  # asked already, as what the shorthand asks
    first, second = _follow_ups(sources, names, avoid, exclude, call, past)
    follows = [q for q in first + second if q.id.split(":")[1] not in topics]
    sections: list[Question] = []
    more: list[Question] = []
    if brief is None or brief.task == "speech":
        sections, more = _sections(
            template, brief, stories, occasion, call, past, target_seconds, any(q.id == "light-moment" for q in asked)
        )
    shown = follows[:MAX_FOLLOW]
    for i in range(max(len(shown), len(sections))):  # in turn: one deepens, the next widens
        asked += shown[i : i + 1] + sections[i : i + 1]
    reserve = follows[MAX_FOLLOW:] + more  # asked only while the list is short of the shortfall
    if stories and (brief is None or brief.task == "speech"):  # with no memory yet, the sections' come first
        g = bank()["more"]
        reserve += [
            Question(
                f"more:{key}",
                g[key]["past" if past else "present"].format(call=call),
                g["fills"],
                g["why"],
                _seconds(g["seconds"]),
            )
            for key in ("first", "miss", "room")
        ]

    # the list is made for the memories as they are, then what is answered is taken out: an answer is
    # a memory by then, so the list is the same list less what was answered (and what it gave is given)
    listed: list[Question] = []
    for q in asked:
        if all(q.id != f.id for f in listed):
            listed.append(q)
    short = target_seconds - given
    for q in reserve:
        if short <= 0 or (sum(f.seconds for f in listed) >= short and len(listed) >= enough(listed, short) + SPARE):
            break
        if all(q.id != f.id for f in listed):
            listed.append(q)
    found = [q for q in listed if q.id not in answered]
    last_skips = list(reversed(dict.fromkeys(reversed(list(skipped)))))  # skipped twice: where it was last
    later = [q for sid in last_skips for q in found if q.id == sid]
    return [q for q in found if q.id not in set(skipped)] + later
