"""Names a person would print: a new draft's name, kept apart from the project's other drafts, and the
file name an export proposes from it.

A draft's name is what the drafts list shows, what the reading copy and the cue cards print at the
top, and what the export's file is called; so it is made from the Brief ("Eulogy for Gran",
app.writing.draft_title), never from the shorthand, and two drafts of a project never share one
("Eulogy for Gran (2)"), or the person could not tell them apart in the list or in the Bin.
Qt-free: the CLI, the writer and the window all name drafts here.
"""

from __future__ import annotations

import re
from typing import Iterable

from app.store import NAME_MAX, Draft, Project, Store
from llm.occasions import OCCASION_CUES

_NUMBERED = re.compile(r"^(?P<base>.*?) \((?P<n>\d+)\)$")
# what no file system (Windows, macOS, Linux) takes in a name, and control characters
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_SPEECH_WORDS = re.compile(r"\b(?:speech|toast|eulogy|tribute|address|farewell)\b", re.I)
FILE_NAME_MAX = 120  # bytes of a proposed file name before its extension: room left for any folder's limit


def names_the_speech(title: str) -> bool:
    """Whether a project's title already says what the speech is ("Dad's eulogy", "Golden anniversary",
    "Tom's wedding"): then it is the draft's name as it is, with no "Eulogy for" in front."""
    return bool(_SPEECH_WORDS.search(title)) or any(
        re.search(cue, title, re.I) for _, cues in OCCASION_CUES for cue in cues["strong"])


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
        candidate = stem[:NAME_MAX - len(suffix)] + suffix
        if candidate.casefold() not in used:
            return candidate


def draft_name(store: Store, project: Project, title: str) -> str:
    """The name a new draft of `project` gets: `title`, numbered if the project already has a draft of
    that name — counting those in the bin, which may come back."""
    return unique(title, [d.title for d in store.drafts(project.id)]
                  + [d.title for d in store.binned(project.id) if isinstance(d, Draft)])


def file_name(title: str, extension: str) -> str:
    """A file name for an export of the draft called `title`: "Eulogy for Gran.pdf". What a file
    system refuses ("/", ":", "?"…) becomes a space; a name that is nothing after that is "Speech"."""
    name = " ".join(_UNSAFE.sub(" ", title).split()).strip(" .")
    if len(name.encode("utf-8")) > FILE_NAME_MAX:
        name = name.encode("utf-8")[:FILE_NAME_MAX].decode("utf-8", "ignore").rstrip(" .")
    if not name or name.casefold() in _RESERVED:
        name = "Speech" if not name else f"{name} speech"
    return name + (extension if extension.startswith(".") or not extension else f".{extension}")
