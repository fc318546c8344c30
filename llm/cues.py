"""The cue tables of the Brief: for each field, the words that say it in shorthand.

One table per field, read by llm.shorthand in the order its docstring gives. Each entry is a
regular-expression fragment over lower-case text in which numbers are digits ("three hundred
words" has become "300 words"). To teach Fondly a new phrasing, add it to its field's table here;
a test case for it goes in tests/data/shorthand.
"""

from __future__ import annotations

import re

from llm.grounding import KIN

# how many light moments: "a couple of jokes", "half a dozen gags", "a trio of jokes"
# fmt: off
COUNTS = {"a": 1, "an": 1, "one": 1, "single": 1, "a single": 1, "a little": 1, "a bit of": 1, "a touch of": 1,
          "two": 2, "a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2, "a pair of": 2, "one or two": 2,
          "some": 2, "three": 3, "a few": 3, "few": 3, "a few good": 3, "several": 3, "a bunch of": 3, "lots of": 3,
          "plenty of": 3, "a trio of": 3, "trio of": 3, "a handful of": 3, "handful of": 3, "half a dozen": 6,
          "a dozen": 12, "dozen": 12}
# fmt: on
COUNT = r"(\d+|" + "|".join(sorted(map(re.escape, COUNTS), key=len, reverse=True)) + r")"

TASK_CUES = {
    "rewrite": [
        r"\bre-?write\b",
        r"\bshorten\b",
        r"\btighten\b",
        r"\bpunch (?:it|this) up\b",
        r"\b(?:redo|rework|revise|tweak|edit|trim|polish|tone down)\b(?= (?:this|it|the|that|my))",
        r"\bcut (?:it|this|the \w+) (?:down )?to\b",
        r"\bmake (?:this|it|the selection|the selected \w+|this \w+) (?:a bit |a little |much )?(?:more|less) \w+",
        (
            r"\bmake (?:this|it|the selection|that) (?:a bit |a little |much )?(?:shorter|warmer|lighter|"
            r"funnier|longer|simpler|less \w+|more \w+)"
        ),
    ],
    "anecdote": [
        r"\banecdotes?\b",
        r"\b(?:a|one|as one) (?:short |little |quick )?(?:story|tale)\b(?! about her| about him)",
        r"\btale about\b",
        r"\bturn (?:that|this|it) into an? (?:short |little )?(?:story|anecdote)\b",
        r"\b(?:story|tale)\b(?! about (?:her|him))",
        r"\btell (?:the|a|that) story\b",
        r"\bstory (?:of|about)\b",
    ],
    "opening": [
        r"\b(?:opening|opener|intro|introduction)(?: (?:lines?|bit|paragraph|words))?\b",
        r"\b(?:the )?first (?:couple of |few |\d+ )?(?:lines?|paragraph|words|bit|sentences?)\b",
        r"\b(?:how to|help me) (?:start|open|begin)\b",
    ],
    "closing": [
        r"\b(?:final|last) (?:couple of |few )?(?:lines?|paragraph|words|bit|sentences?)\b",
        r"\bwrap(?:ping)?[- ]up\b",
        (
            r"\b(?:closing|ending|conclusion|final words|last words|sign-?off|wrap-?up)(?: (?:lines?|bit|"
            r"paragraph|words))?\b"
        ),
        r"\b(?:how to|help me) (?:end|close|finish)\b",
    ],
}
# a whole speech: these words keep the task "speech" when another task's word is also there
SPEECH_WORDS = r"\b(?:speech|eulogy|eulogies|toast|tribute|address|homily|remarks|send-?off|a few words)\b"
# fmt: off
REWRITES = {"funnier": "lighter", "simpler": "shorter", "shorten": "shorter", "tighten": "shorter",
            "punch": "lighter", "less": "shorter"}
# fmt: on

# lengths: a number (or a range, whose middle is meant) and a unit
LENGTH_UNITS = {
    "minutes": r"m(?:in(?:ute)?s?|ns)\b|minuets?\b|mintues?\b",
    "seconds": r"s(?:ec(?:ond)?s?)\b",
    "words": r"w(?:ords?|r?ds)\b",
}
LENGTH_WORDS = [
    (r"\b(?:a|one) minute and a half\b|\b90 seconds\b", 1.5),
    (r"\bhalf an hour\b", 30),
    (r"\b(?:a|one) minute\b", 1),
    (r"\bhalf a minute\b", 0.5),
]
SHORT = r"\b(?:short|brief|quick|not (?:too )?long)\b(?! and sweet)"
LONG = r"\b(?:long|longer|lengthy)\b"

