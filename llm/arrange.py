"""A memory-first speech: the person's own sentences, chosen and ordered, lightly edited.

A small model (SmolLM2-135M) cannot compose a eulogy; what it writes freely is invented.
So with a small model the speech is made of what the person gave:

1. Every memory is cut into stories (a line, or a run of sentences) — one story per
   paragraph. Stories touching what the person asked to leave out are not used.
2. Each story goes to the occasion's section it fits (who they were, a story, what they
   taught, a light moment), by fixed cues; a light moment comes from a memory, never a
   stock line. Each sentence is used at most once.
3. Stories are chosen to meet the length — named memories and the light moments asked
   for first — and never padded: a speech that is short says so ("1.6 of 3 min: add…").
4. Opening and closing lines come from the template's reviewed phrase bank, filled only
   with project facts (who speaks, about whom, their relation).
5. Fixed rules turn the speaker's own name into "I" ("Rory still meets people" → "I still
   meet people" when Rory speaks). The model's part is small edits — joining two short
   sentences — accepted only when the edit passes the grounding check against the very
   sentences it joined, keeping every name and number.

Every sentence, framing lines included, is checked by llm.grounding before it is kept.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from llm.brief import DEFAULT_PACE, Brief
from llm.composition import (
    EDITED,
    FRAME,
    MEMORY_FIRST,
    VOICE,
    YOURS,
    Composition,
    OnParagraph,
    Paragraph,
    Sentence,
    Source,
    address_of,
    grounding_for,
    is_light,
    left_out_note,
    name_in,
    same_sentence,
    speech_check,
    untold_note,
    without_avoided,
)
from llm.grounding import (
    Facts,
    Grounding,
    content_forms,
    fold,
    forms,
    lemma,
    name_phrases,
    numbers,
    sentences,
    tokens,
    touches,
)
from llm.occasions import load_template
from llm.speakable import speakable

TAUGHT = re.compile(
    r"\b(taught|teach\w*|learn\w*|always said|used to say|told (?:me|us)|lesson|advice|"
    r"showed (?:me|us)|reminded)\b",
    re.IGNORECASE,
)
DESCRIBES = re.compile(
    r"\b(worked|work|was an?|job|career|years|led|ran|run|every (?:morning|day|week|friday|"
    r"summer|sunday)|always|never missed|sang|loved|proud)\b",
    re.IGNORECASE,
)
# a story, not a description: "she once set off…", "one night…", "on our camping trip…"
NARRATIVE = re.compile(
    r"\b((?:I|we|he|she|they) once|one (?:day|night|time|summer|winter|morning|evening)|"
    r"when (?:I|we|he|she|they)|trip|the day|that night|that morning)\b",
    re.IGNORECASE,
)
BODY_KEYS = ("who", "career", "stories", "taught", "light", "anecdote")
CLOSING_KEYS = ("goodbye", "toast", "wishes", "next", "closing")


@dataclass
class Story:
    """A run of one memory's sentences that belong together: one paragraph."""

    source: Source
    sentences: list[str]  # as they will be read: what the person said while thinking taken out (llm.speakable)
    order: int
    section: str = "stories"
    scores: dict[str, float] = field(default_factory=dict)
    spoken: list[str] = field(default_factory=list)  # for each sentence, as it was said when that differs, else ""

    @property
    def words(self) -> int:
        return sum(len(s.split()) for s in self.sentences)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def stories_of(
    sources: list[Source], avoid: list[str], max_words: int = 80, cuts: list[str] | None = None
) -> list[Story]:
    """Each memory cut at its lines, and long lines at sentences, each sentence as it will be read
    aloud (llm.speakable: "So Grandad, um, he had…" → "Grandad had…", a run-on split), the spoken
    form kept beside it. What the person asked to leave out is cut from the sentence carrying it
    (deletion only, `without_avoided`), so the rest of the story can still be told; what was cut is
    added to `cuts`."""
    out: list[Story] = []
    said: list[str] = []
    for src in sources:
        for line in re.split(r"\n+", without_avoided([src.text], avoid, cuts)[0]):
            run: list[str] = []
            spoken: list[str] = []
            for said_as in sentences(line):
                heard = speakable(said_as)
                for s in heard.read:
                    if len(s.split()) < 3 or any(same_sentence(s, t) for t in said):
                        continue
                    if s[-1] not in '.!?"”':
                        s += "."
                    if run and sum(len(x.split()) for x in run) + len(s.split()) > max_words:
                        out.append(Story(src, run, len(out), spoken=spoken))
                        run, spoken = [], []
                    run.append(s)
                    spoken.append(said_as if heard.changed else "")
                    said.append(s)
            if run:
                out.append(Story(src, run, len(out), spoken=spoken))
    return [story for story in out if not touches(story.text, avoid)]


