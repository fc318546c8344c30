"""No surprises (issue 25, point 5), through the real window: closing mid-work asks (Keep what's
written / Wait / Cancel) and a cut draft says it was cut; the last project and draft reopen; an
accepted word loses its mark for good; a memory in the editor says it is one; popups stay on the
screen; the Brief's chips wrap.

Writing is the ScriptedEngine (tests/helpers.py) streaming slowly, so closing lands mid-stream;
transcribing is a fake transcriber that hears a word every 50 ms until stopped.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.helpers import DAD, GARDEN, ScriptedEngine, make_project

REPLY = "Frank grew tomatoes in the garden and gave them away to the neighbours every summer. " * 3


def _start_writing(make_window, qtbot, replies: int = 6, delay: float = 0.03):
    from app import settings

    settings.set_value("writing", "prose")
    window = make_window(ScriptedEngine([REPLY] * replies, delay=delay))
    make_project(window, qtbot)
    window.store.add_memory(window.project.id, "typed", "garden", text=GARDEN)
    window.memories.reload()
    window.writing.prompt.setText("Write a long eulogy about the garden")
    window.drafts_panel.show_checks({"words": 99, "target_words": 360})  # what the last draft's checks said
    chunks: list[str] = []
    window.writing.streamed.connect(chunks.append)
    window.writing.generate()
    qtbot.waitUntil(lambda: len(chunks) >= 5, timeout=10_000)
    assert window.writing.busy
    assert "99 of 360" not in window.drafts_panel.checks.text()  # no stale checks beside the new draft
    return window


def _asked(window, qtbot, close=None) -> QMessageBox:
    """Close the window (its ✕ by default) and return the question it asks instead."""
    from app.ui.closing import Closer

    (close or window.close)()
    qtbot.waitUntil(lambda: window.findChild(Closer) is not None and window.findChild(Closer).box is not None)
    box = window.findChild(Closer).box
    qtbot.waitUntil(box.isVisible)
    assert window.isVisible(), "the window closed without asking"
    assert "writing" in box.text() or "transcribing" in box.text()
    assert [b.text() for b in box.buttons()] and {b.text() for b in box.buttons()} == {
        "Keep what's written",
        "Wait",
        "Cancel",
    }
    return box


def _click(qtbot, box: QMessageBox, text: str) -> None:
    [button] = [b for b in box.buttons() if b.text() == text]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _stored(fondly_home):
    """The data folder as the next start sees it (the window's own store is closed with it)."""
    from app.store import Store

    store = Store.open_default()
    try:
        [project] = store.projects()
        [draft] = store.drafts(project.id)
        return draft, store.revision(draft.current_revision_id)
    finally:
        store.close()


def test_keep_whats_written_stops_closes_and_marks_the_draft_cut(make_window, qtbot, fondly_home):
    window = _start_writing(make_window, qtbot)
    box = _asked(window, qtbot)
    _click(qtbot, box, "Keep what's written")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    _draft, revision = _stored(fondly_home)
    assert revision.checks["stopped"] is True and "writing" not in revision.checks  # cut, and said so
    assert revision.checks["interrupted"] is True
    from app.history import note_of

    assert note_of(revision) == "interrupted"  # the history's word for it
    assert "Frank grew tomatoes" in revision.text and revision.origin == "generated"


def test_wait_keeps_the_window_until_the_draft_is_written_then_closes(make_window, qtbot, fondly_home):
    window = _start_writing(make_window, qtbot, replies=4, delay=0.01)
    box = _asked(window, qtbot)
    _click(qtbot, box, "Wait")
    assert window.isVisible() and window.writing.busy
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Closing when done: writing"))
    assert not window.document.words_label.isVisible()  # the message has the status bar's room: it is seen
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60_000)  # by itself, when the draft is written
    _draft, revision = _stored(fondly_home)
    assert revision.checks["stopped"] is False and "interrupted" not in revision.checks  # whole, not cut
    assert "writing" not in revision.checks
    assert "Frank grew tomatoes" in revision.text


def test_cancel_and_esc_leave_the_window_and_the_writing_alone(make_window, qtbot, fondly_home):
    window = _start_writing(make_window, qtbot, replies=4, delay=0.01)
    _click(qtbot, _asked(window, qtbot), "Cancel")
    assert window.isVisible() and window.writing.busy
    window.activateWindow()  # a window manager hands focus back from the dialog
    qtbot.waitActive(window)
    box = _asked(
        window, qtbot, close=lambda: qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    )  # File → Quit
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible())
    assert window.isVisible()
    # the window manager's close (WM_DELETE_WINDOW reaches Qt as a close event) asks the same
    box = _asked(window, qtbot, close=lambda: QApplication.sendEvent(window, QCloseEvent()))
    _click(qtbot, box, "Cancel")
    with qtbot.waitSignal(window.writing.written, timeout=60_000):
        pass
    assert window.isVisible()
    window.close()  # nothing under way now: it closes without asking
    assert not window.isVisible()
    _draft, revision = _stored(fondly_home)
    assert revision.checks["stopped"] is False