# light moments: a count, then these nouns ("couple of jokes", "one funny story", "a few laughs")
JOKE_NOUNS = (
    r"(?:jokes?|gags?|laughs?|funny (?:stories|story|moments?|bits?|anecdotes?|ones?|memor(?:y|ies))|"
    r"light(?:er)? moments?|lighter bits?|humou?r(?:ous)? (?:moments?|stories|story|bits?)|"
    r"bit of humou?r|touch of humou?r|chuckles?|giggles?|smiles?)"
)
NO_JOKES = (
    r"\b(?:no|not any|without(?: any)?|zero|nothing|none of the) (?:jokes?|humou?r|funny(?: stuff| business)?|"
    r"gags?|laughs?)\b|\bnot (?:be )?funny\b|\bkeep (?:it|the) (?:jokes?|humou?r) out\b|\bnothing funny\b"
)
SOME_JOKES = (
    r"\b(?:make|get) (?:them|people|everyone|the room|us) (?:laugh|smile|chuckle)\b|\bsomething funny\b|"
    r"\bbit of a laugh\b|\bsome humou?r\b|\bhumou?r\b|\bjokes?\b|\bfunny (?:story|bit|moment)\b"
)

# fmt: off
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
# fmt: on

# fmt: off
STYLE_CUES = [r"\b(?:written |write it |do it )?as if (?=(?:[\w'-]+ ){1,4}(?:wrote|had written|was writing|were writing) it\b)",
              r"\bin the (?:style|spirit|manner|vein|tradition) of (?:an? |the )?",
              (r"\b(?:write|make|do|put|say|written|sounding|sounds?) (?:it |this |the speech |the whole thing )?"
               r"(?:like|as if it were|as though it were|as) (?:an? |the )?(?=\S+ \S*)"),
              r"\bstyled? (?:like|after) (?:an? |the )?", r"\bla\b ", r"\b(?:inspired by|riffing on|based on) (?:an? |the )?",
              (r"(?<!i'd )(?<!would )(?<!i )\blike (?:an? |the )?(?=(?:[\w'-]+ ){1,4}?(?:song|poem|sonnet|film|movie|"
               r"sermon|letter|ballad|limerick|rap|haiku|scene|episode|show|sketch|novel|play|speech)\b)")]
# fmt: on
# fmt: off
VOICE_CUES = [r"\b(?:read|say|deliver|speak|perform|tell|do) (?:it|this|the speech) (?:like|as) (?:an? |the )?",
              r"\bin the voice of (?:an? |the )?", r"\b(?:as if|as though) (?:spoken|said|told|read) by (?:an? |the )?",
              r"\b(?:spoken|told|read|narrated) (?:as|by) (?:an? |the )?", r"\btalking like (?:an? |the )?",
              r"\bin the (?:accent|dialect|lingo) of (?:an? |the )?"]
# fmt: on
VOICE_NOUNS = r"(?:inflection|accent|twang|drawl|lilt|brogue|dialect|slang|voice|burr)"

# fmt: off
AUDIENCES = ("grandchildren", "grandkids", "great-grandkids", "great-grandchildren", "teachers", "ladies", "everyone",
             "friends", "nurses", "carers", "volunteers", "singers", "players", "squad", "villagers",
             "children", "kids", "family", "families", "relatives", "members",
             "governors", "parishioners", "choir", "cousins", "aunts", "uncles", "mates", "lads", "girls", "boys",
             "whole family", "colleagues", "co-workers",
             "coworkers", "congregation", "team", "whole team", "class", "church", "guests", "wedding guests",
             "whole office", "office", "neighbours", "neighbors", "students", "pupils", "staff", "parents",
             "school", "whole school", "club", "rugby club", "golf club", "regulars", "village", "room",
             "family and friends", "friends and family", "board", "department", "governors", "crowd", "mourners")
# fmt: on

# relations: the project's kin words (llm.grounding.KIN) and the roles below
# fmt: off
ROLES = {"boss": "boss", "manager": "boss", "colleague": "colleague", "coworker": "colleague", "co-worker": "colleague",
         "mentor": "mentor", "teacher": "teacher", "headteacher": "teacher", "head teacher": "teacher",
         "headmaster": "teacher", "headmistress": "teacher", "head": "teacher", "neighbour": "neighbour",
         "neighbor": "neighbour", "friend": "friend", "best friend": "friend", "mate": "friend",
         "best mate": "friend", "pal": "friend", "buddy": "friend", "bestie": "friend", "bff": "friend",
         "grandad": "grandfather", "granda": "grandfather", "grandpop": "grandfather", "nanna": "grandmother",
         "nonna": "grandmother", "nonno": "grandfather", "gramps": "grandfather", "gran": "grandmother",
         "old man": "father", "old dear": "mother"}
