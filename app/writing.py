"""From shorthand to a stored draft: choose memories, prompt the model, stream, save.

The draft and its first revision are saved together when the stream ends — also when
it is stopped part-way (Ctrl+C, a Stop button), so nothing written is ever lost.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from app.store import Draft, Memory, Project, Revision, Store
from llm.engine import Engine, new_seed
from llm.prompt import Source, Speaker, speech_messages

REPLY_TOKENS = 900  # room for a speech of about five minutes


@dataclass
class Written:
    draft: Draft
    revision: Revision
    stopped: bool


def choose_sources(memories: list[Memory], shorthand: str) -> list[Memory]:
    """Memories named in the shorthand (by title, e.g. "dad.txt"); if none are named, all of them."""
    usable = [m for m in memories if m.text.strip()]
    lowered = shorthand.lower()
    named = [m for m in usable if m.title.lower() in lowered]
    return named or usable


def draft_title(shorthand: str) -> str:
    words = " ".join(shorthand.split())
    return words if len(words) <= 60 else words[:57].rsplit(" ", 1)[0] + "…"


def write(
    store: Store,
    project: Project,
    shorthand: str,
    engine: Engine,
    seed: int | None = None,
    on_text: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> Written:
    """Generate a speech for `project` from `shorthand` and store it as a new draft."""
    seed = seed if seed is not None else new_seed()
    sources = choose_sources(store.memories(project.id), shorthand)
    messages = speech_messages(
        shorthand,
        [Source(m.title, m.text) for m in sources],
        Speaker(project.occasion, project.subject, project.speaker),
        context=engine.context,
        reply_tokens=REPLY_TOKENS,
        count_tokens=engine.count_tokens,
    )
    parts: list[str] = []
    stopped = False
    try:
        for piece in engine.chat(messages, max_tokens=REPLY_TOKENS, seed=seed, cancel=cancel):
            parts.append(piece)
            if on_text:
                on_text(piece)
    except KeyboardInterrupt:
        stopped = True
    stopped = stopped or bool(cancel and cancel.is_set())
    draft, revision = store.create_draft(
        project.id,
        draft_title(shorthand),
        "".join(parts).strip() + "\n",
        brief={"shorthand": shorthand},
        origin="generated",
        model=engine.name,
        prompt="\n\n".join(f"[{m.role}]\n{m.content}" for m in messages),
        seed=seed,
        provenance=[{"memory_ids": [m.id for m in sources]}],
        checks={"stopped": stopped},
    )
    return Written(draft, revision, stopped)
