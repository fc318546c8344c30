"""Is each sentence traceable to what the person gave? The one grounding check, per sentence.

Writing, rewriting and the app all ask this module, and only this module, whether a
sentence is supported. A sentence is supported when every claim in it is found in the
facts — the memories, the notes typed in the shorthand, the project's people and its
details (who speaks, about whom, their relation):

- names and places, as whole phrases and case-aware ("Austin Mail" is not supported by
  "Austin" and "mail" in different sentences);
- numbers and dates, digits and words alike ("thirty" is 30);
- kin terms, with plurals and their step-/half-/grand-/great-/-in-law forms kept apart;
- quoted speech, which must be found (nearly) word for word;
- every content word, by lemma (simplemma), except the very commonest words (wordfreq)
  and the reviewed framing words of the phrase bank.

Style and voice words ("Texas inflection") never ground anything: they say how to
write, not what happened. Meta-text and prompt leaks always fail, and so does a
greeting addressed to the speaker. The unsupported words are recorded per sentence, so
the app can show and underline exactly them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

# words so common they carry no claim (zipf 5.8 and up: "know", "time", "people", "good")
COMMON_ZIPF = 5.8

# the words of the framing lines in the templates' phrase bank (assets/templates/*.json), and no
# more: "remember", "always", "miss" or "family" would let a sentence claim what no one said
FRAME_WORDS = set(
    """
dear hello goodbye thank thanks you all for being here today everyone there one story want tell
please raise your glasses congratulations enjoy what comes next happy birthday i'm and was is my
""".split()
)

STOPWORDS = set(
    """
a an the and or but nor so yet of to in on at by for with from into onto over under about after before
during until since than as like up down out off through again then once here there when where why how
what which who whom whose that this these those it its it's is was were be been being am are do does did
doing done have has had having i me my mine myself we us our ours ourselves you your yours yourself
yourselves he him his himself she her hers herself they them their theirs themselves not no nor very
too can could would should will shall may might must just also only even ever still both each either
neither some any every all most more much many such own same other another if because while although
though whether s t don't didn't wasn't weren't isn't aren't couldn't wouldn't shouldn't won't can't
i'm i've i'd i'll we're we've we'd we'll you're you've you'd you'll he's he'd he'll she's she'd she'll
they're they've they'd they'll that's there's what's let's o'clock
""".split()
)

TOKEN = re.compile(r"\w+(?:['’\-]\w+)*")

# fmt: off
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "dozen": 12, "twice": 2, "thrice": 3, "half": 0.5, "first": 1, "second": 2,
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "eleventh": 11, "twelfth": 12, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}
# fmt: on
# "one" and "first" are as often a pronoun or "at first" as a count: as words they are no claim ("1st" is)
NOT_A_CLAIM = {"one", "first", "a", "an"}

# fmt: off
DATE_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "christmas", "easter", "spring", "summer", "autumn", "fall", "winter", "weekend", "birthday", "anniversary",
}
# fmt: on

# kin terms: every spelling maps to one relation; prefixes (step, half, great, in-law) are kept apart
# fmt: off
KIN = {
    "father": "father", "dad": "father", "daddy": "father", "papa": "father", "pa": "father", "pop": "father",
    "da": "father", "mother": "mother", "mum": "mother", "mom": "mother", "mummy": "mother", "mommy": "mother",
    "mam": "mother", "mama": "mother", "ma": "mother", "parent": "parent", "son": "son", "daughter": "daughter",
    "child": "child", "kid": "child", "baby": "child", "brother": "brother", "bro": "brother", "sister": "sister",
    "sis": "sister", "sibling": "sibling", "husband": "husband", "wife": "wife", "spouse": "spouse",
    "fiancé": "fiancé", "fiance": "fiancé", "fiancée": "fiancé", "fiancee": "fiancé", "uncle": "uncle",
    "aunt": "aunt", "auntie": "aunt", "aunty": "aunt", "cousin": "cousin", "nephew": "nephew", "niece": "niece",
    "grandfather": "grandfather", "grandpa": "grandfather", "granddad": "grandfather", "grandad": "grandfather",
    "gramps": "grandfather", "grandmother": "grandmother", "grandma": "grandmother", "gran": "grandmother",
    "granny": "grandmother", "nan": "grandmother", "nana": "grandmother", "nanny": "grandmother",
    "grandson": "grandson", "granddaughter": "granddaughter", "grandchild": "grandchild",
    "grandkid": "grandchild", "grandparent": "grandparent", "twin": "twin", "boyfriend": "boyfriend",
    "girlfriend": "girlfriend", "widow": "widow", "widower": "widower", "stepfather": "father",
    "stepmother": "mother", "stepson": "son", "stepdaughter": "daughter", "stepbrother": "brother",
    "stepsister": "sister", "stepchild": "child",
}
# fmt: on
_KIN_PLURAL = {"children": "child", "kids": "child", "grandchildren": "grandchild", "grandkids": "grandchild"}

META = re.compile(
    r"\b(?:the speaker|speaker's|this paragraph|the paragraph|paragraphs?:|the notes?\b|these notes|in the notes|"
    r"here it goes|here goes|here(?:'s| is) (?:a|the|my|your) (?:speech|eulogy|toast|paragraph|draft|version|"
    r"rewrite|passage)|i(?:'ve| have) (?:added|included|written|used|kept|made)|as an ai|language model|"
    r"in this case|word count|words? long|the following|inflection|in the style of|the prompt|this (?:speech|"
    r"eulogy|toast|draft|passage)|the (?:speech|eulogy|toast|draft|passage) (?:is|was|should)|rewritten|"
    r"(?:sure|certainly|of course)[,!]|note:|title:|\bdraft\b)",
    re.IGNORECASE,
)
BRACKETS = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]*>")
QUOTE = re.compile(r"[\"“”]([^\"“”]{3,}?)[\"“”]")
ADDRESS = re.compile(
    r"^\s*(?:(?:my )?dear(?:est)?\s+)?((?:[^\W\d_][\w'’-]*)(?:\s+(?:and\s+)?[^\W\d_][\w'’-]*){0,3})\s*[,!]",
    re.IGNORECASE,
)
SELF_NAME = re.compile(r"\b(?:my name is|my name's|i am|i'm)\s+([^\W\d_][\w'’-]+)", re.IGNORECASE)
# fmt: off
GREETINGS = {"dear", "dearest", "hello", "hi", "goodbye", "farewell", "thank", "thanks", "cheers", "welcome",
             "congratulations", "to"}
# fmt: on
AUDIENCE = GREETINGS | {
    "everyone",
    "everybody",
    "all",
    "friends",
    "family",
    "ladies",
    "gentlemen",
    "guests",
    "folks",
    "colleagues",
    "team",
    "you",
    "and",
    "of",
    "dear",
    "my",
    "our",
}


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@lru_cache(maxsize=65536)
def zipf_frequency(word: str, lang: str = "en") -> float:
    """wordfreq's commonness of a word, imported on first use (see lemma)."""
    from wordfreq import zipf_frequency as zipf

    return zipf(word, lang)


