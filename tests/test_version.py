"""One version, everywhere a person can read it: `fondly --version`, the About box, the doctor's
report, the installed package, CHANGELOG.md — and the data folder's record of the version that
last opened it, so an older Fondly refuses a folder a newer one has used (app/version.py)."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import pytest

from app.version import VERSION, is_newer, parse
from tests.helpers import db_dump

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_reads_the_same_everywhere(fondly):
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert fondly("--version").stdout.strip() == f"Fondly {VERSION}"
    assert metadata.version("fondly") == VERSION  # pyproject.toml takes it from app/version.py
    report = json.loads(fondly("doctor", "--json", ok=None).stdout)
    versions = next(c for c in report if c["name"] == "versions")
    assert versions["detail"].startswith(f"Fondly {VERSION}, Python ")


def test_the_about_box_names_the_version(window):
    from PySide6.QtWidgets import QMessageBox

    window.show_about()
    box = window.findChild(QMessageBox)
    assert f"Fondly {VERSION}" in box.text()
    box.close()


def test_the_changelog_starts_with_this_version():
    """A person who reports "1.0.0" can read what 1.0.0 changed: its entry is the first."""
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert headings and headings[0] == VERSION, headings
    assert len(set(headings)) == len(headings)


@pytest.mark.parametrize(
    ("a", "b", "newer"),
    [("1.10.0", "1.9.3", True), ("1.0.1", "1.0.0", True), ("2.0", "1.99.99", True), ("1.0.0", "1.0.0", False),
     ("0.9.9", "1.0.0", False), ("1.0.0rc1", "1.0.0", False), ("1.0.0", "1.0.0rc1", True), ("junk", "0.0.1", False)],
)  # fmt: skip
def test_versions_compare_as_numbers(a, b, newer):
    assert is_newer(a, b) is newer
    assert parse("1.10.0") > parse("1.9.0")


def _record(home: Path, version: str) -> None:
    from app.database import connect

    db = connect(home / "fondly.db")
    with db:
        db.execute("UPDATE opened_by SET version = ? WHERE id = 1", [version])
    db.close()


def test_the_data_folder_records_the_version_that_opened_it(fondly, fondly_home):
    fondly("project", "new", "Dad")
    from app.database import connect

    db = connect(fondly_home / "fondly.db", readonly=True)
    assert db.execute("SELECT version FROM opened_by").fetchall() == [(VERSION,)]
    db.close()
    _record(fondly_home, "0.9.0")  # an older Fondly opened it last: this one opens it and says so
    assert "Dad" in fondly("project", "list").stdout
    db = connect(fondly_home / "fondly.db", readonly=True)
    assert db.execute("SELECT version FROM opened_by").fetchall() == [(VERSION,)]
    db.close()


def test_a_folder_a_newer_fondly_opened_is_refused_clearly_and_left_as_it_was(fondly, fondly_home):
    fondly("project", "new", "Dad")
    newer = ".".join(str(n + 1) for n in parse(VERSION).release)
    _record(fondly_home, newer)
    before = db_dump(fondly_home)
    for argv in (("project", "list"), ("project", "new", "Mum")):
        result = fondly(*argv, ok=False)
        assert result.returncode == 1
        assert f"last opened by Fondly {newer}" in result.stderr and f"this Fondly ({VERSION})" in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert db_dump(fondly_home) == before


def test_the_window_says_so_too_and_does_not_open(fondly, fondly_home, qapp, monkeypatch):
    """Started from the menu, an older Fondly on a newer folder shows the same line in a box and
    opens no window; the folder is left as it was."""
    from PySide6.QtWidgets import QMessageBox

    from app.ui import app

    fondly("project", "new", "Dad")
    newer = ".".join(str(n + 1) for n in parse(VERSION).release)
    _record(fondly_home, newer)
    before = db_dump(fondly_home)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    assert app.run([]) == 1
    [(title, text)] = shown
    assert title == "Fondly can't start" and f"last opened by Fondly {newer}" in text, text
    assert db_dump(fondly_home) == before
