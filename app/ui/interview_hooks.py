"""Where the interview is opened from, and how it closes with the window: Memories → Interview me…
(Ctrl+Shift+I), the shortfall line under the prompt bar after a short draft ("1.6 of 3.0 min —
answer 3 questions"), and keeping an answer being spoken when the app closes. The interview
itself is app/ui/interview.py."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton

from app import interview
from app.errors import USER_ERRORS
from app.store import Project, Store
from app.ui.interview import InterviewDialog, length_line
from app.ui.operations import message_for
from llm.questions import Question


def needed(questions: list[Question], checks: dict, pace: int) -> int:
    """How many questions, answered about as fully as each could be, would make up the length the
    draft is missing (llm.questions.enough, with the draft's own words)."""
    from llm.questions import enough

    return enough(questions, max(0, checks.get("target_words", 0) - checks.get("words", 0)) / max(1, pace) * 60)


class ShortfallLink(QPushButton):
    """Under the prompt bar after a draft comes out short: "1.6 of 3.0 min — answer 3 questions".
    Clicking it opens the interview (`asked`, with the shorthand and the short draft's checks)."""

    asked = Signal(str, dict)  # shorthand, the short draft's checks

    def __init__(self) -> None:
        super().__init__(flat=True, cursor=Qt.CursorShape.PointingHandCursor)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.setAccessibleName("Answer questions to make the speech longer")
        self.setStyleSheet(
            "QPushButton { color: palette(link); text-decoration: underline; text-align: left; "
            "border: none; padding: 2px 0; }"
        )
        self.shorthand = ""
        self.checks: dict = {}  # the short draft's (a revision's checks)
        self.clicked.connect(lambda: self.asked.emit(self.shorthand, self.checks))
        self.hide()

    def show_for(self, store: Store, project: Project | None, draft_id: int, revision_id: int) -> None:
        """After writing: shown when the draft is short of the length asked and there are questions."""
        self.hide()
        if project is None:
            return
        checks = store.revision(revision_id).checks
        if not checks.get("shortfall") or checks.get("scaffold"):
            return
        self.shorthand = store.draft(draft_id).brief.get("shorthand", "")
        self.checks = checks
        try:
            asked = interview.questions(store, project, self.shorthand or None)
        except Exception as e:  # noqa: BLE001 — the draft is written and shown: a failed question only hides the line
            message_for(e)
            return
        if not asked:
            return
        n = needed(asked, checks, project.pace)
        self.setText(f"{length_line(checks, project.pace)} — answer {n} question{'s' if n != 1 else ''}")
        self.setToolTip("Fondly asks what a speechwriter would ask; each answer becomes a memory")
        self.show()


def open_interview(window, shorthand: str | None = None, checks: dict | None = None) -> InterviewDialog | None:
    """Memories → Interview me…, or the shortfall line (with the short draft's shorthand and checks)."""
    if window.project is None:
        window.show_error("Start a speech first: File → New speech (Ctrl+N).")
        return None
    for dialog in window.findChildren(InterviewDialog):
        if dialog.isVisible() and dialog.project.id == window.project.id:  # one interview at a time
            dialog.raise_()
            dialog.activateWindow()
            return dialog
    close_all(window)  # another speech's
    store, project = window.store, window.project
    if shorthand is None:  # from the menu: the open draft's shorthand and length, else what the prompt bar holds
        draft_id = window.document.draft_id
        if draft_id is not None:
            draft = store.draft(draft_id)
            shorthand = draft.brief.get("shorthand") or None
            checks = store.revision(draft.current_revision_id).checks if draft.current_revision_id else None
        shorthand = shorthand or window.writing.prompt.text().strip() or None
    try:
        asked = interview.questions(store, project, shorthand)
    except USER_ERRORS as e:
        window.show_error(str(e))
        return None
    if not asked:
        window.message.show_message("Fondly has no questions left to ask: every one is answered.")
        return None
    from app.microphone import inputs

    devices = window.memories.recording.devices
    dialog = InterviewDialog(
        store,
        window.runner,
        project,
        asked,
        shorthand,
        checks,
        devices.currentText() if devices.isEnabled() else None,
        bool(inputs()),
        window.writing,
        window,
    )
    dialog.changed.connect(window.memories.reload)
    dialog.answer_done.connect(window.memories.memory_done)  # the window reopens it if it is open
    dialog.error.connect(window.show_error)
    dialog.show()
    return dialog


def close_all(window, for_later: bool = False) -> None:
    """Close the main window's interview. `for_later`: the app is closing, so an answer being
    spoken is left for the next start's final pass."""
    for dialog in window.findChildren(InterviewDialog):
        if dialog.isVisible():
            dialog.close_for_later() if for_later else dialog.close()


class _LeaveForLater(QObject):
    """Sees the main window's close before its closeEvent (which shuts the lanes and the store):
    an answer being spoken is kept for the next start, as the window's own recordings are."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Close:
            close_all(watched, for_later=True)
        return False


def install(window, menu) -> None:
    """Memories → Interview me… (Ctrl+Shift+I; Ctrl+I imports), the shortfall line's link, and
    keeping an answer being spoken when the window closes."""
    action = menu.addAction("&Interview me…")
    action.setShortcut(QKeySequence("Ctrl+Shift+I"))
    action.setStatusTip("Fondly asks what a speechwriter would ask; answer aloud or type")
    action.triggered.connect(lambda: open_interview(window))
    window.interview_action = action
    window.writing.shortfall.asked.connect(lambda shorthand, checks: open_interview(window, shorthand, checks))
    window.installEventFilter(_LeaveForLater(window))
    window.memories.busy_elsewhere.append(
        lambda memory_id: any(d.busy_with(memory_id) for d in window.findChildren(InterviewDialog))
    )
