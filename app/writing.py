"""From shorthand to a stored draft: parse the Brief, ground it in memories, write, save.

How a speech is written depends on the model: a small one (below a billion parameters,
read from the GGUF) arranges the person's own sentences (llm.arrange); a capable one or a
server writes prose that is kept sentence by sentence (llm.compose). The setting
`writing` overrides. With nothing to draw on, the draft is a scaffold of questions, never
prose. The draft and its revision are saved together when writing ends — also when it is
stopped part-way: the paragraphs finished so far are kept, with their provenance.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app import placement, settings
from app.errors import FondlyError
from app.names import draft_name, names_the_speech
from app.store import Draft, Project, Revision, Store
from llm import gguf
from llm.arrange import arrange, couple_of, scaffold, untold_in
from llm.brief import Brief, parse
from llm.compose import compose, rewrite_passage
from llm.composition import (
    FREE_PROSE,
    MEMORY_FIRST,
    Composition,
    Paragraph,
    Source,
    address_of,
    choose_sources,
    grounding_for,
    name_in,
    relation_in,
    speech_check,
    untold_note,
    writing_mode,
)
from llm.engine import TextEngine, new_seed
from llm.errors import ModelError
from llm.grounding import sentences
from llm.models import resolve_model
from llm.occasions import load_template

PROMPT_ROOM = 1200  # tokens kept free for a section's instructions and its reply
NOTHING_FITS = "Nothing in your memories fits this yet: add a memory, then write again."
NO_MEMORIES = (
    "There are no memories to write from yet, so this is a scaffold to fill in: record or import a "
    "memory (File → Import, or Record), then write again."
)


@dataclass
class Written:
    draft: Draft
    revision: Revision
    stopped: bool
    composition: Composition


def mode_for(engine) -> str:
    """Which way `engine` writes: the setting, or by the model's size (servers write prose)."""
    info = getattr(engine, "info", None)
    return writing_mode(getattr(info, "parameters", None), settings.get("writing"))


def model_status(engine=None) -> dict:
    """Which model writes, in which mode, and how fast it was last time.

    For the status bar, from the engine that is loaded; for `fondly doctor`, from the settings,
    reading only the GGUF's header, so the model is named even when it can't load. The speed is
    the one measured when that file last wrote (settings.record_speed) — None until it has,
    never an estimate."""
    if engine is None:
        server = settings.get("server")
        info = None if server else gguf.read(resolve_model(settings.get("model")))
        name = f"server at {server}" if info is None else info.path.name
    else:
        info, name = getattr(engine, "info", None), engine.name
    path = getattr(info, "path", None)
    speed = settings.last_speed(path) or {}
    return {
        "name": name,
        "path": str(path) if path else None,
        "parameters": getattr(info, "parameters", None),
        "quantization": getattr(info, "quantization", None),
        "mode": writing_mode(getattr(info, "parameters", None), settings.get("writing")),
        "writing_setting": settings.get("writing"),
        "tokens_per_second": speed.get("tokens_per_second"),
        "measured_at": speed.get("measured_at"),
    }


def speed_text(status: dict) -> str:
    """ "96 tokens/s last time", or "speed not measured yet" — never a figure nobody measured."""
    if status["path"] is None:
        return "speed not measured (a model server)"
    if status["tokens_per_second"] is None:
        return "speed not measured yet"
    return f"{status['tokens_per_second']:.0f} tokens/s last time"


def mode_reason(status: dict) -> str:
    """Why it writes in that mode: the person's setting, the model's size, or it is a server."""
    if status["writing_setting"] != "auto":
        return "as the writing setting says"
    return "by its size" if status["parameters"] is not None else "as model servers do"


def size_text(parameters: int | None) -> str:
    if parameters is None:
        return "size unknown"
    return f"{parameters / 1e9:.1f}B parameters" if parameters >= 1e9 else f"{parameters / 1e6:.0f}M parameters"