def test_keep_whats_written_mid_anecdote_keeps_it_in_the_draft_marked_cut(make_window, qtbot, fondly_home):
    from app import settings

    settings.set_value("writing", "prose")
    window = make_window(ScriptedEngine([REPLY] * 6, delay=0.03))
    make_project(window, qtbot)
    window.store.add_memory(window.project.id, "typed", "garden", text=GARDEN)
    draft, _ = window.store.create_draft(window.project.id, "Eulogy", "Opening words.\n\nClosing words.\n")
    window.reload_drafts()
    window._open_draft(draft.id)
    cursor = window.document.editor.textCursor()
    cursor.setPosition(len("Opening words.\n\n"))
    window.document.editor.setTextCursor(cursor)
    window.writing.prompt.setText("Write me an anecdote about the garden")
    chunks: list[str] = []
    window.writing.streamed.connect(chunks.append)
    window.writing.generate()
    qtbot.waitUntil(lambda: len(chunks) >= 5, timeout=10_000)
    _click(qtbot, _asked(window, qtbot), "Keep what's written")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    kept, revision = _stored(fondly_home)
    assert kept.id == draft.id and revision.checks["stopped"] is True and revision.checks["inserted"] is True
    assert revision.checks["interrupted"] is True
    assert "writing" not in revision.checks  # finished as cut, not left "being written"
    assert revision.text.startswith("Opening words.\n\nFrank grew tomatoes")
    assert revision.text.rstrip().endswith("Closing words.")


class SlowTranscriber:
    """Hears a word every 50 ms until stopped (or 400 words): an import always mid-transcription."""

    name = "slow"

    def transcribe(self, audio, hotwords=(), cancel=None, guard=False, words=False):
        from speech.transcriber import Segment

        for k in range(400):
            if cancel is not None and cancel.is_set():
                return
            time.sleep(0.05)
            yield Segment(k * 0.02, k * 0.02 + 0.02, f"word{k}", 0.9, 0.0)


def test_keep_whats_written_mid_import_keeps_what_was_heard(qtbot, qapp, pulse, fondly_home, jfk):
    from app.engines import Engines
    from app.store import Store
    from app.ui.main_window import MainWindow
    from app.ui.operations import OperationRunner

    window = MainWindow(
        Store.open_default(),
        OperationRunner(Engines(open_text=lambda: ScriptedEngine([]), open_speech=SlowTranscriber)),
    )
    qtbot.addWidget(window)
    window.show()
    make_project(window, qtbot)
    window.memories.import_paths([str(jfk)])
    qtbot.waitUntil(lambda: any(window.memories.progress.values()), timeout=30_000)
    box = _asked(window, qtbot)
    assert "transcribing 1 memory" in box.text()
    _click(qtbot, box, "Keep what's written")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    store = Store.open_default()
    try:
        [memory] = store.memories(store.projects()[0].id)
        assert memory.text.startswith("word0 word1") and memory.status == "failed"
        assert memory.error == "Transcription was stopped before the end."
    finally:
        store.close()


# --- where the person left off ----------------------------------------------------------------------


def _two_projects(window):
    store = window.store
    first, second = store.create_project("Mum"), store.create_project("Gran", subject="Eileen")
    store.create_draft(first.id, "Toast", "For Mum.\n")
    a, _ = store.create_draft(second.id, "Draft A", "The first try.\n")
    b, _ = store.create_draft(second.id, "Draft B", "She grew leeks.\n")
    window.reload_projects()
    return second, a, b


def test_the_last_project_and_draft_reopen(make_window, qtbot):
    window = make_window(ScriptedEngine([]))
    second, _a, b = _two_projects(window)
    assert window.project.title == "Mum"  # the first, as before anything was remembered
    window.projects.box.setCurrentIndex(window.projects.box.findData(second.id))
    window._open_draft(b.id)  # as the drafts list opens it
    assert window.document.draft_id == b.id
    window.close()

    again = make_window(ScriptedEngine([]))
    assert again.project.id == second.id and again.projects.box.currentText() == "Gran"
    assert again.document.draft_id == b.id and again.document.editor.toPlainText() == "She grew leeks.\n"
    assert again.drafts_panel.tree.currentItem() is not None
    # a draft put in the bin: just its project
    again.store.to_bin("draft", b.id)
    again.close()
    third = make_window(ScriptedEngine([]))
    assert third.project.id == second.id and third.document.draft_id is None
    assert third.document.editor.toPlainText() == ""
    third.close()
    # a project gone (Fondly deletes none; another data folder's ui.ini): the first, as before
    from app.ui import uisettings

    uisettings.remember_open(999, b.id)
    fourth = make_window(ScriptedEngine([]))
    assert fourth.project.title == "Mum" and fourth.document.draft_id is None


