"""Undo that undoes, the Edit and Help menus, and pieces that fit where they go — through the real window.

The text engine is a ScriptedEngine (tests/helpers.py): the bundled model's size writes memory-first
(the person's own sentences); the `prose` setting makes it write the scripted replies.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence

from app.ui import help_dialogs
from tests.helpers import DAD, FISHING, GARDEN, ScriptedEngine, make_project

BEFORE = "Opening words.\n\nGran rocks.\n"
SMALL = 135_000_000  # the bundled model's size: memory-first


@pytest.fixture
def window(make_window):
    return make_window(ScriptedEngine([], parameters=SMALL))


def _project(window, qtbot, *memories):
    make_project(window, qtbot)
    for title, text in memories or (("dad.txt", DAD), ("garden", GARDEN), ("fishing trip", FISHING)):
        window.store.add_memory(window.project.id, "text", title, text=text)
    window.memories.reload()
    window.warm_up()


def _open(window, text: str, cursor: int, **fields) -> int:
    draft, _ = window.store.create_draft(window.project.id, "Eulogy", text, **fields)
    window.reload_drafts()
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    c = window.document.editor.textCursor()
    c.setPosition(cursor)
    window.document.editor.setTextCursor(c)
    return draft.id


def _piece(window, qtbot, shorthand="Write me an anecdote about the fishing trip") -> None:
    window.writing.prompt.setText(shorthand)
    with qtbot.waitSignal(window.writing.piece_kept, timeout=60_000):
        window.writing.generate()
    qtbot.waitUntil(lambda: not window.writing.busy)


def _key(window, qtbot, key, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
    editor = window.document.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClick(editor, key, modifiers)


def _autosaves(window, draft_id: int) -> list:
    return [r for r in window.store.revisions(draft_id) if r.origin == "autosave"]


# --- 1. one undo step -------------------------------------------------------------------------------


def test_an_anecdote_is_one_undo_step_and_one_autosave(window, qtbot):
    _project(window, qtbot)
    draft_id = _open(window, BEFORE, len("Opening words.\n\nGran rocks."))
    _piece(window, qtbot)
    after = window.document.editor.toPlainText()
    assert after.startswith(BEFORE.rstrip() + "\n\n") and "rocks.\n\n" in after  # its own paragraph, not glued
    kept = len(window.store.revisions(draft_id))

    _key(window, qtbot, Qt.Key.Key_Z)  # Ctrl+Z, typed into the editor
    assert window.document.editor.toPlainText() == BEFORE  # exactly the text before the piece, at once
    qtbot.waitUntil(lambda: len(window.store.revisions(draft_id)) == kept + 1, timeout=10_000)
    qtbot.wait(4500)  # past both autosave timers: nothing more is kept
    revisions = window.store.revisions(draft_id)
    assert len(revisions) == kept + 1 and revisions[-1].text == BEFORE and revisions[-1].origin == "autosave"
    assert not window.document.editor.document().isUndoAvailable()  # nothing left: it was one step

    _key(window, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.document.editor.toPlainText() == after  # Ctrl+Shift+Z puts it back
    _key(window, qtbot, Qt.Key.Key_Z)
    _key(window, qtbot, Qt.Key.Key_Y)
    assert window.document.editor.toPlainText() == after  # and so does Ctrl+Y


def test_a_rewrite_of_the_selection_is_one_undo_step(make_window, qtbot):
    passage = "Dad fished at Lake Travis every summer. He named every catfish Gerald."
    window = make_window(ScriptedEngine(["Every summer Dad fished at Lake Travis, and he named every catfish Gerald."]))
    _project(window, qtbot, ("dad.txt", DAD))
    text = f"Before.\n\n{passage}\n\nAfter.\n"
    _open(window, text, 0)
    c = window.document.editor.textCursor()
    c.setPosition(text.index(passage))
    c.setPosition(text.index(passage) + len(passage), c.MoveMode.KeepAnchor)
    window.document.editor.setTextCursor(c)
    with qtbot.waitSignal(window.writing.rewritten, timeout=10_000) as done:
        window.writing.rewrite_selection("warmer")
    assert not done.args[0].problems and window.document.editor.toPlainText() != text
    _key(window, qtbot, Qt.Key.Key_Z)
    assert window.document.editor.toPlainText() == text


def test_a_piece_that_puts_nothing_in_leaves_no_undo_step(make_window, qtbot):
    """Every paragraph the piece wrote repeated the draft: the text is exactly as it was, the blank
    lines made ready for it gone, nothing kept, and there is nothing to undo."""
    from app import settings

    settings.set_value("writing", "prose")
    retold = (
        "When the motor died on the boat at Galveston, Dad rowed us back for two hours singing so we "
        "would not be scared."
    )
    engine = ScriptedEngine([retold] * 3)
    window = make_window(engine)
    _project(window, qtbot, ("fishing trip", FISHING))
    text = f"Opening words.\n\n{FISHING}\n"
    told = [
        {"section": "story", "text": FISHING, "sentences": [{"text": FISHING, "origin": "memory", "supported": True}]}
    ]
    draft_id = _open(window, text, len("Opening words."), provenance=told)
    before = len(window.store.revisions(draft_id))
    sources = [window.drafts_panel.sentences.item(i).text() for i in range(window.drafts_panel.sentences.count())]
    assert sources
    window.writing.prompt.setText("Write me an anecdote about the fishing trip")
    window.writing.generate()
    qtbot.waitUntil(lambda: not window.writing.busy, timeout=30_000)
    assert engine.asked, "the scripted engine wrote"
    assert FISHING in " ".join(m.content for m in engine.asked[0])  # its facts were the only ones there are
    assert window.document.editor.toPlainText() == text
    assert len(window.store.revisions(draft_id)) == before
    assert not window.document.editor.document().isUndoAvailable()
    assert window.message.isVisible() and "already in your draft" in window.message.label.text()
    assert [
        window.drafts_panel.sentences.item(i).text() for i in range(window.drafts_panel.sentences.count())
    ] == sources  # the pane is not left empty


# --- 2. the Edit menu -------------------------------------------------------------------------------


def _menu(window, title: str):
    return next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == title)


def _edit(window) -> dict:
    return {a.text().replace("&", ""): a for a in _menu(window, "Edit").actions() if a.text()}


def test_the_edit_menu_has_the_standard_commands_and_follows_the_editor(window, qtbot):
    make_project(window, qtbot)
    edit = _edit(window)
    for name, key in (
        ("Undo", QKeySequence.StandardKey.Undo),
        ("Redo", QKeySequence.StandardKey.Redo),
        ("Cut", QKeySequence.StandardKey.Cut),
        ("Copy", QKeySequence.StandardKey.Copy),
        ("Paste", QKeySequence.StandardKey.Paste),
        ("Select All", QKeySequence.StandardKey.SelectAll),
    ):
        assert QKeySequence(key) in edit[name].shortcuts(), name
    assert {QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")} <= set(edit["Redo"].shortcuts())
    editor = window.document.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    assert not edit["Undo"].isEnabled() and not edit["Redo"].isEnabled() and not edit["Copy"].isEnabled()
    qtbot.keyClicks(editor, "Gran rocks")
    assert edit["Undo"].isEnabled() and not edit["Copy"].isEnabled()
    edit["Select All"].trigger()
    assert editor.textCursor().selectedText() == "Gran rocks"
    assert edit["Copy"].isEnabled() and edit["Cut"].isEnabled()
    edit["Undo"].trigger()  # the menu, as a mouse would
    assert editor.toPlainText() == "" and edit["Redo"].isEnabled()
    edit["Redo"].trigger()
    assert editor.toPlainText() == "Gran rocks"


def test_ctrl_z_in_the_editor_undoes_once_with_no_ambiguous_shortcut(window, qtbot, qtlog):
    make_project(window, qtbot)
    editor = window.document.editor
    fired = []
    _edit(window)["Undo"].triggered.connect(lambda: fired.append(1))
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, "one")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "two")
    text = editor.toPlainText()
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() != text and editor.toPlainText().startswith("one")  # undone, and only so far
    assert fired == []  # the editor's own undo, not the window's action on top of it
    assert not [r for r in qtlog.records if "mbiguous" in r.message]


def test_the_edit_menu_acts_on_the_prompt_line_when_it_has_the_focus(window, qtbot):
    make_project(window, qtbot)
    prompt = window.writing.prompt
    prompt.setFocus()
    qtbot.waitUntil(prompt.hasFocus)
    qtbot.keyClicks(prompt, "Write a eulogy")
    window.document.editor.setPlainText("untouched")
    prompt.setFocus()
    edit = _edit(window)
    edit["Select All"].trigger()
    assert prompt.selectedText() == "Write a eulogy" and edit["Copy"].isEnabled()
    edit["Undo"].trigger()
    assert prompt.text() != "Write a eulogy" and window.document.editor.toPlainText() == "untouched"


def test_undo_is_greyed_while_writing_streams_in(make_window, qtbot):
    window = make_window(
        ScriptedEngine(["Frank grew tomatoes in the back garden and gave them away. " * 8] * 3, delay=0.05)
    )
    from app import settings

    settings.set_value("writing", "prose")
    _project(window, qtbot, ("garden", GARDEN))
    _open(window, "Opening words.\n", len("Opening words."))
    window.document.editor.setFocus()
    qtbot.keyClicks(window.document.editor, " More.")
    window.writing.prompt.setText("Write me an anecdote about the garden")
    window.writing.generate()
    qtbot.waitUntil(lambda: window.document.editor.toPlainText().count("tomatoes") >= 1, timeout=10_000)
    window.document.editor.setFocus()
    assert window.document.editor.isReadOnly() and not _edit(window)["Undo"].isEnabled()
    window.writing.stop()
    qtbot.waitUntil(lambda: not window.writing.busy, timeout=10_000)
    assert _edit(window)["Undo"].isEnabled()


# --- 3. the Help menu -------------------------------------------------------------------------------


def test_keyboard_shortcuts_lists_every_menu_key_and_the_teleprompters(window, qtbot):
    help_menu = {a.text().replace("&", ""): a for a in _menu(window, "Help").actions() if a.text()}
    assert {"Keyboard shortcuts", "Read the guide (README)", "About Fondly"} <= set(help_menu)
    help_menu["Keyboard shortcuts"].trigger()
    dialog = next(d for d in window.findChildren(help_dialogs.ShortcutsDialog))
    rows = dict(dialog.rows())
    assert rows["Edit: Undo"].startswith("Ctrl+Z") and "Ctrl+Y" in rows["Edit: Redo"]
    assert rows["Write: Generate"] == "Ctrl+Return" and rows["View: Deliver"] == "F5"
    from PySide6.QtGui import QKeySequence

    assert (
        help_dialogs.keys_text([QKeySequence("Ctrl+Z"), QKeySequence("F14"), QKeySequence("Alt+Backspace")])
        == "Ctrl+Z (also Alt+Backspace)"
    )  # X11's Sun keys (F14 Undo, F20 Cut) are not on a person's keyboard
    assert rows["Deliver (teleprompter): Pause / resume"] == "Space"

    # every action with a shortcut anywhere in the menus is listed: read from the actions, it can't drift
    def count(menu):
        return sum(count(a.menu()) if a.menu() else bool(a.shortcuts()) for a in menu.actions())

    assert len([r for r in rows if not r.startswith("Deliver (teleprompter)")]) == sum(
        count(a.menu()) for a in window.menuBar().actions() if a.menu()
    )


def test_the_guide_shows_the_readme_from_this_computer(window, qtbot):
    dialog = help_dialogs.show_guide(window)
    qtbot.addWidget(dialog)
    assert dialog.found and "Fondly helps you write" in dialog.browser.toPlainText()
    assert "make run" in dialog.browser.toPlainText()  # rendered Markdown, code included
    assert "](" not in dialog.browser.toPlainText()  # links rendered, not shown as Markdown
    assert "```" not in dialog.browser.toPlainText()  # code blocks too
    bar = dialog.browser.verticalScrollBar()
    assert bar.value() == 0
    dialog._link(QUrl("#better-writing"))  # the README's own link to a section of it
    assert bar.value() > 0


def test_the_guide_says_so_when_the_readme_is_not_there(window, qtbot, tmp_path, monkeypatch):
    from importlib import metadata

    monkeypatch.setattr(help_dialogs, "readme_candidates", lambda: [tmp_path / "README.md"])

    def missing(_name):
        raise metadata.PackageNotFoundError("fondly")

    monkeypatch.setattr(help_dialogs.metadata, "metadata", missing)
    dialog = help_dialogs.show_guide(window)
    qtbot.addWidget(dialog)
    assert not dialog.found
    assert "not found" in dialog.browser.toPlainText() and str(tmp_path) in dialog.browser.toPlainText()


# --- 4. pieces fit where they go --------------------------------------------------------------------


def test_a_piece_after_rocks_is_its_own_paragraph_and_the_sources_pane_follows(window, qtbot):
    _project(window, qtbot)
    dad = next(m.id for m in window.store.memories(window.project.id) if m.title == "dad.txt")

    def para(text):
        return {
            "section": "who",
            "origin": "yours",
            "memory_ids": [dad],
            "dropped": [],
            "text": text,
            "sentences": [
                {"text": text, "origin": "yours", "memory_id": dad, "supported": True, "unsupported": [], "reasons": []}
            ],
        }

    old = [para("Gran rocks."), para("Last words.")]
    draft_id = _open(window, "Gran rocks.\n\nLast words.\n", len("Gran rocks."), provenance=old)
    shown = []
    window.document.revision_shown.connect(shown.append)
    assert window.drafts_panel.sentences.count() == 2  # the draft's own provenance, before the piece
    _piece(window, qtbot)
    text = window.document.editor.toPlainText()
    assert text.startswith("Gran rocks.\n\nOn the fishing trip") and text.endswith("\n\nLast words.\n")
    revision = window.store.revisions(draft_id)[-1]
    assert shown and shown[-1].id == revision.id  # the pane was told of the kept revision, not left stale
    assert revision.provenance[0] == old[0] and revision.provenance[-1] == old[1]  # in the text's order
    rows = [window.drafts_panel.sentences.item(i).toolTip() for i in range(window.drafts_panel.sentences.count())]
    assert rows[0] == "Gran rocks." and rows[-1] == "Last words." and any("Galveston" in r for r in rows[1:-1])

    def pane():
        return [window.drafts_panel.sentences.item(i).toolTip() for i in range(window.drafts_panel.sentences.count())]

    _key(window, qtbot, Qt.Key.Key_Z)  # undone: once kept (autosave), the pane shows the text's own sources again
    qtbot.waitUntil(lambda: pane() == ["Gran rocks.", "Last words."], timeout=10_000)
    _key(window, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: pane() == rows, timeout=10_000)  # redone: the piece's again


def test_a_piece_prefers_what_the_draft_does_not_tell_yet(window, qtbot):
    """Memory-first: the Galveston trip is already in the draft, so the anecdote about fishing tells the
    memory's other fishing story (Lake Travis) instead of the same one again."""
    travis = "Every summer he took us fishing at Lake Travis, and he named every catfish he caught Gerald."
    _project(window, qtbot, ("fishing", f"{FISHING}\n{travis}"), ("garden", GARDEN))
    text = f"Opening words.\n\n{FISHING}\n"
    draft_id = _open(window, text, len(text))
    _piece(window, qtbot, "Write me an anecdote about fishing")
    after = window.document.editor.toPlainText()
    assert after == f"{text}\n{travis}\n"
    kept = window.store.revisions(draft_id)[-1]
    assert kept.text == after
    assert not any("already in your draft" in n for n in kept.checks["notes"])  # chosen so, not written and dropped


