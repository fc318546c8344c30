"""The machinery of reading shorthand, shared by its passes (llm.shorthand): the text normalised,
the claims on it, and how a phrase, a note and a topic are cut out of it.

Normalising first lets the cue tables (llm.cues) be written once: numbers in words become digits
where a length is given (text2num), short forms are spelled out, and a misspelt cue word is mended
(rapidfuzz against the cue words, only for a word wordfreq barely knows and the memories don't use).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from llm.cues import (
    ABBREVIATIONS,
    ASKS,
    CHATTER,
    CUE_WORDS,
    FILLER,
    KIN,
    NUMBER_RUN,
    ROLES,
    SHORT_FORMS,
    TITLES,
    TOKEN_RE,
)
from llm.grounding import STOPWORDS, fold, forms, lemma, tokens, zipf_frequency

if TYPE_CHECKING:
    from llm.brief import Brief


def normalise(text: str, vocabulary: Iterable[str] = ()) -> str:
    """Shorthand as the cue tables read it: straight quotes, numbers as digits ("three hundred
    words" → "300 words"), units apart from their numbers ("2min" → "2 min"), and typos of cue
    words mended ("eulgoy" → "eulogy") unless the word is one of the project's own."""
    from text_to_num import alpha2digit

    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("\r", "\n")
    text = re.sub(r"[ \t]+", " ", text)
    text = NUMBER_RUN.sub(lambda m: digits(m.group(0), alpha2digit), text)
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)  # "1,000 words"
    text = ABBREVIATIONS.sub(lambda m: SHORT_FORMS[m.group(0).lower()], text)
    text = re.sub(r"(\d)\s*-?\s*(mins?|minutes?|secs?|seconds?|words?|wds)\b", r"\1 \2", text, flags=re.IGNORECASE)
    known = {fold(w) for w in vocabulary}
    return TOKEN_RE.sub(lambda m: mend(m.group(0), known), text)


def digits(run: str, alpha2digit) -> str:
    try:  # text2num leaves "two-" alone: the hyphen of "two-minute" goes, the unit follows with a space
        return alpha2digit(run.rstrip("- "), "en", threshold=0) + " "
    except Exception:  # noqa: BLE001 — a library's failure on odd text must not stop reading it
        return run


def mend(word: str, known: set[str]) -> str:
    """A cue word misspelt ("speach", "funnny", "minuets") becomes the cue word; a real word stays."""
    low = word.lower()
    if len(low) < 5 or low in CUE_WORDS or low in known or low in FILLER or low in STOPWORDS:
        return word
    if zipf_frequency(low, "en") >= 2.2:  # a real word ("couplets"), not a slip
        return word
    from rapidfuzz import fuzz, process

    best = process.extractOne(low, CUE_WORDS, scorer=fuzz.ratio, score_cutoff=80)
    if not best:
        return word
    return best[0].capitalize() if word[0].isupper() else best[0]