def make_brief(store: Store, project: Project, shorthand: str) -> Brief:
    """The Brief for `shorthand` in this project: its occasion, subject, pace and memory titles."""
    template = load_template(project.occasion)
    memories = store.memories(project.id)
    return parse(
        shorthand,
        occasion=project.occasion,
        subject=project.subject,
        pace=project.pace,
        default_minutes=template["minutes"],
        memory_titles=[m.title for m in memories],
        memories=[m.text for m in memories],
        people=project.names,
    )


@dataclass
class Reading:
    """What the person should see about a Brief before anything is written: what the writer will not
    use (said so they can rephrase), what no memory tells of yet, and what the model can't honour."""

    not_used: list[str]
    needs_larger_model: list[str]  # "style: Frank Sinatra song"
    untold: list[str]

    def lines(self) -> list[str]:
        out = [f"Not used: {x}" for x in self.not_used]
        out += [untold_note(t) for t in self.untold]
        if self.needs_larger_model:
            out.append(larger_model_note(self.needs_larger_model))
        return out


def read_brief(store: Store, project: Project, brief: Brief, mode: str) -> Reading:
    """The Brief as the writer in `mode` will use it. Memory-first arranges the person's sentences, so a
    style, a voice or a free instruction ("thank the nurses") is not used; model prose passes up to
    three instructions to the model (llm.compose) and writes in the style asked."""
    missing = untold_in(_all_memories(store, project), brief)  # on the GUI thread at each change: kept light
    return Reading(*not_honoured(brief, mode), missing)


def not_honoured(brief: Brief, mode: str) -> tuple[list[str], list[str]]:
    """What the writer in `mode` won't do of what was asked: the free asks it won't use, and the style
    or voice that needs a larger model ("style: Frank Sinatra song")."""
    if mode == MEMORY_FIRST:
        return list(brief.instructions), [f"{k}: {v}" for k, v in (("style", brief.style), ("voice", brief.voice)) if v]
    return brief.instructions[3:], []


def larger_model_choice():
    """The catalog model Fondly recommends for this computer (app.model_catalog), or None."""
    from app import model_catalog

    return model_catalog.load().recommend(*model_catalog.machine())[0]


def larger_model_note(asks: list[str]) -> str:
    """Where a style or voice is asked of the bundled model: say it can't, and the way to honour it —
    the recommended model, its size, and that fetching it sends nothing of the person's."""
    entry = larger_model_choice()
    parts = [f"the {a.split(': ', 1)[0]} you asked for ({a.split(': ', 1)[-1]})" for a in asks]
    wanted = " and ".join(parts) + (" need" if len(parts) > 1 else " needs")
    if entry is None:
        return f"Written in your own words: {wanted} a larger model than this computer can run well."
    size = f"{entry.size_bytes / 1e9:.1f} GB" if entry.size_bytes else "size unknown"
    return (
        f"Written in your own words: {wanted} a larger model. Fondly recommends {entry.name} "
        f"({size} download from Hugging Face; only the model file is fetched, nothing of yours leaves this "
        f"computer): Edit → Settings → “Download a better model”, or `fondly models get {entry.id}`."
    )


def ground(
    store: Store,
    project: Project,
    brief: Brief,
    engine: TextEngine,
    mode: str = FREE_PROSE,
    memory_ids: list[int] | None = None,
) -> tuple[list[Source], list[str]]:
    """The memories to write from — named ones, then the best matches — and those left out.

    Model prose must fit the context, so memories that do not fit are left out and named;
    arranging the person's own sentences puts no memory in a prompt, so nothing is left out.
    """
    memories = [m for m in store.memories(project.id) if memory_ids is None or m.id in memory_ids]
    titles = {m.title.lower() for m in memories}
    missing = [t for t in brief.sources if t.lower() not in titles]
    if missing:
        raise FondlyError(
            f"This project has no memory called {missing[0]!r}. Add it first "
            f"(fondly memory add), or check the name in `fondly memory list`."
        )
    topics = " ".join(
        brief.search + brief.anecdotes + brief.notes + [brief.shorthand if brief.task != "speech" else ""]
    )
    ranked = store.rank_memories(project.id, topics)
    budget = max(256, engine.context - PROMPT_ROOM) if mode == FREE_PROSE else 10**9
    return choose_sources(brief, [Source(m.id, m.title, m.text) for m in memories], ranked, budget, engine.count_tokens)


