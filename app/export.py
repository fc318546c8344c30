"""Exporting a draft for delivery. Exports read the draft and never change it.

Each file is written to a temporary name beside the target and renamed into place,
so an interrupted export never leaves half a speech where the old one was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from app.errors import FondlyError
from app.store import Draft, Store


def to_markdown(title: str, text: str) -> str:
    body = text.strip()
    if body.startswith("# "):
        return body + "\n"
    return f"# {title}\n\n{body}\n"


def to_text(title: str, text: str) -> str:
    return f"{title}\n\n{text.strip()}\n"


FORMATS: dict[str, tuple[str, Callable[[str, str], str]]] = {
    "md": (".md", to_markdown),
    "txt": (".txt", to_text),
}


def write_atomically(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise FondlyError(f"The folder {path.parent} does not exist. Choose an existing folder to export into.")
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise FondlyError(f"Fondly can't write {path} ({e.strerror}). Choose another place to export to.") from None


def export_draft(store: Store, draft_id: int | str, fmt: str, path: str | Path) -> Path:
    """Write the draft's current text to `path` in format `fmt`; return the path written."""
    if fmt not in FORMATS:
        raise FondlyError(f"Fondly can't export to {fmt!r}; choose one of {', '.join(FORMATS)}.")
    draft: Draft = store.draft(draft_id)
    text = store.current_text(draft.id)
    _suffix, render = FORMATS[fmt]
    path = Path(path).expanduser()
    write_atomically(path, render(draft.title, text).encode("utf-8"))
    return path