class Reader:
    """The shorthand with a mark on every character a field has claimed, and the project's people
    as they may be typed: "okafor" and "mr okafor" are both Mr Okafor."""

    def __init__(self, text: str, people: Iterable[str] = ()):
        self.text = text
        self.low = text.lower()
        self.claimed = [False] * len(text)
        self.names: dict[str, str] = {}
        for person in people:
            self.names.setdefault(person.lower(), person)
            for word in person.split():
                if len(word) > 2 and not re.fullmatch(TITLES, word.lower()):
                    self.names.setdefault(word.lower(), person)
        self.known = "|".join(sorted(map(re.escape, self.names), key=len, reverse=True)) or "(?!)"
        self.subject = ""
        self.default_occasion = "funeral"
        # soft readings: a cue word that may turn out to be part of a topic ("the tenner in every birthday
        # card", "the siren warm up", "the proposal on Mam Tor"): (start, end, field, value)
        self.soft: list[tuple[int, int, str, str]] = []

    def claim_soft(self, a: int, b: int, field: str, value: str) -> None:
        self.claim(a, b)
        self.soft.append((a, b, field, value))

    def is_soft(self, i: int) -> bool:
        return any(a <= i < b for a, b, _, _ in self.soft)

    def swallow(self, a: int, b: int, brief: Brief, default_occasion: str) -> None:
        """Soft readings inside a topic belong to the topic: their evidence is withdrawn, and a field
        left with none goes back to what it was without it."""
        gone = [e for e in self.soft if a <= e[0] and e[1] <= b]
        if not gone:
            return
        self.soft = [e for e in self.soft if e not in gone]
        self.claim(a, b)
        left = {(f, v) for _, _, f, v in self.soft}
        for _, _, f, v in gone:
            if (f, v) in left:
                continue
            if f == "tone" and v in brief.tone:
                brief.tone.remove(v)
            elif f == "relation" and brief.relation == v:
                brief.relation = next((w for _, _, g, w in self.soft if g == "relation"), "")
            elif f == "occasion" and brief.occasion == v:
                brief.occasion = next((w for _, _, g, w in self.soft if g == "occasion"), default_occasion)

    def free(self, a: int, b: int) -> bool:
        return not any(self.claimed[a:b])

    def claim(self, a: int, b: int) -> None:
        for i in range(max(0, a), min(b, len(self.text))):
            self.claimed[i] = True

    def find(self, pattern: str, flags: int = 0) -> Iterator[re.Match[str]]:
        """Matches of `pattern` (on the lower-case text) that touch no claimed character."""
        for m in re.finditer(pattern, self.low, flags):
            if m.end() > m.start() and self.free(m.start(), m.end()):
                yield m

    def first(self, pattern: str) -> re.Match[str] | None:
        return next(self.find(pattern), None)

    def phrase_after(self, at: int, stop_words: str = "", through_soft: bool = False) -> tuple[str, int, int]:
        """The run of unclaimed words from `at` to the next punctuation, claimed word or joining
        word that starts another ask ("but", "and mention"): the object of a cue. `through_soft`: the
        run goes on over soft readings inside it ("the tenner in every birthday card"), but not over
        one that ends it ("the leeks for his funeral")."""
        end = at
        n = len(self.text)
        while (
            end < n
            and (not self.claimed[end] or through_soft and self.is_soft(end))
            and self.text[end] not in '.,;:!?()\n"'
        ):
            end += 1
        phrase = self.text[at:end]
        cut = re.search(
            r"\s(?:but|although|though|yet|and (?:also |then |can you |could you |please )?(?:make|keep|"
            r"mention|include|add|use|write|talk|don'?t|avoid|skip|leave|have|put|give|tell|end|start|"
            r"finish|not|get|thank|say|sing|print)|as well|too|please|thanks|thx|pls)\b" + stop_words,
            phrase,
            re.IGNORECASE,
        )
        if cut:
            end = at + cut.start()
        a, b = at, end
        if through_soft:
            # a soft reading (or filler) at either end is not the topic's: "about mum at the palais",
            # "the paris trip at grandads service make it moving"; one inside it is ("birthday card")
            words = list(re.finditer(r"[\w'-]+", self.text[at:end]))
            droppable = lambda w: self.is_soft(at + w.start()) or fold(w.group(0)) in FILLER | STOPWORDS
            kept = list(words)
            while kept and droppable(kept[-1]):
                kept.pop()
            if not any(self.is_soft(at + w.start()) for w in words[len(kept) :]):
                kept = list(words)  # "the stag do": nothing soft at the end, so nothing to trim
            while (
                kept
                and droppable(kept[0])
                and (self.is_soft(at + kept[0].start()) or any(self.is_soft(at + w.start()) for w in kept[1:2]))
            ):
                kept.pop(0)
            words = kept
            if words:
                a, b = at + words[0].start(), at + words[-1].end()
            else:
                b = a
        while a < b and self.text[a].isspace():
            a += 1
        while b > a and self.text[b - 1].isspace():
            b -= 1
        return self.text[a:b], a, b