def fold(word: str) -> str:
    """Lower case, curly apostrophes straightened, possessive 's dropped."""
    w = word.lower().replace("’", "'")
    return w.removesuffix("'s")


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    import simplemma  # imported on first use: it and wordfreq cost ~0.3 s at every start otherwise

    return simplemma.lemmatize(word, lang="en")


@lru_cache(maxsize=50_000)
def forms(word: str) -> frozenset[str]:
    """A word, its lemma, and its stem without -ing/-ed/-s: "fishing" and "fished" meet at "fish"."""
    w = fold(word)
    out = {w, lemma(w)}
    for suffix in ("ing", "ed", "es", "s", "er", "ers", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            stem = w[: -len(suffix)]
            out |= {stem, stem + "e", lemma(stem)}
            if len(stem) > 3 and stem[-1] == stem[-2]:
                out.add(stem[:-1])
    return frozenset(out)


def _number_of(word: str) -> float | None:
    w = fold(word).replace(",", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:st|nd|rd|th|s)?", w)
    if m:
        return float(m.group(1))
    if w in NUMBER_WORDS:
        return float(NUMBER_WORDS[w])
    parts = w.split("-")
    if len(parts) == 2 and all(p in NUMBER_WORDS for p in parts):  # twenty-two, forty-first
        return float(NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]])
    return None


def numbers(text: str) -> dict[float, str]:
    """Every number in a text, digits or words, each with how it was written."""
    out: dict[float, str] = {}
    for tok in tokens(text):
        n = _number_of(tok)
        if n is not None:
            out.setdefault(n, tok)
    return out


def kin_terms(text: str) -> dict[str, str]:
    """Kin mentions as normalised keys ("great-grandmother", "mother-in-law", "step-father") → the words."""
    out: dict[str, str] = {}
    toks = tokens(text)
    for i, tok in enumerate(toks):
        w = fold(tok)
        inlaw = w.endswith(("-in-law", "s-in-law"))
        base = re.sub(r"s?-in-laws?$", "", w)
        prefixes = []
        while True:
            m = re.match(r"^(great|step|half)-?(?=\w)", base)
            if not m:
                break
            prefixes.append(m.group(1))
            base = base[m.end() :]
        if i > 0 and fold(toks[i - 1]) in ("great", "step", "half") and not prefixes:
            prefixes.append(fold(toks[i - 1]))
        base = _KIN_PLURAL.get(base, base)
        if base not in KIN:
            single = lemma(base)
            if single not in KIN and base.endswith("s"):
                single = base[:-1]
            if single not in KIN:
                continue
            base = single
        if base.startswith("step"):
            prefixes.append("step")
        key = "-".join(sorted(set(prefixes)) + [KIN[base]]) + ("-in-law" if inlaw else "")
        out.setdefault(key, tok)
    return out