def about(story: Story, topic: str) -> int:
    """How much a story tells of a topic: the topic's content words in the story or its memory's title."""
    return len(content_forms(topic) & (content_forms(story.text) | content_forms(story.source.title)))


def holds(story: Story, note: str) -> bool:
    """Whether a story's memory holds a line the person typed ("She always said there's nothing a pot
    of tea can't fix"): the line nearly word for word, or most of its words."""
    from rapidfuzz import fuzz

    if story.source.id is None:
        return False
    memory = story.source.text  # the saying's own sentence may be told once already, from the note
    if fuzz.partial_ratio(note.lower(), memory.lower()) >= 85:
        return True
    wanted = content_forms(note)
    return len(wanted) >= 2 and len(wanted & content_forms(memory)) >= 0.6 * len(wanted)


def untold(stories: list[Story], brief: Brief) -> list[str]:
    """The topics and must-haves no story tells of: said to the person, never papered over."""
    return [t for t in brief.topics if content_forms(t) and not any(about(s, t) for s in stories)]


def untold_in(sources: list[Source], brief: Brief) -> list[str]:
    """`untold`, straight from the memories (no stories cut): cheap enough for the chips, on every
    change of the prompt, with a hundred memories."""
    told = set().union(set(), *(content_forms(s.text) | content_forms(s.title) for s in sources))
    return [t for t in brief.topics if content_forms(t) and not content_forms(t) & told]


def told(story: Story, said: Sequence[str]) -> bool:
    """Whether most of a story's sentences are already said (in the draft a piece goes into)."""
    if not said:
        return False
    return sum(any(same_sentence(s, t) for t in said) for s in story.sentences) * 2 >= len(story.sentences)


def on_topic(story: Story, brief: Brief) -> bool:
    """A story that a focused piece may use: the person's note, a memory they named, or one sharing its topic."""
    if story.source.id is None or story.source.title.lower() in (t.lower() for t in brief.sources):
        return True
    return any(about(story, t) for t in brief.topics) or any(holds(story, n) for n in brief.notes)


def _score(story: Story, keys: list[str]) -> dict[str, float]:
    text = story.text
    scores = {}
    for key in keys:
        if key == "light":
            scores[key] = 3.0 if is_light(text) else 0.0
        elif key == "taught":
            scores[key] = 3.0 if TAUGHT.search(text) else 0.0
        elif key in ("who", "career"):
            scores[key] = 2.2 if DESCRIBES.search(text) else 0.5
        elif key in ("stories", "anecdote"):
            scores[key] = 1.0 + min(story.words, 40) / 40 + (0.8 if NARRATIVE.search(text) else 0.0)
    return scores


def _fill(line: str, values: dict[str, str]) -> str | None:
    """A phrase-bank line with project facts, or None when a fact it needs is unknown."""
    needed = re.findall(r"{(\w+)}", line)
    if any(not values.get(k) for k in needed):
        return None
    return line.format(**values)


def couple_of(brief: Brief, sources: list[Source], names: list[str], speaker: str) -> str:
    """For a wedding toast: the subject and the person the memories pair them with."""
    if not brief.subject:
        return ""
    for name in names:
        if fold(name) in (fold(brief.subject), fold(speaker)):
            continue
        if any(name in s and brief.subject in s for src in sources for s in sentences(src.text)):
            return f"{brief.subject} and {name}"
    return brief.subject


# fmt: off
_VERB_I = {"is": "am", "was": "was", "has": "have", "does": "do", "goes": "go", "isn't": "am not",
           "doesn't": "don't", "hasn't": "haven't"}
# fmt: on