# what a draft is called, by occasion: for whom it is, never what was typed (it heads the reading copy)
TITLES = {
    "funeral": "Eulogy for {who}",
    "wedding": "A toast to {who}",
    "retirement": "Retirement speech for {who}",
    "birthday": "Birthday speech for {who}",
    "other": "Speech for {who}",
}
PIECES = {"anecdote": "Anecdote for {who}", "opening": "Opening for {who}", "closing": "Closing for {who}"}


def draft_title(brief: Brief, project: Project | None = None, couple: str = "", call: str = "") -> str:
    """ "Eulogy for Grandad", "A toast to Tom and Anna", "Anecdote for Grandad: the leeks" — from the Brief
    and the project (`couple`: whom the memories pair the subject with, for a toast; `call`: what the
    memories call the subject, llm.composition.address_of); the person can rename it. The subject
    field is a name here, never pasted whole ("Eileen, my gran" → "Eileen")."""
    who = call or name_in(brief.subject) or name_in(project.subject if project else "")
    if not who and project is not None and brief.task == "speech" and names_the_speech(project.title):
        return project.title  # "Dad's eulogy", never "Eulogy for Dad's eulogy"
    who = who or (project.title if project else "")
    if brief.occasion == "wedding" and couple and " and " not in who:
        who = couple
    if not who:
        return {
            "funeral": "Eulogy",
            "wedding": "A toast",
            "retirement": "Retirement speech",
            "birthday": "Birthday speech",
        }.get(brief.occasion, "Speech")
    title = PIECES.get(brief.task, TITLES.get(brief.occasion, TITLES["other"])).format(who=who)
    if brief.task == "anecdote" and brief.topics:
        title += f": {brief.topics[0]}"
    return title if len(title) <= 80 else title[:77].rsplit(" ", 1)[0] + "…"


def compose_for(
    engine,
    mode: str,
    brief: Brief,
    sources: list[Source],
    project: Project,
    seed: int,
    cancel: threading.Event | None = None,
    on_token: Callable[[str], None] | None = None,
    on_paragraph: Callable[[Paragraph], None] | None = None,
    on_discard: Callable[[], None] | None = None,
    said: Sequence[str] = (),
) -> Composition:
    """Write with the mode's writer; both return checked paragraphs (`said`: sentences already in the
    draft, which both writers leave for what is not said yet)."""
    names = project.hotwords  # the people, and words the person vouched for
    if mode == MEMORY_FIRST:
        return arrange(
            brief,
            sources,
            names,
            speaker=project.speaker,
            pace=project.pace,
            engine=engine,
            seed=seed,
            cancel=cancel,
            on_paragraph=on_paragraph,
            said=list(said),
        )
    return compose(
        engine,
        brief,
        sources,
        names,
        speaker=project.speaker,
        pace=project.pace,
        seed=seed,
        cancel=cancel,
        on_token=on_token,
        on_paragraph=on_paragraph,
        on_discard=on_discard,
        said=list(said),
    )


def _all_memories(store: Store, project: Project) -> list[Source]:
    return [Source(m.id, m.title, m.text) for m in store.memories(project.id) if m.text.strip()]


def nothing_to_write(brief: Brief, memories: list[Source]) -> tuple[list[str], list[str]]:
    """Why there is nothing to write from, said honestly, and the topics no memory tells of: with no
    memories, that; with memories that don't tell of what was asked ("an anecdote about the leeks"),
    that, and the question that would fill it — never "there are no memories" when there are."""
    missing = untold_in(memories, brief) if memories else []
    if missing:
        return [untold_note(t) for t in missing], missing
    return [NO_MEMORIES if not memories else NOTHING_FITS], []


