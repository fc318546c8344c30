"""The Brief: a person's shorthand, read deterministically into what to write.

    need a 2min toast for tom and anna, couple of jokes, nothing about her ex
    best man speech for Tom, 300 words, mention the stag do but not the police
    Write me an anecdote about the leeks for his funeral.

Rules, not a model: the same words always give the same Brief, and the person sees it (and
can change it) before anything is written. The shorthand is read in passes, each claiming the
words it understood: numbers and typos are normalised first (text2num, rapidfuzz), then each
field's cue table below is tried, in an order where the more specific reading wins ("Four
Weddings and a Funeral" is a style before it is an occasion; "one funny story" is a joke count
before "funny" is a tone). What no field claims is looked up in the project's memories: a
word they tell of (by lemma) is a topic, so "the bees" selects the bee story. What is left is
neither dropped nor guessed at: it is kept in `instructions`, which the chips and the CLI show
as not used when the writer can't use it, so the person can rephrase.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from llm.grounding import KIN, STOPWORDS, fold, forms, lemma, sentences, tokens, zipf_frequency
from llm.occasions import OCCASION_CUES

TASKS = ("speech", "anecdote", "opening", "closing", "rewrite")

# the speaking pace, in words a minute: what minutes become in words, everywhere
DEFAULT_PACE = 120  # a calm pace for a eulogy
PACE_RANGE = (60, 250)  # anything outside is not a believable read

# --- the cue tables: one per field -------------------------------------------------------------
# Each is a list of regular-expression fragments over lower-case text with numbers as digits.

COUNTS = {"a": 1, "an": 1, "one": 1, "single": 1, "a single": 1, "half a dozen": 6, "a dozen": 12, "dozen": 12,
          "a trio of": 3, "trio of": 3, "a handful of": 3, "handful of": 3, "one or two": 2, "a few good": 3, "two": 2, "three": 3, "a couple of": 2, "a couple": 2,
          "couple of": 2, "couple": 2, "a pair of": 2, "a few": 3, "few": 3, "some": 2, "several": 3,
          "a bunch of": 3, "lots of": 3, "plenty of": 3, "a little": 1, "a bit of": 1, "a touch of": 1}
_COUNT = r"(\d+|" + "|".join(sorted(map(re.escape, COUNTS), key=len, reverse=True)) + r")"

TASK_CUES = {
    "rewrite": [r"\bre-?write\b", r"\bshorten\b", r"\btighten\b", r"\bpunch (?:it|this) up\b",
                r"\b(?:redo|rework|revise|tweak|edit|trim|polish|tone down)\b(?= (?:this|it|the|that|my))",
                r"\bcut (?:it|this|the \w+) (?:down )?to\b",
                r"\bmake (?:this|it|the selection|the selected \w+|this \w+) (?:a bit |a little |much )?(?:more|less) \w+",
                r"\bmake (?:this|it|the selection|that) (?:a bit |a little |much )?(?:shorter|warmer|lighter|"
                r"funnier|longer|simpler|less \w+|more \w+)"],
    "anecdote": [r"\banecdotes?\b", r"\b(?:a|one|as one) (?:short |little |quick )?(?:story|tale)\b(?! about her| about him)",
                 r"\btale about\b", r"\bturn (?:that|this|it) into an? (?:short |little )?(?:story|anecdote)\b",
                 r"\b(?:story|tale)\b(?! about (?:her|him))",
                 r"\btell (?:the|a|that) story\b", r"\bstory (?:of|about)\b"],
    "opening": [r"\b(?:opening|opener|intro|introduction)(?: (?:lines?|bit|paragraph|words))?\b",
                r"\b(?:the )?first (?:couple of |few |\d+ )?(?:lines?|paragraph|words|bit|sentences?)\b",
                r"\b(?:how to|help me) (?:start|open|begin)\b"],
    "closing": [r"\b(?:final|last) (?:couple of |few )?(?:lines?|paragraph|words|bit|sentences?)\b", r"\bwrap(?:ping)?[- ]up\b",
                r"\b(?:closing|ending|conclusion|final words|last words|sign-?off|wrap-?up)(?: (?:lines?|bit|"
                r"paragraph|words))?\b", r"\b(?:how to|help me) (?:end|close|finish)\b"],
}
# a whole speech: these words keep the task "speech" when another task's word is also there
SPEECH_WORDS = r"\b(?:speech|eulogy|eulogies|toast|tribute|address|homily|remarks|send-?off|a few words)\b"
REWRITES = {"funnier": "lighter", "simpler": "shorter", "shorten": "shorter", "tighten": "shorter",
            "punch": "lighter", "less": "shorter"}

# lengths: a number (or a range, whose middle is meant) and a unit
LENGTH_UNITS = {"minutes": r"m(?:in(?:ute)?s?|ns)\b|minuets?\b|mintues?\b", "seconds": r"s(?:ec(?:ond)?s?)\b",
                "words": r"w(?:ords?|r?ds)\b"}
LENGTH_WORDS = [(r"\b(?:a|one) minute and a half\b|\b90 seconds\b", 1.5), (r"\bhalf an hour\b", 30),
                (r"\b(?:a|one) minute\b", 1), (r"\bhalf a minute\b", 0.5)]
SHORT = r"\b(?:short|brief|quick|not (?:too )?long)\b(?! and sweet)"
LONG = r"\b(?:long|longer|lengthy)\b"

# light moments: a count, then these nouns ("couple of jokes", "one funny story", "a few laughs")
JOKE_NOUNS = (r"(?:jokes?|gags?|laughs?|funny (?:stories|story|moments?|bits?|anecdotes?|ones?|memor(?:y|ies))|"
              r"light(?:er)? moments?|lighter bits?|humou?r(?:ous)? (?:moments?|stories|story|bits?)|"
              r"bit of humou?r|touch of humou?r|chuckles?|giggles?|smiles?)")
NO_JOKES = (r"\b(?:no|not any|without(?: any)?|zero|nothing|none of the) (?:jokes?|humou?r|funny(?: stuff| business)?|"
            r"gags?|laughs?)\b|\bnot (?:be )?funny\b|\bkeep (?:it|the) (?:jokes?|humou?r) out\b|\bnothing funny\b")
SOME_JOKES = (r"\b(?:make|get) (?:them|people|everyone|the room|us) (?:laugh|smile|chuckle)\b|\bsomething funny\b|"
              r"\bbit of a laugh\b|\bsome humou?r\b|\bhumou?r\b|\bjokes?\b|\bfunny (?:story|bit|moment)\b")

TONES = {"warm": "warm", "warmly": "warm", "funny": "funny", "humorous": "funny", "hilarious": "funny",
         "light-hearted": "light-hearted", "lighthearted": "light-hearted", "light hearted": "light-hearted",
         "light": "light-hearted", "solemn": "solemn", "serious": "serious", "formal": "formal",
         "informal": "informal", "casual": "informal", "heartfelt": "heartfelt", "uplifting": "uplifting",
         "celebratory": "celebratory", "gentle": "gentle", "respectful": "respectful", "joyful": "joyful",
         "joyous": "joyful", "tender": "tender", "dignified": "dignified", "playful": "playful",
         "sincere": "sincere", "emotional": "emotional", "moving": "moving", "touching": "moving",
         "upbeat": "upbeat", "cheerful": "upbeat", "reverent": "reverent", "short and sweet": "short and sweet",
         "sentimental": "sentimental", "loving": "warm", "affectionate": "warm", "sad": "solemn",
         "cheeky": "playful", "witty": "funny", "proud": "proud", "classy": "formal", "posh": "formal",
         "respectful but funny": "respectful"}

STYLE_CUES = [r"\b(?:written |write it |do it )?as if (?=(?:[\w'-]+ ){1,4}(?:wrote|had written|was writing|were writing) it\b)",
              r"\bin the (?:style|spirit|manner|vein|tradition) of (?:an? |the )?",
              r"\b(?:write|make|do|put|say|written|sounding|sounds?) (?:it |this |the speech |the whole thing )?"
              r"(?:like|as if it were|as though it were|as) (?:an? |the )?(?=\S+ \S*)",
              r"\bstyled? (?:like|after) (?:an? |the )?", r"\bla\b ", r"\b(?:inspired by|riffing on|based on) (?:an? |the )?",
              r"(?<!i'd )(?<!would )(?<!i )\blike (?:an? |the )?(?=(?:[\w'-]+ ){1,4}?(?:song|poem|sonnet|film|movie|"
              r"sermon|letter|ballad|limerick|rap|haiku|scene|episode|show|sketch|novel|play|speech)\b)"]
STYLE_NOUN = r"(?:song|poem|sonnet|film|movie|sermon|ballad|limerick|rap|haiku|scene|episode|show|sketch|novel|play)"
VOICE_CUES = [r"\b(?:read|say|deliver|speak|perform|tell|do) (?:it|this|the speech) (?:like|as) (?:an? |the )?",
              r"\bin the voice of (?:an? |the )?", r"\b(?:as if|as though) (?:spoken|said|told|read) by (?:an? |the )?",
              r"\b(?:spoken|told|read|narrated) (?:as|by) (?:an? |the )?", r"\btalking like (?:an? |the )?",
              r"\bin the (?:accent|dialect|lingo) of (?:an? |the )?"]
VOICE_NOUNS = r"(?:inflection|accent|twang|drawl|lilt|brogue|dialect|slang|voice|burr)"

AUDIENCES = ("grandchildren", "grandkids", "great-grandkids", "great-grandchildren", "teachers", "ladies", "everyone",
             "friends", "nurses", "carers", "volunteers", "singers", "players", "squad", "villagers",
             "children", "kids", "family", "families", "relatives", "members",
             "governors", "parishioners", "choir", "cousins", "aunts", "uncles", "mates", "lads", "girls", "boys",
             "whole family", "colleagues", "co-workers",
             "coworkers", "congregation", "team", "whole team", "class", "church", "guests", "wedding guests",
             "whole office", "office", "neighbours", "neighbors", "students", "pupils", "staff", "parents",
             "school", "whole school", "club", "rugby club", "golf club", "regulars", "village", "room",
             "family and friends", "friends and family", "board", "department", "governors", "crowd", "mourners")

# relations: the project's kin words (llm.grounding.KIN) and the roles below
ROLES = {"boss": "boss", "manager": "boss", "colleague": "colleague", "coworker": "colleague", "co-worker": "colleague",
         "mentor": "mentor", "teacher": "teacher", "headteacher": "teacher", "head teacher": "teacher",
         "headmaster": "teacher", "headmistress": "teacher", "head": "teacher", "neighbour": "neighbour",
         "neighbor": "neighbour", "friend": "friend", "best friend": "friend", "mate": "friend",
         "best mate": "friend", "pal": "friend", "buddy": "friend", "bestie": "friend", "bff": "friend",
         "grandad": "grandfather", "granda": "grandfather", "grandpop": "grandfather", "nanna": "grandmother",
         "nonna": "grandmother", "nonno": "grandfather", "gramps": "grandfather", "gran": "grandmother",
         "old man": "father", "old dear": "mother"}
RELATIONS = {**{k: v for k, v in KIN.items() if v not in ("child",)}, **ROLES}

AVOID_CUES = [r"\b(?:please )?(?:don'?t|do not|dont|never|without|no need to|not to) (?:mention(?:ing)?|talk(?:ing)? about|"
              r"bring(?:ing)? up|say(?:ing)? anything about|refer(?:ring)? to|go(?:ing)? into|dwell(?:ing)? on|"
              r"get(?:ting)? into|touch(?:ing)? on|include|use)\b", r"\b(?:avoid|avoiding|skip|skipping|leave out|"
              r"leaving out|omit|steer clear of|stay away from|keep away from|nothing (?:at all )?(?:about|on)|minus|"
              r"no mention(?:s)? of|no reference to|no talk of|not a word about|except|apart from|bar)\b",
              r"\bbut not\b", r"\b(?:and|or) not\b", r"(?m)(?:^|[,;.] ?)not\b(?! (?:too|a|an|so|very|that|more|less|"
              r"over|under|long|short|funny|sad|\d))", r"\bleave (?=[\w' ]+ out\b)", r"\bkeep (?=[\w' ]+ out of it\b)"]
MUST_CUES = [r"\bmake sure (?:that )?(?=(?:[\w'-]+ ){1,5}(?:gets?|is|are) (?:a )?(?:mention(?:ed)?|in(?: there)?|included)\b)",
             r"\b(?:be (?:sure|certain) to|make sure (?:to|you)|remember to|don'?t forget to|do not forget to|you (?:have|need) to|"
             r"has to|have to|must|need to|needs to|gotta|should)? ?(?:mention(?:ing)?|include|including|talk(?:ing)? about|"
             r"bring(?:ing)? up|reference|put in|work in|get in|cover|highlight|feature)\b(?: that)?",
             r"\bdon'?t forget(?: about)?\b", r"\bdo not forget(?: about)?\b", r"\bmake sure (?:it has|there'?s)\b",
             r"\bit (?:must|has to|should) (?:have|include|mention)\b", r"\bwith (?:the|that) (?:bit|story|part) about\b"]
TOPIC_CUES = [r"\btouching on\b", r"\b(?:the|that|a) (?:bit|story|stories|part|one|tale|memory|anecdote|time|times|day|night|trip|"
              r"thing) (?:about|of|when|where|with|from|in)\b", r"\babout\b(?! (?:\d|an? (?:minute|hour)))",
              r"\b(?:the )?(?:time|day|night|summer|year) (?:when|that)\b", r"\bhow (?=(?:he|she|they|we|i|you|[a-z]+ (?:met|got|"
              r"taught|used)))", r"\bwhen (?=(?:he|she|they|we|i) )", r"\bfocus(?:ing)? on\b", r"\bcentred on\b",
              r"\bcentered on\b", r"\bre\b", r"\b(?:end|finish|close|start|open|begin)(?:ing)? (?:on|with)\b", r"\bregarding\b", r"\bon (?=the (?:\w+ )?(?:years?|time|days?)\b)"]
SPEAKER_CUES = [r"\b(?i:from me),? \(?((?i:[a-z][\w'-]+))\)?", r"\b(?i:from) ([A-Z][\w'-]+)(?=,| \(|:|\s+(?i:his|her|their)\b)", r"\b(?i:from) ((?i:his|her|their|the)) ([\w -]{2,20}?) ([A-Z][\w'-]+)",
                r"\b(?i:i'?m|i am|my name is|my name'?s|this is|it'?s) ([A-Z][\w'-]+)(?=,| \(|\s+(?i:his|her|their|the) |\.|$)",
                r"\b(?i:speaker|spoken by|read by|given by|delivered by|said by)(?: is)?:? ([A-Z][\w'-]+)",
                r"(?:^|(?<=[.!?\n] ))([A-Z][\w'-]+) (?i:here)\b",
                r"\b(?i:by me),? \(?((?i:[a-z][\w'-]+))\)?", r"\((?i:from) ([A-Z][\w'-]+)\)"]
# the speaker's role turned round: "from her son Rory", "I'm Priya, his granddaughter" — she is his grandmother
INVERSE = {"son": ("father", "mother"), "daughter": ("father", "mother"), "child": ("father", "mother"),
           "grandson": ("grandfather", "grandmother"), "granddaughter": ("grandfather", "grandmother"),
           "grandchild": ("grandfather", "grandmother"), "nephew": ("uncle", "aunt"), "niece": ("uncle", "aunt"),
           "husband": ("", "wife"), "wife": ("husband", ""), "brother": ("brother", "sister"),
           "sister": ("brother", "sister"), "friend": ("friend", "friend"), "colleague": ("colleague", "colleague"),
           "deputy": ("boss", "boss"), "assistant": ("boss", "boss"), "student": ("teacher", "teacher"),
           "pupil": ("teacher", "teacher"), "neighbour": ("neighbour", "neighbour"), "mate": ("friend", "friend"),
           "pal": ("friend", "friend"), "buddy": ("friend", "friend")}

# words that ask but carry nothing a field needs ("pls write me something"): read, not kept
FILLER = set("""
write writing written draft drafting do make making need needs needed want wanted like would could can please pls plz
thanks thank thx ty help me something anything thing bit piece little some quick quickly nice good lovely proper
really very just also maybe perhaps ok okay hi hey so yeah um er speech speeches eulogy toast words word version
give get got put go going let lets let's try ideas idea one it up we i'd i'm im id ive u ur ya gonna wanna
for from about to with and or but of the a an my our his her their them him he she they this that these those
include using use say says said tell told talk able together kind sort type style tone length long short
sweet funny warm sure make sure remember forget properly simple nothing lot lots stuff whole plus within under
over around roughly approximately approx ish max maximum minimum least most tops no more than less
day today tomorrow tonight next week weekend friday saturday sunday monday tuesday wednesday thursday
keep mostly mainly especially particularly ideally definitely probably actually basically honestly quite allowed fine
party service evening celebration gathering reception ceremony event occasion piece together redo
highlighted part parts para y'all yall lol haha straight away thats that's its it's x xx turn into create compose craft
prepare produce hello hiya yo um uh er erm hmm yeah yep grateful appreciate appreciated kindly wondering wonder possible
sounds cheers ta here
selected selection paragraph passage text section line lines bit draft version rest beginning
""".split())
# what a dictated or hurried line trails off with: never the end of a topic ("the paris trip yeah keep it")
CHATTER = set("yeah yep ok okay lol haha x xx please pls thanks thx ta cheers keep it though tho so um uh er erm "
              "like mostly mainly really anyway basically".split())
# asks that no field holds, however phrased: "thank the nurses", "put it in rhyming couplets".
# A clause that begins with one of these verbs is kept whole, as said, in `instructions`.
ASK_VERBS = set("""
thank tell get print add ask read sing stand raise invite introduce say send play quote rhyme translate format
email save bold number list cite dedicate pause light hand shout acknowledge welcome announce call finish end
start open close put leave use sign credit apologise apologize praise
""".split())

FILE_RE = re.compile(r"(?<![\w.])([\w'()&-]+\.(?:txt|md|markdown|text|wav|flac|mp3|m4a|ogg|oga|opus|aac|webm))\b", re.I)
# a sentence that asks for something (then it is read as shorthand, never kept as a note)
_ASKS = re.compile(r"\b(write|make|include|use|using|add|keep|give|please|put|mention|avoid|don'?t|do not|"
                   r"style|tone|minutes?|mins?|seconds?|words|jokes?|funny|inflection|accent|voice|rewrite|shorten|"
                   r"anecdote|speech|eulogy|toast|opening|closing|paragraph|start with|end with|should|could you|"
                   r"can you|i want|i need|i'd like|let's|help me|need|want|story about|about (?:that|this|it))\b",
                   re.I)


@dataclass
class Brief:
    """What to write. Every field has a plain meaning a person can read and change."""

    task: str = "speech"  # speech, anecdote, opening, closing, rewrite
    occasion: str = "funeral"
    subject: str = ""
    relation: str = ""  # who the subject is to the speaker: father, wife, boss…
    speaker: str = ""  # who gives the speech, when the shorthand says ("from me (Priya)")
    sources: list[str] = field(default_factory=list)  # memories named, e.g. "dad.txt"
    search: list[str] = field(default_factory=list)  # topics: "the bees" — the stories about them come first
    jokes: int = 0  # how many light moments were asked for
    anecdotes: list[str] = field(default_factory=list)  # must-haves: "mention the stag do"
    style: str = ""  # "Four Weddings and a Funeral"
    voice: str = ""  # "Texas inflection"
    tone: list[str] = field(default_factory=list)
    audience: str = ""
    avoid: list[str] = field(default_factory=list)  # "the hospital"
    minutes: float | None = None
    words: int | None = None  # asked for in words
    target_words: int = 0  # the length to aim for, from words, minutes or the occasion
    rewrite: str = ""  # shorter, warmer, lighter, style: for task "rewrite"
    notes: list[str] = field(default_factory=list)  # facts and sayings given in the shorthand itself
    instructions: list[str] = field(default_factory=list)  # what no field holds, kept as said
    shorthand: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Brief":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def topics(self) -> list[str]:
        """Everything the stories should be about: the must-haves, then the other topics."""
        return list(dict.fromkeys(self.anecdotes + self.search))

    def set_length(self, pace: int, default_minutes: float) -> None:
        """Turn minutes or words into the target word count (minutes at the speaker's pace)."""
        if self.words:
            self.target_words = int(self.words)
        elif self.minutes:
            self.target_words = int(round(self.minutes * pace))
        elif "short and sweet" in self.tone:
            self.target_words = int(round(default_minutes * 0.5 * pace))
        elif self.task == "anecdote":
            self.target_words = 130
        elif self.task in ("opening", "closing"):
            self.target_words = 90
        else:
            self.target_words = int(round(default_minutes * pace))
        self.target_words = max(20, min(self.target_words, 5000))


# --- reading -----------------------------------------------------------------------------------


def normalise(text: str, vocabulary: Iterable[str] = ()) -> str:
    """Shorthand as the cue tables read it: straight quotes, numbers as digits ("three hundred
    words" → "300 words"), units apart from their numbers ("2min" → "2 min"), and typos of cue
    words mended ("eulgoy" → "eulogy") unless the word is one of the project's own."""
    from text_to_num import alpha2digit

    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("\r", "\n")
    text = re.sub(r"[ \t]+", " ", text)
    text = NUMBER_RUN.sub(lambda m: _digits(m.group(0), alpha2digit), text)
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)  # "1,000 words"
    text = ABBREVIATIONS.sub(lambda m: SHORT_FORMS[m.group(0).lower()], text)
    text = re.sub(r"(\d)\s*-?\s*(mins?|minutes?|secs?|seconds?|words?|wds)\b", r"\1 \2", text, flags=re.I)
    known = {fold(w) for w in vocabulary}
    return TOKEN_RE.sub(lambda m: _mend(m.group(0), known), text)


TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'-]*")
# what people type for speed, as the cue tables spell it
SHORT_FORMS = {"abt": "about", "w/": "with", "w/o": "without", "b/c": "because", "bc": "because", "u": "you",
               "ur": "your", "pls": "please", "plz": "please", "thx": "thanks", "approx": "about", "~": "about ",
               "bday": "birthday", "b-day": "birthday", "&": "and", "n": "and", "ppl": "people", "sth": "something",
               "smth": "something", "abit": "a bit", "alot": "a lot", "gonna": "going to", "wanna": "want to",
               "cos": "because", "coz": "because", "tho": "though", "thru": "through"}
ABBREVIATIONS = re.compile(r"(?<![\w/])(?:w/o|w/|b/c|~|&|" + "|".join(
    w for w in SHORT_FORMS if w.isalpha()) + r")(?![\w/])", re.I)
_NUMBER_WORDS = (r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                 r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                 r"thousand")
# numbers in words only where a length is given: "three hundred words", "five to six minutes"; a
# saying's "three bears" and a style's "Four Weddings" stay as typed
NUMBER_RUN = re.compile(rf"\b(?:(?:{_NUMBER_WORDS})(?:[ -]|\band\b|\bto\b|\bor\b)*)+(?=\s*(?:and a half\s*)?"
                        rf"(?:mins?|minutes?|secs?|seconds?|words?)\b)", re.I)


