"""Questions worth answering: what a speechwriter would ask next, so the person has more to say.

A speech made of the person's own sentences is as long as what they gave, and most are short
(docs/quality.md). Fondly asks, from what it can see, in this order:

(a) what the Brief asks that the memories lack: a light moment when a joke is asked and no
    memory has one; the story asked for in the shorthand ("He always said we were the three
    bears and he was Goldilocks" → when, who the bears were, what was happening); a topic or
    must-have no memory tells of, or tells in a sentence;
(b) follow-ups on what the memories name once and never tell — a person, a place, a named
    thing ("You mentioned the Palais. What was a Friday night there like?") — and
(c) the occasion's sections that no memory fills (what he taught, a story…),
    with (b) and (c) taken in turn, so the first few questions both deepen and widen.

Rules, not a model: the same memories give the same questions, with ids that stay the same
for the same thing asked. Every phrasing is from the reviewed bank (assets/templates/
questions.json); the only words a question adds to it are the person's own — the name of
what a memory mentions, with the "the" it was said with, a time it was said with ("a Friday
night"), a line typed in the shorthand — and the project's name for the subject. So a
question never states a fact that is not in the memories. Nothing is asked about what the
memories tell at length, or about what the person asked to leave out. Answered questions
never come back; skipped ones go to the end, in the order they were skipped.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from rapidfuzz import fuzz

from llm.arrange import BODY_KEYS, Story, _score, about, stories_of
from llm.brief import DEFAULT_PACE, Brief
from llm.composition import Source, is_light, relation_in
from llm.grounding import (DATE_WORDS, KIN, STOPWORDS, content_forms, fold, name_phrases, sentences,
                           tokens, touches, zipf_frequency)
from llm.occasions import SPEECH_NAMES, TEMPLATES

TOLD_WORDS = 30  # a story of this many words (as read: fillers and restarts gone) tells its topic; fewer is "a sentence about it"
KEY_ZIPF = 5.0  # a word this rare or rarer can name what a line is about ("pot", "tea"; not "always", "said")
MAX_FOLLOW = 8  # follow-ups listed at once: the first few matter, the rest come as those are answered
ID = re.compile(r"^[a-z0-9:-]{1,80}$")

# what is named but is no person, place or thing to ask after: languages, peoples, faiths
NOT_A_THING = set("""
english irish welsh scottish scots british french german italian spanish portuguese dutch american canadian
australian polish indian chinese japanese greek russian european african asian catholic protestant christian
jewish muslim hindu sikh anglican methodist baptist god tv ok
""".split())
PLACE_BEFORE = re.compile(r"\b(?:at|in|on|to|from|near|outside|inside|behind|round|around|across|into|by|past|toward|"
                          r"towards|through|over|up|down)\s+(?:the\s+)?$", re.I)
THE_BEFORE = re.compile(r"\b(the)\s+$", re.I)
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
WHEN_DAY = re.compile(rf"\b({DAYS})s?(?:\s+(?:night|morning|evening|afternoon)s?)?\b")
WHEN_SEASON = re.compile(r"\b(?:every|each|one|that|in the)\s+(summer|winter|spring|autumn)\b", re.I)
WHEN_FEAST = re.compile(r"\b(Christmas|Easter)\b")
SAYING = re.compile(r"\b(?:always said|used to say|would say|kept saying|said|says|called (?:us|me|him|her|them)|"
                    r"told (?:us|me))\b", re.I)
WHO_WERE = re.compile(r"\b(?:we|you|they|us)\s+(?:were|are)\s+(the\s+[^,.;:!?]+?)(?=\s+(?:and|but|while|when)\b|"
                      r"[,.;:!?]|$)", re.I)


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
    return max(15, int(round(value / 5.0)) * 5)


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
            return max(counts, key=counts.get)
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
            for t in toks[i + 1:i + 5]:
                if fold(t) in STOPWORDS:
                    break
                run.append(t)
            if run:
                return " ".join([tok.lower()] + run)
    names = [p for p, at in name_phrases(note) if at > 0]  # a first word is a name only by a guess
    if names:
        return names[0]
    rare = [i for i, t in enumerate(toks)
            if fold(t) not in STOPWORDS and len(t) > 2 and zipf_frequency(fold(t)) < KEY_ZIPF]
    if not rare:
        return " ".join(toks[:3])
    end = next((j for j in rare[1:] if j - rare[0] <= 3), rare[0])  # "a pot of tea" → "pot of tea"
    return " ".join(toks[rare[0]:end + 1])


def _told(stories: list[Story], matches) -> int:
    """The words of the longest story that `matches`, 0 when none does."""
    return max((s.words for s in stories if matches(s)), default=0)


# --- (a) what the Brief asks that the memories lack ---------------------------------------------


def _light(brief: Brief, stories: list[Story], call: str, past: bool, target_seconds: float,
           template: dict) -> list[Question]:
    wanted = max(brief.jokes, 1 if "funny" in brief.tone else 0) if brief.task == "speech" else 0
    if not wanted or sum(1 for s in stories if is_light(s.text)) >= wanted:
        return []
    b = bank()["light"]
    share = next((s["share"] for s in template.get("sections", []) if s["key"] == "light"), 0)
    return [Question("light-moment", b["past" if past else "present"].format(call=call), b["fills"], b["why"],
                     _seconds(max(b["seconds"], share * target_seconds)))]


def _notes(brief: Brief, stories: list[Story], call: str) -> list[Question]:
    """The story asked for in the shorthand's own words, when no memory tells it at length."""
    out = []
    b = bank()
    for note in brief.notes:
        key = _key_phrase(note)
        keys = content_forms(key)
        words = _told(stories, lambda s: fuzz.partial_ratio(note.lower(), s.text.lower()) >= 85
                      or (keys and keys <= content_forms(s.text)))
        if words >= TOLD_WORDS:
            continue
        saying = bool(SAYING.search(note))
        bank_of = b["saying"] if saying else b["note"]
        quote = _quote(note) if len(note) <= 120 else _quote(key)
        fills = b["story"]["fills"].format(topic=key)
        why = b["story"]["why_thin"].format(words=words) if words else b["story"]["why_untold"]
        who = WHO_WERE.search(note)
        texts = {"when": bank_of["when"],
                 "who": bank_of["who"] if (who or not saying) else bank_of["who_plain"],
                 "what": bank_of["what"]}
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
        words = _told(stories, lambda s: best > 0 and about(s, topic) == best)
        if words >= TOLD_WORDS:
            continue
        text = (b["thin"] if words else b["untold"]).format(topic=topic)
        why = (b["why_thin"] if words else b["why_untold"]).format(topic=topic, words=words)
        out.append(Question(f"topic:{slug(topic)}", text, b["fills"].format(topic=topic), why,
                            _seconds(b["seconds"] * (0.6 if words else 1))))
    return out


