"""From shorthand to a stored draft: parse the Brief, ground it in memories, compose, save.

The draft and its revision are saved together when writing ends — also when it is
stopped part-way (Ctrl+C, a Stop button): the paragraphs finished so far are kept,
with their provenance and checks, so nothing written is ever lost.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from app.errors import FondlyError
from app.store import Draft, Project, Revision, Store
from llm.brief import Brief, parse
from llm.compose import Composition, Paragraph, Source, choose_sources, compose, load_template, speech_check
from llm.checks import Grounds
from llm.engine import Engine, new_seed
from llm.errors import ModelError

PROMPT_ROOM = 1200  # tokens kept free for a section's instructions and its reply


@dataclass
class Written:
    draft: Draft
    revision: Revision
    stopped: bool
    composition: Composition


def make_brief(store: Store, project: Project, shorthand: str) -> Brief:
    """The Brief for `shorthand` in this project: its occasion, subject, pace and memory titles."""
    template = load_template(project.occasion)
    return parse(shorthand, occasion=project.occasion, subject=project.subject, pace=project.pace,
                 default_minutes=template["minutes"], memory_titles=[m.title for m in store.memories(project.id)])


def ground(store: Store, project: Project, brief: Brief, engine: Engine,
           memory_ids: list[int] | None = None) -> list[Source]:
    """The memories to write from: named ones, then the best matches, fitted into the context."""
    memories = [m for m in store.memories(project.id) if memory_ids is None or m.id in memory_ids]
    titles = {m.title.lower() for m in memories}
    missing = [t for t in brief.sources if t.lower() not in titles]
    if missing:
        raise FondlyError(f"This project has no memory called {missing[0]!r}. Add it first "
                          f"(fondly memory add), or check the name in `fondly memory list`.")
    topics = " ".join(brief.search + brief.anecdotes + brief.notes + [brief.shorthand if brief.task != "speech" else ""])
    ranked = store.rank_memories(project.id, topics)
    budget = max(256, engine.context - PROMPT_ROOM)
    return choose_sources(brief, [Source(m.id, m.title, m.text) for m in memories], ranked, budget,
                          engine.count_tokens)


def draft_title(brief: Brief) -> str:
    words = " ".join(brief.shorthand.split())
    return words if len(words) <= 60 else words[:57].rsplit(" ", 1)[0] + "…"


def write(
    store: Store,
    project: Project,
    shorthand: str | Brief,
    engine: Engine,
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
    sources = ground(store, project, brief, engine, memory_ids)
    done: list[Paragraph] = []

    def keep(p: Paragraph) -> None:
        done.append(p)
        if on_paragraph:
            on_paragraph(p)

    error = None
    try:
        result = compose(engine, brief, sources, project.names, speaker=project.speaker, seed=seed,
                         cancel=cancel, on_token=on_token, on_paragraph=keep, on_discard=on_discard)
    except (KeyboardInterrupt, ModelError) as e:  # Ctrl+C, a server gone: keep the paragraphs finished
        if isinstance(e, ModelError) and not done:
            raise
        error = e if isinstance(e, ModelError) else None
        grounds = Grounds([s.text for s in sources], project.names, brief, project.speaker)
        result = Composition(done, speech_check(done, brief, grounds, sources), [], stopped=True)
    checks = {**result.check.to_dict(), "stopped": result.stopped, **({"error": str(error)} if error else {})}
    draft, revision = store.create_draft(
        project.id,
        draft_title(brief),
        result.text.strip() + "\n",
        kind=brief.task,
        brief=brief.to_dict(),
        origin="generated",
        model=engine.name,
        prompt="\n\n---\n\n".join(result.prompts),
        seed=seed,
        provenance=[p.to_dict() for p in result.paragraphs],
        checks=checks,
    )
    if error:
        raise ModelError(f"{error} The {len(done)} paragraph{'s' if len(done) != 1 else ''} written before it "
                         f"are saved as draft {draft.id}.")
    return Written(draft, revision, result.stopped, result)


def compose_piece(store: Store, project: Project, brief: Brief, engine: Engine, seed: int | None = None,
                  memory_ids: list[int] | None = None, cancel: threading.Event | None = None,
                  on_token: Callable[[str], None] | None = None,
                  on_paragraph: Callable[[Paragraph], None] | None = None,
                  on_discard: Callable[[], None] | None = None) -> Composition:
    """An anecdote, opening or closing to go into the open draft; the caller stores the revision."""
    sources = ground(store, project, brief, engine, memory_ids)
    return compose(engine, brief, sources, project.names, speaker=project.speaker,
                   seed=seed if seed is not None else new_seed(), cancel=cancel,
                   on_token=on_token, on_paragraph=on_paragraph, on_discard=on_discard)


def rewrite(store: Store, project: Project, passage: str, how: str, brief: Brief, engine: Engine,
            seed: int | None = None, cancel: threading.Event | None = None) -> tuple[str, list[str]]:
    """A selected passage rewritten shorter, warmer, lighter or in the Brief's style.

    Returns the new text and the problems found; if the rewrite would add a name or a
    relative that is in no memory, the passage comes back as it was, with the reason.
    """
    from llm.compose import rewrite_passage

    memories = [m.text for m in store.memories(project.id)]
    grounds = Grounds(memories + [passage], project.names, brief, project.speaker)
    return rewrite_passage(engine, passage, how, brief, grounds,
                           seed=seed if seed is not None else new_seed(), cancel=cancel)
