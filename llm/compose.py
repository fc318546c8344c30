"""Writing a speech section by section, each paragraph checked, retried once, or replaced.

A small model follows a short, narrow prompt far better than a long one, so every
section (opening, who they were, a story, a light moment, goodbye) gets its own
prompt with only the facts it needs. Each paragraph is checked (llm.checks); one that
fails is written again more strictly, and if it still fails, the memories' own words
are used instead. Each paragraph records which memories it came from.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from llm.brief import Brief
from llm.checks import (LIGHT_WORDS, Grounds, ParagraphCheck, SpeechCheck, check_paragraph, content_words,
                        is_light, repeats_itself, uses)
from llm.engine import Engine, Message

TEMPLATES = Path(__file__).resolve().parents[1] / "assets" / "templates"

SPEECH_NAMES = {"funeral": "a eulogy", "wedding": "a wedding toast", "retirement": "a retirement speech",
                "birthday": "a birthday speech", "other": "a speech"}

TAUGHT = re.compile(r"\b(taught|teach|learn\w*|always said|used to say|told (?:me|us)|lesson|advice|showed (?:me|us))\b", re.I)


@dataclass
class Source:
    """A memory as grounding: its id (None for the notes in the shorthand), title and text."""

    id: int | None
    title: str
    text: str


@dataclass
class Section:
    key: str
    purpose: str
    words: int
    light: bool = False
    facts: list[tuple[Source, str]] = field(default_factory=list)


@dataclass
class Paragraph:
    section: str
    text: str
    memory_ids: list[int]
    origin: str  # model, model-retry, memory
    check: dict

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Composition:
    paragraphs: list[Paragraph]
    check: SpeechCheck
    prompts: list[str]
    stopped: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


def load_template(occasion: str) -> dict:
    path = TEMPLATES / f"{occasion}.json"
    if not path.exists():
        path = TEMPLATES / "other.json"
    return json.loads(path.read_text(encoding="utf-8"))


# --- facts ------------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    out = []
    for line in re.split(r"\n+", text):
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip()
        for s in re.split(r"(?<=[.!?])\s+", line):
            s = s.strip()
            if len(s.split()) >= 3:
                out.append(s if s[-1] in ".!?\"”" else s + ".")
    return out


def facts_of(sources: list[Source], avoid: list[str]) -> list[tuple[Source, str]]:
    """Every sentence of every source, less those touching what the person asked to leave out."""
    keys = [content_words(a) or {a.lower()} for a in avoid]
    out = []
    for src in sources:
        for s in sentences(src.text):
            low = s.lower()
            if any(any(re.search(rf"\b{re.escape(k)}", low) for k in ks) for ks in keys):
                continue
            out.append((src, s))
    return out


def plan(brief: Brief, template: dict, sources: list[Source]) -> list[Section]:
    """The sections to write, each with its share of the length and the facts it may use."""
    subject = brief.subject or "them"
    specs = template["sections"]
    if brief.task == "anecdote":
        specs = [{"key": "anecdote", "share": 1.0, "purpose": "tells one short anecdote from the notes, with its details",
                  "light": bool(brief.jokes)}]
    elif brief.task == "opening":
        specs = [dict(specs[0], share=1.0)]
    elif brief.task == "closing":
        specs = [dict(specs[-1], share=1.0)]
    else:
        specs = [s for s in specs if not (s.get("light") and brief.jokes == 0 and
                                          {"solemn", "formal", "dignified", "reverent"} & set(brief.tone))]
        extra = brief.jokes - sum(1 for s in specs if s.get("light"))
        light = next((s for s in specs if s.get("light")), None)
        for _ in range(max(0, extra)):
            if light:
                specs.insert(specs.index(light), dict(light))
        total = sum(s["share"] for s in specs)
        specs = [dict(s, share=s["share"] / total) for s in specs]

    facts = facts_of(sources, brief.avoid)
    named = {s.title.lower() for s in sources if s.title.lower() in (x.lower() for x in brief.sources)}
    used: dict[str, int] = {}
    sections = []
    for spec in specs:
        section = Section(spec["key"], spec["purpose"].format(subject=subject),
                          max(15, round(brief.target_words * spec["share"])),
                          light=bool(spec.get("light")) and brief.jokes > 0)
        section.facts = _choose_facts(section, facts, named, used)
        sections.append(section)
    _cover_named(sections, facts, named)
    return sections


def _choose_facts(section: Section, facts, named: set[str], used: dict[str, int]) -> list:
    def score(item) -> float:
        src, s = item
        value = 1.0 - 0.6 * used.get(s, 0)
        if src.title.lower() in named:
            value += 0.5
        if src.id is None:  # the notes in the shorthand itself come first
            value += 1.0
        if section.light and LIGHT_WORDS.search(s):
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


def _cover_named(sections: list[Section], facts, named: set[str]) -> None:
    """Every memory the person named is used somewhere: in the story section, if nowhere else."""
    for title in named:
        if any(src.title.lower() == title for sec in sections for src, _ in sec.facts):
            continue
        own = [f for f in facts if f[0].title.lower() == title][:3]
        target = next((s for s in sections if s.key in ("stories", "anecdote")), sections[len(sections) // 2])
        target.facts = own + target.facts[: max(0, 5 - len(own))]


# --- prompts ------------------------------------------------------------------------------------


def messages_for(section: Section, brief: Brief, speaker: str, strict: bool) -> list[Message]:
    kind = SPEECH_NAMES.get(brief.occasion, "a speech")
    subject = brief.subject or "the person"
    who = f" for {subject}" + (f", the speaker's {brief.relation}" if brief.relation else "")
    system = (f"You help {speaker or 'a person'} write {kind}{who}. Write in the first person, as the speaker, "
              "in plain spoken English, to be read aloud. Use only the facts in the notes. Never add names, "
              "places, relatives or events that are not in the notes.")
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


_PREAMBLE = re.compile(r"^(?:sure|certainly|of course|here(?:'s| is)|okay|ok)\b[^.:!\n]*[.:!]\s*", re.I)


def tidy(text: str, words: int) -> str:
    """One clean paragraph: no preamble, heading, list marks or quotes; cut at a sentence near the target."""
    text = _PREAMBLE.sub("", text.strip())
    lines = [re.sub(r"^\s*(?:#+|[-*•]|\d+[.)])\s*", "", ln).strip() for ln in text.splitlines()]
    text = " ".join(ln for ln in lines if ln and not re.match(r"^(?:title|paragraph|speech)\s*:", ln, re.I))
    text = re.sub(r"\s+", " ", text).strip().strip('"“”')
    limit = int(words * 1.25) + 5
    parts = re.split(r"(?<=[.!?])\s+", text)
    out: list[str] = []
    for p in parts:
        if out and len(" ".join(out + [p]).split()) > limit:
            break
        out.append(p)
    text = " ".join(out).strip()
    if text and text[-1] not in ".!?\"”":
        cut = max(text.rfind("."), text.rfind("!"), text.rfind("?"))
        text = text[: cut + 1] if cut > len(text) // 2 else text + "."
    return text


def spoken(section: Section, brief: Brief, said: set[str] = frozenset()) -> str:
    """The memories' own words, lightly turned into something to say aloud (each said once)."""
    subject = brief.subject or ""
    picked, count = [], 0
    for _, s in section.facts:
        if count >= section.words and picked:
            break
        if s in said:
            continue
        picked.append(s)
        count += len(s.split())
    body = " ".join(picked)
    frames = {
        "opening": "Thank you all for being here today." + (f" We are here for {subject}." if subject else ""),
        "goodbye": f"Goodbye{', ' + subject if subject else ''}. Thank you for everything.",
        "toast": "Please raise your glasses.", "wishes": "Happy birthday.", "next": "Thank you, and enjoy what comes next.",
        "closing": "Thank you.",
    }
    if section.light and picked:
        body = "One memory still makes me smile. " + body
    if section.key in ("opening",):
        return (frames["opening"] + " " + body).strip()
    if section.key in frames:
        return (body + " " + frames[section.key]).strip()
    return body or frames.get("closing", "")


