"""Closing the window without a surprise, and opening it again where the person left off.

Closing while Fondly writes (a draft, a piece at the cursor) or transcribes (an import, a
recording's or a spoken answer's final pass) asks once, in one dialog:

- "Keep what's written": stop now, as the Stop button does; what was written or heard so far is
  kept, a cut draft's revision marked `interrupted` beside `stopped` (app.writing.mark_interrupted;
  its history says so), then close.
- "Wait": the window stays open, says in the status bar what it waits for, and closes by itself
  when the work ends.
- "Cancel" (Esc): nothing changes.

With nothing under way it closes without asking, as it always did. Every way of closing — the
title bar's ✕, the window manager's WM_DELETE_WINDOW, File → Quit (Ctrl+Q) — reaches the window's
closeEvent, which asks `may_close` first. A recording still listening is not asked about: closing
keeps it for the next start's final pass (app.recordings), as before.

What is open (the project and its draft) is remembered in ui.ini when the window closes, and
`reopen` brings it back at the next start.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from app.ui import uisettings

KEEP, WAIT, CANCEL = "Keep what's written", "Wait", "Cancel"
WATCH_MS = 300  # how often a waiting window looks whether the work has ended
KEEP_WITHIN_MS = 5000  # after "Keep what's written", work still going this long (a final pass that
# can't stop part-way) no longer holds the window: closing waits for the lanes (OperationRunner.shutdown)


def under_way(window) -> list[str]:
    """What is being written or transcribed now, as a person would say it (empty: nothing)."""
    from app.ui.interview import InterviewDialog

    out = []
    if window.writing.busy:
        out.append(_writing(window))
    importing = window.memories.importing  # imports, and recordings' final passes (they stop the same way)
    if importing:
        fractions = list(window.memories.progress.values())
        share = f", {fractions[0]:.0%} done" if len(fractions) == 1 else ""
        out.append(f"transcribing {importing} memor{'ies' if importing != 1 else 'y'}{share}")
    answers = sum(len(d.finishing) for d in window.findChildren(InterviewDialog))
    if answers:
        out.append(f"transcribing {answers} spoken answer{'s' if answers != 1 else ''}")
    return out


def _writing(window) -> str:
    written = window.writing._count  # paragraphs finished so far (kept on disk as they finish)
    return "writing" + (f" ({written} paragraph{'s' if written != 1 else ''} so far)" if written else "")


class Closer(QObject):
    """The window's closing: whether it was decided, the open question, the wait."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.decided = False  # closing goes ahead without asking (the person chose, or the work ended)
        self.box: QMessageBox | None = None
        self.said = ""  # what the status bar says while waiting ("" : what is under way)
        self.left: int | None = None  # looks left before closing anyway (after "Keep what's written")
        self.watch = QTimer(self, interval=WATCH_MS, timeout=self._look)  # type: ignore[call-arg]  # stubs lack signal kwargs

    def ask(self, work: list[str]) -> QMessageBox:
        """The one question, window-modal (a sheet on macOS); answered in `_answered`."""
        if self.box is not None and self.box.isVisible():
            self.box.raise_()
            return self.box
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Fondly is still working",
            f"Fondly is {' and '.join(work)}. Close now?",
            parent=self.window,
        )
        box.setInformativeText(
            "Keep what's written: stop now. What is written or heard so far is kept, and a draft cut short "
            "is marked interrupted.\nWait: the window closes by itself when the work is done.\n"
            "Cancel: don't close."
        )
        box.addButton(KEEP, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(WAIT, QMessageBox.ButtonRole.ActionRole)
        cancel = box.addButton(CANCEL, QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(cancel)  # Esc, and the box's own ✕, are Cancel
        box.setDefaultButton(cancel)
        box.finished.connect(lambda _result: self._answered(box.clickedButton()))
        self.box = box
        box.open()
        return box

    def _answered(self, button) -> None:
        self.box = None
        choice = button.text() if button is not None else CANCEL
        if choice == KEEP:
            self.keep()
        elif choice == WAIT:
            self._wait()
        else:  # Cancel: the work goes on, and the window too
            self.watch.stop()
            self.window.statusBar().clearMessage()

    def keep(self) -> None:
        """Stop now and keep what is written, then close (the "Keep what's written" answer)."""
        self.watch.stop()
        self._mark_what_is_cut()
        stop(self.window)
        self._wait("Stopping; what is written is kept…", KEEP_WITHIN_MS)

    def _mark_what_is_cut(self) -> None:
        """The draft or piece being written, once stopped and stored, is marked interrupted (its
        history then says so, not just "generated")."""
        w = self.window.writing
        if not w.busy:
            return
        w.written.connect(lambda _draft_id, revision_id, stopped: self._cut(revision_id) if stopped else None)
        w.piece_kept.connect(lambda revision_id: self._cut(revision_id))

    def _cut(self, revision_id: int) -> None:
        from app.writing import mark_interrupted

        store = self.window.store
        if store.revision(revision_id).checks.get("stopped"):
            mark_interrupted(store, revision_id)

    def _wait(self, saying: str = "", within_ms: int | None = None) -> None:
        """Close as soon as nothing is under way (or `within_ms` has passed); say meanwhile what it waits for."""
        self.said = saying
        self.left = None if within_ms is None else within_ms // WATCH_MS
        self.watch.start()
        self._look()

    def _look(self) -> None:
        work = under_way(self.window)
        if self.left is not None:
            self.left -= 1
        if not work or (self.left is not None and self.left < 0):
            self.watch.stop()
            self.decided = True
            self.window.close()
            return
        self.window.statusBar().showMessage(self.said or f"Closing when done: {', '.join(work)}…")


def stop(window) -> None:
    """Stop what is being written and transcribed; each keeps what it has (the Stop button's way)."""
    window.writing.stop()
    if window.memories.importing:
        window.memories.stop_import()


def may_close(window) -> bool:
    """Called first by the window's closeEvent: True to close now; False when it asked (or is
    waiting) instead — the answer closes it later, or doesn't."""
    closer = window.findChild(Closer) or Closer(window)
    if closer.decided:
        return True
    work = under_way(window)
    if not work:
        return True
    closer.ask(work)
    return False


_TERMINATE: list = []


def close_on_terminate(window) -> None:
    """SIGTERM — the desktop logging out or shutting down, `kill`, a service manager — closes the
    window as "Keep what's written" would, without asking: no one is there to answer. Before,
    SIGTERM killed the process where it stood: the editor's last typing unsaved, the single-window
    socket left behind.

    Python runs a signal handler only when it next gets control, which a window idle in Qt's event
    loop may not give for a long time; so the signal also writes to a socket (signal.set_wakeup_fd)
    that a QSocketNotifier watches, waking the loop. Installed by app.ui.app.run alone: the handler
    and the wakeup are the process's, not a window's."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    wake, woken = socket.socketpair()
    for end in (wake, woken):
        end.setblocking(False)
    signal.set_wakeup_fd(wake.fileno())
    signal.signal(signal.SIGTERM, lambda *_: None)  # a Python handler, so the wakeup byte is written

    def terminate() -> None:
        try:
            signals = woken.recv(64)
        except BlockingIOError:
            return
        if signal.SIGTERM in signals:
            closer = window.findChild(Closer) or Closer(window)
            if under_way(window):
                closer.keep()
            else:
                window.close()

    notifier = QSocketNotifier(woken.fileno(), QSocketNotifier.Type.Read, window)
    notifier.activated.connect(terminate)
    _TERMINATE[:] = [notifier, wake, woken]  # kept for the process's life: the wakeup writes to `wake`


# --- where the person left off ------------------------------------------------------------------


def remember(window) -> None:
    """The project and draft open now, for the next start."""
    uisettings.remember_open(window.project.id if window.project else None, window.document.draft_id)


def reopen(window) -> None:
    """The projects, with the one last open chosen and its draft in the editor: a draft gone or
    in the bin leaves just the project; a project gone, the first one (as before)."""
    project_id, draft_id = uisettings.last_open()
    known = {p.id for p in window.store.projects()}
    window.reload_projects(project_id if project_id in known else None)
    if window.project is None or draft_id is None or window.project.id != project_id:
        return
    if any(d.id == draft_id for d in window.store.drafts(window.project.id)):
        window.document.open(("draft", draft_id), save=False)
        window.reload_drafts()