# fmt: on
RELATIONS = {**{k: v for k, v in KIN.items() if v not in ("child",)}, **ROLES}

# fmt: off
AVOID_CUES = [(r"\b(?:please )?(?:don'?t|do not|dont|never|without|no need to|not to) (?:mention(?:ing)?|talk(?:ing)? about|"
               r"bring(?:ing)? up|say(?:ing)? anything about|refer(?:ring)? to|go(?:ing)? into|dwell(?:ing)? on|"
               r"get(?:ting)? into|touch(?:ing)? on|include|use)\b"), (r"\b(?:avoid|avoiding|skip|skipping|leave out|"
              r"leaving out|omit|steer clear of|stay away from|keep away from|nothing (?:at all )?(?:about|on)|minus|"
              r"no mention(?:s)? of|no reference to|no talk of|not a word about|except|apart from|bar)\b"),
              r"\bbut not\b", r"\b(?:and|or) not\b", (r"(?m)(?:^|[,;.] ?)not\b(?! (?:too|a|an|so|very|that|more|less|"
              r"over|under|long|short|funny|sad|\d))"), r"\bleave (?=[\w' ]+ out\b)", r"\bkeep (?=[\w' ]+ out of it\b)"]
# fmt: on
# fmt: off
MUST_CUES = [r"\bmake sure (?:that )?(?=(?:[\w'-]+ ){1,5}(?:gets?|is|are) (?:a )?(?:mention(?:ed)?|in(?: there)?|included)\b)",
             (r"\b(?:be (?:sure|certain) to|make sure (?:to|you)|remember to|don'?t forget to|do not forget to|you (?:have|need) to|"
              r"has to|have to|must|need to|needs to|gotta|should)? ?(?:mention(?:ing|ed)?|include|including|talk(?:ing)? about|"
              r"bring(?:ing)? up|reference|put in|work in|get in|cover|highlight|feature)\b(?: that)?"),
             r"\bdon'?t forget(?: about)?\b", r"\bdo not forget(?: about)?\b", r"\bmake sure (?:it has|there'?s)\b",
             r"\bit (?:must|has to|should) (?:have|include|mention)\b", r"\bwith (?:the|that) (?:bit|story|part) about\b"]
# fmt: on
# fmt: off
TOPIC_CUES = [r"\btouching on\b", (r"\b(?:the|that|a) (?:bit|story|stories|part|one|tale|memory|anecdote|time|times|day|night|trip|"
              r"thing) (?:about|of|when|where|with|from|in)\b"), r"\babout\b(?! (?:\d|an? (?:minute|hour)))",
              r"\b(?:the )?(?:time|day|night|summer|year) (?:when|that)\b", (r"\bhow (?=(?:he|she|they|we|i|you|[a-z]+ (?:met|got|"
              r"taught|used)))"), r"\bwhen (?=(?:he|she|they|we|i) )", r"\bfocus(?:ing)? on\b", r"\bcentred on\b",
              r"\bcentered on\b", r"\bre\b", r"\b(?:end|finish|close|start|open|begin)(?:ing)? (?:on|with)\b", r"\bregarding\b", r"\bon (?=the (?:\w+ )?(?:years?|time|days?)\b)"]
# fmt: on
# fmt: off
SPEAKER_CUES = [r"\b(?i:from me),? \(?((?i:[a-z][\w'-]+))\)?", r"\b(?i:from) ([A-Z][\w'-]+)(?=,| \(|:|\s+(?i:his|her|their)\b)", r"\b(?i:from) ((?i:his|her|their|the)) ([\w -]{2,20}?) ([A-Z][\w'-]+)",
                r"\b(?i:i'?m|i am|my name is|my name'?s|this is|it'?s) ([A-Z][\w'-]+)(?=,| \(|\s+(?i:his|her|their|the) |\.|$)",
                r"\b(?i:speaker|spoken by|read by|given by|delivered by|said by)(?: is)?:? ([A-Z][\w'-]+)",
                r"(?:^|(?<=[.!?\n] ))([A-Z][\w'-]+) (?i:here)\b",
                r"\b(?i:by me),? \(?((?i:[a-z][\w'-]+))\)?", r"\((?i:from) ([A-Z][\w'-]+)\)"]
