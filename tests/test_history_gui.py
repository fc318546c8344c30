"""The history through the real window (issue 25, point 1): autosaves folded into one sitting,
a point previewed beside the text (never instead of it), Compare that says which two it compares,
buttons that stay put, and drafts renamed, points named, drafts moved to the bin."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QInputDialog

from app.ui.compare_dialog import CompareDialog
from tests.helpers import db_dump, make_project
from tests.history_scene import build, clock, type_and_autosave


def rows(window) -> list[list[str]]:
    """Each draft's title, then its history's rows, as the tree shows them."""
    tree = window.drafts_panel.tree
    out = []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        out.append([top.text(0)] + [top.child(j).text(0) for j in range(top.childCount())])
    return out


def entry_item(window, name: str, draft: int = 0):
    top = window.drafts_panel.tree.topLevelItem(draft)
    return next(top.child(j) for j in range(top.childCount()) if top.child(j).text(0).startswith(name))


def click(qtbot, tree, item, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


@pytest.fixture
def scene(window, qtbot):
    ids = build(window)
    qtbot.waitUntil(lambda: window.drafts_panel.tree.topLevelItemCount() == 1)
    return ids


def test_a_sitting_of_autosaves_is_one_row(window, qtbot, scene):
    revisions = window.store.revisions(scene["draft"])
    assert sum(r.origin == "autosave" for r in revisions) >= 35  # the editor really kept each few seconds
    [[title, *history]] = rows(window)
    names = [r.split(" · ")[0] for r in history]
    assert title == "Eulogy for Dad"
    assert names == [
        "Restored 14:12 (from Generated 14:01)",
        "Edited 14:11",
        "Read to Mum",
        "Edited 14:02–14:04",
        "Generated 14:01",
    ]
    assert all(" words · " in r for r in history)
    assert "(Snapshot 14:10)" in entry_item(window, "Read to Mum").toolTip(0)


def test_typing_in_the_window_makes_one_session_row(window, qtbot):
    """A scripted run of autosaves through the editor: one row, not one per autosave."""
    from datetime import datetime

    make_project(window, qtbot)
    start = datetime.now().astimezone().replace(hour=9, minute=30, second=0, microsecond=0)
    with clock(start) as advance:
        d, _ = window.store.create_draft(window.project.id, "Eulogy", "Dad.")
        window.reload_drafts()
        window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
        advance(minutes=1)
        type_and_autosave(window, [" He", " loved", " us", " all."] * 15, advance, every=3)
    assert len(window.store.revisions(d.id)) == 61
    assert [r.split(" · ")[0] for r in rows(window)[0][1:]] == ["Edited 09:31–09:34", "Generated 09:30"]


def test_previewing_leaves_the_text_and_the_store_as_they_were(window, qtbot, scene, fondly_home):
    doc, panel = window.document, window.drafts_panel
    doc.editor.insertPlainText("Unsaved words. ")  # typed, not yet kept
    doc._autosave.stop(), doc._autosave_max.stop()
    typed = doc.editor.toPlainText()
    qtbot.wait(50)
    before = db_dump(fondly_home)
    sources_now = [panel.sentences.item(i).text() for i in range(panel.sentences.count())]
    generated = entry_item(window, "Generated 14:01")
    click(qtbot, panel.tree, generated)
    assert doc.previewing and doc.preview_banner.isVisible()
    assert doc.preview_label.text() == "Previewing Generated 14:01 — your text is unchanged"
    old = window.store.revision(scene["generated"]).text
    assert old.split()[0] in doc.preview.toPlainText() and doc.preview.toPlainText() != doc.editor.toPlainText()
    assert doc.editor.toPlainText() == typed and not doc.editor.isReadOnly()
    assert doc.draft_id == scene["draft"]
    qtbot.wait(2500)  # longer than autosave: nothing is kept by previewing
    assert db_dump(fondly_home) == before
    shown = lambda: [panel.sentences.item(i).text() for i in range(panel.sentences.count())]
    assert shown() == sources_now and sources_now  # the text now is that generation, restored: the same sources

    click(qtbot, panel.tree, entry_item(window, "Read to Mum"))
    assert doc.preview_label.text() == "Previewing Read to Mum — your text is unchanged"
    previewed = shown()  # the previewed version's sources (what was typed before the snapshot too), not the text's
    assert previewed != sources_now and any("typed or changed by you" in row for row in previewed)
    qtbot.mouseClick(doc.preview_back, Qt.MouseButton.LeftButton)  # Back to your text
    assert not doc.previewing and not doc.preview_banner.isVisible()
    assert [panel.sentences.item(i).text() for i in range(panel.sentences.count())] == sources_now

    click(qtbot, panel.tree, generated)
    assert doc.previewing
    doc.editor.insertPlainText("x")  # editing ends the preview
    assert not doc.previewing and doc.editor.toPlainText() == typed.replace("words. ", "words. x", 1)

    click(qtbot, panel.tree, generated)
    click(qtbot, panel.tree, panel.tree.topLevelItem(0))  # the draft itself: back to the text, open
    assert not doc.previewing and doc.draft_id == scene["draft"]


def test_compare_one_point_is_with_your_text_now(window, qtbot, scene):
    panel, doc = window.drafts_panel, window.document
    doc.editor.insertPlainText("Hello everyone. ")
    click(qtbot, panel.tree, entry_item(window, "Generated 14:01"))
    assert panel.compare_btn.isEnabled()
    qtbot.mouseClick(panel.compare_btn, Qt.MouseButton.LeftButton)
    [dialog] = [d for d in panel.findChildren(CompareDialog) if d.isVisible()]
    assert dialog.windowTitle() == "Compare: Your text now ← Generated 14:01"
    assert dialog.heading.text() == "<b>Your text now ← Generated 14:01</b>"
    legend = dialog.legend.text()
    assert "green and underlined" in legend and "red and struck through" in legend
    html = dialog.view.toHtml()
    assert "Hello" in html and "#c9efd3" in html  # marked as added
    assert "words added" in dialog.summary.text() or "word added" in dialog.summary.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_compare_two_points_newer_from_older(window, qtbot, scene):
    panel = window.drafts_panel
    click(qtbot, panel.tree, entry_item(window, "Generated 14:01"))
    click(qtbot, panel.tree, entry_item(window, "Read to Mum"), Qt.KeyboardModifier.ControlModifier)
    assert len(panel.selected()[0]) == 2
    dialog = panel.compare()
    assert dialog.heading.text() == "<b>Read to Mum ← Generated 14:01</b>"
    html = dialog.view.toHtml()
    assert "tomatoes" in html and "#c9efd3" in html  # what the sitting added, marked added
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Close), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    same = entry_item(window, "Restored")
    panel.tree.clearSelection()
    same.setSelected(True)
    entry_item(window, "Generated 14:01").setSelected(True)
    assert "No differences" in panel.compare().summary.text()


def test_buttons_never_move_and_say_why_they_are_off(window, qtbot, scene):
    panel = window.drafts_panel
    spots = lambda: [b.mapTo(window, QPoint(0, 0)) for b in panel.buttons] + [b.size() for b in panel.buttons]
    panel.tree.clearSelection()
    before = spots()
    assert not panel.compare_btn.isEnabled() and "Select a point" in panel.compare_btn.toolTip()
    assert not panel.restore_btn.isEnabled() and not panel.delete_btn.isEnabled()
    for item in (
        entry_item(window, "Generated"),
        panel.tree.topLevelItem(0),
        entry_item(window, "Read to Mum"),
        entry_item(window, "Edited 14:02"),
    ):
        click(qtbot, panel.tree, item)
        qtbot.wait(20)
        assert spots() == before
    assert panel.compare_btn.isEnabled() and panel.restore_btn.isEnabled() and panel.rename_btn.isEnabled()
    assert not panel.delete_btn.isEnabled() and "never deleted" in panel.delete_btn.toolTip()
    click(qtbot, panel.tree, panel.tree.topLevelItem(0))
    assert not panel.compare_btn.isEnabled() and panel.delete_btn.isEnabled()
    assert spots() == before
    window.message.hide()
    qtbot.mouseClick(panel.compare_btn, Qt.MouseButton.LeftButton)  # disabled: a click does nothing, says nothing
    assert not window.message.isVisible()


def test_restore_from_a_point_keeps_the_replaced_text(window, qtbot, scene):
    panel, doc = window.drafts_panel, window.document
    doc.editor.setPlainText("Words typed just now.")
    click(qtbot, panel.tree, entry_item(window, "Read to Mum"))
    qtbot.mouseClick(panel.restore_btn, Qt.MouseButton.LeftButton)
    snapshot = window.store.revision(scene["snapshot"]).text
    assert doc.editor.toPlainText() == snapshot and not doc.previewing
    texts = [r.text for r in window.store.revisions(scene["draft"])]
    assert texts[-2:] == ["Words typed just now.", snapshot]
    assert rows(window)[0][1].startswith("Restored") and "(from Read to Mum)" in rows(window)[0][1]


def test_rename_a_draft_and_name_a_point(window, qtbot, scene):
    panel = window.drafts_panel
    click(qtbot, panel.tree, panel.tree.topLevelItem(0))
    qtbot.mouseClick(panel.rename_btn, Qt.MouseButton.LeftButton)
    dialog = panel.findChild(QInputDialog)
    assert dialog.isVisible() and dialog.textValue() == "Eulogy for Dad"
    dialog.setTextValue("  Goodbye,   Dad ")
    dialog.accept()
    assert window.store.draft(scene["draft"]).title == "Goodbye, Dad"
    assert rows(window)[0][0] == "Goodbye, Dad" and window.rehearsals.title.text() == "Rehearsals of “Goodbye, Dad”"

    click(qtbot, panel.tree, entry_item(window, "Generated 14:01"))
    qtbot.mouseClick(panel.rename_btn, Qt.MouseButton.LeftButton)
    dialog = next(d for d in panel.findChildren(QInputDialog) if d.isVisible())
    dialog.setTextValue("The first go")
    dialog.accept()
    assert window.store.revision(scene["generated"]).label == "The first go"
    names = [r.split(" · ")[0] for r in rows(window)[0][1:]]
    assert names[0] == "Restored 14:12 (from The first go)" and names[-1] == "The first go"
    click(qtbot, panel.tree, entry_item(window, "The first go"))
    panel.rename().setTextValue("")
    next(d for d in panel.findChildren(QInputDialog) if d.isVisible()).accept()
    assert window.store.revision(scene["generated"]).label is None and rows(window)[0][-1].startswith("Generated 14:01")

    click(qtbot, panel.tree, panel.tree.topLevelItem(0))
    dialog = panel.rename()
    dialog.setTextValue("   ")
    dialog.accept()
    assert "needs a name" in window.message.label.text()
    assert window.store.draft(scene["draft"]).title == "Goodbye, Dad"


def test_delete_moves_the_open_draft_to_the_bin_and_blanks_the_editor(window, qtbot, scene):
    panel, doc = window.drafts_panel, window.document
    other, _ = window.store.create_draft(scene["project"], "Notes", "Some notes.")
    window.reload_drafts()
    draft_item = next(
        panel.tree.topLevelItem(i) for i in range(2) if panel.tree.topLevelItem(i).text(0) == "Eulogy for Dad"
    )
    click(qtbot, panel.tree, draft_item)
    assert doc.draft_id == scene["draft"]
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert window.store.draft(scene["draft"]).deleted is not None
    assert [d.id for d in window.store.drafts(scene["project"])] == [other.id]
    assert doc.draft_id is None and doc.editor.toPlainText() == ""
    assert [r[0] for r in rows(window)] == ["Notes"] and window.rehearsals.title.text() == "Rehearsals"
    assert panel.sentences.count() == 0
    assert (
        window.message.isVisible()
        and window.message.label.text() == "Moved “Eulogy for Dad” to the bin — File → Bin… brings it back for 30 days."
    )
    qtbot.mouseClick(window.message.undo_btn, Qt.MouseButton.LeftButton)  # round trip: back, with its history
    assert window.message.label.text() == "“Eulogy for Dad” is back."
    assert sorted(r[0] for r in rows(window)) == ["Eulogy for Dad", "Notes"]
    assert len(rows(window)[[r[0] for r in rows(window)].index("Eulogy for Dad")]) == 6


def test_the_draft_menu_offers_rename_and_delete(window, qtbot, scene):
    panel = window.drafts_panel
    top = panel.tree.topLevelItem(0)
    panel._context_menu(panel.tree.visualItemRect(top).center())
    assert [a.text() for a in panel.menu.actions()] == ["Open", "Rename…", "Delete (to the bin)"]
    panel.menu.close()
    panel._context_menu(panel.tree.visualItemRect(entry_item(window, "Generated")).center())
    assert [a.text() for a in panel.menu.actions()] == ["Compare with your text now", "Restore", "Name this point…"]
    panel.menu.close()


def test_removed_words_do_not_carry_their_paragraph_breaks():
    from app.ui.compare_dialog import diff_html

    body, added, removed = diff_html(
        "Thank you for being here today.\n\nHe worked.",
        "Thank you for coming today; Dad would have loved this.\n\nHe worked.",
    )
    assert (added, removed) == (7, 3)
    assert body.count("<br>") == 2 and "being here today. </span>" in body


def test_a_point_of_another_draft_compares_with_that_drafts_text_and_restoring_it_keeps_yours(window, qtbot, scene):
    panel, doc = window.drafts_panel, window.document
    other, _first = window.store.create_draft(scene["project"], "Notes", "Some notes.")
    window.store.add_revision(other.id, "Some longer notes.", origin="edited")
    window.reload_drafts()
    doc.editor.setPlainText("Unsaved words in the open eulogy.")
    notes = next(panel.tree.topLevelItem(i) for i in range(2) if panel.tree.topLevelItem(i).text(0) == "Notes")
    notes.setExpanded(True)
    oldest = notes.child(notes.childCount() - 1)
    click(qtbot, panel.tree, oldest)
    assert (
        doc.preview_label.text()
        == "Previewing Generated " + oldest.text(0).split(" ")[1] + " of “Notes” — your text is unchanged"
    )
    assert doc.draft_id == scene["draft"]  # previewing another draft's point opens nothing
    dialog = panel.compare()
    assert dialog.heading.text().startswith("<b>“Notes” now ← Generated ")
    assert "longer" in dialog.view.toPlainText()
    dialog.close()
    qtbot.mouseClick(panel.restore_btn, Qt.MouseButton.LeftButton)
    assert window.store.current_text(other.id) == "Some notes." and doc.draft_id == other.id
    assert window.store.current_text(scene["draft"]) == "Unsaved words in the open eulogy."  # kept, not dropped


def test_a_draft_still_being_written_is_not_deleted(window, qtbot, scene, fondly_home):
    import os

    panel = window.drafts_panel
    window.store.add_revision(scene["draft"], "Half a para", origin="generated", checks={"writing": os.getpid()})
    window.reload_drafts()
    assert rows(window)[0][1].startswith("Generated ") and "(being written)" in rows(window)[0][1]
    before = db_dump(fondly_home)
    click(qtbot, panel.tree, panel.tree.topLevelItem(0))
    qtbot.mouseClick(panel.delete_btn, Qt.MouseButton.LeftButton)
    assert "still being written" in window.message.label.text() and window.message.property("error")
    assert db_dump(fondly_home) == before


def test_f2_and_delete_belong_to_the_list_that_has_focus(window, qtbot, scene):
    """The drafts' F2/Delete and the memories' are each their own list's: neither blocks the other."""
    panel, mem = window.drafts_panel, window.memories
    click(qtbot, panel.tree, panel.tree.topLevelItem(0))
    mem.list.setCurrentRow(0)
    mem.list.setFocus()
    qtbot.waitUntil(mem.list.hasFocus)
    qtbot.keyClick(mem.list, Qt.Key.Key_F2)
    assert mem.rename_dialog_box is not None and mem.rename_dialog_box.isVisible()
    assert not [d for d in panel.findChildren(QInputDialog) if d.isVisible()]
    mem.rename_dialog_box.reject()
    panel.tree.setFocus()
    qtbot.waitUntil(panel.tree.hasFocus)
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    assert [d for d in panel.findChildren(QInputDialog) if d.isVisible()]