def scaffold_composition(brief: Brief, mode: str, pace: int, sources: Sequence[Source] = ()) -> tuple[Composition, str]:
    """Nothing to write from: the draft is questions to answer (`nothing_to_write` says why)."""
    notes, missing = nothing_to_write(brief, list(sources))
    check = speech_check([], brief, [], mode, pace, notes=notes)
    check.scaffold = True
    text = "\n\n".join(f"[What happened with {t}?]" for t in missing) if missing else scaffold(brief)
    return Composition([], check, [], False), text


def write(
    store: Store,
    project: Project,
    shorthand: str | Brief,
    engine: TextEngine,
    seed: int | None = None,
    memory_ids: list[int] | None = None,
    cancel: threading.Event | None = None,
    on_token: Callable[[str], None] | None = None,
    on_paragraph: Callable[[Paragraph], None] | None = None,
    on_discard: Callable[[], None] | None = None,
) -> Written:
    """Write what the shorthand (or an edited Brief) asks for, and store it as a new draft."""
    brief = shorthand if isinstance(shorthand, Brief) else make_brief(store, project, shorthand)
    if not brief.target_words:
        brief.set_length(project.pace, load_template(brief.occasion)["minutes"])
    seed = seed if seed is not None else new_seed()
    mode = mode_for(engine)
    sources, left_out = ground(store, project, brief, engine, mode, memory_ids)
    brief.relation = brief.relation or relation_in(sources, brief.subject)
    done: list[Paragraph] = []
    saved: list = []  # [draft, revision] once the first paragraph is stored
    couple = couple_of(brief, sources, project.names, project.speaker) if brief.occasion == "wedding" else ""
    call = address_of(brief.subject, brief.relation, sources, brief.shorthand) if brief.occasion != "wedding" else ""
    title = draft_name(store, project, draft_title(brief, project, couple, call))  # "Eulogy for Gran (2)"
    brief_dict = {**brief.to_dict(), "mode": mode}

    def keep(p: Paragraph) -> None:
        """Each finished paragraph is stored at once (one transaction), so a kill loses none."""
        done.append(p)
        text = "\n\n".join(q.text for q in done) + "\n"
        partial = {"writing": os.getpid(), "stopped": True, "paragraphs": len(done)}
        provenance = [q.to_dict() for q in done]
        if not saved:
            saved.extend(
                store.create_draft(
                    project.id,
                    title,
                    text,
                    kind=brief.task,
                    brief=brief_dict,
                    origin="generated",
                    model=engine.name,
                    seed=seed,
                    provenance=provenance,
                    checks=partial,
                )
            )
        else:
            saved[1] = store.update_revision(saved[1].id, text, provenance=provenance, checks=partial)
        if on_paragraph:
            on_paragraph(p)

    error = None
    if not sources:  # nothing to draw on: questions to answer, not prose
        result, text = scaffold_composition(brief, mode, project.pace, _all_memories(store, project))
    else:
        try:
            result = compose_for(engine, mode, brief, sources, project, seed, cancel, on_token, keep, on_discard)
        except (KeyboardInterrupt, ModelError) as e:  # Ctrl+C, a server gone: keep the paragraphs finished
            if isinstance(e, ModelError) and not done:
                raise
            error = e if isinstance(e, ModelError) else None
            result = Composition(done, speech_check(done, brief, sources, mode, project.pace), [], stopped=True)
        text = result.text
        if not result.paragraphs and not result.stopped:  # nothing fitted what was asked: still no prose
            result, text = scaffold_composition(brief, mode, project.pace, sources)
        if left_out:
            result.check.notes.append("Left out, too long for this model's context: " + ", ".join(left_out) + ".")
    unused, larger = not_honoured(brief, mode)  # what was asked and not done is said, never dropped
    result.check.notes += [f"Not used: {x}." for x in unused]
    if larger:
        result.check.notes.append(larger_model_note(larger))
    checks = {**result.check.to_dict(), "stopped": result.stopped, **({"error": str(error)} if error else {})}
    final: dict[str, Any] = {
        "prompt": "\n\n---\n\n".join(result.prompts),
        "provenance": [p.to_dict() for p in result.paragraphs],
        "checks": checks,
    }
    if saved:  # the revision streamed into: now whole, checked, and no longer being written
        draft, revision = saved[0], store.update_revision(saved[1].id, text.strip() + "\n", **final)
    else:
        draft, revision = store.create_draft(
            project.id,
            title,
            text.strip() + "\n",
            kind=brief.task,
            brief=brief_dict,
            origin="generated",
            model=engine.name,
            seed=seed,
            **final,
        )
    if error:
        raise ModelError(
            f"{error} The {len(done)} paragraph{'s' if len(done) != 1 else ''} written before it "
            f"are saved as draft {draft.id}."
        )
    return Written(draft, revision, result.stopped, result)