# --- an accepted word -----------------------------------------------------------------------------


def _underlined(window, block_number: int) -> list[str]:
    from PySide6.QtGui import QTextCharFormat

    block = window.document.editor.document().findBlockByNumber(block_number)
    return [
        block.text()[r.start : r.start + r.length]
        for r in block.layout().formats()
        if r.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline
    ]


def _accept_by_menu(window, qtbot, word: str) -> None:
    """Right-click the underlined word and choose "… accept it", as a person does."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMenu

    editor = window.document.editor
    cursor = editor.textCursor()
    cursor.setPosition(editor.toPlainText().index(word) + 1)
    chosen = []

    def choose() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        [accept] = [a for a in menu.actions() if a.text().endswith("accept it")]
        chosen.append(accept.text())
        accept.trigger()
        menu.close()

    QTimer.singleShot(200, choose)
    editor.customContextMenuRequested.emit(editor.cursorRect(cursor).center())
    assert chosen and f"“{word}”" in chosen[0]


@pytest.mark.parametrize("word", ["Nana", "38", "marmalade"])  # a kin word, a number, a word
def test_an_accepted_word_loses_its_mark_at_once_and_for_good(make_window, qtbot, word):
    window = make_window(ScriptedEngine([]))
    make_project(window, qtbot)
    store, pid = window.store, window.project.id
    store.add_memory(pid, "text", "dad.txt", text=DAD)
    text = "Frank fished at Lake Travis every summer.\n\nHe caught 38 catfish with Nana and ate marmalade.\n"
    draft, _ = store.create_draft(pid, "Eulogy", text)
    window.reload_drafts()
    window._open_draft(draft.id)
    qtbot.waitUntil(lambda: word in _underlined(window, 2))
    _accept_by_menu(window, qtbot, word)
    assert word in store.project(pid).vocabulary
    qtbot.waitUntil(lambda: word not in _underlined(window, 2))  # at once
    assert window.writing.project.vocabulary == store.project(pid).vocabulary  # the next draft counts it too
    window.close()
    again = make_window(ScriptedEngine([]))  # a new window on the same data folder
    assert again.document.draft_id == draft.id
    qtbot.waitUntil(lambda: len(_underlined(again, 2)) > 0)
    assert word not in _underlined(again, 2), _underlined(again, 2)  # and for good


# --- a memory in the editor -------------------------------------------------------------------------


def test_a_memory_open_in_the_editor_says_so_and_a_draft_does_not(make_window, qtbot):
    window = make_window(ScriptedEngine([]))
    make_project(window, qtbot)
    store, pid = window.store, window.project.id
    garden = store.add_memory(pid, "voice", "garden", text=GARDEN)
    store.add_memory(pid, "text", "dad.txt", text=DAD)
    draft, _ = store.create_draft(pid, "Eulogy", "Frank grew tomatoes.\n")
    window.memories.reload()
    window.reload_drafts()
    note = window.document.memory_note
    assert not note.isVisible()
    window.memories.list.setCurrentItem(window.memories.list.item(0))  # clicked in the list
    assert window.document.memory_id == garden.id
    assert note.isVisible() and note.text() == (
        "Memory: garden — a voice memory; edits change the memory, not the speech"
    )
    assert note.geometry().bottom() <= window.document.split.geometry().top()  # above the editor
    window.resize(1200, 860)
    qtbot.waitUntil(lambda: window.document.split.height() > 4 * note.height())  # a line or two, not half the page
    assert note.height() <= 3 * note.fontMetrics().height() + 20
    window.memories.rename(garden.id, "the garden")  # renamed while open: the note follows
    assert note.text().startswith("Memory: the garden — a voice memory;")
    window.memories.list.setCurrentItem(window.memories.list.item(1))
    assert note.text().startswith("Memory: dad.txt — an imported text;")
    window._open_draft(draft.id)
    assert not note.isVisible()


# --- popups on screen, chips that wrap ------------------------------------------------------------------


def _chips_window(make_window, qtbot, memories: int = 14):
    window = make_window(ScriptedEngine([]))
    make_project(window, qtbot)
    for i in range(memories):
        window.store.add_memory(window.project.id, "typed", f"memory {i + 1}", text=f"{GARDEN} ({i})")
    window.memories.reload()
    window.writing.prompt.setText(
        "Write a funeral speech using dad.txt, make it warm and funny, about four minutes, "
        "in the style of Four Weddings and a Funeral with a Texas inflection. "
        "Don't mention the hospital. Tell the leeks story and the fishing trip. "
        "He always said we were the three bears and he was Goldilocks, and every "
        "Sunday he made porridge for the whole street."
    )
    window.writing.update_brief()
    return window


def _popup_geometry(qtbot, button):
    """Where the menu a chip opens is on the screen (InstantPopup: it opens on the press, and blocks)."""
    from PySide6.QtCore import QTimer

    seen = []

    def look() -> None:
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(50, look)
            return
        seen.append((menu.geometry(), menu.screen().availableGeometry()))
        menu.close()

    QTimer.singleShot(50, look)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen))
    return seen[0]


def test_a_chips_menu_stays_on_the_screen_with_the_window_at_its_bottom(make_window, qtbot):
    window = _chips_window(make_window, qtbot)
    screen = window.screen().availableGeometry()
    window.resize(min(1000, screen.width()), min(420, screen.height()))
    window.move(screen.left(), screen.bottom() - window.frameGeometry().height() + 1)  # at the bottom edge
    qtbot.wait(50)
    chip = next(b for b in window.writing.chips.buttons if b.text().startswith("Memories:"))
    qtbot.waitUntil(chip.isVisible)
    menu, available = _popup_geometry(qtbot, chip)
    assert available.contains(menu), (menu, available)
    assert menu.height() > 14 * 10  # every memory is in it, not an empty menu


def test_a_menu_past_the_usable_screen_is_moved_back_above_its_button(make_window, qtbot):
    """Where the desktop lets Qt place menus over the panels (GNOME, KDE), a chip's menu could open
    under the taskbar; once shown, it is moved into availableGeometry, above its chip."""
    from PySide6.QtCore import QRect, QSize

    from app.ui.popups import place, settle

    available = QRect(0, 0, 1280, 760)  # a 40-pixel panel below
    assert place(QSize(160, 300), QRect(500, 700, 200, 24), available) == QPoint(500, 400)  # above the chip
    assert place(QSize(160, 300), QRect(500, 100, 200, 24), available) == QPoint(500, 124)  # below it
    assert place(QSize(160, 300), QRect(1200, 700, 60, 24), available).x() == 1120  # not past the right
    assert place(QSize(160, 900), QRect(500, 400, 60, 24), available).y() == 0  # taller than the room: from the top
    window = _chips_window(make_window, qtbot, memories=3)
    chip = next(b for b in window.writing.chips.buttons if b.text().startswith("Memories:"))
    menu = chip.menu()
    screen = chip.screen().availableGeometry()
    menu.popup(QPoint(screen.left(), screen.top()))
    qtbot.waitUntil(menu.isVisible)
    menu.move(menu.x(), screen.bottom() - menu.height() // 2)  # half off the usable screen, as under a panel
    settle(menu, chip)
    assert screen.contains(menu.geometry()), (menu.geometry(), screen)
    menu.close()


def test_the_chips_wrap_in_a_narrow_window_every_one_seen(make_window, qtbot):
    from PySide6.QtWidgets import QScrollBar

    window = _chips_window(make_window, qtbot)
    chips = window.writing.chips
    assert len(chips.buttons) >= 10
    prompt = window.writing.prompt.text()
    window.writing.prompt.setText("Write a funeral speech")
    window.writing.update_brief()
    qtbot.wait(50)  # the old chips go (deleteLater)
    narrowest = window.minimumSizeHint().width()
    window.writing.prompt.setText(prompt)
    window.writing.update_brief()
    qtbot.wait(50)
    assert window.minimumSizeHint().width() == narrowest  # a long chip doesn't widen the window (was +430 px)
    window.resize(window.minimumSizeHint().width(), 700)  # as narrow as it goes
    qtbot.wait(100)
    assert chips.width() < sum(b.sizeHint().width() for b in chips.buttons) / 2  # they can't fit on one line
    assert not any(bar.isVisible() for bar in window.writing.findChildren(QScrollBar))  # no sideways scroll
    lines = {b.geometry().top() for b in chips.buttons}
    assert len(lines) >= 3  # wrapped onto more lines
    middle = window.split.widget(1)
    long = next(b for b in chips.buttons if b.text().startswith("Note: He always said"))
    assert long.width() < long.sizeHint().width() and long.toolTip() == long.text()  # narrowed, whole in its tip
    for b in chips.buttons:
        assert b.isVisible() and chips.rect().contains(b.geometry()), (b.text(), b.geometry(), chips.rect())
        seen = QRect(b.mapTo(middle, QPoint(0, 0)), b.size())
        assert middle.rect().contains(seen), (b.text(), seen, middle.rect())  # not cut off below either