def provenance(text: str, section: Section) -> list[int]:
    ids = []
    for src, s in section.facts:
        if src.id is not None and src.id not in ids and len(content_words(text) & content_words(s)) >= 2:
            ids.append(src.id)
    if not ids:
        ids = list(dict.fromkeys(src.id for src, _ in section.facts if src.id is not None))
    return ids


# --- writing ------------------------------------------------------------------------------------


def compose(
    engine: Engine,
    brief: Brief,
    sources: list[Source],
    names: list[str],
    speaker: str = "",
    seed: int = 1,
    cancel: threading.Event | None = None,
    on_token: Callable[[str], None] | None = None,
    on_paragraph: Callable[[Paragraph], None] | None = None,
    on_discard: Callable[[], None] | None = None,
) -> Composition:
    """Write what the Brief asks for from `sources`, section by section, checking every paragraph."""
    template = load_template(brief.occasion)
    sections = plan(brief, template, sources)
    grounds = Grounds([s.text for s in sources], names, brief, speaker)
    paragraphs: list[Paragraph] = []
    prompts: list[str] = []
    stopped = False
    for n, section in enumerate(sections):
        texts = [s for _, s in section.facts]
        result: tuple[str, ParagraphCheck, str] | None = None
        for attempt in range(2):
            msgs = messages_for(section, brief, speaker, strict=attempt > 0)
            prompts.append(msgs[-1].content)
            pieces = []
            for piece in engine.chat(msgs, max_tokens=int(section.words * 2.2) + 40,
                                     temperature=0.7 if attempt == 0 else 0.3, seed=seed + 31 * n + attempt,
                                     cancel=cancel):
                pieces.append(piece)
                if on_token:
                    on_token(piece)
            stopped = bool(cancel and cancel.is_set())
            text = tidy("".join(pieces), section.words)
            check = check_paragraph(text, grounds, texts, light=section.light,
                                    min_words=min(12, section.words // 3))
            if stopped:  # keep what was written, flagged if it fails: nothing is lost
                if text:
                    result = (text, check, "model" if check.ok else "stopped")
                break
            if check.ok:
                result = (text, check, "model" if attempt == 0 else "model-retry")
                break
            if on_discard:
                on_discard()
        if stopped and result is None:
            if on_discard:
                on_discard()
            break
        if result is None:
            text = spoken(section, brief, {s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p.text)})
            result = (text, check_paragraph(text, grounds, texts, light=section.light, min_words=1), "memory")
            if on_discard and stopped:
                on_discard()
        text, check, origin = result
        paragraph = Paragraph(section.key, text, provenance(text, section), origin, check.to_dict())
        paragraphs.append(paragraph)
        if on_paragraph:
            on_paragraph(paragraph)
        if stopped:
            break
    if not stopped:
        _fit_length(paragraphs, sections, brief, grounds, on_paragraph)
    return Composition(paragraphs, speech_check(paragraphs, brief, grounds, sources), prompts, stopped)


def _fit_length(paragraphs: list[Paragraph], sections: list[Section], brief: Brief, grounds: Grounds,
                on_paragraph) -> None:
    """Bring the whole within a fifth of the target: trim long paragraphs, or add the memories' words."""
    target = brief.target_words
    total = sum(len(p.text.split()) for p in paragraphs)
    while total > target * 1.15:
        longest = max(paragraphs, key=lambda p: len(p.text.split()))
        parts = re.split(r"(?<=[.!?])\s+", longest.text)
        if len(parts) <= 1:
            break
        longest.text = " ".join(parts[:-1])
        total = sum(len(p.text.split()) for p in paragraphs)
    if total < target * 0.85:
        used = {s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p.text)}
        spare = [(src, s) for sec in sections for src, s in sec.facts if s not in used]
        spare += [f for f in facts_of_all(sections) if f[1] not in used and f not in spare]
        extra: list[tuple] = []
        for f in spare:
            if total >= target * 0.9:
                break
            if f[1] in (x[1] for x in extra):
                continue
            extra.append(f)
            total += len(f[1].split())
        if extra:
            section = Section("more", "adds more memories", sum(len(s.split()) for _, s in extra), facts=extra)
            text = " ".join(s for _, s in extra)
            check = check_paragraph(text, grounds, [s for _, s in extra], min_words=1)
            paragraph = Paragraph("more", text, provenance(text, section), "memory", check.to_dict())
            at = max(1, len(paragraphs) - 1)  # before the goodbye
            paragraphs.insert(at, paragraph)
            if on_paragraph:
                on_paragraph(paragraph)