def in_speakers_voice(sentence: str, speaker: str) -> str:
    """The speaker's own name as the subject of their memory becomes "I": "Rory still meets people" → "I still meet people"."""
    if not speaker:
        return sentence
    m = re.match(rf"^{re.escape(speaker)}\s+((?:still|always|never|also|often|just)\s+)?([\w']+)\b", sentence)
    if not m:
        return sentence
    adverb, verb = m.group(1) or "", m.group(2)
    low = verb.lower()
    if low in _VERB_I:
        new = _VERB_I[low]
    elif low.endswith("s") and lemma(low) != low and not low.endswith("ss"):
        new = lemma(low)
    elif low.endswith("ed") or lemma(low) != low:  # past tense, or another form that does not change
        new = verb
    else:
        return sentence
    rest = sentence[m.end() :]
    rest = re.sub(rf"\b{re.escape(speaker)}['’]s\b", "my", rest)  # "Kate … Kate's" is not how anyone speaks
    rest = re.sub(rf"\b{re.escape(speaker)}\b", "me", rest)
    return f"I {adverb}{new}{rest}"


MAX_EDITS = 4  # a tiny model's edits rarely pass; each costs about a second, so only a few are tried
JOIN_PROMPT = (
    "Join these two sentences into one sentence. Keep every word that matters. "
    "Add nothing. Write only the new sentence.\n\n1. {a}\n2. {b}"
)


def _keeps_everything(original: str, edit: str, names: list[str]) -> bool:
    """An edit keeps every name, number and nearly every content word of what it edits."""
    if set(numbers(original)) - set(numbers(edit)):
        return False
    for phrase, _ in name_phrases(original):
        if phrase not in edit:
            return False
    before = {fold(t) for t in tokens(original) if len(t) > 3}
    after = set().union(*(forms(t) for t in tokens(edit))) if tokens(edit) else set()
    kept = sum(1 for w in before if forms(w) & after)
    return not before or kept / len(before) >= 0.9


def join_edit(engine, a: str, b: str, names: list[str], seed: int, cancel: threading.Event | None) -> str | None:
    """Ask the model to join two short sentences; keep the result only if it says nothing new."""
    from llm.engine import Message

    reply = "".join(
        engine.chat(
            [Message("user", JOIN_PROMPT.format(a=a, b=b))], max_tokens=60, temperature=0.2, seed=seed, cancel=cancel
        )
    ).strip()
    reply = re.sub(r"^\s*(?:\d+[.)]|[-*•])\s*", "", reply.splitlines()[0] if reply else "").strip().strip('"“”')
    if not reply or len(sentences(reply)) != 1 or reply[-1] not in ".!?":
        return None
    words = len(reply.split())
    if not (0.7 * (len(a.split()) + len(b.split())) <= words <= len(a.split()) + len(b.split()) + 2):
        return None
    # the check is against the two sentences alone: an edit may only rearrange what they say
    strict = Grounding(Facts(texts=[a, b], names=names))
    if not strict.check(reply).supported or not _keeps_everything(a + " " + b, reply, names):
        return None
    return reply


def frame_lines(
    template: dict, brief: Brief, sources: list[Source], names: list[str], speaker: str
) -> tuple[list[str], list[str]]:
    """The opening and closing lines of the phrase bank that project facts can fill; none is made up."""
    values = {
        "speaker": speaker,
        "subject": name_in(brief.subject),
        "relation": brief.relation,
        "call": address_of(brief.subject, brief.relation, sources, brief.shorthand),
        "couple": couple_of(brief, sources, names, speaker),
    }
    opening: list[str] = []
    for line in template.get("opening_lines", []):
        filled = _fill(line, values)
        if filled and not (line.startswith("I'm") and any(x.startswith("I'm") for x in opening)):
            opening.append(filled)
    closing = [f for f in (_fill(line, values) for line in template.get("closing_lines", [])) if f][:1]
    return opening, closing