# --- (b) follow-ups on what the memories name once -----------------------------------------------


@dataclass
class _Named:
    phrase: str  # as the memory wrote it: "Palais"
    thing: str  # as the question quotes it: "the Palais"
    sentence: str
    kind: str  # person, place, thing
    title: str  # the memory's title


def _named_once(sources: list[Source], names: list[str], avoid: list[str], exclude: set[str]) -> list[_Named]:
    """The people, places and things the memories name in one sentence only, in order of mention;
    not what the person asked to leave out, not the subject or speaker, not a memory's own topic."""
    people = {fold(w) for n in names for w in tokens(n)}
    seen: dict[str, _Named] = {}
    count: dict[str, int] = {}
    for src in sources:
        if src.id is None:
            continue
        for sentence in sentences(src.text):
            in_this: set[str] = set()
            for phrase, at in name_phrases(sentence):
                words = {fold(w) for w in tokens(phrase)}
                key = " ".join(fold(w) for w in tokens(phrase))
                if (not key or words & exclude or key in NOT_A_THING or all(len(w) < 2 for w in words)
                        or key in in_this or key.removesuffix("s") in DATE_WORDS):  # "On Saturdays" is a when
                    continue
                in_this.add(key)
                count[key] = count.get(key, 0) + 1
                if key in seen or touches(sentence, avoid):
                    continue
                before = sentence[:at]
                the = THE_BEFORE.search(before)
                thing = f"{the.group(1)} {phrase}" if the else phrase
                kind = ("person" if words & people and not the else
                        "place" if PLACE_BEFORE.search(before) else "thing")
                seen[key] = _Named(phrase, thing, sentence, kind, src.title)
    out = []
    for key, named in seen.items():
        if count[key] > 1 or key in fold(named.title) or any(f in content_forms(named.title)
                                                            for f in content_forms(named.phrase)):
            continue  # told more than once, or the memory is about it
        out.append(named)
    return out


def _when(sentence: str) -> tuple[str, bool]:
    """A time the sentence gives, in its own words, and whether it is plural: ("a Friday night",
    False), ("Saturdays", True), ("a summer", False), ("Christmas", False); ("", False) for none."""
    m = WHEN_DAY.search(sentence)
    if m:
        day = m.group(0)
        return (day, True) if m.group(1) + "s" in day else (f"a {day}", False)
    m = WHEN_SEASON.search(sentence)
    if m:
        return f"a {m.group(1)}", False
    m = WHEN_FEAST.search(sentence)
    return (m.group(1), False) if m else ("", False)