def _digits(run: str, alpha2digit) -> str:
    try:
        return alpha2digit(run, "en", threshold=0)
    except Exception:  # noqa: BLE001 — a library's failure on odd text must not stop reading it
        return run
CUE_WORDS = sorted(set("""
eulogy funeral memorial speech toast wedding retirement retiring birthday anniversary minutes minute seconds words
jokes joke funny humour humorous anecdote mention include opening closing heartfelt solemn dignified uplifting
celebratory grandad grandma grandmother grandfather headteacher colleague congregation rewrite shorter warmer
lighter accent inflection style voice about couple please something mother father husband daughter
""".split()))


def _mend(word: str, known: set[str]) -> str:
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


class _Reader:
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

    def swallow(self, a: int, b: int, brief: "Brief", default_occasion: str) -> None:
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

    def find(self, pattern: str, flags: int = 0):
        """Matches of `pattern` (on the lower-case text) that touch no claimed character."""
        for m in re.finditer(pattern, self.low, flags):
            if m.end() > m.start() and self.free(m.start(), m.end()):
                yield m

    def first(self, pattern: str):
        return next(self.find(pattern), None)

    def phrase_after(self, at: int, stop_words: str = "", through_soft: bool = False) -> tuple[str, int, int]:
        """The run of unclaimed words from `at` to the next punctuation, claimed word or joining
        word that starts another ask ("but", "and mention"): the object of a cue. `through_soft`: the
        run goes on over soft readings inside it ("the tenner in every birthday card"), but not over
        one that ends it ("the leeks for his funeral")."""
        end = at
        n = len(self.text)
        while end < n and (not self.claimed[end] or through_soft and self.is_soft(end)) and \
                self.text[end] not in ".,;:!?()\n\"":
            end += 1
        phrase = self.text[at:end]
        cut = re.search(r"\s(?:but|although|though|yet|and (?:also |then |can you |could you |please )?(?:make|keep|"
                        r"mention|include|add|use|write|talk|don'?t|avoid|skip|leave|have|put|give|tell|end|start|"
                        r"finish|not|get|thank|say|sing|print)|as well|too|please|thanks|thx|pls)\b" + stop_words,
                        phrase, re.I)
        if cut:
            end = at + cut.start()
        a, b = at, end
        if through_soft:
            # a soft reading (or filler) at either end is not the topic's: "about mum at the palais",
            # "the paris trip at grandads service make it moving"; one inside it is ("birthday card")
            words = list(re.finditer(r"[\w'-]+", self.text[at:end]))
            droppable = lambda w: self.is_soft(at + w.start()) or fold(w.group(0)) in FILLER | STOPWORDS  # noqa: E731
            kept = list(words)
            while kept and droppable(kept[-1]):
                kept.pop()
            if not any(self.is_soft(at + w.start()) for w in words[len(kept):]):
                kept = list(words)  # "the stag do": nothing soft at the end, so nothing to trim
            while kept and droppable(kept[0]) and (self.is_soft(at + kept[0].start()) or any(
                    self.is_soft(at + w.start()) for w in kept[1:2])):
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