def _is_capitalised(tok: str) -> bool:
    return tok[:1].isupper() and tok != "I" and not tok.startswith("I'")


def name_phrases(sentence: str) -> list[tuple[str, int]]:
    """Capitalised phrases ("Lake Travis", "Siobhán Ní Bhriain") with their offsets.

    The first word of a sentence is a name only when it is not an ordinary word.
    """
    out: list[tuple[str, int]] = []
    current: list[str] = []
    start = 0
    last_end = -10
    first = True
    for m in TOKEN.finditer(sentence):
        tok = m.group(0)
        cap = _is_capitalised(tok)
        at_start = first or re.search(r"[.!?:;\"“”—]\s*$", sentence[: m.start()])
        first = False
        w = fold(tok)
        joiner = current and w in ("of", "de", "van", "von", "da", "le", "la", "ní", "ó", "mac", "o'")
        is_name = cap and w not in KIN and w not in DATE_WORDS and not (at_start and zipf_frequency(w, "en") >= 3.0)
        if is_name or (joiner and m.start() - last_end <= 1):
            if current and m.start() - last_end <= 1:
                current.append(tok)
            else:
                if current:
                    out.append((" ".join(current), start))
                current, start = [tok], m.start()
            last_end = m.end()
        elif current:
            out.append((" ".join(current), start))
            current = []
    if current:
        out.append((" ".join(current), start))
    cleaned = []
    for phrase, at in out:
        words = phrase.split()
        while words and fold(words[-1]) in ("of", "de", "van", "von", "da", "le", "la"):
            words.pop()
        phrase = re.sub(r"['’]s$", "", " ".join(words))
        if phrase:
            cleaned.append((phrase, at))
    return cleaned


def sentences(text: str) -> list[str]:
    """A text cut into sentences (lines are always cut; list marks dropped)."""
    out = []
    for line in re.split(r"\n+", text):
        line = re.sub(r"^\s*(?:#+|[-*•]|\d+[.)])\s+", "", line).strip()
        for s in re.split(r"(?<=[.!?…])[\"”’]?\s+(?=[\"“]?[^\W\d_]|\d)", line):
            if s.strip():
                out.append(s.strip())
    return out


@dataclass
class Facts:
    """Everything a sentence may draw on. Style, voice and instructions are deliberately absent."""

    texts: list[str] = field(default_factory=list)  # memories, and the notes typed in the shorthand
    names: list[str] = field(default_factory=list)  # the project's people and vocabulary
    subject: str = ""
    speaker: str = ""
    relation: str = ""  # the subject to the speaker: father, wife, boss
    occasion: str = "funeral"
    avoid: list[str] = field(default_factory=list)  # what the person asked to leave out


@dataclass
class SentenceCheck:
    text: str
    supported: bool
    unsupported: list[str] = field(default_factory=list)  # the words or phrases not found
    reasons: list[str] = field(default_factory=list)  # meta, name, number, kin, quote, word, address, avoid

    def to_dict(self) -> dict:
        return asdict(self)