def _follow_ups(sources: list[Source], names: list[str], avoid: list[str], exclude: set[str],
                call: str) -> list[Question]:
    b = bank()["follow"]
    out = []
    for named in _named_once(sources, names, avoid, exclude):
        when, plural = _when(named.sentence) if named.kind == "place" else ("", False)
        form = ("place_when_plural" if plural else "place_when") if when else named.kind
        text = b[form].format(thing=named.thing, when=when, call=call)
        out.append(Question(f"follow:{slug(named.thing)}", text, b["fills"].format(thing=named.thing),
                            b["why"].format(thing=named.thing), _seconds(b["seconds"])))
    return out


# --- (c) the occasion's sections no memory fills --------------------------------------------------


def _sections(template: dict, brief: Brief | None, stories: list[Story], occasion: str, call: str, past: bool,
              target_seconds: float, light_asked: bool) -> list[Question]:
    b = bank()["sections"]
    keys = [s["key"] for s in template.get("sections", []) if s["key"] in BODY_KEYS and s["key"] in b]
    if brief is not None and not brief.jokes and "light" in keys and (
            {"solemn", "formal", "dignified", "reverent"} & set(brief.tone)):
        keys.remove("light")  # as the arranger: a solemn speech has no light part unless one is asked for
    filled = set()
    for st in stories:
        scores = _score(st, keys)
        filled.add(max(keys, key=lambda k: (scores.get(k, 0), -keys.index(k))) if keys else "")
    shares = {s["key"]: s.get("share", 0.2) for s in template.get("sections", [])}
    speech = SPEECH_NAMES.get(occasion, "a speech")
    out = []
    for key in keys:
        if key in filled or (key == "light" and light_asked):
            continue
        entry = b[key]
        label = entry.get("label_present", entry["label"]) if not past else entry["label"]
        out.append(Question(f"section:{key}", entry["past" if past else "present"].format(call=call),
                            b["fills"].format(label=label), b["why"].format(speech=speech[:1].upper() + speech[1:],
                                                                            label=label),
                            _seconds(min(90.0, shares.get(key, 0.2) * target_seconds))))
    return out


# --- the list --------------------------------------------------------------------------------------


def ask(occasion: str, subject: str, sources: list[Source], brief: Brief | None, template: dict, names: list[str],
        answered: set[str] = frozenset(), skipped: list[str] = ()) -> list[Question]:
    """Ordered list. Answered ids never come back; skipped ids go to the end (in the order skipped).

    `sources` are the memories (and any typed notes), `template` the occasion's (llm.occasions),
    `names` the project's people; `brief` the shorthand read, or None for no shorthand."""
    avoid = list(brief.avoid) if brief else []
    sources = [s for s in sources if s.text.strip()]
    stories = stories_of(sources, avoid)
    subject = (brief.subject if brief and brief.subject else subject) or ""
    relation = (brief.relation if brief else "") or relation_in(sources)
    call = call_of(subject, relation, sources)
    past = occasion == "funeral"
    # the asked length in seconds: minutes as asked, words at a calm pace, else the occasion's usual length
    minutes = (brief.minutes if brief and brief.minutes else brief.words / DEFAULT_PACE if brief and brief.words
               else float(template.get("minutes", 3)))
    target_seconds = minutes * 60

    asked: list[Question] = []
    if brief is not None:
        asked += _light(brief, stories, call, past, target_seconds, template)
        asked += _notes(brief, stories, call)
        asked += _topics(brief, stories)
    speaker = brief.speaker if brief and brief.speaker else ""
    exclude = {fold(w) for n in (subject, speaker, call) if n for w in tokens(n)}
    topics = {slug(t) for t in brief.topics} if brief else set()  # asked already, as what the shorthand asks
    follows = [q for q in _follow_ups(sources, names, avoid, exclude, call)
               if q.id.removeprefix("follow:") not in topics][:MAX_FOLLOW]
    sections = []
    if brief is None or brief.task == "speech":
        sections = _sections(template, brief, stories, occasion, call, past, target_seconds,
                             any(q.id == "light-moment" for q in asked))
    for i in range(max(len(follows), len(sections))):  # in turn: one deepens, the next widens
        asked += follows[i:i + 1] + sections[i:i + 1]

    found: list[Question] = []
    for q in asked:
        if q.id not in answered and all(q.id != f.id for f in found):
            found.append(q)
    last_skips = list(reversed(dict.fromkeys(reversed(list(skipped)))))  # skipped twice: where it was last
    later = [q for sid in last_skips for q in found if q.id == sid]
    return [q for q in found if q.id not in set(skipped)] + later