def _phrase(text: str, possessive: bool = False) -> str:
    """A topic or avoid phrase without the words around it that say nothing ("the", "stuff", "please");
    an avoid keeps its possessive ("her ex" is not any ex)."""
    words = text.strip(" -'\"").split()
    lead = {"about", "the", "that", "this", "any", "of", "on", "to", "with", "anything", "everything", "all", "just",
            "only", "mainly", "mostly", "really", "also", "and", "can", "you", "could", "please", "pls",
            "mentioning", "mention", "his", "her", "their", "my", "our", "a", "an", "bit", "story", "part",
            "stuff", "stories", "how", "that's", "it's"}
    trail = {"for", "to", "in", "at", "on", "of", "with", "and", "or", "the", "a", "please", "pls", "stuff", "bit",
             "entirely", "completely", "whatsoever", "fail", "without", "possible", "if", "get", "gets", "mention", "but",
             "lol", "haha", "x", "xx",
             "mentioned", "included", "is", "are",
             "thing", "things", "part", "story", "business", "either", "too", "his", "her", "their", "my", "our",
             "speech", "eulogy", "toast", "thanks", "x", "ok", "okay", "etc", "in it", "at all", "really", "though"}
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


def parse(shorthand: str, occasion: str = "funeral", subject: str = "", pace: int = DEFAULT_PACE,
          default_minutes: float = 4.0, memory_titles: Iterable[str] = (), memories: Iterable[str] = (),
          people: Iterable[str] = ()) -> Brief:
    """Read shorthand into a Brief. Deterministic, and never raises on any text.

    `memories` are the project's memory texts (what a topic is looked up in), `people` its names."""
    shorthand = shorthand if isinstance(shorthand, str) else str(shorthand)
    b = Brief(occasion=occasion, shorthand=shorthand)  # the project's subject, unless the shorthand names one
    titles = [t for t in memory_titles if t and len(t) >= 3]
    people = [p for p in people if p and len(p) >= 2]
    texts = list(memories)
    told = _memory_forms(texts + titles)

    # facts and sayings typed in the shorthand are notes, word for word: they ground the speech
    asks = []
    for s in sentences(shorthand.replace("’", "'")):
        if _is_note(s, people):
            b.notes.append(s if s[-1] in ".!?\"" else s + ".")
        else:
            asks.append(s)
    r = _Reader(normalise("\n".join(asks), [w for t in texts for w in tokens(t)] + titles + people), people)
    r.default_occasion = occasion
    _read_sources(r, b, titles)
    _read_length(r, b, default_minutes)
    _read_jokes(r, b)
    _read_style_and_voice(r, b)
    _read_task(r, b)
    for m in list(r.find(r"\b(?:say )?a few words\b|\bsend[- ]?off\b")):  # "a few words for Sheila": a speech, not a count
        r.claim(*m.span())
    _read_asks(r, b)
    _read_occasion(r, b, b.notes)
    _read_avoid(r, b)
    _read_speaker(r, b, people)
    _read_audience(r, b)
    _read_who(r, b, people, subject)
    _read_tone(r, b)
    _read_topics(r, b, told)
    _read_rest(r, b, told)
    b.subject = b.subject or subject
    b.sources = [t for t in b.sources if not any(t.lower() in a.lower() for a in b.avoid)]
    if not b.relation:  # "Mum loved her roses.": the notes say who she is to the speaker
        kin = [m.group(1) or m.group(2) for n in b.notes for m in re.finditer(
            r"\b(?:(?i:my|our) ([a-z]+)|([A-Z][a-z]+))\b", n) if fold(m.group(1) or m.group(2)) in RELATIONS
            and (m.group(1) or fold(m.group(2)) in KIN)]
        b.relation = RELATIONS[fold(kin[0])] if kin else ""
    if b.notes and b.task == "speech" and re.search(r"\babout (?:that|this|it|him|her|those)\b", shorthand, re.I) \
            and not re.search(SPEECH_WORDS, shorthand, re.I):
        b.task = "anecdote"  # "He always said … Write something about that."
    b.set_length(pace, default_minutes)
    return b


