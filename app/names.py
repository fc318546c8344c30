"""Names a person would print: the rules every name meets (a project's title, the names it holds, a draft's
or a memory's name), a new draft's name, kept apart from the project's other drafts, and the file name an
export proposes from it.

A draft's name is what the drafts list shows, what the reading copy and the cue cards print at the
top, and what the export's file is called; so it is made from the Brief ("Eulogy for Gran",
app.writing.draft_title), never from the shorthand, and two drafts of a project never share one
("Eulogy for Gran (2)"), or the person could not tell them apart in the list or in the Bin.
Qt-free: the CLI, the writer and the window all name drafts here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from app.errors import FondlyError
from app.records import Draft, Person, Project
from llm.occasions import OCCASION_CUES

if TYPE_CHECKING:  # the store checks names with the rules below, so this module can't import it
    from app.store import Store

NAME_MAX = 200  # characters in a project's title, and in each name it holds (subject, speaker, people, words)

_NUMBERED = re.compile(r"^(?P<base>.*?) \((?P<n>\d+)\)$")
# what no file system (Windows, macOS, Linux) takes in a name, and control characters
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_SPEECH_WORDS = re.compile(r"\b(?:speech|toast|eulogy|tribute|address|farewell)\b", re.IGNORECASE)
FILE_NAME_MAX = 120  # bytes of a proposed file name before its extension: room left for any folder's limit


def project_title(title: str) -> str:
    """A project's title, checked: not blank, one line, not too long, not a bare number (a number
    names a project by its id). Whether another project has it is the store's to say."""
    title = title.strip()
    if not title:
        raise FondlyError('A project needs a title, for example "Dad\'s eulogy".')
    if len(title) > NAME_MAX:
        raise FondlyError(f"A project's title can have at most {NAME_MAX} characters; this one has {len(title)}.")
    if not title.isprintable():
        raise FondlyError("A project's title must be one line of text, without tabs or control characters.")
    if title.isdecimal():
        raise FondlyError(f"A project's title can't be only a number ({title}): numbers name projects by their id.")
    return title


def project_names(
    subject: str = "", speaker: str = "", people: Iterable[Person] = (), vocabulary: Iterable[str] = ()
) -> None:
    """The names a project holds: each of a sensible length, and every person has a name."""
    for what, value in (("subject", subject), ("speaker", speaker)):
        if len(value or "") > NAME_MAX:
            raise FondlyError(f"The {what} can have at most {NAME_MAX} characters; this one has {len(value)}.")
    for p in people:
        if not p.name.strip():
            raise FondlyError(
                f'Each person needs a name, and ({p.say}) has none. Write people as "Siobhan (shiv-AWN), Tadhg".'
            )
        if len(p.name) + len(p.say) > NAME_MAX:
            raise FondlyError(f"A person's name can have at most {NAME_MAX} characters.")
    if any(len(w) > NAME_MAX for w in vocabulary):
        raise FondlyError(f"Each vocabulary word can have at most {NAME_MAX} characters.")


def item_name(kind: str, title: str) -> str:
    """A draft's or a memory's new name: one line (spaces folded), not blank, not too long."""
    title = " ".join(title.split())
    if not title:
        raise FondlyError(f'A {kind} needs a name, for example "Eulogy for Gran".')
    if len(title) > NAME_MAX:
        raise FondlyError(f"A {kind}'s name can have at most {NAME_MAX} characters; this one has {len(title)}.")
    return title


def names_the_speech(title: str) -> bool:
    """Whether a project's title already says what the speech is ("Dad's eulogy", "Golden anniversary",
    "Tom's wedding"): then it is the draft's name as it is, with no "Eulogy for" in front."""
    return bool(_SPEECH_WORDS.search(title)) or any(
        re.search(cue, title, re.IGNORECASE) for _, cues in OCCASION_CUES for cue in cues["strong"]
    )


def unique(title: str, taken: Iterable[str]) -> str:
    """`title`, or "title (2)", "(3)"… — the first that no name in `taken` already is (case aside)."""
    title = " ".join(title.split())[:NAME_MAX] or "Untitled draft"
    used = {t.casefold() for t in taken}
    if title.casefold() not in used:
        return title
    base = _NUMBERED.match(title)
    stem, n = (base["base"], int(base["n"])) if base else (title, 1)
    while True:
        n += 1
        suffix = f" ({n})"
        candidate = stem[: NAME_MAX - len(suffix)] + suffix
        if candidate.casefold() not in used:
            return candidate


def draft_name(store: Store, project: Project, title: str) -> str:
    """The name a new draft of `project` gets: `title`, numbered if the project already has a draft of
    that name — counting those in the bin, which may come back."""
    return unique(
        title,
        [d.title for d in store.drafts(project.id)]
        + [d.title for d in store.binned(project.id) if isinstance(d, Draft)],
    )


def file_name(title: str, extension: str) -> str:
    """A file name for an export of the draft called `title`: "Eulogy for Gran.pdf". What a file
    system refuses ("/", ":", "?"…) becomes a space; a name that is nothing after that is "Speech"."""
    name = " ".join(_UNSAFE.sub(" ", title).split()).strip(" .")
    if len(name.encode("utf-8")) > FILE_NAME_MAX:
        name = name.encode("utf-8")[:FILE_NAME_MAX].decode("utf-8", "ignore").rstrip(" .")
    if not name or name.casefold() in _RESERVED:
        name = "Speech" if not name else f"{name} speech"
    return name + (extension if extension.startswith(".") or not extension else f".{extension}")
