"""Fondly's version: the one place it is written.

pyproject.toml reads it (`dynamic`), and so do `fondly --version`, the About box, `fondly doctor`,
the bundle's file name (`make dist`), backups' manifests and the data folder's record of the
version that last opened it (the store) — so a version a person reports is the one they ran.
CHANGELOG.md says what each version changed for the person using it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.version import Version

VERSION = "1.0.0"


def parse(version: str) -> Version:
    """A version as PEP 440 orders them ("1.10" after "1.9", "1.0.0rc1" before "1.0.0"), by
    `packaging`, the library pip itself uses; anything that is no version reads as 0. Imported
    here, not above: the set-up imports `app` (app.native_build) before any dependency is in."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version.strip())
    except InvalidVersion:
        return Version("0")


def is_newer(version: str, than: str = VERSION) -> bool:
    """Whether `version` is a later release than `than` (this Fondly, by default)."""
    return parse(version) > parse(than)