def _memory_forms(texts: list[str]) -> set[str]:
    out: set[str] = set()
    for t in texts:
        for tok in tokens(t):
            if fold(tok) not in STOPWORDS:
                out |= forms(tok)
    return out


def _is_note(sentence: str, people: list[str] = ()) -> bool:
    """A sentence that states a fact or a saying rather than asks: "She always said there's nothing
    a pot of tea can't fix." — a subject, then a verb, and no word of asking."""
    if _ASKS.search(sentence) or len(sentence.split()) < 4:
        return False
    words = [w for w in re.findall(r"[\w'-]+", sentence)]
    first = fold(words[0])
    if re.fullmatch(TITLES, first) or any(re.match(rf"{re.escape(p.lower())}(?:'s)? ", sentence.lower()) for p in people):
        words = words[len(next((p for p in people if sentence.lower().startswith(p.lower() + " ")), words[0]).split()) - 1:]
    elif first in ("the", "this", "that", "his", "her", "their", "our", "my"):  # "The funeral is on friday."
        words = words[1:]
    elif re.match(r"(?:he|she|they|we|i|it|there|you)'(?:s|d|ve|re|ll)$", words[0].lower()):
        return True  # "He'd have hated anything too gloomy.", "He's retiring after 25 years."
    elif not (first in ("he", "she", "they", "we", "i", "it", "there", "you") or first in KIN or first in ROLES
              or (words[0][:1].isupper() and zipf_frequency(first, "en") < 4.0)):
        return False  # "Skip the years in the army" starts with a verb, not a subject
    for verb in (w.lower() for w in words[1:3]):
        if verb in ("always", "never", "once", "used", "would", "could", "had", "was", "were", "is", "loved") or (
                lemma(verb) != verb and not verb.endswith("ing")):
            return True
    return False


def _read_sources(r: _Reader, b: Brief, titles: list[str]) -> None:
    for m in FILE_RE.finditer(r.text):
        if m.group(1) not in b.sources:
            b.sources.append(m.group(1))
        r.claim(*m.span())
    # a memory named as the material: a file name, or a title after "using"/"from" ("using the leeks
    # memory"); a title inside "mention the leeks" is a topic, read later
    last = -1
    for title in sorted(titles, key=len, reverse=True):
        for m in r.find(rf"(?<!\w){re.escape(title.lower())}(?!\w)( (?:memory|memories|file|notes|recording))?"):
            before = r.low[max(0, m.start() - 24):m.start()]
            if ("." in title or m.group(1) or re.search(r"\b(?:using|use|based on|drawing on)\s+(?:the |my |"
                                                        r"his |her )?$", before)
                    or (b.sources and re.search(r"(?:\band|,)\s+$", before) and m.start() - last < 30)):
                if title not in b.sources:
                    b.sources.append(title)
                r.claim(*m.span())
                last = m.end()


def _read_style_and_voice(r: _Reader, b: Brief) -> None:
    for cue in VOICE_CUES:
        m = r.first(cue)
        if m:
            phrase, a, z = r.phrase_after(m.end(), r"|\s(?:with|and)\b")
            if phrase:
                b.voice = _phrase(phrase) if not re.search(VOICE_NOUNS + r"$", phrase) else _phrase(phrase)
                r.claim(m.start(), z)
                break
    if not b.voice:
        m = r.first(r"(?:\b(?:with|in|using|put on|do) (?:an? |his |her |my |some |a bit of an? |a strong |a thick |a heavy )?|"
                    r"(?:^|(?<=[,.;:]) ?)|\b(?=\w+ (?:accent|twang|brogue|drawl|lilt|burr)\b))"
                    r"((?:[\w'-]+ ){0,2}?[\w'-]+) " + VOICE_NOUNS + r"\b")
        if m and m.group(1) not in ("the", "my own", "own", "a", "normal", "my", "own speaking", "his own", "her own"):
            b.voice = r.text[m.start(1):m.end()].strip()
            r.claim(*m.span())
    for cue in STYLE_CUES:
        m = r.first(cue)
        if not m:
            continue
        if re.search(r"\b(?:i'?d|would|i|we'd|we)\s*$", r.low[:m.start() + 2]) and "like" in m.group(0):
            continue
        phrase, a, z = r.phrase_after(m.end(), r"|\s(?:with|for)\b|\s(?=(?:" + "|".join(TONES) + r")\b)")
        phrase = re.sub(r" (?:wrote|had written|was writing|were writing)(?: it)?$", "", _phrase(phrase))
        if phrase and not re.match(r"(?:he|she|they|him|her|them|it|you|me|us|i|we|himself|herself|themselves|"
                                   r"myself|a speech|a eulogy|a toast|my own)\b",
                                   phrase, re.I) and re.search(r"[a-z]{3}", phrase, re.I):
            b.style = phrase
            r.claim(m.start(), z)
            return


