"""The evaluation's judge: scores a written draft against hand-written labels, independently.

This module shares no code with the grounding check that filters what is written
(llm/grounding.py) — not its tokens, not its lemmas, not its word lists — so a figure
it reports is a measurement, not the filter grading itself. It reads only the draft's
text, the case's memories and labels (tests/data/eval/*/case.json), and its own list of
framing words (frame-words.txt beside the cases), written by hand. A memory the case has read
aloud ("speak") is judged twice, because two parts answer for it: the writer is traced to what
Whisper heard (what it was given — a sentence it could not trace there, it made up), and the draft
is traced to what was said as well, reported as `said_supported` (a misheard word in the draft
is a word the person never said); the hearing itself is gated by the case's `max_word_error`.
Scripted answers to the interview count as memories.

Its claims, per sentence of the draft:
- a capitalised word (after the first) must be in the memories, the people or the case facts,
  written the same way;
- a number (digits or words) must be in them too;
- a kin word must be in them, or be the relation the case's label gives;
- every other word of four letters or more must match a word of them closely (rapidfuzz),
  unless it is a framing word or very common (wordfreq).
And per case, by label: the must-haves (a light moment from the memories, a named memory
used; fuzzy, or `"exact": true` for a word said as written, and `"where": "closing"` for the
last paragraph alone), what must not appear, the length (or a shortfall shown; `min_share`
for a length that must be reached whatever is shown), and the scaffold when a project has no
memories.

And whether it can be read aloud: what a person says while thinking (fillers, restarts, tag
questions) and sentences too long for one breath are counted in every draft, none allowed.
This is the judge's own reading of speech, with its own word lists, independent of the code
that cleans spoken memories for a speech: the words where they are meant ("I like him", "you
know what he said", "I mean it", "he was like a father to me") are not counted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz, process
from wordfreq import zipf_frequency

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)?")
_SPLIT = re.compile(r"(?<=[.!?])[\"”]?\s+|\n+")
_META = re.compile(
    r"\b(speaker|paragraphs?|notes|inflection|as an ai|here it goes|here goes|i've added|"
    r"i have added|prompt|style of|in this case|word count|rewrite|the following)\b|[\[\]{}<>]",
    re.IGNORECASE,
)
# fmt: off
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
            "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
            "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
            "twice": 2, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "dozen": 12}
# fmt: on
# fmt: off
_KIN = {"mother", "mum", "mom", "mummy", "mam", "father", "dad", "daddy", "papa", "son", "daughter", "child",
        "children", "kids", "brother", "sister", "husband", "wife", "uncle", "aunt", "auntie", "cousin", "nephew",
        "niece", "grandmother", "grandma", "gran", "granny", "nan", "nana", "grandfather", "grandpa", "grandad",
        "granddad", "grandson", "granddaughter", "grandchild", "grandchildren", "stepfather", "stepmother",
        "stepson", "stepdaughter", "fiance", "fiancee", "widow", "widower", "twin", "parents", "parent",
        "in-law", "sibling", "siblings", "boyfriend", "girlfriend"}
# fmt: on
# fmt: off
_KIN_SAME = {"mum": "mother", "mom": "mother", "mummy": "mother", "mam": "mother", "dad": "father",
             "daddy": "father", "papa": "father", "grandma": "grandmother", "gran": "grandmother",
             "granny": "grandmother", "nan": "grandmother", "nana": "grandmother", "grandpa": "grandfather",
             "grandad": "grandfather", "granddad": "grandfather", "auntie": "aunt", "kids": "children"}
# fmt: on
COMMON = 5.8
# irregular past forms, so "taught" meets "teaching" and "sang" meets "sing"
# fmt: off
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
# fmt: on
# fmt: off
_FUNCTION = {"others", "other", "herself", "himself", "itself", "themselves", "myself", "yourself", "ourselves",
             "else", "again", "also", "very", "just", "much", "many", "some", "such", "than", "then", "there",
             "these", "those", "this", "that", "what", "when", "where", "which", "while", "with", "would", "could",
             "should", "will", "shall", "might", "must", "been", "being", "have", "having", "into", "onto", "from",
             "about", "after", "before", "over", "under", "only", "even", "ever"}
# fmt: on


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return _WORD.findall(_plain(text))


def _kin(word: str) -> str:
    w = word.lower()
    w = w.removesuffix("'s")
    if w not in _KIN and w.endswith("s") and w[:-1] in _KIN:
        w = w[:-1]
    return _KIN_SAME.get(w, w) if w in _KIN or w.endswith("-in-law") else ""


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SPLIT.split(text) if s and s.strip()]


# --- speakable: what a person says while thinking, counted in the draft ---------------------------

MAX_SENTENCE_WORDS = 35  # more than this is not one breath when read aloud
_HESITATION = re.compile(r"(?:u+m+|u+h+m*|e+r+m*|h+m+|m{2,})")  # um, umm, uh, uhm, erm, er, hmm, mm
# who/what comes before "like" when it is the verb ("I like him", "he'd like", "did not like")
# fmt: off
_LIKE_VERB_BEFORE = {"i", "you", "we", "they", "would", "to", "do", "did", "does", "don't", "didn't", "doesn't",
                     "not", "really", "might", "will", "who", "could", "should", "also", "always", "never"}
# fmt: on
# before "like" when it means "resembling": "looked like forty" is meant
# fmt: off
_LIKE_RESEMBLE = {"look", "looks", "looked", "looking", "feel", "feels", "felt", "sound", "sounds", "sounded",
                  "seem", "seems", "seemed", "just", "more", "something", "nothing", "anything", "things", "much"}
# fmt: on
# fmt: off
_LIKE_INTENSIFIER = {"really", "totally", "literally", "super", "properly", "absolutely", "completely", "seriously",
                     "honestly", "basically", "actually"}
# fmt: on
_COUNTING = {"hundred", "thousand", "million", "dozen", "couple"}
# fmt: off
_YOU_KNOW_MEANT_BEFORE = {"do", "did", "don't", "didn't", "does", "doesn't", "if", "as", "would", "will", "could",
                          "to", "may", "might", "should", "let", "all", "what", "whatever", "everything"}
# fmt: on
# fmt: off
_YOU_KNOW_MEANT_AFTER = {"what", "that", "how", "who", "whom", "where", "when", "why", "whether", "if", "him", "her",
                         "it", "them", "me", "us", "this", "these", "those", "the", "a", "an", "his", "their", "my",
                         "your", "our", "its", "about", "each", "every", "everyone", "everybody", "everything",
                         "anyone", "someone", "something", "nothing", "exactly", "better", "best", "full", "all",
                         "too", "more", "enough", "by", "from", "so", "already", "yourself"}
# fmt: on
_I_MEAN_MEANT_BEFORE = {"what", "which", "if", "do", "did", "don't", "didn't", "all", "whatever", "know"}
# fmt: off
_I_MEAN_MEANT_AFTER = {"it", "that", "this", "what", "every", "each", "to", "no", "you", "him", "her", "them",
                       "business", "well", "nothing", "something", "anything", "everything", "yours"}
# fmt: on
# fmt: off
_DETERMINER = {"a", "an", "the", "this", "that", "these", "those", "what", "which", "some", "any", "every", "each",
               "no", "one", "his", "her", "my", "your", "our", "their", "its", "same", "other", "another",
               "whatever", "all", "only", "right", "wrong"}
# fmt: on
# fmt: off
_MANNER_BEFORE = {"lived", "live", "lives", "living", "spoke", "speak", "speaks", "talked", "talk", "answered",
                  "answer", "dealt", "deal", "worked", "work", "played", "play", "earned", "earn", "acted", "act",
                  "behaved", "behave", "said", "wrote", "told", "treated", "traded", "very", "quite", "so", "most",
                  "more", "too", "always"}
# fmt: on
# fmt: off
_NEG_AUX = {"isn't", "wasn't", "aren't", "weren't", "don't", "doesn't", "didn't", "hasn't", "haven't", "hadn't",
            "can't", "couldn't", "won't", "wouldn't", "shouldn't", "ain't"}
# fmt: on
_AUX = {"is", "was", "are", "were", "do", "does", "did", "has", "have", "had", "can", "could", "will", "would"}
_TAG_PRONOUN = {"it", "he", "she", "they", "we", "you", "i", "there", "that", "this"}
# a word said twice on purpose: "very, very proud", "he had had enough", "that that was", "bye bye"
# fmt: off
_MEANT_TWICE = {"very", "really", "so", "many", "much", "long", "far", "ha", "bye", "no", "had", "that", "is",
                "night", "knock", "tut", "there", "more", "round", "on", "again", "over", "yes"}
# fmt: on
_RESTART_GAP = {"", ",", "-", "—", "–", "...", "…", ", -", ",-", "--"}  # what a restart has between its halves


class _Spoken:
    """One sentence as spoken words, with the punctuation between them."""

    def __init__(self, sentence: str):
        self.text = _plain(sentence)
        self.m = list(re.finditer(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+(?:[.,:]\d+)?", self.text))
        self.w = [m.group(0).lower() for m in self.m]

    def __len__(self) -> int:
        return len(self.w)

    def word(self, i: int) -> str:
        return self.w[i] if 0 <= i < len(self.w) else ""

    def before(self, i: int) -> str:
        """The punctuation just before word i ("" between two words; "^" at the start)."""
        if i <= 0:
            return "^" + self.text[: self.m[0].start()].strip() if self.m else "^"
        return self.text[self.m[i - 1].end() : self.m[i].start()].strip()

    def after(self, i: int) -> str:
        """The punctuation just after word i ("" between two words; "" + "$" at the end)."""
        if i >= len(self.w) - 1:
            return self.text[self.m[-1].end() :].strip() + "$"
        return self.before(i + 1)

    def ends_clause(self, i: int) -> bool:
        a = self.after(i)
        return a.endswith("$") or bool(re.search(r"[,.;:!?—–]", a))

    def joined(self, i: int, n: int) -> bool:
        """Words i..i+n-1 said together, with no punctuation between them."""
        return all(self.before(k) == "" for k in range(i + 1, i + n)) and i + n <= len(self.w)

    def snippet(self, i: int, n: int) -> str:
        """Words i..i+n-1 in [brackets], with three words either side, as written."""
        lo, hi = max(0, i - 3), min(len(self.m) - 1, i + n + 2)
        a, b = self.m[i].start(), self.m[i + n - 1].end()
        return (
            self.text[self.m[lo].start() : a] + "[" + self.text[a:b] + "]" + self.text[b : self.m[hi].end()]
        ).strip()


def _filler_like(s: _Spoken, i: int) -> bool:
    prev, nxt = s.word(i - 1), s.word(i + 1)
    if prev in _LIKE_VERB_BEFORE or prev.endswith(("'d", "'ll")):
        return False  # "I like him", "he'd like that"
    if "," in s.after(i) or s.after(i) == "$":  # ", like," / "he was like, no" / "Like, he"
        return "," in s.before(i) or "what" not in s.w[:i]  # but "What was he like, and" is meant
    if prev in _LIKE_RESEMBLE:
        return False  # "he looked like forty"
    counting = nxt.isdigit() or nxt in _NUMBERS or (nxt in ("a", "an") and s.word(i + 2) in _COUNTING)
    return counting or nxt in _LIKE_INTENSIFIER  # "like six o'clock", "like a hundred", "like really proud"


def _filler_you_know(s: _Spoken, i: int) -> bool:
    if s.word(i - 1) in _YOU_KNOW_MEANT_BEFORE and s.before(i) == "":
        return False  # "do you know", "as you know", "what you know"
    if s.ends_clause(i + 1):
        return True  # "you know," / ", you know."
    nxt = s.m[i + 2].group(0) if i + 2 < len(s) else ""
    return not (s.word(i + 2) in _YOU_KNOW_MEANT_AFTER or (nxt[:1].isupper() and nxt != "I"))


def _filler_i_mean(s: _Spoken, i: int) -> bool:
    if s.word(i - 1) in _I_MEAN_MEANT_BEFORE and s.before(i) == "":
        return False  # "what I mean is"
    if s.ends_clause(i + 1):
        return True  # "I mean, that's Grandad"
    return s.word(i + 2) not in _I_MEAN_MEANT_AFTER  # "I mean it" is meant; "I mean massive" is not


def _hedge(s: _Spoken, i: int) -> bool:
    """ "sort of" / "kind of" as a hedge ("he was sort of proud"), not a kind ("a sort of hero")."""
    prev, prev2 = s.word(i - 1), s.word(i - 2)
    if prev in _DETERMINER or (
        prev2 in _DETERMINER - {"that", "all", "one"} and prev not in _AUX and s.before(i) == ""
    ):
        return False  # "what kind of", "a strange sort of"
    # "kind of you to come" is meant
    return not (s.w[i].startswith("kind") and s.word(i + 2) in {"you", "him", "her", "them", "us", "me"})


def _tag(s: _Spoken, i: int) -> int:
    """How many words a tag question at word i has ("isn't it", ", did he?", ", right?"), or 0."""
    w, nxt = s.w[i], s.word(i + 1)
    if i == 0:
        return 0  # "Isn't it?" said alone is a question, not a tag
    if w == "innit" and s.ends_clause(i):
        return 1
    if w in ("right", "yeah", "eh") and "," in s.before(i) and "?" in s.after(i):
        return 1
    if nxt in _TAG_PRONOUN and s.joined(i, 2) and s.ends_clause(i + 1):
        if "," not in s.before(i) and s.word(i - 1) in _TAG_PRONOUN | {"i", "who", "which"}:
            return 0  # "that wasn't it." is a statement
        if w in _NEG_AUX or (w in _AUX and "," in s.before(i)):
            return 2
    return 0


def speakable(sentence: str) -> tuple[list[str], list[str]]:
    """A sentence's fillers and restarts, each as a snippet with the words in [brackets]."""
    s = _Spoken(sentence)
    fillers, restarts = [], []
    i = 0
    while i < len(s):
        w, n = s.w[i], 0
        if (
            _HESITATION.fullmatch(w)
            or w == "like"
            and _filler_like(s, i)
            or w in ("y'know", "kinda", "sorta", "basically")
        ):
            n = 1
        elif (
            w == "you"
            and s.word(i + 1) == "know"
            and s.joined(i, 2)
            and _filler_you_know(s, i)
            or w == "i"
            and s.word(i + 1) == "mean"
            and s.joined(i, 2)
            and _filler_i_mean(s, i)
            or w in ("sort", "kind")
            and s.word(i + 1) == "of"
            and s.joined(i, 2)
            and _hedge(s, i)
        ):
            n = 2
        elif (
            w == "honestly"
            and s.word(i - 1) not in _MANNER_BEFORE
            or w == "actually"
            and ("," in s.before(i) or "," in s.after(i))
        ):
            n = 1
        else:
            n = _tag(s, i)
        if n:
            fillers.append(s.snippet(i, n))
            i += n
            continue
        for k in (3, 2, 1):  # "I was, I was", "he'd, he'd", "the the"; not "0/0", not "it: “It"
            said_twice = len(s.w[i : i + k]) == k and s.w[i : i + k] == s.w[i + k : i + 2 * k]
            if (
                said_twice
                and w.replace("'", "").isalpha()
                and s.before(i + k) in _RESTART_GAP
                and s.joined(i, k)
                and s.joined(i + k, k)
                and not (k == 1 and w in _MEANT_TWICE)
            ):
                restarts.append(s.snippet(i, 2 * k))
                i += 2 * k
                break
        else:
            nxt = s.word(i + 1)
            if nxt.startswith(w + "'") and re.search(r"[,—–-]", s.after(i)):  # "he, he'd"
                restarts.append(s.snippet(i, 2))
                i += 2
            else:
                i += 1
    return fillers, restarts


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
    fillers: list[str] = field(default_factory=list)  # "So Grandad, [um], he had": a snippet each
    restarts: list[str] = field(default_factory=list)  # "and [he'd, he'd] go up"
    long_sentences: list[str] = field(default_factory=list)  # over MAX_SENTENCE_WORDS words
    words: int = 0
    target_words: int = 0
    length_error: float = 0.0
    min_share: float = 0.0  # of the target length, to be reached even with a shortfall shown
    shortfall_shown: bool = False
    scaffold_expected: bool = False
    scaffold_ok: bool = True
    seconds: float = 0.0
    max_seconds: float = 0.0
    said_supported: int = -1  # with memories read aloud: sentences traced to what was said (-1: none read)
    word_errors: list[float] = field(default_factory=list)  # Whisper's, per memory read aloud
    max_word_error: float = 0.0

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
        for label, values in (
            ("invented names", self.invented_names),
            ("invented numbers", self.invented_numbers),
            ("invented kin", self.invented_kin),
            ("meta-text", self.meta),
            ("repeated sentences", self.repeated),
            ("must not appear", self.must_not),
        ):
            if values:
                out.append(f"{label}: {', '.join(values)}")
        out += [f"must-have not met: {k}" for k, ok in self.must_haves.items() if not ok]
        for what, snippets in (("filler", self.fillers), ("restart", self.restarts)):
            if snippets:
                # every snippet has its words in [brackets] (Sentence.snippet)
                said = [m.group(1) for x in snippets if (m := re.search(r"\[([^\]]+)\]", x))]
                out.append(f"{len(said)} {what}{'s' * (len(said) != 1)}: {', '.join(said)}")
        if self.long_sentences:
            out.append(
                f"{len(self.long_sentences)} sentence{'s' * (len(self.long_sentences) != 1)} over "
                f"{MAX_SENTENCE_WORDS} words ({', '.join(str(len(_words(x))) for x in self.long_sentences)} words)"
            )
        if self.min_share and self.target_words and self.words < self.min_share * self.target_words:
            out.append(
                f"{self.words} of {self.target_words} words, {self.words / self.target_words:.0%} "
                f"(needs {self.min_share:.0%})"
            )
        if abs(self.length_error) > 0.25 and not self.shortfall_shown:
            out.append(f"length off by {self.length_error:+.0%} with no shortfall shown")
        if self.max_seconds and self.seconds > self.max_seconds:
            out.append(f"took {self.seconds:.1f} s (limit {self.max_seconds:.0f} s)")
        if self.max_word_error and any(e > self.max_word_error for e in self.word_errors):
            out.append(
                f"Whisper heard {max(self.word_errors):.0%} of the words wrong (limit {self.max_word_error:.0%})"
            )
        return out

    def to_dict(self) -> dict:
        return {**asdict(self), "supported_share": round(self.supported_share, 3), "failures": self.failures()}


