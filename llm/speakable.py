"""Spoken words made speakable: a memory's sentence as it will be read aloud, by deletion and splitting only.

A memory told aloud is a transcript: "So Grandad, um, he had this allotment up by the railway line,
and he'd, he'd go up there every single morning". Read out at a funeral as it stands, every "um" and
restart is the speaker's stumble, not the grandfather's story. So where a memory's sentence enters a
speech (llm.arrange, llm.compose), what a person says while thinking is taken out — and nothing else:

- fillers: um, uh, erm, er, hmm;
- the filler uses of like, you know, I mean, sort of, kind of, actually, honestly, basically,
  literally, right ("for, like, forty years", "she was honestly the kindest");
- stuttered repeats and restarts ("he'd, he'd go", "we — we went", "with them, with the
  commentators", "Auntie Bea, she ran");
- tag questions at the end ("isn't it", "wasn't he", "you know?", "right?");
- a leading "So," / "Oh, and" / "And so" / "Well," / "And";
- a run-on over about 30 words is split where a clause ends (", and", ", but", ", so", "; ",
  a comma before a new "she had"), and the new sentence starts with a capital.

Words are only ever deleted (plus the punctuation and capital at the cut), so every sentence is
still the person's own words in their order and still traces to the memory; the memory itself is
never changed, and the provenance keeps the sentence as it was said. Quoted speech is never
touched. Where a word may be meant, it stays: "I like him", "you know what he said", "I mean it",
"he was like a father to me", "it was actually his idea", "what sort of man", "the well". A filler
left in is a small flaw; a meaning taken out is a changed memory.

The rules are cue tables, as in llm.cues: to teach a new filler, add it to its table here and a
labelled sentence to tests/data/speakable.json (whose score must stay at or above 95 %).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

MAX_WORDS = 30  # a sentence longer than this is a run-on to split (read aloud, it has no place to breathe)
MIN_PIECE = 3  # a split never leaves a piece shorter than this

# --- the cue tables ---------------------------------------------------------------------------

# sounds of thinking: always taken out
FILLERS = r"u+m+|u+h+m*|e+r+m+|e+r+|h+m+|m{3,}|mhm|uh-huh"

# words that are fillers only as an aside: between commas, or opening or closing the sentence with a comma
# fmt: off
ASIDES = [r"like", r"you know", r"i mean", r"actually", r"honestly", r"basically", r"literally", r"right",
          r"you see", r"sort of", r"kind of", r"i guess", r"obviously"]
# fmt: on

NEVER = r"(?!)"  # a guard that never holds
# fillers by where they stand, each (a regex over the sentence whose match is taken out, a guard that
# must not match the text just before it): "like forty years" (an amount), "honestly really proud"
# (an intensifier after the verb), "kind of shy" (a hedge), "I mean massive" (a correction)
BEFORE_LIKE = (
    r"(?:\b(?:i|you|we|they|he|she|to|would|could|might|really|just|do|does|did|don't|didn't|"
    r"doesn't|look|looks|looked|looking|sound|sounds|sounded|feel|feels|felt|seem|seems|seemed|smell|"
    r"smelled|taste|tasted|nothing|something|anything)|'d|'ll)\s+$"
)
NUMBER_WORDS = (
    r"\d|a hundred|a thousand|a dozen|a couple|about|around|(?:two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"half|a million)\b"
)
INTENSIFIERS = r"(?:really|so|ever|totally|super|proper|dead|just|literally|actually|massive|huge|tiny)\b"
# fmt: off
PLACED = [
    (r"\blike\s+(?=(?:" + NUMBER_WORDS + r"))", BEFORE_LIKE),
    (r"\blike\s+(?=" + INTENSIFIERS + r")", BEFORE_LIKE),
    (r"(?<=\band )like\s+(?=(?:he|she|they|we|i|you|it|the|a|his|her|every|all)\b)", NEVER),
    (r"(?<=\bbut )like\s+(?=(?:he|she|they|we|i|you|it|the|a|his|her|every|all)\b)", NEVER),
    (r"\bhonestly\s+", (r"(?<!\bwas)(?<!\bis)(?<!\bwere)(?<!\bare)(?<!\bam)(?<!'s)(?<!'re)(?<!'m)(?<!\bbeen)"
                       r"(?<!\bi)(?<!\bhe)(?<!\bshe)(?<!\bwe)(?<!\bthey)(?<!\byou)(?<!\breally)\s+$")),
    (r"\bbasically\s+", NEVER),
    (r"\bliterally\s+", (r"\b(?:take|takes|took|taken|taking|mean|means|meant|translated?|interpreted?)\b"
                         r"(?:\s+(?:it|that|this|everything|what|him|her))?\s+$")),
    ((r"\b(?:sort|kind) of\s+(?!(?:him|her|you|them|me|us|it|thing|things|stuff|way|place|man|woman|person|"
      r"people|job|work)\b|\w+(?:ing|ed)\b)"),
     (r"\b(?:a|an|the|that|this|what|which|any|some|every|no|same|these|those|his|her|my|our|your|their|one|all|"
      r"whatever|other|different|only|first|last|best|worst|of|right|wrong|one's)\s+$")),
    (r"\byou know\s*,\s*", r"\b(?:do|did|don't|didn't|if|as|what|how|whether|when|because|that)\s+$"),
    (r"^i mean\s*,?\s+(?!(?:it|that|this|what|to|him|her|them|you|me|us|every|well|no|nothing|business)\b)",
     NEVER),
    ((r"(?<=, )i mean\s+(?!(?:it|that|this|what|to|him|her|them|you|me|us|the|a|an|every|everything|well|no|"
      r"nothing|business|him)\b)"), NEVER),
]
# fmt: on

# what ends a sentence as a question tagged on: "…, isn't it." "…, wasn't he?" "…, you know?" "…, right?"
TAGS = (
    r",\s*(?:(?:(?:is|was|were|are|do|does|did|has|have|had|would|could|will|can|should)(?:n't|\s+not)?|"
    r"ain't|won't|can't|isnae|wasnae)\s+(?:it|he|she|they|we|you|i|there|that)|you know|right|eh|yeah|innit|"
    r"you see|isn't that right|don't you think|like)\s*[.?!]*\s*$"
)

# what opens a sentence while the speaker gathers it: "So,", "Oh, and", "And so", "Well,", "And"
SUBJECT = (
    r"(?:i|i'm|i'd|i've|i was|he|he's|he'd|she|she's|she'd|we|we'd|we're|they|they'd|they're|you|it|it's|"
    r"it was|there|there's|that|that's|this|the|a|an|my|our|his|her|their|one|every|when|after|before|"
    r"then|(?-i:[A-Z][\w'’-]*))\b"
)
# fmt: off
OPENERS = [
    r"(?:oh|and|but|so)\s*,?\s+yeah\b\s*,?\s*",
    r"oh\s*,?\s+(?:and|so)\b\s*,?\s*(?:so\b\s*,?\s*)?",
    r"and\s+so\b\s*,?\s*",
    r"and\s*,\s*",
    r"and\s+(?=[\w⟦])",
    r"so\s*,\s*",
    r"so\s+(?=" + SUBJECT + r")(?!so\b)",
    r"well\s*,\s*(?!well\b|done\b)",
    r"yeah\s*,?\s*(?:so\b\s*,?\s*)?",
    r"(?:okay|ok|right|alright|now)\s*,\s*(?:so\b\s*,?\s*)?",
    r"which\s*,\s*",
]
# fmt: on

# a sentence of only these said nothing: "Um, yeah." "So, yeah, anyway."
THINKING = {"yeah", "so", "okay", "ok", "right", "well", "anyway", "like", "oh", "and", "um", "er", "erm", "uh", "hmm"}

# a word said twice on purpose stays: "very, very proud", "many, many years", "no, no, no"
# fmt: off
EMPHATIC = {"very", "many", "really", "so", "far", "long", "more", "much", "no", "never", "again", "ha", "bye",
            "round", "over", "on", "and", "yes", "please", "slowly", "now", "go", "miles", "years", "hours"}
# fmt: on
# said twice with no comma, these are grammar, not a stutter: "he had had enough", "I knew that that was it"
DOUBLED = EMPHATIC | {"had", "that", "is", "do", "did", "was", "her", "who", "what", "there"}

# fmt: off
PRONOUNS = {"i", "he", "she", "we", "they", "you", "it", "that's", "it's", "there's", "he's", "she's", "he'd",
            "she'd", "we'd", "they'd", "i'd", "i'm", "i've", "we're", "they're", "you're", "we've", "they've",
            "you'd", "there"}
# fmt: on
# after an aside taken out from between two commas, one comma stays ("Grandad, um, he had" → "Grandad, he
# had"; "his old camera, you know, the one with…"), but not before a verb, a preposition or a "when" that
# goes on with what came before ("the funny one, um, is the time…"; "in the navy, you know, when he…")
# fmt: off
GOES_ON = {"when", "where", "if", "because", "every", "is", "was", "were", "are", "has", "had", "have", "would",
           "will", "could", "did", "does", "knew", "said", "went", "came", "got", "made", "used", "loved", "on", "in",
           "at", "for", "to", "from", "with", "by", "of", "into", "up", "down", "that", "than", "as", "literally",
           "honestly", "basically", "actually", "like", "just", "any"}
# fmt: on
# …but not after these, which the next word finishes: "for, like, forty years" → "for forty years"
# fmt: off
NEEDS_NEXT = {"a", "an", "the", "and", "then", "but", "so", "or", "for", "to", "of", "in", "on", "at", "by", "with",
              "from", "about", "into", "is", "was", "were", "are", "be", "been", "had", "has", "have", "would",
              "could", "will", "did", "do", "that", "when", "because", "very", "really", "just", "his", "her", "my",
              "our", "their", "your", "this", "those", "these", "some", "every", "knew", "made", "grew", "took", "gave",
              "saw", "ran", "got", "found", "kept", "bought", "brought", "built", "wore", "drove", "sang", "won",
              "lost", "met", "wrote", "taught", "caught", "knows", "makes", "grows", "loves", "likes"}
# fmt: on
# after these a comma stays whatever follows (what was said comes next): "said, like, don't be sad"
SAID = {"said", "says", "say", "asked", "told", "shouted", "whispered", "replied", "thought", "goes", "went"}

# "Grandad, he had…" → "Grandad had…": not after these, which open a sentence without naming anyone
# fmt: off
NOT_A_NAME = {"anyway", "then", "later", "now", "still", "also", "so", "yes", "no", "well", "okay", "ok", "sometimes",
              "once", "again", "afterwards", "meanwhile", "instead", "besides", "otherwise", "however", "yesterday",
              "today", "tonight", "tomorrow", "anyhow", "oh", "and", "but", "honestly", "obviously", "apparently",
              "eventually", "finally", "first", "next", "after", "before", "there", "here", "everyone", "everybody",
              "somehow", "sadly", "luckily", "unfortunately", "fortunately", "of", "in", "on", "at", "by", "for",
              "with", "when", "if", "because", "although", "though", "whatever", "mind", "look", "listen", "thing"}
# fmt: on
SPEECH_VERBS = r"(?:said|says|say|thought|thinks|reckoned|reckons|told|tells|used to say|would say)\b"

# where a run-on may be cut: strongest first
# fmt: off
CLAUSE_CUTS = [
    (r"\s*;\s+", ""),  # a semicolon
    ((r",\s+(?=(?:she|he|they|we|i|you|she'd|he'd|they'd|we'd|i'd|she's|he's|they're|we're|i'm|there|there's|"
      r"that's|it's|it was)\s)"), "splice"),  # a comma splice before a new subject: ", she had the cricket on"
    (r",\s+and\s+(?=\w)", "and"),
    (r",\s+but\s+(?=\w)", "but"),
    (r",\s+so\s+(?=\w)", "so"),
    (r",\s+(?:and\s+)?then\s+(?=\w)", "then"),
]
# fmt: on
SUBORDINATE = re.compile(
    r"^(?:when|if|after|before|while|as|since|because|although|though|once|until|till|whenever|"
    r"wherever|unless|even though|even if|every time|by the time)\b",
    re.IGNORECASE,
)

QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]")
WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class Spoken:
    """One sentence of a memory: as the person said it, and as it will be read aloud."""

    spoken: str
    read: list[str] = field(default_factory=list)  # empty when nothing but thinking was said ("Um, yeah.")

    @property
    def changed(self) -> bool:
        return self.read != [self.spoken]

    @property
    def text(self) -> str:
        return " ".join(self.read)


def speakable(sentence: str) -> Spoken:
    """A memory's sentence as it was said and as it will be read: fillers, restarts, tags and openers
    taken out, a run-on split at its clauses. Deletion and splitting only (see the module's docstring).
    Worked out once a sentence: the questions and the writer read every memory, some twice (the
    interview's questions for 50 memories took 115 ms, 60 % of it here)."""
    spoken, read = _speakable(sentence)
    return Spoken(spoken, list(read))


@lru_cache(maxsize=8192)
def _speakable(sentence: str) -> tuple[str, tuple[str, ...]]:
    found = _work_out(sentence)
    return found.spoken, tuple(found.read)


def _work_out(sentence: str) -> Spoken:
    spoken = " ".join(sentence.split())
    if not spoken:
        return Spoken(sentence, [])
    quotes: list[str] = []

    def keep_quote(m: re.Match) -> str:
        quotes.append(m.group(0))
        return f"⟦{len(quotes) - 1}⟧"

    text = QUOTED.sub(keep_quote, spoken)
    end = re.search(r"[.!?…]+[\"”’]?$", text)
    stop = end.group(0) if end else ""
    body = text[: len(text) - len(stop)] if stop else text
    question = "?" in stop
    body, tagged = _untag(body)
    if tagged:
        question = False
    for _ in range(4):  # the rules feed each other ("So, um, he, he went"): run them until nothing changes
        before = body
        body = _fillers(body)
        body = _repeats(body)
        body = _openers(body)
        body = _resumptive(body)
        if body == before:
            break
    said = WORD.findall(body)
    body = _tidy(body)
    if not quotes and not {w.lower() for w in WORD.findall(body)} - THINKING:
        return Spoken(spoken, [])
    stop = "?" if question else (stop.replace("?", "") or ("" if body.endswith("⟧") else "."))
    pieces = [
        p
        for part in body.split(SPLIT.strip())
        if part.strip(" ,")
        for p in (_split(part.strip()) if len(part.split()) > MAX_WORDS else [part.strip()])
    ]
    if len(pieces) == 1 and WORD.findall(text) == said:  # nothing taken out: not even a capital is changed
        return Spoken(spoken, [spoken])
    read = []
    for n, piece in enumerate(pieces):
        piece = _capital(piece.strip(" ,;:-–—"))
        piece += stop if n == len(pieces) - 1 else "."
        read.append(re.sub(r"⟦(\d+)⟧", lambda m: quotes[int(m.group(1))], piece))
    if len(read) == 1 and _same(read[0], spoken):
        return Spoken(spoken, [spoken])
    return Spoken(spoken, read)


def speakable_text(text: str) -> list[Spoken]:
    """Every sentence of a memory (llm.grounding.sentences), each as said and as it will be read."""
    from llm.grounding import sentences

    return [speakable(s) for s in sentences(text)]


@lru_cache(maxsize=4096)
def read_text(text: str) -> str:
    """A memory as it will be read aloud, its lines kept: what the grounding check may also find words in
    (a cut can put a capital on a word: "leeks" → "Leeks"). Kept once worked out: the editor's marks ask
    for every memory each time a draft opens (about 1 ms a memory)."""
    from llm.grounding import sentences

    return "\n".join(" ".join(x for s in sentences(line) for x in speakable(s).read) for line in text.splitlines())


# --- the rules --------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return a.rstrip(".") == b.rstrip(".")


def _cut(text: str, start: int, end: int) -> str:
    """`text` less [start, end), with the commas around the cut mended: an aside between two commas
    goes with one of them ("for, like, forty" → "for forty"; "Grandad, um, he" → "Grandad, he")."""
    left, right = text[:start].rstrip(), text[end:].lstrip()
    pre, post = left.endswith(","), right.startswith(",")
    if post:
        right = right[1:].lstrip()
    if not left.strip():
        return right
    if not right or re.match(r"[.!?;:]", right):
        return left.rstrip(",") + right
    nxt = WORD.match(right)
    if pre and post:
        left = left[:-1]
        prev = (WORD.findall(left) or [""])[-1].lower().replace("’", "'")
        word = nxt.group(0).lower().replace("’", "'") if nxt else ""
        comma = (
            prev in SAID
            or (prev in ("is", "was") and word in PRONOUNS)
            or (
                prev not in NEEDS_NEXT
                and not prev.endswith("ed")
                and word not in GOES_ON
                and not (word.endswith(("ed", "ing")) and word not in PRONOUNS)
            )
        )
        return left + (", " if comma else " ") + right
    return left + " " + right


def _outside_quotes(text: str, m: re.Match) -> bool:
    return "⟦" not in m.group(0)


def _fillers(text: str) -> str:
    # not "the ER", "UM" (letters, not a sound), nor a unit after a number
    sounds = re.compile(rf"(?<!\d )\b(?!(?-i:[A-Z]{{2,}}\b))(?:{FILLERS})\b(?:\.\.\.|…)?", re.IGNORECASE)
    text = _remove(text, sounds, aside=False)
    for word in ASIDES:
        text = _remove(text, re.compile(rf"\b{word}\b", re.IGNORECASE), aside=True)
    for pattern, guard in PLACED:
        text = _remove(text, re.compile(pattern, re.IGNORECASE), aside=False, guard=re.compile(guard, re.IGNORECASE))
    # "which, he laughed about it": a "which" left hanging by what was taken out
    text = re.sub(r",\s*which\s*,\s*(?=(?:he|she|they|we|i|you|that's|it)\b)", ", ", text, flags=re.IGNORECASE)
    return text


def _remove(text: str, rx: re.Pattern, aside: bool, guard: re.Pattern | None = None) -> str:
    pos = 0
    while True:
        m = rx.search(text, pos)
        if not m:
            return text
        before, after = text[: m.start()].rstrip(), text[m.end() :].lstrip()
        ok = _outside_quotes(text, m)
        if ok and aside:  # only as an aside: opened by a comma or the start, closed by a comma or the end
            ok = (not before or before.endswith(",")) and (not after or after[0] in ",.!?;")
            ok = ok and not (not before and not after)
        if ok and guard is not None:
            ok = not guard.search(text[: m.start()].lower())
        if not ok:
            pos = m.end()
            continue
        text = _cut(text, m.start(), m.end())
        pos = max(0, m.start() - 2)


def _untag(body: str) -> tuple[str, bool]:
    """A tag taken off the end ("…, isn't it"; a transcript's "…Nan's weren't they" has no comma, so a
    negative tag is known by its "n't" and pronoun alone), and one said in the middle ("That was Gran,
    wasn't it, she'd a saying" → a sentence break, SPLIT; "…make sense, does it, but he'd say" → the
    comma the clause had)."""
    body = MID_TAG.sub(lambda m: ", " if re.match(r"(?:but|and|so|or)\b", m.group(1), re.IGNORECASE) else SPLIT, body)
    m = re.search(TAGS, body + ".", re.IGNORECASE) or re.search(BARE_TAG, body + ".", re.IGNORECASE)
    if m and len(body[: m.start()].split()) >= 2:
        return body[: m.start()].rstrip(" ,"), True
    return body, False


# the question tag, as it is said: "isn't it", "wasn't he", "does it", "didn't they"
TAG_WORDS = (
    r"(?:(?:is|was|were|are|do|does|did|has|have|had|would|could|will|can|should)(?:n't|\s+not)?|"
    r"ain't|won't|can't)\s+(?:it|he|she|they|we|you|there|that)"
)
MID_TAG = re.compile(rf",\s*{TAG_WORDS}\s*,\s*(?=([\w'’]+)\s)", re.IGNORECASE)
BARE_TAG = (
    r"(?<=\w)\s+(?:(?:is|was|were|are|do|does|did|has|have|had|would|could)n't|ain't|won't|can't)\s+"
    r"(?:it|he|she|they|we|you|there)\s*[.?!]*\s*$"
)
SPLIT = " ⟂ "  # where a sentence is to end: a tag said between two clauses


REPEAT = re.compile(
    r"(?<![\w'’-])((?:[\w'’]+)(?:\s+[\w'’]+){0,2})(\s*(?:,|—|–|-{1,2}|\.\.\.|…)\s*|\s+)"
    r"\1(?![\w'’])",
    re.IGNORECASE,
)
RESTART = re.compile(
    r"\b(with|to|for|at|about|on|in|from|of|by|and)\s+(him|her|them|it|that|this)\s*,\s+"
    r"(?=\1\s+(?:the|a|an|his|her|their|our|my|your|[A-Z]))",
    re.IGNORECASE,
)


# "Dad was, he was a bus driver" → "Dad was a bus driver": a verb said again with its subject restarted
RESTART_VERB = re.compile(
    r"\b(was|is|had|has|would|could|did|used to|went|got)\s*,?\s+(?:he|she|they|we|i|it|you)\s+"
    r"(?=\1\b)",
    re.IGNORECASE,
)


def _repeats(text: str) -> str:
    """ "he'd, he'd go" → "he'd go"; "we — we went" → "we went"; "with them, with the commentators" →
    "with the commentators": the words the speaker settled on are kept."""
    pos = 0
    while True:
        m = REPEAT.search(text, pos)
        if not m:
            break
        words = m.group(1).lower().split()
        sep = m.group(2).strip()
        second = text[m.end(2) : m.end()]
        name = m.start() > 0 and m.group(1)[:1].isupper() and second[:1].isupper() and m.group(1) != "I"
        keep = (len(words) == 1 and (words[0] in EMPHATIC or (not sep and words[0] in DOUBLED))) or name
        if keep or "⟦" in m.group(0):
            pos = m.start(2)
            continue
        rest = text[m.end(2) :]
        text = text[: m.start()] + (_capital(rest) if m.start() == 0 else rest)
        pos = m.start()
    return RESTART_VERB.sub("", RESTART.sub("", text))


def _openers(text: str) -> str:
    while True:
        low = text.lstrip(" ,")
        for pattern in OPENERS:
            m = re.match(pattern, low, re.IGNORECASE)
            if m and m.end() < len(low) and "⟦" not in m.group(0):
                text = _capital(low[m.end() :])
                break
        else:
            return text


def _resumptive(text: str) -> str:
    """ "Auntie Bea, she ran the shop" → "Auntie Bea ran the shop"; not before "he said", nor a contraction."""
    m = re.match(
        r"^((?:(?i:my|our|your|his|her|their|old)\s+)?[\w'’-]+(?:\s+[A-Z][\w'’-]*){0,2}),\s+"
        rf"(he|she|they)\s+(?!{SPEECH_VERBS})(?=[a-z])",
        text,
    )
    if not m:
        return text
    from llm.grounding import DATE_WORDS, KIN

    head = m.group(1).split()
    if _adverb(head[0]):
        return text
    kin = {w for w in head if w.lower().replace("’", "'") in KIN or w.lower() in ("auntie", "nanna", "granda")}
    own = [w for w in head if w.lower() not in ("my", "our", "your", "his", "her", "their", "old") and w not in kin]
    is_kin = bool(kin)
    names = all(w[:1].isupper() and w.lower() not in DATE_WORDS for w in own) and (bool(own) or is_kin)
    if head[0].lower() in NOT_A_NAME or not (is_kin or names):
        return text
    return m.group(1) + " " + text[m.end() :]


def _adverb(word: str) -> bool:
    """ "Tragically", "Quietly" (an adverb opening the sentence), not "Emily", "Sally", "Kelly" (names)."""
    from llm.grounding import zipf_frequency

    low = word.lower()
    if not low.endswith("ly"):
        return False
    stems = [low[:-2], low[:-4] if low.endswith("ally") else "", low[:-3] + "y" if low.endswith("ily") else ""]
    return any(len(x) >= 4 and zipf_frequency(x, "en") >= 3.5 for x in stems)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,;:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"(?:\s*—\s*){2,}", " — ", text)
    text = text.strip(" ,;:-–—")
    return _capital(text)


def _capital(text: str) -> str:
    i = next((k for k, c in enumerate(text) if c.isalpha() or c == "⟦"), None)
    if i is None or text[i] == "⟦":
        return text
    return text[:i] + text[i].upper() + text[i + 1 :]


def _split(text: str) -> list[str]:
    """A run-on cut into sentences at its clauses: first wherever a new subject starts after a comma or a
    semicolon, then at ", and" / ", but" / ", so" nearest the middle, while a piece is still too long.
    Never in a quote, never leaving a piece under MIN_PIECE words, never after a clause that can't stand
    alone ("When he was young, he went to sea" stays whole)."""
    pieces = [text]
    for pattern, kind in CLAUSE_CUTS[:2]:
        pieces = [p for piece in pieces for p in _cut_all(piece, pattern, kind)]
    out: list[str] = []
    todo = list(pieces)
    while todo:
        piece = todo.pop(0)
        if len(piece.split()) <= MAX_WORDS:
            out.append(piece)
            continue
        best = None
        for pattern, kind in CLAUSE_CUTS[2:]:
            for m in re.finditer(pattern, piece, re.IGNORECASE):
                left, right = piece[: m.start()], piece[m.end() :]
                if not _may_cut(left, right):
                    continue
                balance = abs(len(left.split()) - len(right.split()))
                if best is None or balance < best[0]:
                    best = (balance, left, (kind if kind in ("but", "so", "then") else "") + " " + right)
        if best is None:
            out.append(piece)
            continue
        todo[:0] = [best[1], best[2].strip()]
    return out


def _cut_all(text: str, pattern: str, kind: str) -> list[str]:
    out, start = [], 0
    for m in re.finditer(pattern, text, re.IGNORECASE):
        left, right = text[start : m.start()], text[m.end() :]
        if _may_cut(left, right) and not (kind == "splice" and SUBORDINATE.match(left.strip())):
            out.append(left)
            start = m.end()
    out.append(text[start:])
    return out


# words said as someone's, unquoted: "she came out and said, well, that's that settled" is never cut
# after "said" (or "said, well"), which would leave the words spoken without who spoke them
SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|say|asked|asks|goes|went|told (?:\w+)|shouted|whispered|replied|"
    r"answered)(?:\s*,\s*(?:well|oh|no|yes|look|right|listen))?\s*,?\s*$",
    re.IGNORECASE,
)


def _may_cut(left: str, right: str) -> bool:
    if len(WORD.findall(left)) < MIN_PIECE or len(WORD.findall(right)) < MIN_PIECE:
        return False
    return left.count("⟦") == left.count("⟧") and not SPEECH_BEFORE.search(left)