def _read_task(r: _Reader, b: Brief) -> None:
    for task, cues in TASK_CUES.items():
        for cue in cues:
            m = r.first(cue)
            if not m:
                continue
            if task in ("anecdote", "opening", "closing") and re.search(SPEECH_WORDS, r.low) and not re.search(
                    r"\b(?:of|for|to|in) (?:the |my |his |her |a |our |[a-z]+'?s )?(?:[\w-]+ ){0,3}?(?:speech|eulogy|toast|tribute)",
                    r.low):
                continue  # "an opening for the best man speech" is an opening; "a speech with a story" a speech
            b.task = task
            if task == "rewrite":
                how = re.search(r"\b(shorter|warmer|lighter|funnier|longer|simpler|shorten|tighten|punch|less|"
                                r"in (?:the|my) style)\b", r.low)
                b.rewrite = REWRITES.get(how.group(1), how.group(1)) if how else "warmer"
                if b.rewrite.startswith("in "):
                    b.rewrite = "style"
                for h in r.find(r"\b(?:(?:a bit |a little |much |more |less )?(?:shorter|warmer|lighter|funnier|longer|"
                                r"simpler)|in (?:the|my) style)\b"):
                    tone = {"warmer": "warm", "funnier": "funny", "lighter": "light-hearted"}.get(h.group(0).split()[-1])
                    if tone and tone not in b.tone:
                        b.tone.append(tone)
                    r.claim(*h.span())
                for h in r.find(r"\bmore (\w+)\b"):  # "warmer and more heartfelt"
                    if h.group(1) in TONES:
                        b.tone.append(TONES[h.group(1)])
                        r.claim(*h.span())
            r.claim(*m.span())
            return


def _read_length(r: _Reader, b: Brief, default_minutes: float) -> None:
    for unit, pattern in LENGTH_UNITS.items():
        m = r.first(rf"\b(?:(?:about|around|roughly|approx(?:imately)?|max(?:imum)?|under|no more than|less than|"
                    rf"up to|at most|not more than|just under|just over|over|at least|some|circa|c\.?|~)\s*)?"
                    rf"(\d+(?:\.\d+)?)(?:\s*(?:-|to|or|–)\s*(\d+(?:\.\d+)?))?(\s*and a half)?\s*(?:{pattern})"
                    rf"(?:\s*(?:max|tops|or so|or less|ish|long))?")
        if not m:
            continue
        low, high = float(m.group(1)), float(m.group(2) or m.group(1))
        value = (low + high) / 2 + (0.5 if m.group(3) else 0)
        if unit == "words":
            b.words = int(value)
        elif b.minutes is None:
            b.minutes = round(value / 60, 2) if unit == "seconds" else value
        r.claim(*m.span())
    for pattern, minutes in LENGTH_WORDS:
        m = r.first(pattern)
        if m and b.minutes is None:
            b.minutes = minutes
            r.claim(*m.span())
    if b.minutes is None and b.words is None:
        m = r.first(SHORT)
        if m and not re.search(r"\bshort(?:er)? (?:story|stories|anecdote|tale)\b", r.low):
            b.minutes = round(default_minutes * 0.5, 1)
            r.claim(*m.span())
        else:
            m = r.first(LONG + r"(?! (?:time|way|years?|ago|walks?|life))")
            if m and not re.search(r"\b(?:not|too) long\b|\bas long as\b|\blong[- ](?:suffering|serving|time)\b", r.low):
                b.minutes = round(default_minutes * 1.5, 1)
                r.claim(*m.span())


def _read_jokes(r: _Reader, b: Brief) -> None:
    for allowed in list(r.find(r"\bhumou?r (?:is )?(?:allowed|fine|ok|okay|welcome)\b")):
        r.claim(*allowed.span())
    m = r.first(NO_JOKES)
    if m:
        b.jokes = 0
        r.claim(*m.span())
        return
    m = r.first(rf"\b(?:at least |at most |exactly |just |only |include |with |add |throw in |and )?{_COUNT}"
                rf"(?: or (?:\d+|two|three))?\s+(?:(?:good|little|small|light|gentle|short|silly|big|funny|"
                rf"proper|decent|quick|clean|cheeky|tasteful|affectionate|dad)\s+)*{JOKE_NOUNS}"
                rf"(?:\s*(?:max|tops|at most|or so))?")
    if m:
        count = m.group(1)
        b.jokes = int(count) if count.isdigit() else COUNTS.get(count, 1)
        if re.search(r"\b(?:a|one) (?:joke|laugh|gag) or (?:two|2)\b", m.group(0)):
            b.jokes = 2
        b.jokes = max(1, min(b.jokes, 10))
        r.claim(*m.span())
        return
    m = r.first(SOME_JOKES)
    if m:
        b.jokes = 1
        r.claim(*m.span())


EVENT = (r"(?:[ -](?:do|party|bash|breakfast|reception|dinner|lunch|meal|drinks|ceremony|service|celebration|"
         r"presentation|evening|night|assembly|gathering))?(?: (?:from|at|in) (?:the |his |her |our |my )?[a-z]+)?")


def _read_occasion(r: _Reader, b: Brief, notes: list[str] = ()) -> None:
    """The occasion its cues name (a strong cue before a weak one), each cue's words claimed with the
    event's ("the wedding breakfast", "his retirement from the choir"); else the notes' ("The funeral is on friday")."""
    for strength in ("strong", "weak"):
        found = [(m.start(), name, cues) for name, cues in OCCASION_CUES for cue in cues[strength]
                 for m in [r.first(cue)] if m]
        # a funeral named anywhere is the occasion ("a send off at the crematorium"); else the first named
        # ("a birthday speech … her quickstep at my wedding")
        for _, name, cues in sorted(found, key=lambda f: (f[1] != "funeral", f[0]))[:1]:
            b.occasion = name
            for cue in cues["strong"] + cues["weak"]:
                for m in list(r.find(rf"(?:\b(?P<owner>[a-z]+(?:'?s)?) )?(?:\d+(?:st|nd|rd|th) )?(?:{cue})[\w-]*")):
                    owner = m.group("owner")
                    # "the choir's anniversary": the owner is part of naming the event, unless a person
                    bare = re.sub(r"'?s$", "", owner or "")
                    keep = owner and bare not in RELATIONS and bare not in r.names and owner not in TONES and \
                        fold(owner) not in STOPWORDS | FILLER and owner not in ("his", "its", "this", "was", "is")
                    event = re.match(EVENT, r.low[m.end():])  # "… do", "… from the choir", if not claimed already
                    end = m.end() + (event.end() if event and r.free(m.end(), m.end() + event.end()) else 0)
                    r.claim_soft(m.start() if keep or not owner else m.start("owner") + len(owner) + 1, end,
                                 "occasion", name)
            return
    for name, cues in OCCASION_CUES:
        if any(re.search(cue, n.lower()) for n in notes for cue in cues["strong"]):
            b.occasion = name
            return


def _read_avoid(r: _Reader, b: Brief) -> None:
    found: list[tuple[int, str, int, int]] = []
    for cue in AVOID_CUES:
        for m in list(r.find(cue)):
            if not r.free(m.start(), m.end()):
                continue
            phrase, a, z = r.phrase_after(m.end(), r"|\s(?:and|or)\s(?=(?:don'?t|never|no|avoid)\b)")
            if cue.startswith(r"\bleave (?="):
                phrase = re.sub(r"\s+out\b.*$", "", phrase)
                z = m.end() + len(r.text[m.end():z].split(" out")[0]) + 4
            if cue.startswith(r"\bkeep (?="):
                phrase = re.sub(r"\s+out of it\b.*$", "", phrase)
            for part in re.split(r"\s*(?:,|\bor\b|\band\b|/)\s*", phrase):
                part = _phrase(part, possessive=True)
                if part and re.search(r"[a-z]{2}", part, re.I) and part.lower() not in (x.lower() for x in b.avoid):
                    found.append((a, part, m.start(), z))
            r.claim(m.start(), z)
    b.avoid = [p for _, p, _, _ in sorted(found)]


