"""Read a person's text file whatever its encoding: UTF-8, UTF-16, Latin-1 or Windows-1252.

Files come from every kind of computer and phone. The rules are deterministic and
checked in order: a byte-order mark, then strict UTF-8, then UTF-16 without a mark
(text where every other byte is zero), then Windows-1252, then Latin-1, which
accepts any bytes. A file that still looks binary is refused rather than stored as noise.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from app.errors import FondlyError

TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".text")
# A memory is something a person wrote or said: a long memoir is a few hundred KB, a whole novel
# about 1 MB. Past this a file is a mistake (a log, a database dump, a disk image renamed .txt),
# and reading it whole cost 3.6 GB of memory and 69 s for 1 GB before it was refused.
MAX_BYTES = 5 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def is_text(path: str | Path) -> bool:
    return Path(path).suffix.lower() in TEXT_EXTENSIONS


def detect_encoding(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) >= 4 and len(data) % 2 == 0:
        even_zeros = data[0::2].count(0) / (len(data) / 2)
        odd_zeros = data[1::2].count(0) / (len(data) / 2)
        if odd_zeros > 0.3 and even_zeros < 0.05:
            return "utf-16-le"
        if even_zeros > 0.3 and odd_zeros < 0.05:
            return "utf-16-be"
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def decode(data: bytes, name: str = "the file") -> str:
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise FondlyError(f"{name} can't be read as text. Save it as plain text (UTF-8) and try again.") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text or sum(not (c.isprintable() or c in "\n\t") for c in text) > len(text) * 0.05:
        raise FondlyError(
            f"{name} does not look like text (it holds binary data). Save it as plain text (.txt) and import that."
        )
    return text


def read_text(path: str | Path) -> str:
    """The file's text with newlines normalised; a FondlyError if it is missing, empty or binary."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)  # never more than a memory can be, whatever the file holds
    except FileNotFoundError:
        raise FondlyError(f"There is no file at {path}. Check the name and try again.") from None
    except IsADirectoryError:
        raise FondlyError(f"{path} is a folder; choose the files inside it.") from None
    except OSError as e:
        raise FondlyError(f"{path} can't be read ({e.strerror}).") from None
    if len(data) > MAX_BYTES:
        raise FondlyError(
            f"{path.name} is larger than a memory can be ({MAX_BYTES // (1024 * 1024)} MB of text, about 800,000 "
            "words). Choose the part about the person and save it as a smaller file."
        )
    text = decode(data, path.name)
    if not text.strip():
        raise FondlyError(f"{path.name} is empty. Write something in it, or choose another file.")
    return text.strip("\n") + "\n"