def facts_of_all(sections: list[Section]) -> list[tuple[Source, str]]:
    seen: dict[int | None, Source] = {}
    for sec in sections:
        for src, _ in sec.facts:
            seen.setdefault(src.id, src)
    return [(src, s) for src in seen.values() for s in sentences(src.text)]


def speech_check(paragraphs: list[Paragraph], brief: Brief, grounds: Grounds, sources: list[Source]) -> SpeechCheck:
    text = "\n\n".join(p.text for p in paragraphs)
    words = len(text.split())
    target = max(1, brief.target_words)
    used_ids = {i for p in paragraphs for i in p.memory_ids}
    named = [s for s in sources if s.title.lower() in (x.lower() for x in brief.sources)]
    unused = [s.title for s in named if s.id not in used_ids or not uses(text, [s.text])]
    return SpeechCheck(
        words=words,
        target_words=brief.target_words,
        length_error=round((words - target) / target, 3),
        invented_names=grounds.unknown_names(text) + grounds.unknown_relatives(text),
        avoided=grounds.avoided(text),
        jokes_wanted=brief.jokes,
        light_moments=sum(1 for p in paragraphs if is_light(p.text)),
        sources_named=[s.title for s in named],
        sources_unused=unused,
        repetition=repeats_itself(text),
        fallbacks=sum(1 for p in paragraphs if p.origin == "memory"),
    )