class Judge:
    """What a case allows: its memories, people and labelled facts, as words to match."""

    def __init__(self, case: dict, frame_words: set[str], heard: list[str] | None = None):
        """`heard`: what Whisper heard of each memory read aloud, in order; without it, what was said."""
        self.case = case
        labels = case.get("labels", {})
        heard = list(heard or [])
        facts = [m.get("text") or (heard.pop(0) if heard else m.get("speak", "")) for m in case.get("memories", [])]
        facts += case.get("answers", [])  # scripted answers to the interview's questions become memories
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
            fillers, restarts = speakable(s)
            out.fillers += fillers
            out.restarts += restarts
            if len(_words(s)) > MAX_SENTENCE_WORDS:
                out.long_sentences.append(s)
        blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if _words(b)]
        closing = [s for s in split_sentences(blocks[-1]) if _words(s)] if blocks else []
        for label in labels.get("must_have", []):
            scope = closing if label.get("where") == "closing" else sentences
            if label.get("exact"):
                out.must_haves[label["what"]] = any(
                    re.search(rf"(?<!\w){re.escape(_plain(p).lower())}(?!\w)", _plain(s).lower())
                    for p in label["any_of"]
                    for s in scope
                )
            else:
                out.must_haves[label["what"]] = any(
                    fuzz.partial_ratio(_plain(p).lower(), _plain(s).lower()) >= 85
                    for p in label["any_of"]
                    for s in scope
                    if len(s) >= 0.5 * len(p)
                )
        low = _plain(text).lower()
        out.must_not = [w for w in labels.get("must_not", []) if re.search(rf"\b{re.escape(_plain(w).lower())}\b", low)]
        out.words = len(text.split())
        out.target_words = int(labels.get("target_words") or checks.get("target_words") or 1)
        out.length_error = round((out.words - out.target_words) / out.target_words, 3)
        out.min_share = float(labels.get("min_share", 0.0))
        out.shortfall_shown = bool(checks.get("shortfall"))
        return out
