"""Reading shorthand into a Brief: the passes, each claiming the words it understood.

llm.brief.parse is the entry; the cue words are in llm.cues. The order of the passes makes the more
specific reading win: sources, lengths and joke counts, style and voice, the task, asks no field
holds, the occasion, what to avoid, the speaker, the audience, who the speech is for, tones,
must-haves and topics, and last what is left (a topic if the memories tell of it, else kept as
said). An occasion, tone or kin word is a *soft* reading: a topic may run over it ("the tenner in
every birthday card"), and then it is withdrawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from llm.cues import (
    ASK_VERBS,
    AUDIENCES,
    AVOID_CUES,
    COUNT,
    COUNTS,
    EVENT,
    FILE_RE,
    FILLER,
    INVERSE,
    JOKE_NOUNS,
    LENGTH_UNITS,
    LENGTH_WORDS,
    LONG,
    MUST_CUES,
    NO_JOKES,
    RELATIONS,
    REWRITES,
    SHORT,
    SOME_JOKES,
    SPEAKER_CUES,
    SPEECH_WORDS,
    STYLE_CUES,
    TASK_CUES,
    TITLES,
    TONES,
    TOPIC_CUES,
    VOICE_CUES,
    VOICE_NOUNS,
)
from llm.grounding import KIN, STOPWORDS, fold, forms, sentences, tokens, zipf_frequency
from llm.occasions import OCCASION_CUES
from llm.reader import Reader, content, is_meaningful, is_note, memory_forms, normalise, topic_parts, trim_phrase

if TYPE_CHECKING:
    from llm.brief import Brief


def read(
    b: Brief,
    shorthand: str,
    subject: str = "",
    default_minutes: float = 4.0,
    memory_titles: Iterable[str] = (),
    memories: Iterable[str] = (),
    people: Iterable[str] = (),
) -> None:
    """Fill `b` from `shorthand`, pass by pass (the order is in the module's docstring)."""
    titles = [t for t in memory_titles if t and len(t) >= 3]
    people = [p for p in people if p and len(p) >= 2]
    texts = list(memories)
    told = memory_forms(texts + titles)

    # facts and sayings typed in the shorthand are notes, word for word: they ground the speech
    asks = []
    for s in sentences(shorthand.replace("’", "'")):
        if is_note(s, people):
            b.notes.append(s if s[-1] in '.!?"' else s + ".")
        else:
            asks.append(s)
    r = Reader(normalise("\n".join(asks), [w for t in texts for w in tokens(t)] + titles + people), people)
    r.default_occasion = b.occasion  # the project's, before the shorthand is read
    _read_sources(r, b, titles)
    _read_length(r, b, default_minutes)
    _read_jokes(r, b)
    _read_style_and_voice(r, b)
    _read_task(r, b)
    for m in list(
        r.find(r"\b(?:say )?a few words\b|\bsend[- ]?off\b")
    ):  # "a few words for Sheila": a speech, not a count
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
        kin = [
            m.group(1) or m.group(2)
            for n in b.notes
            for m in re.finditer(r"\b(?:(?i:my|our) ([a-z]+)|([A-Z][a-z]+))\b", n)
            if fold(m.group(1) or m.group(2)) in RELATIONS and (m.group(1) or fold(m.group(2)) in KIN)
        ]
        b.relation = RELATIONS[fold(kin[0])] if kin else ""
    if (
        b.notes
        and b.task == "speech"
        and re.search(r"\babout (?:that|this|it|him|her|those)\b", shorthand, re.IGNORECASE)
        and not re.search(SPEECH_WORDS, shorthand, re.IGNORECASE)
    ):
        b.task = "anecdote"  # "He always said … Write something about that."


def _read_sources(r: Reader, b: Brief, titles: list[str]) -> None:
    for m in FILE_RE.finditer(r.text):
        if m.group(1) not in b.sources:
            b.sources.append(m.group(1))
        r.claim(*m.span())
    # a memory named as the material: a file name, or a title after "using"/"from" ("using the leeks
    # memory"); a title inside "mention the leeks" is a topic, read later
    last = -1
    for title in sorted(titles, key=len, reverse=True):
        for m in r.find(rf"(?<!\w){re.escape(title.lower())}(?!\w)( (?:memory|memories|file|notes|recording))?"):
            before = r.low[max(0, m.start() - 24) : m.start()]
            if (
                "." in title
                or m.group(1)
                or re.search(
                    r"\b(?:using|use|based on|drawing on)\s+(?:the |my |"
                    r"his |her )?$",
                    before,
                )
                or (b.sources and re.search(r"(?:\band|,)\s+$", before) and m.start() - last < 30)
            ):
                if title not in b.sources:
                    b.sources.append(title)
                r.claim(*m.span())
                last = m.end()
    # "using both memories", "from all my notes", "using everything I recorded": every memory, which is what
    # Fondly uses when none is named — understood, so nothing is set, and it is not shown as "not used"
    for m in list(
        r.find(
            r"\b(?:using|use|from|based on|drawing on|with)\s+(?:all|both|each|every one)\s+(?:of\s+)?"
            r"(?:(?:my|the|her|his|our|these|those)\s+)?(?:memories|memory|notes|stories|recordings|files|"
            r"texts|them)\b|\b(?:using|use|from|based on|drawing on)\s+everything\b"
            r"(?:\s+i\s+(?:recorded|wrote|said|told you|typed|have))?"
        )
    ):
        r.claim(*m.span())


def _read_style_and_voice(r: Reader, b: Brief) -> None:
    for cue in VOICE_CUES:
        m = r.first(cue)
        if m:
            phrase, _a, z = r.phrase_after(m.end(), r"|\s(?:with|and)\b")
            if phrase:
                b.voice = trim_phrase(phrase)
                r.claim(m.start(), z)
                break
    if not b.voice:
        m = r.first(
            r"(?:\b(?:with|in|using|put on|do) (?:an? |his |her |my |some |a bit of an? |a strong |a thick |a heavy )?|"
            r"(?:^|(?<=[,.;:]) ?)|\b(?=\w+ (?:accent|twang|brogue|drawl|lilt|burr)\b))"
            r"((?:[\w'-]+ ){0,2}?[\w'-]+) " + VOICE_NOUNS + r"\b"
        )
        if m and m.group(1) not in ("the", "my own", "own", "a", "normal", "my", "own speaking", "his own", "her own"):
            b.voice = r.text[m.start(1) : m.end()].strip()
            r.claim(*m.span())
    for cue in STYLE_CUES:
        m = r.first(cue)
        if not m:
            continue
        if re.search(r"\b(?:i'?d|would|i|we'd|we)\s*$", r.low[: m.start() + 2]) and "like" in m.group(0):
            continue
        phrase, _a, z = r.phrase_after(m.end(), r"|\s(?:with|for)\b|\s(?=(?:" + "|".join(TONES) + r")\b)")
        phrase = re.sub(r" (?:wrote|had written|was writing|were writing)(?: it)?$", "", trim_phrase(phrase))
        if (
            phrase
            and not re.match(
                r"(?:he|she|they|him|her|them|it|you|me|us|i|we|himself|herself|themselves|"
                r"myself|a speech|a eulogy|a toast|my own)\b",
                phrase,
                re.IGNORECASE,
            )
            and re.search(r"[a-z]{3}", phrase, re.IGNORECASE)
        ):
            b.style = phrase
            r.claim(m.start(), z)
            return


def _read_task(r: Reader, b: Brief) -> None:
    for task, cues in TASK_CUES.items():
        for cue in cues:
            m = r.first(cue)
            if not m:
                continue
            if (
                task in ("anecdote", "opening", "closing")
                and re.search(SPEECH_WORDS, r.low)
                and not re.search(
                    r"\b(?:of|for|to|in) (?:the |my |his |her |a |our |[a-z]+'?s )?(?:[\w-]+ ){0,3}?(?:speech|eulogy|toast|tribute)",
                    r.low,
                )
            ):
                continue  # "an opening for the best man speech" is an opening; "a speech with a story" a speech
            b.task = task
            if task == "rewrite":
                how = re.search(
                    r"\b(shorter|warmer|lighter|funnier|longer|simpler|shorten|tighten|punch|less|"
                    r"in (?:the|my) style)\b",
                    r.low,
                )
                b.rewrite = REWRITES.get(how.group(1), how.group(1)) if how else "warmer"
                if b.rewrite.startswith("in "):
                    b.rewrite = "style"
                for h in r.find(
                    r"\b(?:(?:a bit |a little |much |more |less )?(?:shorter|warmer|lighter|funnier|longer|"
                    r"simpler)|in (?:the|my) style)\b"
                ):
                    tone = {"warmer": "warm", "funnier": "funny", "lighter": "light-hearted"}.get(
                        h.group(0).split()[-1]
                    )
                    if tone and tone not in b.tone:
                        b.tone.append(tone)
                    r.claim(*h.span())
                for h in r.find(r"\bmore (\w+)\b"):  # "warmer and more heartfelt"
                    if h.group(1) in TONES:
                        b.tone.append(TONES[h.group(1)])
                        r.claim(*h.span())
            r.claim(*m.span())
            return


def _read_length(r: Reader, b: Brief, default_minutes: float) -> None:
    for unit, pattern in LENGTH_UNITS.items():
        m = r.first(
            rf"\b(?:(?:about|around|roughly|approx(?:imately)?|max(?:imum)?|under|no more than|less than|"
            rf"up to|at most|not more than|just under|just over|over|at least|some|circa|c\.?|~)\s*)?"
            rf"(\d+(?:\.\d+)?)(?:\s*(?:-|to|or|–)\s*(\d+(?:\.\d+)?))?(\s*and a half)?\s*(?:{pattern})"
            rf"(?:\s*(?:max|tops|or so|or less|ish|long))?"
        )
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
            if m and not re.search(
                r"\b(?:not|too) long\b|\bas long as\b|\blong[- ](?:suffering|serving|time)\b", r.low
            ):
                b.minutes = round(default_minutes * 1.5, 1)
                r.claim(*m.span())


def _read_jokes(r: Reader, b: Brief) -> None:
    for allowed in list(r.find(r"\bhumou?r (?:is )?(?:allowed|fine|ok|okay|welcome)\b")):
        r.claim(*allowed.span())
    m = r.first(NO_JOKES)
    if m:
        b.jokes = 0
        r.claim(*m.span())
        return
    m = r.first(
        rf"\b(?:at least |at most |exactly |just |only |include |with |add |throw in |and )?{COUNT}"
        rf"(?: or (?:\d+|two|three))?\s+(?:(?:good|little|small|light|gentle|short|silly|big|funny|"
        rf"proper|decent|quick|clean|cheeky|tasteful|affectionate|dad)\s+)*{JOKE_NOUNS}"
        rf"(?:\s*(?:max|tops|at most|or so))?"
    )
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


def _read_occasion(r: Reader, b: Brief, notes: Sequence[str] = ()) -> None:
    """The occasion its cues name (a strong cue before a weak one), each cue's words claimed with the
    event's ("the wedding breakfast", "his retirement from the choir"); else the notes' ("The funeral is on friday")."""
    for strength in ("strong", "weak"):
        if strength == "weak" and r.default_occasion != "other":
            # "a toast", "goodbye" in a project for a funeral: a toast at the wake, not a wedding; the
            # words are understood (the kind of speech), the project's occasion stays
            for cue in (c for _, cues in OCCASION_CUES for c in cues["weak"]):
                for m in list(r.find(cue)):
                    r.claim_soft(*m.span(), "other", "")
            break
        found = [
            (m.start(), name, cues)
            for name, cues in OCCASION_CUES
            for cue in cues[strength]
            for m in [r.first(cue)]
            if m
        ]
        # a funeral named anywhere wins ("a send off at the crematorium"); else the first one named
        for _, name, cues in sorted(found, key=lambda f: (f[1] != "funeral", f[0]))[:1]:
            b.occasion = name
            for cue in cues["strong"] + cues["weak"]:
                for m in list(r.find(rf"(?:\b(?P<owner>[a-z]+(?:'?s)?) )?(?:\d+(?:st|nd|rd|th) )?(?:{cue})[\w-]*")):
                    owner = m.group("owner")
                    # "the choir's anniversary": the owner is part of naming the event, unless a person
                    bare = re.sub(r"'?s$", "", owner or "")
                    keep = (
                        owner
                        and bare not in RELATIONS
                        and bare not in r.names
                        and owner not in TONES
                        and fold(owner) not in STOPWORDS | FILLER
                        and owner not in ("his", "its", "this", "was", "is")
                    )
                    event = re.match(EVENT, r.low[m.end() :])  # "… do", "… from the choir", if not claimed already
                    end = m.end() + (event.end() if event and r.free(m.end(), m.end() + event.end()) else 0)
                    r.claim_soft(
                        m.start() if keep or not owner else m.start("owner") + len(owner) + 1, end, "occasion", name
                    )
            return
    for name, cues in OCCASION_CUES:
        if any(re.search(cue, n.lower()) for n in notes for cue in cues["strong"]):
            b.occasion = name
            return


def _read_avoid(r: Reader, b: Brief) -> None:
    found: list[tuple[int, str, int, int]] = []
    for cue in AVOID_CUES:
        for m in list(r.find(cue)):
            if not r.free(m.start(), m.end()):
                continue
            phrase, a, z = r.phrase_after(m.end(), r"|\s(?:and|or)\s(?=(?:don'?t|never|no|avoid)\b)")
            if cue.startswith(r"\bleave (?="):
                phrase = re.sub(r"\s+out\b.*$", "", phrase)
                z = m.end() + len(r.text[m.end() : z].split(" out")[0]) + 4
            if cue.startswith(r"\bkeep (?="):
                phrase = re.sub(r"\s+out of it\b.*$", "", phrase)
            for part in re.split(r"\s*(?:,|\bor\b|\band\b|/)\s*", phrase):
                part = trim_phrase(part, possessive=True)
                if (
                    part
                    and re.search(r"[a-z]{2}", part, re.IGNORECASE)
                    and part.lower() not in (x.lower() for x in b.avoid)
                ):
                    found.append((a, part, m.start(), z))
            r.claim(m.start(), z)
    b.avoid = [p for _, p, _, _ in sorted(found)]


def _read_speaker(r: Reader, b: Brief, people: list[str]) -> None:
    for cue in SPEAKER_CUES:
        m = next(re.finditer(cue, r.text), None)
        if not m or not r.free(m.start(), m.end()):
            continue
        assert m.lastindex is not None  # every speaker cue captures the name in a group
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


def _read_asks(r: Reader, b: Brief) -> None:
    """A clause that asks for something no field holds ("and can you add a welsh blessing at the end",
    "put it in rhyming couplets") is kept whole, as said: not mined for topics or an audience."""
    lead = r"(?:(?:and|also|then|please|pls|oh|plus|just)\s+)*(?:(?:can|could|would|will) you\s+)?(?:please\s+)?"
    verbs = "|".join(sorted(ASK_VERBS))
    for m in r.find(
        rf"(?:^|(?<=[,.;:!?\n])|\band\b|\bthen\b)\s*{lead}([a-z]+)\b(?!-)(?:(?!\s(?:and|then) (?:{verbs})\b)[^.,;!?\n])*"
    ):
        verb = m.group(1)
        rest = r.low[m.end(1) : m.end()]
        if (
            verb not in ASK_VERBS
            or re.match(r"\s+(?:in|on|with)\b", rest)
            and verb in ("put", "end", "finish", "start", "close", "open", "get", "work")
        ):
            continue  # "put in the bit about…", "end on the bees": a must-have or a topic
        if verb == "put" and re.match(r"\s+(?:together|something)", rest):
            continue
        if verb == "thank" and re.match(r"\s+you\b(?!\s+(?:to|for))", rest):
            continue  # "Thank you so much!" is manners, not an ask
        if verb == "thank" and re.match(r"[- ]you (?:speech|do|evening|party|toast|words?|note)", rest):
            continue
        if verb in ("leave", "use", "add", "get", "keep") and re.search(
            rf"\b(?:out|jokes?|laughs?|humou?r|funny|it (?:short|light|warm))\b|{FILE_RE.pattern}", rest
        ):
            continue
        a = m.start(1)
        z = m.end()
        while z > a and not r.free(z - 1, z):
            z -= 1
        phrase = r.text[a:z].strip(" ,")
        if len(phrase.split()) >= 2 and r.free(a, z):
            b.instructions.append(phrase)
            r.claim(m.start(), z)


def _read_audience(r: Reader, b: Brief) -> None:
    """Who will listen: "for the grandchildren", "for mostly the older relatives", "staff and governors"."""
    names = "|".join(sorted(map(re.escape, AUDIENCES), key=len, reverse=True))
    det = r"(?:the |all the |our |my |his |her |their |all of the |all |everyone in the |mostly the |mainly the )?"
    one = rf"(?:[a-z-]+ ){{0,3}}?(?:{names})"
    after = "|".join(sorted(set(TONES) | STOPWORDS | {"please", "pls", "thanks"}, key=len, reverse=True))
    m = r.first(
        rf"\b(?:for|to|in front of|audience(?: is| of| will be)?:?|read to|addressing|with|aimed at) (?:mostly |"
        rf"mainly |especially )?{det}({one}(?: and {det}{one})?)\b(?!')(?=\s*$|\s*[,.;:!?\n]|\s+\d|\s+(?:{after}|mostly|"
        rf"mainly|especially|really)\b)"
    )
    if (
        m
        and not re.match(r"(?:wedding|birthday|funeral|retirement|leaving)\b", m.group(1))
        or (m and re.match(r"wedding guests", m.group(1)))
    ):
        b.audience = m.group(1)
        r.claim(*m.span())


def _read_who(r: Reader, b: Brief, people: list[str], default: str = "") -> None:
    """The subject's name and their relation to the speaker ("for my grandad", "Gran's eulogy").

    Only the speaker's own kin count ("my dad", plain "Grandad"); "Tom and his new wife" is someone
    else's, and a kin word in a person's name ("Father Mike") is no relation at all."""
    rel = "|".join(sorted(map(re.escape, RELATIONS), key=len, reverse=True))
    persons = [m.span() for m in re.finditer(rf"(?<!\w)(?:{r.known})(?!\w)", r.low)] if r.names else []
    for m in r.find(
        rf"\b(?:(my|our|me|her|his|their|your|[a-z]+'s) )?(?:(?:late|dear|darling|wonderful|beloved|lovely|"
        rf"old|amazing|brilliant|favourite|favorite|new|oldest|best|dear old|eldest|youngest|only|little|big|younger|older) )*({rel})(?:'?s)?\b"
    ):
        if any(a < m.end() and m.start() < z for a, z in persons if r.low[a:z] != m.group(2)):
            continue
        owner = m.group(1)
        before = r.low[max(0, m.start() - 12) : m.start()]
        if re.search(r"\b(?:i'?m|i am|as)\b[^.]*$", before):
            continue  # "I'm Jess, his daughter": the speaker's role
        if (
            owner
            and owner not in ("my", "our", "me")
            or not owner
            and m.group(2) not in KIN
            and RELATIONS[m.group(2)] not in ("grandfather", "grandmother", "father", "mother")
        ):
            r.claim_soft(*m.span(), "other", "")  # soft: "the world's okayest headteacher mug"
            continue  # someone else's: "his new wife", "Tom's best man"; a role needs "my": "the head"
        r.claim_soft(*m.span(), "relation", RELATIONS[m.group(2)])
        if not b.relation:
            b.relation = RELATIONS[m.group(2)]
        name = re.match(rf",? ((?i:{TITLES})\.? )?([A-Z][\w'-]+|(?i:{r.known}))\b", r.text[m.end() :])  # "my dad Frank"
        if name and not b.subject and fold(name.group(2)) not in STOPWORDS | FILLER | set(RELATIONS):
            said = re.sub(r"['’]s$", "", name.group(0).strip(" ,"))  # "my sister Megan's wedding": Megan
            b.subject = r.names.get(said.lower(), said)
            r.claim(m.end(), m.end() + name.end())
    # the person the speech is for: a name after "for", "honouring" … (or after "to" in "a toast to"),
    # capitalised or one of the project's people typed in lower case; "Tom and Anna" is one subject
    one = rf"(?:(?i:{TITLES})\.? [A-Z][\w'-]+(?: [A-Z][\w'-]+)?|[A-Z][\w'-]+(?: [A-Z][\w'-]+){{0,2}}|(?i:{r.known}))"
    pattern = (
        rf"\b(?:(?i:for|honou?ring|celebrating|remembering|(?:toast|tribute|goodbye|farewell|words|cheers) to)\s+"
        rf"(?:(?i:my|our|dear) )?|(?i:about|to)\s+(?=(?i:{r.known}|{TITLES})\b))"
        rf"({one}(?:\s+(?:and|&)\s+{one})?)(?:'?s)?(?!\w)"
    )
    for m in re.finditer(pattern, r.text):
        if not r.free(m.start(1), m.end(1)):
            continue
        if (
            m.group(0).lower().startswith("about")
            and default
            and r.names.get(m.group(1).lower(), m.group(1)) != default
        ):
            continue  # "about Linda crying at adverts" is a topic, in a speech for Tom
        words = re.split(r"\s+(?:and|&)\s+", m.group(1))
        if any(
            fold(w.split()[0]) in STOPWORDS | set(RELATIONS) | FILLER and not re.match(TITLES, w.lower()) for w in words
        ):
            continue
        if not b.subject:
            b.subject = " and ".join(r.names.get(w.lower(), w) for w in words)
        r.claim(m.start(1), m.end())
        other = re.match(rf" (?:and|&) (?:his|her|their) (?:[a-z]+ )?(?:{rel})\b", r.low[m.end() :])
        if other:  # "a toast to Tom and his new wife"
            r.claim(m.end(), m.end() + other.end())
        break
    r.subject = b.subject or default  # other mentions of them are understood (in _read_rest)


def _read_tone(r: Reader, b: Brief) -> None:
    for word in sorted(TONES, key=len, reverse=True):
        for m in r.find(rf"\b{re.escape(word)}\b"):
            before = r.low[max(0, m.start() - 9) : m.start()]
            if re.search(r"\b(?:not|no|too|less|never)\s+(?:too |so |very |overly )?$", before):
                r.claim(m.start() - len(before) + before.rfind(" ", 0, len(before) - 1) + 1, m.end())
                continue
            if word == "touching" and r.low[m.end() : m.end() + 3] == " on":
                continue
            if word == "light" and re.search(r"light (?:moments?|bits?|touch)", r.low[m.start() : m.start() + 16]):
                continue
            tone = TONES[word]
            if tone not in b.tone:
                b.tone.append(tone)
            r.claim_soft(*m.span(), "tone", tone)


def _read_topics(r: Reader, b: Brief, told: set[str]) -> None:
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
                if cue.startswith((r"\bhow", r"\bwhen")):
                    phrase = r.text[m.start() : a].strip() + " " + phrase
                for part in topic_parts(phrase):
                    if part.lower() not in (x.lower() for x in b.anecdotes + b.search) and content(part):
                        into.append(part)
                if content(phrase) or into is b.anecdotes:
                    r.claim(m.start(), z)


def _read_rest(r: Reader, b: Brief, told: set[str]) -> None:
    """What no cue claimed: runs of words the memories tell of are topics; other words that ask
    for something are kept, as said, in `instructions`; filler is read and let go."""
    runs: list[list[re.Match]] = []
    for m in re.finditer(r"[\w'&-]+", r.text):
        if not r.free(m.start(), m.end()):
            runs.append([])
            continue
        if runs and runs[-1] and re.search(r"[.,;:!?()\n\"]", r.text[runs[-1][-1].end() : m.start()]):
            runs.append([])
        if not runs:
            runs.append([])
        runs[-1].append(m)
    him = (
        content(r.subject)
        | {fold(w) for w in r.subject.split()}
        | {fold(w) for alias, person in r.names.items() if person == r.subject for w in alias.split()}
    )
    for run in runs:
        words = [m.group(0) for m in run]
        meaningful = [w for w in words if is_meaningful(w) and re.sub(r"'?s$", "", fold(w)) not in him]
        if not meaningful:
            continue
        topic = [w for w in meaningful if forms(w) & told and zipf_frequency(fold(w), "en") < 5.8]
        if topic and len(topic) * 2 >= len(meaningful):
            while run and not is_meaningful(run[0].group(0)) and fold(run[0].group(0)) not in ("the", "how", "when"):
                run = run[1:]  # "write just the three bears": the topic starts at "the"
        first, last = run[0].start(), run[-1].end()
        said = trim_phrase(r.text[first:last])
        if topic and len(topic) * 2 >= len(meaningful):
            for part in topic_parts(said):
                if content(part) and part.lower() not in (x.lower() for x in b.search + b.anecdotes):
                    b.search.append(part)
        elif said and said.lower() not in (x.lower() for x in b.instructions):
            b.instructions.append(said)
        r.claim(first, last)