def choose_sources(brief: Brief, memories: Iterable[Source], ranked_ids: list[int], budget_tokens: int,
                   count_tokens: Callable[[str], int]) -> list[Source]:
    """Named memories first, then the best matches of the search, then the rest; fitted by tokens.

    `ranked_ids` is the full-text ranking of the project's memories for the Brief's topics.
    """
    memories = [m for m in memories if m.text.strip()]
    by_title = {m.title.lower(): m for m in memories}
    order: list[Source] = []
    if brief.notes:
        order.append(Source(None, "your note", " ".join(brief.notes)))
    for title in brief.sources:
        m = by_title.get(title.lower())
        if m and m not in order:
            order.append(m)
    by_id = {m.id: m for m in memories}
    for i in ranked_ids:
        if i in by_id and by_id[i] not in order:
            order.append(by_id[i])
    focused = brief.task in ("anecdote", "opening", "closing") and (brief.search or brief.notes or brief.sources)
    if not focused:
        order += [m for m in memories if m not in order]
    elif brief.task == "anecdote" and not brief.notes:
        order = order[: max(1, len(brief.sources))]  # an anecdote is about one memory
    kept, left = [], budget_tokens
    for m in order:
        cost = count_tokens(m.text) + 8
        if cost > left:
            continue
        kept.append(m)
        left -= cost
    return kept


REWRITES = {
    "shorter": "Make it shorter: keep the most important facts, about half as long.",
    "warmer": "Make it warmer and more personal.",
    "lighter": "Make it lighter, with a gentle touch of humour.",
    "style": "Rewrite it in the style of {style}.",
}


def rewrite_passage(engine: Engine, passage: str, how: str, brief: Brief, grounds: Grounds, seed: int = 1,
                    cancel: threading.Event | None = None) -> tuple[str, list[str]]:
    """Rewrite `passage`; keep it unchanged if both tries add something that is in no memory."""
    ask = REWRITES.get(how, REWRITES["warmer"]).format(style=brief.style or "a heartfelt speech")
    words = len(passage.split())
    target = max(10, words // 2) if how == "shorter" else words
    problems: list[str] = []
    for attempt in range(2):
        msgs = [Message("system", "You rewrite passages of a speech. Keep every fact; add no names, places, "
                                  "relatives or events."),
                Message("user", f"Passage:\n{passage}\n\n{ask} Write only the new passage.")]
        text = tidy("".join(engine.chat(msgs, max_tokens=int(target * 2) + 40, temperature=0.6 - 0.3 * attempt,
                                        seed=seed + attempt, cancel=cancel)), target)
        check = check_paragraph(text, grounds, [passage], light=how == "lighter", min_words=min(8, target // 2))
        if check.ok and (how != "shorter" or len(text.split()) < words):
            return text, []
        problems = check.problems() or ["was not shorter"]
        if cancel is not None and cancel.is_set():
            break
    return passage, problems