def test_a_retold_paragraph_is_dropped_and_a_new_one_goes_in(make_window, qtbot):
    """Prose: the engine's first reply retells the draft's story (dropped), a second piece is new (kept)."""
    from app import settings

    settings.set_value("writing", "prose")
    retold = (
        "When the motor died on the boat at Galveston, Dad rowed us back for two hours singing so we "
        "would not be scared."
    )
    new = "Frank grew tomatoes in the back garden and gave them away to the neighbours."
    window = make_window(ScriptedEngine([retold, new]))
    _project(window, qtbot, ("fishing trip", FISHING), ("garden", GARDEN))
    text = f"Opening words.\n\n{FISHING}\n"
    draft_id = _open(window, text, len("Opening words."))
    window.writing.prompt.setText("Write me an anecdote about the fishing trip")
    window.writing.generate()
    qtbot.waitUntil(lambda: not window.writing.busy, timeout=30_000)
    assert window.document.editor.toPlainText() == text  # nothing repeated went in
    c = window.document.editor.textCursor()
    c.setPosition(len("Opening words."))
    window.document.editor.setTextCursor(c)
    _piece(window, qtbot, "Write me an anecdote about the garden")
    after = window.document.editor.toPlainText()
    assert after == f"Opening words.\n\n{new}\n\n{FISHING}\n"
    assert window.store.revisions(draft_id)[-1].text == after