def _read_speaker(r: _Reader, b: Brief, people: list[str]) -> None:
    for cue in SPEAKER_CUES:
        m = next(re.finditer(cue, r.text), None)
        if not m or not r.free(m.start(), m.end()):
            continue
        name = m.group(m.lastindex)
        if fold(name) in STOPWORDS or fold(name) in RELATIONS or fold(name) in FILLER:
            continue
        b.speaker = next((p for p in people if fold(p) == fold(name)), name[:1].upper() + name[1:])
        end = m.end()
        role = None
        if m.lastindex == 3:  # "from her son Rory"
            role = (m.group(1).lower(), m.group(2).split()[-1].lower())
        else:  # "I'm Priya, his granddaughter" / "I'm Sam, Tom's best man and oldest friend"
            after = re.match(r",? ((?i:his|her|their)|[\w'-]+'s) ([^.,;:!?\n]*)", r.text[end:])
            if after:
                said = [fold(w) for w in after.group(2).split()]
                role = (after.group(1).lower(), next((w for w in said if w in INVERSE), ""))
                end += after.end()
        if role and role[1] in INVERSE:
            his, hers = INVERSE[role[1]]
            if role[0] in ("his", "her"):
                b.relation = his if role[0] == "his" else hers
            elif his == hers and re.sub(r"'s$", "", role[0]) in r.names:  # "Tom's oldest friend"
                b.relation = his
        r.claim(m.start(), end)
        return


def _read_asks(r: _Reader, b: Brief) -> None:
    """A clause that asks for something no field holds ("and can you add a welsh blessing at the end",
    "put it in rhyming couplets") is kept whole, as said: not mined for topics or an audience."""
    lead = r"(?:(?:and|also|then|please|pls|oh|plus|just)\s+)*(?:(?:can|could|would|will) you\s+)?(?:please\s+)?"
    verbs = "|".join(sorted(ASK_VERBS))
    for m in r.find(rf"(?:^|(?<=[,.;:!?\n])|\band\b|\bthen\b)\s*{lead}([a-z]+)\b(?!-)(?:(?!\s(?:and|then) (?:{verbs})\b)[^.,;!?\n])*"):
        verb = m.group(1)
        rest = r.low[m.end(1):m.end()]
        if verb not in ASK_VERBS or re.match(r"\s+(?:in|on|with)\b", rest) and verb in ("put", "end", "finish", "start",
                                                                                       "close", "open", "get", "work"):
            continue  # "put in the bit about…", "end on the bees": a must-have or a topic
        if verb == "put" and re.match(r"\s+(?:together|something)", rest):
            continue
        if verb == "thank" and re.match(r"\s+you\b(?!\s+(?:to|for))", rest):
            continue  # "Thank you so much!" is manners, not an ask
        if verb == "thank" and re.match(r"[- ]you (?:speech|do|evening|party|toast|words?|note)", rest):
            continue
        if verb in ("leave", "use", "add", "get", "keep") and re.search(
                rf"\b(?:out|jokes?|laughs?|humou?r|funny|it (?:short|light|warm))\b|{FILE_RE.pattern}", rest):
            continue
        a = m.start(1)
        z = m.end()
        while z > a and not r.free(z - 1, z):
            z -= 1
        phrase = r.text[a:z].strip(" ,")
        if len(phrase.split()) >= 2 and r.free(a, z):
            b.instructions.append(phrase)
            r.claim(m.start(), z)


def _read_audience(r: _Reader, b: Brief) -> None:
    """Who will listen: "for the grandchildren", "for mostly the older relatives", "staff and governors"."""
    names = "|".join(sorted(map(re.escape, AUDIENCES), key=len, reverse=True))
    det = r"(?:the |all the |our |my |his |her |their |all of the |all |everyone in the |mostly the |mainly the )?"
    one = rf"(?:[a-z-]+ ){{0,3}}?(?:{names})"
    after = "|".join(sorted(set(TONES) | STOPWORDS | {"please", "pls", "thanks"}, key=len, reverse=True))
    m = r.first(rf"\b(?:for|to|in front of|audience(?: is| of| will be)?:?|read to|addressing|with|aimed at) (?:mostly |"
                rf"mainly |especially )?{det}({one}(?: and {det}{one})?)\b(?!')(?=\s*$|\s*[,.;:!?\n]|\s+\d|\s+(?:{after}|mostly|"
                rf"mainly|especially|really)\b)")
    if m and not re.match(r"(?:wedding|birthday|funeral|retirement|leaving)\b", m.group(1)) or (
            m and re.match(r"wedding guests", m.group(1))):
        b.audience = m.group(1)
        r.claim(*m.span())


def _read_who(r: _Reader, b: Brief, people: list[str], default: str = "") -> None:
    """The subject's name and their relation to the speaker ("for my grandad", "Gran's eulogy").

    Only the speaker's own kin count ("my dad", plain "Grandad"); "Tom and his new wife" is someone
    else's, and a kin word in a person's name ("Father Mike") is no relation at all."""
    rel = "|".join(sorted(map(re.escape, RELATIONS), key=len, reverse=True))
    persons = [m.span() for m in re.finditer(rf"(?<!\w)(?:{r.known})(?!\w)", r.low)] if r.names else []
    for m in r.find(rf"\b(?:(my|our|me|her|his|their|your|[a-z]+'s) )?(?:(?:late|dear|darling|wonderful|beloved|lovely|"
                    rf"old|amazing|brilliant|favourite|favorite|new|oldest|best|dear old|eldest|youngest|only|little|big|younger|older) )*({rel})(?:'?s)?\b"):
        if any(a < m.end() and m.start() < z for a, z in persons if r.low[a:z] != m.group(2)):
            continue
        owner = m.group(1)
        before = r.low[max(0, m.start() - 12):m.start()]
        if re.search(r"\b(?:i'?m|i am|as)\b[^.]*$", before):
            continue  # "I'm Jess, his daughter": the speaker's role
        if owner and owner not in ("my", "our", "me") or not owner and m.group(2) not in KIN and \
                RELATIONS[m.group(2)] not in ("grandfather", "grandmother", "father", "mother"):
            r.claim_soft(*m.span(), "other", "")  # soft: "the world's okayest headteacher mug"
            continue  # someone else's: "his new wife", "Tom's best man"; a role needs "my": "the head"
        r.claim_soft(*m.span(), "relation", RELATIONS[m.group(2)])
        if not b.relation:
            b.relation = RELATIONS[m.group(2)]
        name = re.match(rf",? ((?i:{TITLES})\.? )?([A-Z][\w'-]+|(?i:{r.known}))\b", r.text[m.end():])  # "my dad Frank"
        if name and not b.subject and fold(name.group(2)) not in STOPWORDS | FILLER | set(RELATIONS):
            b.subject = r.names.get(name.group(0).strip(" ,").lower(), name.group(0).strip(" ,"))
            r.claim(m.end(), m.end() + name.end())
    # the person the speech is for: a name after "for", "honouring" … (or after "to" in "a toast to"),
    # capitalised or one of the project's people typed in lower case; "Tom and Anna" is one subject
    one = rf"(?:(?i:{TITLES})\.? [A-Z][\w'-]+(?: [A-Z][\w'-]+)?|[A-Z][\w'-]+(?: [A-Z][\w'-]+){{0,2}}|(?i:{r.known}))"
    pattern = (rf"\b(?:(?i:for|honou?ring|celebrating|remembering|(?:toast|tribute|goodbye|farewell|words|cheers) to)\s+"
               rf"(?:(?i:my|our|dear) )?|(?i:about|to)\s+(?=(?i:{r.known}|{TITLES})\b))"
               rf"({one}(?:\s+(?:and|&)\s+{one})?)(?:'?s)?(?!\w)")
    for m in re.finditer(pattern, r.text):
        if not r.free(m.start(1), m.end(1)):
            continue
        if m.group(0).lower().startswith("about") and default and r.names.get(m.group(1).lower(), m.group(1)) != default:
            continue  # "about Linda crying at adverts" is a topic, in a speech for Tom
        words = re.split(r"\s+(?:and|&)\s+", m.group(1))
        if any(fold(w.split()[0]) in STOPWORDS | set(RELATIONS) | FILLER and not re.match(TITLES, w.lower())
               for w in words):
            continue
        if not b.subject:
            b.subject = " and ".join(r.names.get(w.lower(), w) for w in words)
        r.claim(m.start(1), m.end())
        other = re.match(rf" (?:and|&) (?:his|her|their) (?:[a-z]+ )?(?:{rel})\b", r.low[m.end():])
        if other:  # "a toast to Tom and his new wife"
            r.claim(m.end(), m.end() + other.end())
        break
    r.subject = b.subject or default  # other mentions of them are understood (in _read_rest)


