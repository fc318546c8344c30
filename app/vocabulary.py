"""The words Whisper is told to expect, for every transcription of a project: the people as they
are said, with their relation ("Grandma Siobhan", "Uncle Tadhg"), the project's own words, and
the places its memories name ("Ballycotton", "Mam Tor").

Why the relation: people say names with it, and Whisper hears the pair as one. Measured with
Whisper tiny.en on espeak-ng readings: with the names alone as its prompt ("Siobhan Tadhg") a
spoken "Grandma Siobhan" came out "Grand March Yvonne"; with "Grandma Siobhan" it was right. A
relation comes from the person as typed ("Grandma Siobhan, Uncle Tadhg" in People) or is learned
from the memories, wherever one says "<relation> <Name>" of a person of the project.

Why one place: the live transcript, the final pass over the recording, a file import, the
recovery of a cut-off recording and dictation must all hear with the same vocabulary, or the
final pass can lose a name the live transcript had right (tests/bench/test_final_pass.py).
Qt-free and model-free: plain text in, a list of phrases out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from app.store import Project, Store

# Words a person puts before a name; the capitalised form is how it is written before one.
# fmt: off
RELATIONS = (
    "Grandma", "Grandmother", "Gran", "Granny", "Nana", "Nanna", "Nan", "Nain", "Nani", "Dadi",
    "Grandad", "Granddad", "Grandpa", "Grandfather", "Grampa", "Gramps", "Taid", "Dada",
    "Uncle", "Auntie", "Aunty", "Aunt", "Cousin", "Mum", "Mam", "Mom", "Mammy", "Mammie", "Ma",
    "Dad", "Daddy", "Da", "Pop", "Pops", "Papa", "Brother", "Sister",
)
# fmt: on
_RELATION_SET = frozenset(RELATIONS)

# Capitalised words that are not names of places or people (and so not worth a place in the prompt).
_NOT_NAMES = frozenset(
    """
I I'm I'd I've I'll A An The And But Or So Then When Where While After Before If Because Though Although
He She It We They You Me Him Her Us Them His Hers Its Our Their My Your This That These Those There Here
What Who Why How Yes No Oh Well Just Now Every One Two Three All Some Mr Mrs Ms Miss Dr St Saint
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August
September October November December Christmas Easter Day Eve Sundays Mass God Lord
""".split()
)

MAX_PHRASES = 40  # Whisper keeps at most 223 prompt tokens of vocabulary; the people come first
MAX_CHARS = 400  # about 100 tokens: room is left for the text already heard


def _split(name: str) -> tuple[str, str]:
    """("Grandma", "Siobhan") from "Grandma Siobhan"; ("", "Siobhan") from "Siobhan"."""
    first, _, rest = name.strip().partition(" ")
    if first in _RELATION_SET and rest.strip():
        return first, rest.strip()
    return "", name.strip()


def people_as_said(names: Iterable[str], texts: Iterable[str]) -> list[str]:
    """Each name with the relation it is said with: as typed ("Uncle Tadhg"), else as the texts say
    it ("Grandma Siobhan" when a memory says so; two relations if both are used, the more frequent
    first), else the name alone."""
    texts = list(texts)
    out: list[str] = []
    for typed in names:
        relation, name = _split(typed)
        if not name:
            continue
        said = [f"{relation} {name}"] if relation else []
        pattern = re.compile(r"\b(" + "|".join(RELATIONS) + r")\s+" + re.escape(name) + r"\b")
        seen = Counter(m.group(1) for t in texts for m in pattern.finditer(t))
        for rel, _n in seen.most_common(2):
            if f"{rel} {name}" not in said:
                said.append(f"{rel} {name}")
        for phrase in said or [name]:
            if phrase not in out:
                out.append(phrase)
    return out


_WORD = r"[A-Z][a-zA-Z'\u2019-]*[a-zA-Z]"
_SEQUENCE = re.compile(rf"{_WORD}(?:\s+{_WORD}){{0,3}}")


def places(texts: Iterable[str], known: Iterable[str] = ()) -> list[str]:
    """Capitalised names the texts use that are not people already known: "Ballycotton",
    "Mam Tor", "Cowley Road" — most used first. A sentence's first word counts only when the
    texts also write it capitalised mid-sentence (so "She" and "Then" never do)."""
    known_words = {w for k in known for w in k.split()} - _RELATION_SET
    counts: Counter[str] = Counter()
    mid_sentence: set[str] = set()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
            sentence = sentence.strip(" \"'\u201c\u2018(")
            for m in _SEQUENCE.finditer(sentence):
                words = [re.sub(r"['\u2019]s$", "", w) for w in m.group(0).split()]
                at_start = m.start() == 0
                for i, w in enumerate(words):
                    if not (at_start and i == 0):
                        mid_sentence.add(w)
                counts[" ".join(words) if not at_start else "\0" + " ".join(words)] += 1
    out: Counter[str] = Counter()
    for seq, n in counts.items():
        at_start = seq.startswith("\0")
        words = seq.lstrip("\0").split()
        if at_start and words[0] not in mid_sentence:
            words = words[1:]
        # cut the sequence at known people (with their relation) and at plain words
        run: list[str] = []
        for i, w in enumerate(words + [""]):
            before_person = w in _RELATION_SET and i + 1 < len(words) and words[i + 1] in known_words
            if w and w not in _NOT_NAMES and w not in known_words and not before_person:
                run.append(w)
                continue
            if run and not all(r in _RELATION_SET for r in run):
                out[" ".join(run)] += n
            run = []
    return [p for p, _n in sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))]


def build(
    names: Iterable[str], words: Iterable[str] = (), texts: Iterable[str] = (), place_texts: Iterable[str] | None = None
) -> list[str]:
    """The vocabulary in the order it matters: the people as said (relations learned from `texts`),
    the person's own words, the places `place_texts` name (by default `texts`); at most
    MAX_PHRASES and MAX_CHARS of them."""
    texts, names = list(texts), [n for n in names if n and n.strip()]
    people = people_as_said(names, texts)
    known = people + [_split(n)[1] for n in names]
    found = places(texts if place_texts is None else place_texts, known)
    out: list[str] = []
    for phrase in people + [w.strip() for w in words if w and w.strip()] + found:
        if phrase.lower() in (p.lower() for p in out):
            continue
        if len(out) >= MAX_PHRASES or sum(len(p) + 2 for p in out) + len(phrase) > MAX_CHARS:
            break
        out.append(phrase)
    return out


def for_project(store: Store | None, project: Project | None, leave_out: int | None = None) -> list[str]:
    """What every transcription of `project` is told to expect (speech.transcriber's `hotwords`).
    Without a store, only what the project itself holds; without a project, nothing.

    Relations are learned from every memory (one is only taken before a name the project knows);
    places only from typed ones: a transcript's place may be Whisper's mishearing ("Malikot" for
    Ballycotton), and in the prompt it would be heard again everywhere. `leave_out` is a memory
    whose own transcript must not teach its transcription (a recording transcribed again)."""
    if project is None:
        return []
    memories = [m for m in store.memories(project.id) if m.id != leave_out] if store is not None else []
    return build(
        project.names, project.vocabulary, [m.text for m in memories], [m.text for m in memories if m.kind == "text"]
    )
