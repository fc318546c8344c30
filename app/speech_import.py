"""A speech written elsewhere becomes a draft: a .txt, .md or .docx file, read whole and checked
before anything is stored, then kept as a draft whose one revision has origin "imported" — so it
can be rehearsed, compared and exported like any other.

Word files are read with python-docx: each paragraph a paragraph, a heading style a Markdown
heading (the teleprompter and the large-print copy show sections), empty paragraphs dropped.
"""

from __future__ import annotations

from pathlib import Path

from app import textfile
from app.errors import FondlyError
from app.names import draft_name
from app.store import Draft, Project, Revision, Store

SPEECH_EXTENSIONS = (".txt", ".md", ".markdown", ".text", ".docx")
MAX_BYTES = 5_000_000  # a speech is a few pages; a bigger file is not one


def read_speech(path: str | Path) -> str:
    """The speech's text as Markdown, or one FondlyError saying what is wrong with the file."""
    path = Path(path).expanduser()
    if not path.exists():
        raise FondlyError(f"There is no file at {path}. Check the name and try again.")
    if path.is_dir():
        raise FondlyError(f"{path} is a folder; choose the speech file itself.")
    suffix = path.suffix.lower()
    if suffix not in SPEECH_EXTENSIONS:
        kind = f"{suffix} files" if suffix else "files without an extension"
        raise FondlyError(
            f"Fondly can't make a draft from {kind} ({path.name}). It reads "
            f"{', '.join(SPEECH_EXTENSIONS)}; save the speech as one of those and try again."
        )
    try:
        size = path.stat().st_size
    except OSError as e:
        raise FondlyError(f"{path} can't be read ({e.strerror}).") from None
    if size > MAX_BYTES:
        raise FondlyError(f"{path.name} is {size / 1e6:.0f} MB, far more than a speech; choose the speech's own file.")
    text = _read_docx(path) if suffix == ".docx" else textfile.read_text(path)
    if not text.strip():
        raise FondlyError(f"{path.name} is empty. Write the speech in it, or choose another file.")
    return text.strip("\n") + "\n"


def _read_docx(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise FondlyError(
            f"{path.name} is not a Word document Fondly can read (it may be damaged, or an old "
            ".doc renamed). Open it in your word processor, save it as .docx or .txt, and try "
            "again."
        ) from None
    except OSError as e:
        raise FondlyError(f"{path} can't be read ({e.strerror}).") from None
    blocks = []
    for p in document.paragraphs:
        text = p.text.strip()
        if not text:
            continue
        style = (p.style.name if p.style is not None else "") or ""
        if style.lower().startswith("heading") or style.lower() == "title":
            level = style.split()[-1] if style.split()[-1].isdigit() else "1"
            text = "#" * min(int(level) + 1, 6) + " " + text
        blocks.append(text)
    return "\n\n".join(blocks)


def import_draft(store: Store, project: Project, path: str | Path, title: str | None = None) -> tuple[Draft, Revision]:
    """Make a draft of `project` from a speech file; nothing is stored if the file is refused."""
    path = Path(path).expanduser()
    text = read_speech(path)
    name = (title or path.stem).strip() or path.name
    return store.create_draft(
        project.id, draft_name(store, project, name), text, origin="imported", checks={"imported_from": path.name}
    )