def choose_stories(stories: list[Story], brief: Brief, budget: int, lights: list[Story]) -> list[Story]:
    """Stories for `budget` words: the light moments asked for, the named memories, the stories asked
    for and the typed notes first; then the best of the rest, whole, until the length is met."""
    named = {t.lower() for t in brief.sources}
    chosen: list[Story] = list(lights)
    for title in named:
        own = [s for s in stories if s.source.title.lower() == title]
        if own and not any(s in chosen for s in own):
            chosen.append(own[0])
    for topic in brief.topics:  # the stories asked for, ahead of the rest: each one that tells most of it
        best = max((about(s, topic) for s in stories), default=0)
        chosen += [s for s in stories if best and about(s, topic) == best and s not in chosen]
    for note in brief.notes:  # the memory holding a saying the person typed tells its story
        chosen += [s for s in stories if holds(s, note) and s not in chosen]
    chosen += [s for s in stories if s.source.id is None and s not in chosen]  # what the person typed
    rest = sorted(
        (s for s in stories if s not in chosen),
        key=lambda s: (s.source.title.lower() not in named, -max(s.scores.values() or [0]), s.order),
    )
    total = sum(s.words for s in chosen)
    for st in rest:
        if total >= budget:
            break
        if total + st.words > budget * 1.15 and total > 0.75 * budget:
            continue  # would overshoot: a shorter story may fit
        chosen.append(st)
        total += st.words
    while total > budget * 1.25 and len(chosen) > 1:  # over the length: let go of the least needed
        spare = [s for s in chosen if s not in lights and s.source.title.lower() not in named]
        if not spare:
            break
        drop = min(spare, key=lambda s: max(s.scores.values() or [0]))
        chosen.remove(drop)
        total -= drop.words
    return chosen