@dataclass
class Piece:
    """An anecdote, opening or closing written for the open draft, with what made it."""

    composition: Composition
    model: str
    seed: int


@dataclass
class Rewrite:
    """A passage rewritten (or kept, with the problems), with what made it."""

    passage: str
    text: str
    problems: list[str]
    how: str
    model: str
    seed: int


def compose_piece(
    store: Store,
    project: Project,
    brief: Brief,
    engine: TextEngine,
    seed: int | None = None,
    memory_ids: list[int] | None = None,
    cancel: threading.Event | None = None,
    on_token: Callable[[str], None] | None = None,
    on_paragraph: Callable[[Paragraph], None] | None = None,
    on_discard: Callable[[], None] | None = None,
    draft: str = "",
) -> Piece:
    """An anecdote, opening or closing to go into the open draft (`draft`, its text); `keep_piece` stores it.

    The writer knows the draft's sentences, so it reaches first for what the draft does not tell yet;
    and a paragraph it writes that mostly repeats one already there (app.placement.repeats) is
    dropped — discarded from the editor, left out of the piece, and said in its notes."""
    mode = mode_for(engine)
    sources, _ = ground(store, project, brief, engine, mode, memory_ids)
    brief.relation = brief.relation or relation_in(sources, brief.subject)
    if not sources:
        memories = _all_memories(store, project)
        raise FondlyError(
            nothing_to_write(brief, memories)[0][0]
            if memories
            else "There are no memories to write from yet: record or import one first."
        )
    seed = seed if seed is not None else new_seed()
    there = placement.paragraphs_of(draft)
    repeated: list[Paragraph] = []

    def keep(p: Paragraph) -> None:
        if placement.repeats(p.text, there):
            repeated.append(p)
            if on_discard:
                on_discard()
            return
        there.append(p.text)  # nor may the piece repeat itself
        if on_paragraph:
            on_paragraph(p)

    c = compose_for(
        engine, mode, brief, sources, project, seed, cancel, on_token, keep, on_discard, said=sentences(draft)
    )
    if repeated:
        c.paragraphs = [p for p in c.paragraphs if p not in repeated]
        shown = "; ".join(f"“{p.text[:60]}…”" if len(p.text) > 60 else f"“{p.text}”" for p in repeated)
        c.check.notes.append(f"Left out, already in your draft: {shown}.")
    return Piece(c, engine.name, seed)


