"""The same hostile inputs through the app's own doors — the New speech dialog, Import, search,
Compare and Restore — each answered with one message, and the data exactly as it was (a full dump
of the database compared, not row counts)."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from tests.helpers import make_project


def dump(home) -> list[str]:
    db = sqlite3.connect(home / "fondly.db")
    try:
        return list(db.iterdump())
    finally:
        db.close()


def new_speech(window, qtbot, title: str) -> None:
    dialog = window.projects.new_project()
    dialog.title.setText(title)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def answered(window, qtbot) -> str:
    qtbot.waitUntil(window.message.isVisible, timeout=30_000)
    text = window.message.label.text()
    window.message.hide()
    return text


@pytest.mark.parametrize("title", ["", "   ", "dad's EULOGY", "  Dad's eulogy  ", "x" * 10_000])
def test_the_new_speech_dialog_refuses_and_changes_nothing(window, qtbot, fondly_home, title):
    make_project(window, qtbot)  # "Dad's eulogy"
    before = dump(fondly_home)
    new_speech(window, qtbot, title)
    message = answered(window, qtbot)
    assert message and "Traceback" not in message and "\n" not in message.strip()
    assert dump(fondly_home) == before


def test_importing_hostile_files_in_the_app_is_a_message_each_and_changes_nothing(window, qtbot, fondly_home, tmp_path):
    make_project(window, qtbot)
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "letter.mp3").write_text("Dear Frank, this is not audio.", encoding="utf-8")
    (tmp_path / "truncated.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    (tmp_path / "a folder").mkdir()
    (tmp_path / "no-extension").write_text("words", encoding="utf-8")
    before = dump(fondly_home)
    for name in ("empty.wav", "letter.mp3", "truncated.wav", "a folder", "no-extension", "missing.txt"):
        window.memories.import_paths([str(tmp_path / name)])
        message = answered(window, qtbot)
        assert name in message and "Traceback" not in message, message
        qtbot.waitUntil(lambda: window.memories.importing == 0, timeout=30_000)
    assert dump(fondly_home) == before
    assert window.memories.titles() == []


def test_search_syntax_compare_and_restore_with_nothing_chosen_change_nothing(window, qtbot, fondly_home):
    make_project(window, qtbot)
    window.store.create_draft(window.project.id, "Eulogy", "Dad.")
    window.reload_drafts()
    before = dump(fondly_home)
    for query in ('"', "AND OR NOT", "*", "NEAR(", "(((", "dad's \"quote"):
        window.search_panel.line.setText(query)
        window.search_panel.apply()  # no exception, and whatever it shows, nothing is written
    window.drafts_panel.tree.clearSelection()
    window.drafts_panel.compare()
    assert "Select one revision" in answered(window, qtbot)
    window.drafts_panel.restore()
    assert "Select the one revision" in answered(window, qtbot)
    assert dump(fondly_home) == before


def test_exporting_to_a_name_the_folder_cannot_hold_is_a_message(window, qtbot, fondly_home, tmp_path):
    from app.ui.export_dialog import EXPORT_FILTERS, ask_and_export

    make_project(window, qtbot)
    draft, _ = window.store.create_draft(window.project.id, "Eulogy", "Dad.")
    said = []
    dialog = ask_and_export(window, window.store, draft.id, said.append, said.append)
    dialog.selectNameFilter(EXPORT_FILTERS["pdf"])
    dialog.fileSelected.emit(str(tmp_path / ("x" * 300 + ".pdf")))  # longer than a file name may be
    assert len(said) == 1 and "could not be saved" in said[0] and "Traceback" not in said[0]
    dialog.close()
    assert list(tmp_path.glob("x*")) == []