def arrange(
    brief: Brief,
    sources: list[Source],
    names: list[str],
    speaker: str = "",
    pace: int = DEFAULT_PACE,
    engine=None,
    seed: int = 1,
    cancel: threading.Event | None = None,
    on_paragraph: OnParagraph | None = None,
    edits: bool = True,
    said: Sequence[str] = (),
) -> Composition:
    """A speech of the person's own sentences for `brief`; the model (if given) only joins sentences.

    `said`: sentences already in the draft a piece goes into; stories they mostly tell are used only
    when no other story fits (the caller drops a paragraph that would repeat the draft)."""
    template = load_template(brief.occasion)
    grounding = grounding_for(brief, sources, names, speaker)
    cuts: list[str] = []
    stories = stories_of(sources, brief.avoid, cuts=cuts)
    framed = brief.task == "speech"
    if not framed:  # an anecdote, an opening or a closing is about its topic, not every memory
        stories = [s for s in stories if on_topic(s, brief)]
        stories = [s for s in stories if not told(s, said)] or stories
    keys = [s["key"] for s in template["sections"] if s["key"] in BODY_KEYS]
    if brief.task != "speech":
        keys = ["anecdote"]
    elif not brief.jokes and "light" in keys and {"solemn", "formal", "dignified", "reverent"} & set(brief.tone):
        keys.remove("light")
    for st in stories:
        st.scores = _score(st, keys)
        st.section = max(keys, key=lambda k: (st.scores.get(k, 0), -keys.index(k)))

    opening, closing = frame_lines(template, brief, sources, names, speaker) if framed and stories else ([], [])
    # "make it funny" asks for a light moment as surely as "one joke"
    light_needed = max(brief.jokes, 1 if "funny" in brief.tone else 0) if brief.task == "speech" else 0
    lights = sorted(
        (s for s in stories if is_light(s.text)),
        key=lambda s: (s.source.title.lower() not in {t.lower() for t in brief.sources}, s.order),
    )
    for st in lights[:light_needed]:
        st.section = "light" if "light" in keys else st.section
    budget = max(0, brief.target_words - sum(len(s.split()) for s in opening + closing))
    chosen = choose_stories(stories, brief, budget, lights[:light_needed])

    # order: the template's sections, and within one, the memories' own order
    chosen.sort(key=lambda s: (keys.index(s.section) if s.section in keys else len(keys), s.order))

    paragraphs: list[Paragraph] = []
    prompts: list[str] = []

    def emit(paragraph: Paragraph) -> None:
        if paragraph.sentences:
            paragraphs.append(paragraph)
            if on_paragraph:
                on_paragraph(paragraph)

    def checked(text: str, origin: str, memory_id: int | None, spoken: str = "") -> Sentence | None:
        check = grounding.check(text)
        return Sentence.checked(check, origin, memory_id, spoken) if check.supported else None

    if opening:
        emit(Paragraph("opening", [s for s in (checked(t, FRAME, None) for t in opening) if s], FRAME))
    lead_ins = dict(template.get("lead_ins", {}))
    stopped = False
    edit_seed = seed
    tried = kept = 0
    for st in chosen:
        if cancel is not None and cancel.is_set():
            stopped = True
            break
        out: list[Sentence] = []
        if framed and st.section in lead_ins and len(chosen) > 2 and NARRATIVE.search(st.text):
            lead = checked(lead_ins.pop(st.section), FRAME, None)
            if lead:
                out.append(lead)
        texts = [in_speakers_voice(s, speaker) for s in st.sentences]
        origins = [VOICE if t != s else YOURS for t, s in zip(texts, st.sentences)]
        spokens = list(st.spoken) or [""] * len(texts)
        said_as = [sp or s for sp, s in zip(spokens, st.sentences)]  # as said: a joined one is both
        if edits and engine is not None:
            i = 0
            while i < len(texts) - 1:
                a, b = texts[i], texts[i + 1]
                if (
                    len(a.split()) <= 10
                    and len(b.split()) <= 10
                    and tried < MAX_EDITS
                    and not (cancel and cancel.is_set())
                ):
                    prompts.append(JOIN_PROMPT.format(a=a, b=b))
                    edit_seed += 1
                    tried += 1
                    joined = join_edit(engine, a, b, names + [speaker, brief.subject], edit_seed, cancel)
                    if joined:
                        kept += 1
                        texts[i : i + 2] = [joined]
                        origins[i : i + 2] = [EDITED]
                        merged = " ".join(dict.fromkeys(said_as[i : i + 2]))
                        spokens[i : i + 2] = [merged if any(spokens[i : i + 2]) else ""]
                        said_as[i : i + 2] = [merged]
                i += 1
        dropped = []
        for text, origin, spoken in zip(texts, origins, spokens):
            s = checked(text, origin, st.source.id, spoken)
            if s is None and origin != YOURS:  # an edit that fails falls back to their own sentence
                continue
            if s is None:
                c = grounding.check(text)
                dropped.append(
                    {
                        "text": text,
                        "unsupported": c.unsupported,
                        "reasons": c.reasons,
                        **({"spoken": spoken} if spoken else {}),
                    }
                )
                continue
            out.append(s)
        main = EDITED if EDITED in origins else VOICE if VOICE in origins else YOURS
        paragraph = Paragraph(st.section, out, main, dropped)
        emit(paragraph)
    if closing and not stopped:
        emit(
            Paragraph(
                next((s["key"] for s in template["sections"] if s["key"] in CLOSING_KEYS), "closing"),
                [s for s in (checked(t, FRAME, None) for t in closing) if s],
                FRAME,
            )
        )

    hint = _gap_hint(
        template,
        keys,
        chosen,
        stories,
        brief,
        light_needed,
        address_of(brief.subject, brief.relation, sources, brief.shorthand),
    )
    notes_out = []
    if light_needed > len(lights):
        notes_out.append(f"{len(lights)} of {light_needed} light moments: add a funny memory.")
    for topic in untold(stories, brief):
        notes_out.append(untold_note(topic))
    if cuts:
        notes_out.append(left_out_note(cuts, brief.avoid))
    check = speech_check(paragraphs, brief, sources, MEMORY_FIRST, pace, hint, notes=notes_out)
    check.edits_tried, check.edits_kept = tried, kept
    return Composition(paragraphs, check, prompts, stopped)


def _gap_hint(
    template: dict,
    keys: list[str],
    chosen: list[Story],
    stories: list[Story],
    brief: Brief,
    light_needed: int,
    call: str = "",
) -> str:
    """What would fill a short speech: the template's question for the first empty section."""
    questions = template.get("questions", {})
    filled = {s.section for s in chosen}
    key: str | None
    if light_needed and not any(is_light(s.text) for s in stories):
        key = "light"
    else:
        key = next((k for k in keys if k not in filled and k in questions), None)
    if not key or key not in questions:
        return "add another memory"
    return "add a memory — " + questions[key].format(subject=call or name_in(brief.subject) or "them")


def scaffold(brief: Brief, speaker: str = "") -> str:
    """With nothing to draw on: the occasion's sections as the questions a speechwriter would ask."""
    template = load_template(brief.occasion)
    questions = template.get("questions", {})
    subject = name_in(brief.subject) or "them"
    lines = []
    for section in template["sections"]:
        q = questions.get(section["key"])
        if q:
            lines.append(f"[{q.format(subject=subject)}]")
    return "\n\n".join(lines)
