"""Comparing two versions of a speech, word by word."""

from __future__ import annotations

import difflib
import re


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) runs: " " kept, "-" removed, "+" added; whitespace stays with its word."""
    a = re.findall(r"\S+\s*", old)
    b = re.findall(r"\S+\s*", new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        a=[w.strip() for w in a], b=[w.strip() for w in b], autojunk=False
    ).get_opcodes():
        if tag == "equal":
            out.append((" ", "".join(b[j1:j2])))
        else:
            if i2 > i1:
                out.append(("-", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("+", "".join(b[j1:j2])))
    return out