def keep_piece(store: Store, draft_id: int, text: str, piece: Piece, revision_id: int | None = None) -> Revision:
    """The draft with the piece in place, as a revision that records model, seed, prompt and provenance
    (`revision_id`: the one `keep_piece_so_far` has been growing, now finished)."""
    before_id = store.revision(revision_id).parent_id if revision_id else store.draft(draft_id).current_revision_id
    # a draft is made with its first revision, and a piece grows in a revision made on top of another
    assert before_id is not None
    before = store.revision(before_id)
    c = piece.composition
    fields: dict[str, Any] = {
        "prompt": "\n\n---\n\n".join(c.prompts),
        "provenance": placement.in_text_order(before.provenance + [p.to_dict() for p in c.paragraphs], text),
        "checks": {**c.check.to_dict(), "stopped": c.stopped, "inserted": True},
    }
    if revision_id:
        return store.update_revision(revision_id, text, model=piece.model, seed=piece.seed, **fields)
    return store.add_revision(draft_id, text, origin="generated", model=piece.model, seed=piece.seed, **fields)


def keep_piece_so_far(
    store: Store,
    draft_id: int,
    text: str,
    paragraphs: list[Paragraph],
    model: str,
    seed: int,
    revision_id: int | None = None,
) -> Revision:
    """While an anecdote streams in at the cursor: the draft with the paragraphs finished so far, kept
    at once (marked as being written), so a kill loses none of them."""
    before_id = store.revision(revision_id).parent_id if revision_id else store.draft(draft_id).current_revision_id
    # a draft is made with its first revision, and a piece grows in a revision made on top of another
    assert before_id is not None
    before = store.revision(before_id)
    provenance = placement.in_text_order(before.provenance + [p.to_dict() for p in paragraphs], text)
    checks = {"writing": os.getpid(), "stopped": True, "inserted": True, "paragraphs": len(paragraphs)}
    if revision_id:
        return store.update_revision(revision_id, text, provenance=provenance, checks=checks)
    return store.add_revision(
        draft_id, text, origin="generated", model=model, seed=seed, provenance=provenance, checks=checks
    )


def mark_interrupted(store: Store, revision_id: int) -> Revision:
    """A draft or piece cut short because Fondly was closing ("Keep what's written", app.ui.closing):
    marked "interrupted" beside "stopped", as one a kill cut off is (app.recovery), so its history says
    so. Its text and provenance stay as they were stored."""
    kept = store.revision(revision_id)
    return store.update_revision(
        kept.id, kept.text, provenance=kept.provenance, checks={**kept.checks, "interrupted": True}
    )


def end_piece_so_far(store: Store, revision_id: int, error: str) -> Revision:
    """Writing the anecdote failed part-way: its finished paragraphs stay, no longer "being written",
    with the reason."""
    kept = store.revision(revision_id)
    checks = {k: v for k, v in kept.checks.items() if k != "writing"}
    return store.update_revision(kept.id, kept.text, provenance=kept.provenance, checks={**checks, "error": error})


def rewrite(
    store: Store,
    project: Project,
    passage: str,
    how: str,
    brief: Brief,
    engine: TextEngine,
    seed: int | None = None,
    cancel: threading.Event | None = None,
) -> Rewrite:
    """A selected passage rewritten shorter, warmer, lighter or in the Brief's style.

    If the rewrite would say anything that is in no memory (checked sentence by sentence),
    the passage comes back as it was, with the words in `problems`.
    """
    sources = [Source(m.id, m.title, m.text) for m in store.memories(project.id)] + [Source(None, "passage", passage)]
    grounding = grounding_for(brief, sources, project.hotwords, project.speaker)
    seed = seed if seed is not None else new_seed()
    text, problems = rewrite_passage(engine, passage, how, brief, grounding, seed=seed, cancel=cancel)
    return Rewrite(passage, text, problems, how, engine.name, seed)


def keep_rewrite(store: Store, draft_id: int, text: str, rw: Rewrite) -> Revision:
    """The draft with the rewritten passage in place, as a revision that records how it was made."""
    return store.add_revision(
        draft_id,
        text,
        origin="generated",
        model=rw.model,
        seed=rw.seed,
        prompt=f"rewrite ({rw.how}):\n{rw.passage}",
        checks={"rewrite": rw.how},
    )