TITLES = r"mr|mrs|ms|miss|dr|prof|professor|sir|dame|rev|reverend|father|sister|captain|coach|auntie|uncle"


def _read_tone(r: _Reader, b: Brief) -> None:
    for word in sorted(TONES, key=len, reverse=True):
        for m in r.find(rf"\b{re.escape(word)}\b"):
            before = r.low[max(0, m.start() - 9):m.start()]
            if re.search(r"\b(?:not|no|too|less|never)\s+(?:too |so |very |overly )?$", before):
                r.claim(m.start() - len(before) + before.rfind(" ", 0, len(before) - 1) + 1, m.end())
                continue
            if word == "touching" and r.low[m.end():m.end() + 3] == " on":
                continue
            if word == "light" and re.search(r"light (?:moments?|bits?|touch)", r.low[m.start():m.start() + 16]):
                continue
            tone = TONES[word]
            if tone not in b.tone:
                b.tone.append(tone)
            r.claim_soft(*m.span(), "tone", tone)


def _read_topics(r: _Reader, b: Brief, told: set[str]) -> None:
    """Must-haves ("mention X", "include the bit about X"), then topics ("about X", "the day X")."""
    for cues, into in ((MUST_CUES, b.anecdotes), (TOPIC_CUES, b.search)):
        for cue in cues:
            for m in list(r.find(cue)):
                if not r.free(m.start(), m.end()):
                    continue
                phrase, a, z = r.phrase_after(m.end(), through_soft=True)
                r.swallow(a, z, b, r.default_occasion)
                z = max(z, a)
                more = re.match(r",\s*and\s+", r.text[z:])
                if more and r.free(z, z + more.end()):  # "the flood and the library, and Father Mike"
                    extra, _, z2 = r.phrase_after(z + more.end(), through_soft=True)
                    if extra and not re.match(rf"(?:{'|'.join(sorted(ASK_VERBS))})\b", extra.lower()):
                        phrase, z = f"{phrase} and {extra}", z2
                if cue.startswith(r"\bhow") or cue.startswith(r"\bwhen"):
                    phrase = r.text[m.start():a].strip() + " " + phrase
                for part in _topic_parts(phrase):
                    if part.lower() not in (x.lower() for x in b.anecdotes + b.search) and content(part):
                        into.append(part)
                if content(phrase) or into is b.anecdotes:
                    r.claim(m.start(), z)


def _topic_parts(phrase: str) -> list[str]:
    """"his allotment and the leeks" → two topics; "how she taught me to swim" stays one; "the postman
    years and that he walked to Australia" → two."""
    out = []
    for part in re.split(r"\s*(?:,|;|\band (?=that|how|when|where|the time)\b)\s*", phrase.strip(), flags=re.I):
        part = re.sub(r"^(?:that|the fact that)\s+", "", part, flags=re.I)
        if re.match(r"(?:how|when|where|he|she|they|we|i)\b", part, re.I):  # a clause: "how she taught me to swim"
            out += [_phrase(part)] if _phrase(part) else []
        else:
            out += [p for p in (_phrase(x) for x in re.split(r"\s*(?:\band\b|&|/)\s*", part)) if p]
    return out


def _read_rest(r: _Reader, b: Brief, told: set[str]) -> None:
    """What no cue claimed: runs of words the memories tell of are topics; other words that ask
    for something are kept, as said, in `instructions`; filler is read and let go."""
    runs: list[list[re.Match]] = []
    for m in re.finditer(r"[\w'&-]+", r.text):
        if not r.free(m.start(), m.end()):
            runs.append([])
            continue
        if runs and runs[-1] and re.search(r"[.,;:!?()\n\"]", r.text[runs[-1][-1].end():m.start()]):
            runs.append([])
        if not runs:
            runs.append([])
        runs[-1].append(m)
    him = content(r.subject) | {fold(w) for w in r.subject.split()} | {
        fold(w) for alias, person in r.names.items() if person == r.subject for w in alias.split()}
    for run in runs:
        words = [m.group(0) for m in run]
        meaningful = [w for w in words if _meaningful(w) and re.sub(r"'?s$", "", fold(w)) not in him]
        if not meaningful:
            continue
        topic = [w for w in meaningful if forms(w) & told and zipf_frequency(fold(w), "en") < 5.8]
        if topic and len(topic) * 2 >= len(meaningful):
            while run and not _meaningful(run[0].group(0)) and fold(run[0].group(0)) not in ("the", "how", "when"):
                run = run[1:]  # "write just the three bears": the topic starts at "the"
        first, last = run[0].start(), run[-1].end()
        said = _phrase(r.text[first:last])
        if topic and len(topic) * 2 >= len(meaningful):
            for part in _topic_parts(said):
                if content(part) and part.lower() not in (x.lower() for x in b.search + b.anecdotes):
                    b.search.append(part)
        elif said and said.lower() not in (x.lower() for x in b.instructions):
            b.instructions.append(said)
        r.claim(first, last)


def _meaningful(word: str) -> bool:
    w = fold(word)
    if w in STOPWORDS or w in FILLER or w.isdigit() or len(w) < 2:
        return False
    return lemma(w) not in FILLER