# fmt: on
# the speaker's role turned round: "from her son Rory", "I'm Priya, his granddaughter" — she is his grandmother
# fmt: off
INVERSE = {"son": ("father", "mother"), "daughter": ("father", "mother"), "child": ("father", "mother"),
           "grandson": ("grandfather", "grandmother"), "granddaughter": ("grandfather", "grandmother"),
           "grandchild": ("grandfather", "grandmother"), "nephew": ("uncle", "aunt"), "niece": ("uncle", "aunt"),
           "husband": ("", "wife"), "wife": ("husband", ""), "brother": ("brother", "sister"),
           "sister": ("brother", "sister"), "friend": ("friend", "friend"), "colleague": ("colleague", "colleague"),
           "deputy": ("boss", "boss"), "assistant": ("boss", "boss"), "student": ("teacher", "teacher"),
           "pupil": ("teacher", "teacher"), "neighbour": ("neighbour", "neighbour"), "mate": ("friend", "friend"),
           "pal": ("friend", "friend"), "buddy": ("friend", "friend")}
# fmt: on

# words that ask but carry nothing a field needs ("pls write me something"): read, not kept
FILLER = set(
    """
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
""".split()
)
# what a dictated or hurried line trails off with: never the end of a topic ("the paris trip yeah keep it")
CHATTER = set(
    "yeah yep ok okay lol haha x xx please pls thanks thx ta cheers keep it though tho so um uh er erm "
    "like mostly mainly really anyway basically".split()
)
# asks that no field holds, however phrased: "thank the nurses", "put it in rhyming couplets".
# A clause that begins with one of these verbs is kept whole, as said, in `instructions`.
ASK_VERBS = set(
    """
thank tell get print add ask read sing stand raise invite introduce say send play quote rhyme translate format
email save bold number list cite dedicate pause light hand shout acknowledge welcome announce call finish end
start open close put leave use sign credit apologise apologize praise
""".split()
)

FILE_RE = re.compile(
    r"(?<![\w.])([\w'()&-]+\.(?:txt|md|markdown|text|wav|flac|mp3|m4a|ogg|oga|opus|aac|webm))\b", re.IGNORECASE
)
# a sentence that asks for something (then it is read as shorthand, never kept as a note)
ASKS = re.compile(
    r"\b(write|make|include|use|using|add|keep|give|please|put|mention|avoid|don'?t|do not|"
    r"style|tone|minutes?|mins?|seconds?|words|jokes?|funny|inflection|accent|voice|rewrite|shorten|"
    r"anecdote|speech|eulogy|toast|opening|closing|paragraph|start with|end with|should|could you|"
    r"can you|i want|i need|i'd like|let's|help me|need|want|story about|about (?:that|this|it))\b",
    re.IGNORECASE,
)


TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'-]*")
# what people type for speed, as the cue tables spell it
# fmt: off
SHORT_FORMS = {"abt": "about", "w/": "with", "w/o": "without", "b/c": "because", "bc": "because", "u": "you",
               "ur": "your", "pls": "please", "plz": "please", "thx": "thanks", "approx": "about", "~": "about ",
               "bday": "birthday", "b-day": "birthday", "&": "and", "n": "and", "ppl": "people", "sth": "something",
               "smth": "something", "abit": "a bit", "alot": "a lot", "gonna": "going to", "wanna": "want to",
               "cos": "because", "coz": "because", "tho": "though", "thru": "through"}
# fmt: on
ABBREVIATIONS = re.compile(
    r"(?<![\w/])(?:w/o|w/|b/c|~|&|" + "|".join(w for w in SHORT_FORMS if w.isalpha()) + r")(?![\w/])", re.IGNORECASE
)
NUMBER_WORDS = (
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand"
)
# numbers in words only where a length is given: "three hundred words", "five to six minutes"; a
# saying's "three bears" and a style's "Four Weddings" stay as typed
NUMBER_RUN = re.compile(
    rf"\b(?:(?:{NUMBER_WORDS})(?:[ -]|\band\b|\bto\b|\bor\b)*)+(?=\s*(?:and a half\s*)?"
    rf"(?:mins?|minutes?|secs?|seconds?|words?)\b)",
    re.IGNORECASE,
)

CUE_WORDS = sorted(
    set(
        """
eulogy funeral memorial speech toast wedding retirement retiring birthday anniversary minutes minute seconds words
jokes joke funny humour humorous anecdote mention include opening closing heartfelt solemn dignified uplifting
celebratory grandad grandma grandmother grandfather headteacher colleague congregation rewrite shorter warmer
lighter accent inflection style voice about couple please something mother father husband daughter
""".split()
    )
)

EVENT = (
    r"(?:[ -](?:do|party|bash|breakfast|reception|dinner|lunch|meal|drinks|ceremony|service|celebration|"
    r"presentation|evening|night|assembly|gathering))?(?: (?:from|at|in) (?:the |his |her |our |my )?[a-z]+)?"
)

TITLES = r"mr|mrs|ms|miss|dr|prof|professor|sir|dame|rev|reverend|father|sister|captain|coach|auntie|uncle"