def trim_phrase(text: str, possessive: bool = False) -> str:
    """A topic or avoid phrase without the words around it that say nothing ("the", "stuff", "please");
    an avoid keeps its possessive ("her ex" is not any ex)."""
    words = text.strip(" -'\"").split()
    lead = {
        "about",
        "the",
        "that",
        "this",
        "any",
        "of",
        "on",
        "to",
        "with",
        "anything",
        "everything",
        "all",
        "just",
        "only",
        "mainly",
        "mostly",
        "really",
        "also",
        "and",
        "can",
        "you",
        "could",
        "please",
        "pls",
        "mentioning",
        "mention",
        "his",
        "her",
        "their",
        "my",
        "our",
        "a",
        "an",
        "bit",
        "story",
        "part",
        "stuff",
        "stories",
        "how",
        "that's",
        "it's",
    }
    trail = {
        "for",
        "to",
        "in",
        "at",
        "on",
        "of",
        "with",
        "and",
        "or",
        "the",
        "a",
        "please",
        "pls",
        "stuff",
        "bit",
        "entirely",
        "completely",
        "whatsoever",
        "fail",
        "without",
        "possible",
        "if",
        "get",
        "gets",
        "mention",
        "but",
        "lol",
        "haha",
        "x",
        "xx",
        "mentioned",
        "included",
        "is",
        "are",
        "thing",
        "things",
        "part",
        "story",
        "business",
        "either",
        "too",
        "his",
        "her",
        "their",
        "my",
        "our",
        "speech",
        "eulogy",
        "toast",
        "thanks",
        "ok",
        "okay",
        "etc",
        "in it",
        "at all",
        "really",
        "though",
    }
    while words and (words[-1].lower() in trail or fold(words[-1]) in CHATTER):
        words.pop()  # "the paris trip yeah keep it"
    keep_the = words[:1] == ["the"] and len(words) > 1
    if possessive:
        lead -= {"his", "her", "their", "my", "our"}
    while len(words) > 1 and words[0].lower() in lead - {"how"}:
        if words[0].lower() in ("bit", "story", "part", "stories") and len(words) > 2 and words[1] in ("about", "of"):
            words = words[2:]
            continue
        words = words[1:]
    if keep_the and words and words[0].lower() not in ("the",):
        words = ["the"] + words if fold(words[0]) not in STOPWORDS else words
    return " ".join(words).strip(" ,.'\"")


def content(text: str) -> set[str]:
    """The content words of a phrase, as lemmas: how topics, avoids and memories are compared."""
    out = set()
    for tok in tokens(text):
        w = fold(tok)
        if w in STOPWORDS or w in ("bit", "story", "stuff", "thing", "things", "part", "time"):
            continue
        out.add(lemma(w))
    return out


def memory_forms(texts: list[str]) -> set[str]:
    out: set[str] = set()
    for t in texts:
        for tok in tokens(t):
            if fold(tok) not in STOPWORDS:
                out |= forms(tok)
    return out


def is_note(sentence: str, people: Sequence[str] = ()) -> bool:
    """A sentence that states a fact or a saying rather than asks: "She always said there's nothing
    a pot of tea can't fix." — a subject, then a verb, and no word of asking."""
    if ASKS.search(sentence) or len(sentence.split()) < 4:
        return False
    words = [w for w in re.findall(r"[\w'-]+", sentence)]
    if len(words) < 4:  # ". . . ." has four "words" to split() but none to read
        return False
    first = fold(words[0])
    if re.fullmatch(TITLES, first) or any(
        re.match(rf"{re.escape(p.lower())}(?:'s)? ", sentence.lower()) for p in people
    ):
        words = words[
            len(next((p for p in people if sentence.lower().startswith(p.lower() + " ")), words[0]).split()) - 1 :
        ]
    elif first in ("the", "this", "that", "his", "her", "their", "our", "my"):  # "The funeral is on friday."
        words = words[1:]
    elif re.match(r"(?:he|she|they|we|i|it|there|you)'(?:s|d|ve|re|ll)$", words[0].lower()):
        return True  # "He'd have hated anything too gloomy.", "He's retiring after 25 years."
    elif not (
        first in ("he", "she", "they", "we", "i", "it", "there", "you")
        or first in KIN
        or first in ROLES
        or (words[0][:1].isupper() and zipf_frequency(first, "en") < 4.0)
    ):
        return False  # "Skip the years in the army" starts with a verb, not a subject
    for verb in (w.lower() for w in words[1:3]):
        if verb in ("always", "never", "once", "used", "would", "could", "had", "was", "were", "is", "loved") or (
            lemma(verb) != verb and not verb.endswith("ing")
        ):
            return True
    return False


def topic_parts(phrase: str) -> list[str]:
    """ "his allotment and the leeks" → two topics; "how she taught me to swim" stays one; "the postman
    years and that he walked to Australia" → two."""
    out = []
    for part in re.split(
        r"\s*(?:,|;|\band (?=that|how|when|where|the time)\b)\s*", phrase.strip(), flags=re.IGNORECASE
    ):
        part = re.sub(r"^(?:that|the fact that)\s+", "", part, flags=re.IGNORECASE)
        if re.match(
            r"(?:how|when|where|he|she|they|we|i)\b", part, re.IGNORECASE
        ):  # a clause: "how she taught me to swim"
            out += [trim_phrase(part)] if trim_phrase(part) else []
        else:
            out += [p for p in (trim_phrase(x) for x in re.split(r"\s*(?:\band\b|&|/)\s*", part)) if p]
    return out


def is_meaningful(word: str) -> bool:
    w = fold(word)
    if w in STOPWORDS or w in FILLER or w.isdigit() or len(w) < 2:
        return False
    return lemma(w) not in FILLER
