"""Fondly's version: the one place it is written.

pyproject.toml reads it (`dynamic`), and so do `fondly --version`, the About box, `fondly doctor`,
the bundle's file name (`make dist`), backups' manifests and the data folder's record of the
version that last opened it (the store) — so a version a person reports is the one they ran.
CHANGELOG.md says what each version changed for the person using it.
"""

from __future__ import annotations

import re

VERSION = "1.0.0"


def parse(version: str) -> tuple[int, ...]:
    """ "1.10.2" → (1, 10, 2), so versions compare as numbers ("1.10" is newer than "1.9"); anything
    after the numbers (a pre-release tag, a local build) is left out of the comparison."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(part) for part in match.group().split(".")) if match else ()


def is_newer(version: str, than: str = VERSION) -> bool:
    """Whether `version` is a later release than `than` (this Fondly, by default)."""
    return parse(version) > parse(than)