def test_the_sources_pane_follows_typing(window, qtbot):
    """Typed sentences are the person's own, sentences still there keep their memory, a deleted one goes:
    each edited revision carries where its sentences came from (app.placement.follow_text)."""
    _project(window, qtbot)
    dad = next(m.id for m in window.store.memories(window.project.id) if m.title == "dad.txt")
    old = [
        {
            "section": "who",
            "origin": "yours",
            "memory_ids": [dad],
            "dropped": [],
            "text": t,
            "sentences": [
                {"text": t, "origin": "yours", "memory_id": dad, "supported": True, "unsupported": [], "reasons": []}
            ],
        }
        for t in ("Gran rocks.", "Last words.")
    ]
    draft_id = _open(window, "Gran rocks.\n\nLast words.\n", len("Gran rocks."), provenance=old)
    editor = window.document.editor
    cursor = editor.textCursor()
    cursor.setPosition(len("Gran rocks."))
    editor.setTextCursor(cursor)
    qtbot.keyClicks(editor, " She sang at the sink.")
    cursor.setPosition(len(editor.toPlainText()))
    cursor.setPosition(len(editor.toPlainText()) - len("Last words.\n"), cursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    window.document.autosave()

    def pane():
        return [window.drafts_panel.sentences.item(i).text() for i in range(window.drafts_panel.sentences.count())]

    qtbot.waitUntil(lambda: len(pane()) == 2, timeout=5_000)
    assert pane()[0] == "¶1 ✓ yours · dad.txt: Gran rocks."
    assert pane()[1] == "¶1 ✎ typed or changed by you: She sang at the sink."
    assert window.drafts_panel.checks.text() == (
        "After your edits: 1 sentence still traced to your memories · 1 typed or changed by you"
    )
    kept = window.store.revision(window.store.draft(draft_id).current_revision_id)
    assert [s["text"] for p in kept.provenance for s in p["sentences"]] == ["Gran rocks.", "She sang at the sink."]
