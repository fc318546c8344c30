"""Free model prose, section by section, kept sentence by sentence — for capable models.

A model that can write (a few billion parameters, or a server) gets one narrow prompt
per section of the occasion's template, with only the facts that section needs. What it
writes is cut into sentences and each is checked by llm.grounding: a sentence that
says something in no memory, or that leaks the prompt, is dropped (and recorded as
dropped); a section whose sentences mostly fail is written once more, more strictly; and
if that fails too, the section is made of the memories' own sentences — never filler.
Nothing pads the length: a short speech says it is short.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from llm.brief import DEFAULT_PACE, Brief
from llm.composition import (
    FREE_PROSE,
    PROSE,
    YOURS,
    Composition,
    OnParagraph,
    Paragraph,
    Sentence,
    Source,
    address_of,
    grounding_for,
    is_light,
    name_in,
    same_sentence,
    speech_check,
    without_avoided,
)
from llm.engine import Message, TextEngine
from llm.grounding import Grounding, content_forms, forms, sentences, tokens
from llm.occasions import SPEECH_NAMES, load_template
from llm.speakable import speakable

TAUGHT = re.compile(
    r"\b(taught|teach|learn\w*|always said|used to say|told (?:me|us)|lesson|advice|showed (?:me|us))\b", re.IGNORECASE
)


@dataclass
class Section:
    key: str
    purpose: str
    words: int
    light: bool = False
    facts: list[tuple[Source, str]] = field(default_factory=list)


def facts_of(sources: list[Source], avoid: list[str], spoken: dict[str, str] | None = None) -> list[tuple[Source, str]]:
    """Every sentence of every source as it will be read aloud (llm.speakable: no "um", no restarts),
    less those touching what the person asked to leave out. `spoken`, if given, is filled with each
    sentence that was said otherwise → as it was said."""
    out = []
    for src in sources:
        for said_as in sentences("\n".join(without_avoided([src.text], avoid))):
            heard = speakable(said_as)
            for s in heard.read:
                if len(s.split()) < 3:
                    continue
                s = s if s[-1] in '.!?"”' else s + "."
                if heard.changed and spoken is not None:
                    spoken[s] = said_as
                out.append((src, s))
    return out


def plan(brief: Brief, template: dict, sources: list[Source], said: Sequence[str] = ()) -> list[Section]:
    """The sections to write, each with its share of the length and the facts it may use (those the
    draft already says, `said`, counted as used once, so fresh ones come first)."""
    subject = name_in(brief.subject) or "them"
    specs = template["sections"]
    if brief.task == "anecdote":
        specs = [
            {
                "key": "anecdote",
                "share": 1.0,
                "purpose": "tells one short anecdote from the notes, with its details",
                "light": bool(brief.jokes),
            }
        ]
    elif brief.task == "opening":
        specs = [dict(specs[0], share=1.0)]
    elif brief.task == "closing":
        specs = [dict(specs[-1], share=1.0)]
    else:
        specs = [
            s
            for s in specs
            if not (
                s.get("light") and brief.jokes == 0 and {"solemn", "formal", "dignified", "reverent"} & set(brief.tone)
            )
        ]
        extra = brief.jokes - sum(1 for s in specs if s.get("light"))
        light = next((s for s in specs if s.get("light")), None)
        for _ in range(max(0, extra)):
            if light:
                specs.insert(specs.index(light), dict(light))
        total = sum(s["share"] for s in specs)
        specs = [dict(s, share=s["share"] / total) for s in specs]
    facts = facts_of(sources, brief.avoid)
    named = {t.lower() for t in brief.sources}
    used: dict[str, int] = {s: 1 for _, s in facts if any(same_sentence(s, t) for t in said)}
    sections = []
    for spec in specs:
        section = Section(
            spec["key"],
            spec["purpose"].format(subject=subject),
            max(15, round(brief.target_words * spec["share"])),
            light=bool(spec.get("light")) and brief.jokes > 0,
        )
        section.facts = _choose_facts(section, facts, named, used, topic_words(brief))
        sections.append(section)
    return sections


def topic_words(brief: Brief) -> set[str]:
    """The content words of what the stories should tell of (the must-haves and topics), in all forms."""
    return content_forms(" ".join(brief.topics))


def _choose_facts(
    section: Section, facts, named: set[str], used: dict[str, int], topic: AbstractSet[str] = frozenset()
) -> list:
    def score(item) -> float:
        src, s = item
        value = 1.0 - 0.6 * used.get(s, 0)
        if topic and topic & content_forms(s + " " + src.title):
            value += 1.5  # a story the person asked for comes ahead of the rest
        if src.title.lower() in named:
            value += 0.5
        if src.id is None:  # the notes in the shorthand itself come first
            value += 1.0
        if section.light and is_light(s):
            value += 2.0
        if section.key == "taught" and TAUGHT.search(s):
            value += 2.0
        if section.key in ("stories", "anecdote", "career"):
            value += min(len(s.split()), 30) / 30
        return value

    count = 2 if section.key in ("opening", "goodbye", "toast", "wishes", "next", "closing") else 5
    ranked = sorted(facts, key=score, reverse=True)[:count]
    order = {id(f): i for i, f in enumerate(facts)}
    chosen = sorted(ranked, key=lambda f: order[id(f)])  # keep the memory's own order
    for _, s in chosen:
        used[s] = used.get(s, 0) + 1
    return chosen


# --- prompts ------------------------------------------------------------------------------------


def messages_for(section: Section, brief: Brief, speaker: str, strict: bool, call: str = "") -> list[Message]:
    """The prompt for one section; `call`: what the memories call the subject ("Grandad"), when that is
    not their name, so the speech says it as the speaker would."""
    kind = SPEECH_NAMES.get(brief.occasion, "a speech")
    subject = name_in(brief.subject) or "the person"
    who = f" for {subject}" + (f", the speaker's {brief.relation}" if brief.relation else "")
    system = (
        f"You help {speaker or 'a person'} write {kind}{who}. Write in the first person, as the speaker, "
        "in plain spoken English, to be read aloud. Use only the facts in the notes. Never add names, "
        "places, relatives or events that are not in the notes."
    )
    if call and call != subject:
        system += f" The speaker calls {subject} “{call}”: call them that."
    notes = "\n".join(f"- {s}" for _, s in section.facts) or f"- {subject} is the person the speech is about."
    asks = [f"Write one paragraph of about {section.words} words that {section.purpose}."]
    if brief.style:
        asks.append(f"Write it in the style of {brief.style}.")
    if brief.voice:
        asks.append(f"Give it a {brief.voice}.")
    if brief.tone:
        asks.append(f"Tone: {', '.join(brief.tone)}.")
    if section.light:
        asks.append("Make it gently funny: something that will make people smile or laugh.")
    if brief.audience:
        asks.append(f"The audience is the {brief.audience}.")
    asks += [i.rstrip(".") + "." for i in brief.instructions[:3]]
    if strict:
        asks.append(f"Mention no one but {subject} and the people in the notes. Stay close to the notes.")
    asks.append("Write only the paragraph, with no heading and no list.")
    return [Message("system", system), Message("user", f"Notes:\n{notes}\n\n" + " ".join(asks))]


_PREAMBLE = re.compile(r"^(?:sure|certainly|of course|here(?:'s| is)|okay|ok)\b[^.:!\n]*[.:!]\s*", re.IGNORECASE)


def tidy(text: str) -> str:
    """One clean paragraph: no preamble, heading, list marks or wrapping quotes."""
    text = _PREAMBLE.sub("", text.strip())
    lines = [re.sub(r"^\s*(?:#+|[-*•]|\d+[.)])\s*", "", ln).strip() for ln in text.splitlines()]
    text = " ".join(ln for ln in lines if ln and not re.match(r"^(?:title|paragraph|speech)\s*:", ln, re.IGNORECASE))
    return re.sub(r"\s+", " ", text).strip().strip('"“”')


def source_of(sentence: str, facts: list[tuple[Source, str]], sources: list[Source]) -> int | None:
    """The memory a sentence draws on most: the one sharing most of its content words."""
    mine = set().union(*(forms(t) for t in tokens(sentence) if len(t) > 3)) if tokens(sentence) else set()
    best, best_n = None, 1
    for src in sources:
        if src.id is None:
            continue
        theirs = set().union(*(forms(t) for t in tokens(src.text) if len(t) > 3)) if tokens(src.text) else set()
        n = len(mine & theirs)
        if n > best_n:
            best, best_n = src.id, n
    return best


def keep_supported(
    text: str, grounding: Grounding, said: list[str], sources: list[Source], facts: list[tuple[Source, str]]
) -> tuple[list[Sentence], list[dict]]:
    """The sentences of `text` that pass the check and were not said before; and those dropped."""
    kept: list[Sentence] = []
    dropped: list[dict] = []
    for s in sentences(text):
        if s[-1] not in '.!?"”':
            dropped.append({"text": s, "unsupported": [], "reasons": ["unfinished"]})
            continue
        check = grounding.check(s)
        if not check.supported:
            dropped.append({"text": s, "unsupported": check.unsupported, "reasons": check.reasons})
        elif any(same_sentence(s, t) for t in said + [k.text for k in kept]):
            dropped.append({"text": s, "unsupported": [], "reasons": ["repeated"]})
        else:
            kept.append(Sentence.checked(check, PROSE, source_of(s, facts, sources)))
    return kept, dropped


def _good_enough(kept: list[Sentence], dropped: list[dict], section: Section) -> bool:
    if not kept or len(kept) < len(dropped):
        return False
    return not section.light or any(is_light(s.text) for s in kept)


def compose(
    engine: TextEngine,
    brief: Brief,
    sources: list[Source],
    names: list[str],
    speaker: str = "",
    pace: int = DEFAULT_PACE,
    seed: int = 1,
    cancel: threading.Event | None = None,
    on_token: Callable[[str], None] | None = None,
    on_paragraph: OnParagraph | None = None,
    on_discard: Callable[[], None] | None = None,
    said: Sequence[str] = (),
) -> Composition:
    """Write what the Brief asks for from `sources`, section by section, keeping only checked sentences.

    `said`: sentences already in the draft a piece goes into — facts that tell them come last in the
    notes, and a sentence that says one again is dropped as repeated."""
    template = load_template(brief.occasion)
    sections = plan(brief, template, sources, said)
    grounding = grounding_for(brief, sources, names, speaker)
    spoken: dict[str, str] = {}
    all_facts = facts_of(sources, brief.avoid, spoken)
    call = address_of(brief.subject, brief.relation, sources, brief.shorthand)
    paragraphs: list[Paragraph] = []
    prompts: list[str] = []
    said = list(said)
    stopped = False
    regenerated = fallbacks = 0
    for n, section in enumerate(sections):
        best: tuple[list[Sentence], list[dict]] | None = None
        for attempt in range(2):
            msgs = messages_for(section, brief, speaker, strict=attempt > 0, call=call)
            prompts.append(msgs[-1].content)
            pieces = []
            for piece in engine.chat(
                msgs,
                max_tokens=int(section.words * 2.2) + 40,
                temperature=0.7 if attempt == 0 else 0.3,
                seed=seed + 31 * n + attempt,
                cancel=cancel,
            ):
                pieces.append(piece)
                if on_token:
                    on_token(piece)
            stopped = bool(cancel and cancel.is_set())
            if stopped:  # what was written when the person stopped is kept, flagged where untraced: nothing lost
                text = tidy("".join(pieces))
                best = (
                    [
                        Sentence.checked(grounding.check(x), PROSE, source_of(x, all_facts, sources))
                        for x in sentences(text)
                    ],
                    best[1] if best else [],
                )
                break
            kept, dropped = keep_supported(tidy("".join(pieces)), grounding, said, sources, all_facts)
            if best is None or len(kept) > len(best[0]):
                best = (kept, dropped + (best[1] if best else []))
            else:
                best = (best[0], best[1] + dropped)
            if _good_enough(kept, dropped, section):
                break
            if attempt == 0:
                regenerated += 1
            if on_discard:
                on_discard()
        kept, dropped = best or ([], [])
        origin = PROSE
        if not stopped and not _good_enough(kept, [], section):
            # the person's own sentences for this section, each said once: never a stock line
            own = [(src, s) for src, s in section.facts if not any(same_sentence(s, t) for t in said)]
            if section.light:
                own = [f for f in own if is_light(f[1])] or own
            mine = [Sentence.checked(grounding.check(s), YOURS, src.id, spoken.get(s, "")) for src, s in own[:3]]
            mine = [s for s in mine if s.supported]
            if mine:
                kept, origin = mine, YOURS
                fallbacks += 1
        if on_discard and stopped and not kept:
            on_discard()
        paragraph = Paragraph(section.key, kept, origin, dropped)
        said += [s.text for s in kept]
        if kept:
            paragraphs.append(paragraph)
            if on_paragraph:
                on_paragraph(paragraph)
        elif on_discard:
            on_discard()
        if stopped:
            break
    check = speech_check(
        paragraphs, brief, sources, FREE_PROSE, pace, "add another memory", regenerated=regenerated, fallbacks=fallbacks
    )
    return Composition(paragraphs, check, prompts, stopped)


REWRITES = {
    "shorter": "Make it shorter: keep the most important facts, about half as long.",
    "warmer": "Make it warmer and more personal.",
    "lighter": "Make it lighter, with a gentle touch of humour.",
    "style": "Rewrite it in the style of {style}.",
}


def rewrite_passage(
    engine: TextEngine,
    passage: str,
    how: str,
    brief: Brief,
    grounding: Grounding,
    seed: int = 1,
    cancel: threading.Event | None = None,
) -> tuple[str, list[str]]:
    """Rewrite `passage`, sentence-checked; keep it unchanged if both tries say something in no memory."""
    ask = REWRITES.get(how, REWRITES["warmer"]).format(style=brief.style or "a heartfelt speech")
    words = len(passage.split())
    target = max(10, words // 2) if how == "shorter" else words
    problems: list[str] = []
    for attempt in range(2):
        msgs = [
            Message(
                "system",
                "You rewrite passages of a speech. Keep every fact; add no names, places, relatives or events.",
            ),
            Message("user", f"Passage:\n{passage}\n\n{ask} Write only the new passage."),
        ]
        text = tidy(
            "".join(
                engine.chat(
                    msgs,
                    max_tokens=int(target * 2) + 40,
                    temperature=0.6 - 0.3 * attempt,
                    seed=seed + attempt,
                    cancel=cancel,
                )
            )
        )
        checks = grounding.check_text(text)
        bad = [w for c in checks if not c.supported for w in c.unsupported]
        unchanged = " ".join(text.split()) == " ".join(passage.split())
        if text and not bad and not unchanged and (how != "shorter" or len(text.split()) < words):
            return text, []
        if bad:
            problems = [f"would say what is in no memory: {', '.join(dict.fromkeys(bad))}"]
        else:
            problems = ["came back empty" if not text else "came back unchanged" if unchanged else "was not shorter"]
        if cancel is not None and cancel.is_set():
            break
    return passage, problems