class Grounding:
    """The facts, indexed once, and the check of one sentence against them."""

    def __init__(self, facts: Facts):
        self.facts = facts
        people = [n for n in [facts.subject, facts.speaker, *facts.names] if n]
        corpus = list(facts.texts) + people + ([facts.relation] if facts.relation else [])
        self._text = " \n ".join(corpus)
        self._norm = _norm_space(self._text)
        self._low = self._norm.lower()
        self.forms: set[str] = set()
        for tok in tokens(self._text):
            self.forms |= forms(tok)
        # the project's vocabulary is the person's word that something is true, whatever the word: a
        # number ("38") or a kin word ("Nana") they accept counts as one the memories hold
        vouched = " \n ".join([*facts.texts, *facts.names])
        self.numbers = set(numbers(vouched))
        self.kin = set(kin_terms(vouched))
        if facts.relation and facts.relation in KIN.values():
            self.kin.add(facts.relation)
        self.people = {fold(n) for n in people}
        self.addressable = {fold(facts.subject)} | {fold(n) for n in facts.names if fold(n) != fold(facts.speaker)}
        self.avoid_keys = [avoid_keys(a) for a in facts.avoid if a.strip()]

    def has_phrase(self, phrase: str) -> bool:
        """A name phrase, case-aware and whole, somewhere in the facts."""
        p = re.escape(_norm_space(phrase))
        return bool(re.search(rf"(?<!\w){p}(?:['’]s)?(?!\w)", self._norm))

    def check(self, sentence: str) -> SentenceCheck:
        bad: list[str] = []
        reasons: list[str] = []

        def flag(word: str, reason: str) -> None:
            if word not in bad:
                bad.append(word)
            if reason not in reasons:
                reasons.append(reason)

        m = META.search(sentence) or BRACKETS.search(sentence)
        if m:
            flag(m.group(0).strip(), "meta")
        m = SELF_NAME.search(sentence)
        if m and fold(m.group(1)) != fold(self.facts.speaker) and m.group(1)[:1].isupper():
            flag(m.group(1), "speaker")
        m = ADDRESS.match(sentence)
        if m and not re.match(
            r"\s*(?:and|but|so|then|yes|no|oh|well|now|today|once|still)\b", m.group(1), re.IGNORECASE
        ):
            words = [w for w in tokens(m.group(1)) if fold(w) not in AUDIENCE]
            named = [fold(w) for w in words]
            if named and all(w[:1].isupper() and fold(w) not in STOPWORDS for w in words):
                speaker = fold(self.facts.speaker)
                if speaker and speaker in named or not all(n in self.addressable or n in KIN for n in named):
                    flag(m.group(1), "address")
        for keys in self.avoid_keys:
            if _mentions(sentence, keys):
                flag(" ".join(keys), "avoid")

        for q in QUOTE.findall(sentence):
            if len(q.split()) >= 2 and fuzz.partial_ratio(q.lower(), self._low) < 90:
                flag(f"“{q}”", "quote")

        names = name_phrases(sentence)
        name_words: set[str] = set()
        for phrase, _ in names:
            name_words |= {fold(w) for w in tokens(phrase)}
            if not self.has_phrase(phrase):
                flag(phrase, "name")

        for n, written in numbers(sentence).items():
            if fold(written) not in NOT_A_CLAIM and n not in self.numbers:
                flag(written, "number")

        kin = kin_terms(sentence)
        kin_words = {fold(w) for w in kin.values()}
        for key, written in kin.items():
            if key not in self.kin:
                flag(written, "kin")

        for tok in tokens(sentence):
            w = fold(tok)
            if (
                w in STOPWORDS
                or w in name_words
                or w in kin_words
                or _number_of(w) is not None
                or w in FRAME_WORDS
                or len(w) < 2
            ):
                continue
            f = forms(tok)
            if f & self.forms:
                continue
            if zipf_frequency(w, "en") >= COMMON_ZIPF:  # the word as written: "loved" is a claim, "love" barely
                continue
            flag(tok, "date" if w in DATE_WORDS else "word")
        return SentenceCheck(sentence, not bad, bad, reasons)

    def check_text(self, text: str) -> list[SentenceCheck]:
        return [self.check(s) for s in sentences(text)]


def content_forms(text: str) -> set[str]:
    """A text's content words in all their forms: what a topic, a story and a fact are compared by
    ("the leeks" meets "Grandad grew leeks", "fishing" meets "fished")."""
    return {f for t in tokens(text) if len(t) > 2 and fold(t) not in STOPWORDS for f in forms(t)}


def avoid_keys(phrase: str) -> list[str]:
    """The words that mark a mention of something to leave out, as stems a mention starts with:
    "the hospital" → ["hospital"], "the bees" → ["bee"] (bee, bees, beekeeping); a phrase of short
    words is kept whole ("her ex")."""
    keys = []
    for t in tokens(phrase):
        w = fold(t)
        if len(w) > 3 and w not in STOPWORDS:
            base = lemma(w)
            keys.append(base if w.startswith(base) and len(base) > 2 else w)
    return keys or [" ".join(phrase.lower().split())]


def _mentions(text: str, keys: list[str]) -> bool:
    low = text.lower().replace("’", "'")
    # a short key is a whole word ("her ex" is in "her ex-husband", not in "her exam")
    return any(k and re.search(rf"\b{re.escape(k)}" + (r"\b" if len(k.split()[-1]) <= 3 else ""), low) for k in keys)


def touches(text: str, avoid: Iterable[str]) -> bool:
    """Whether text mentions anything the person asked to leave out."""
    return any(_mentions(text, avoid_keys(a)) for a in avoid if a.strip())


def _norm_space(text: str) -> str:
    """Spaces folded, apostrophes straightened, accents dropped: "Siobhán" is "Siobhan" misspelt, not invented."""
    text = unicodedata.normalize("NFKD", re.sub(r"\s+", " ", text.replace("’", "'")))
    return "".join(c for c in text if not unicodedata.combining(c))


def unsupported_words(checks: Iterable[SentenceCheck]) -> list[str]:
    out: list[str] = []
    for c in checks:
        out += [w for w in c.unsupported if w not in out]
    return out
