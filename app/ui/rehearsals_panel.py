"""Rehearsing in the app: the open draft's past rehearsals (in the drafts column), recording a new
one from the microphone or choosing a recording, and opening a report.

The reading is written to disk as it arrives (app.listening.Listening, the one way to the
microphone, which memories use too), as a "take" in the data folder's audio/
(app.rehearsal.new_take), so a crash or a kill keeps it: the next start times it by itself
(`recover`). Stopping hands it to app.rehearsal.rehearse on
the speech lane, which transcribes, aligns, and stores the rehearsal with its own copy of the audio
in one transaction; the take is then removed. The teleprompter's readings come here the same way
(`time_reading`); readings waiting to be timed are timed one after another. A reading that cannot be a
rehearsal (no speech heard, stopped) leaves nothing behind; a failure of ours (a bug, the speech
model) keeps the take and says where it is, so the reading can be tried again from the file.
Everything that can be refused (no draft open, an empty draft, no microphone) is refused before
the microphone opens.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import rehearsal as rehearsals
from app import speaking
from app.errors import USER_ERRORS, FondlyError
from app.listening import Listening, recover_take
from app.paths import audio_dir
from app.store import Project, Store
from app.ui.memories_panel import IMPORT_FILTER
from app.ui.rehearsal_report import RehearsalReport, short_line, when

STOPPED = "Stopped: the rehearsal was not kept."


class ReadingTranscriber:
    """The speech model as rehearse() sees it, reporting how far through the reading it has heard
    (a fraction, to the operation's progress) and refusing to return a reading cut short by Stop:
    the transcriber ends quietly when cancelled, and a half-heard reading would be stored as one
    with its second half skipped."""

    def __init__(self, transcriber, progress) -> None:
        self.transcriber, self.progress = transcriber, progress

    def transcribe(self, audio, hotwords=(), cancel=None, words=False):
        seconds = max(len(audio) / 16000, 0.01)
        for segment in self.transcriber.transcribe(audio, hotwords, cancel=cancel, words=words):
            self.progress(min(segment.end / seconds, 1.0))
            yield segment
        if cancel is not None and cancel.is_set():
            raise FondlyError(STOPPED)


def rehearse_op(
    draft_id: int, path: Path, take: bool, revision_id: int | None = None, discard: threading.Event | None = None
):
    """The operation for the speech lane, returning the stored rehearsal of `revision_id` (the
    revision read; None: the current one). A take (the app's own recording) is removed once the
    rehearsal holds its copy, or when the reading was refused — no speech, or the person's Cancel
    (`discard`); stopped by the window closing, it stays for the next start."""
    from app.rehearsal import rehearse

    def op(job):
        try:
            rehearsal, _report = rehearse(
                job.store,
                draft_id,
                path,
                lambda: ReadingTranscriber(job.transcriber(), job.progress),
                cancel=job.cancel,
                revision_id=revision_id,
            )
        except FondlyError:
            if take and (not job.cancel.is_set() or discard is None or discard.is_set()):
                path.unlink(missing_ok=True)
            raise
        except Exception as e:
            if take:
                raise FondlyError(
                    f"The rehearsal could not be made ({e}). Your reading is kept at {path}; "
                    "Rehearse from a recording… can try it again."
                ) from e
            raise
        if take:
            path.unlink(missing_ok=True)
        return rehearsal

    return op


class RehearsalsPanel(QWidget):
    error = Signal(str)
    message = Signal(str)  # news, not an error: a cut-off reading found and being timed
    opened = Signal(object)  # the RehearsalReport now showing

    def __init__(self, store: Store, runner, document, recording) -> None:
        """`document` is the editor panel (which draft is open, and saving it first); `recording`
        the memories' recording panel (which microphone, and whether it is in use)."""
        super().__init__()
        self.store, self.runner, self.document, self.recording = store, runner, document, recording
        self.project: Project | None = None
        self.draft_id: int | None = None  # whose rehearsals the list shows
        self.listening: Listening | None = None  # the microphone, while a reading is recorded
        self.take: Path | None = None
        self.recording_draft: int | None = None
        self.recording_revision: int | None = None  # the revision on screen when the reading began
        self.operation = None
        self.waiting: list[tuple[int, Path, bool, int | None]] = []  # readings to time after this one
        self.reports: list[RehearsalReport] = []
        self.title = QLabel("Rehearsals", wordWrap=True)
        self.list = QListWidget(wordWrap=True)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.list.setAccessibleName("Rehearsals")
        self.list.setToolTip(
            "Open a rehearsal to see its report: the time of each paragraph, what was skipped "
            "or changed, and the long pauses"
        )
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(lambda item: self.open_report(item.data(Qt.ItemDataRole.UserRole)))
        self.rehearse_btn = QPushButton(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            "Rehearse…", toolTip="Read the open draft aloud; Fondly times it (Ctrl+Shift+R)"
        )
        self.rehearse_btn.clicked.connect(self.toggle)
        self.file_btn = QPushButton("From a file…", toolTip="Time a recording of you reading the open draft")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.file_btn.clicked.connect(self.choose_file)
        self.clock = QLabel("")
        self.progress = QProgressBar(maximum=0, textVisible=False, maximumHeight=10)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.progress.hide()
        self.cancel_btn = QPushButton("Cancel", toolTip="Stop timing this reading (nothing is kept)")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.cancel_btn.clicked.connect(self.cancel)
        self.cancel_btn.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.rehearse_btn)
        row.addWidget(self.file_btn)
        layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.clock, 1)
        row.addWidget(self.cancel_btn)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        self._tick = QTimer(self, interval=250)
        self._tick.timeout.connect(self._show_time)
        self.record_action = QAction(
            "Re&hearse…",
            self,
            shortcut=QKeySequence("Ctrl+Shift+R"),
            statusTip="Read the open draft aloud; Fondly times each paragraph",
        )
        self.record_action.triggered.connect(self.toggle)
        self.file_action = QAction(
            "Rehearse from a recordin&g…", self, statusTip="Choose a recording of you reading the open draft"
        )
        self.file_action.triggered.connect(self.choose_file)
        document.revision_shown.connect(lambda _revision: self.show_draft(document.draft_id))

    def menu_actions(self) -> list[QAction]:
        return [self.record_action, self.file_action]

    # --- the list ------------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.show_draft(None)

    def show_draft(self, draft_id: int | None) -> None:
        """List `draft_id`'s rehearsals, newest first (none when no draft is open)."""
        self.draft_id = draft_id
        self.list.clear()
        if draft_id is None:
            self.title.setText("Rehearsals")
            return
        draft = self.store.draft(draft_id)
        self.title.setText(f"Rehearsals of “{draft.title}”")
        for r in reversed(self.store.rehearsals(draft_id)):
            skipped = sum(1 for p in r.report.get("paragraphs", []) if p.get("skipped"))
            item = QListWidgetItem(
                f"{when(r.created)} · {short_line(r.report)}" + (f" · {skipped} skipped" if skipped else "")
            )
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.list.addItem(item)

    def open_report(self, rehearsal_id: int) -> RehearsalReport:
        rehearsal = self.store.rehearsal(rehearsal_id)
        view = RehearsalReport(rehearsal, self.store.draft(rehearsal.draft_id).title, self.window())
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.destroyed.connect(lambda *_: self.reports.remove(view) if view in self.reports else None)
        self.reports.append(view)
        view.show()
        self.opened.emit(view)
        return view

    # --- a new rehearsal ---------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.listening is not None or self.operation is not None

    def _draft_to_rehearse(self) -> int:
        """The open draft, saved, with words in it — or the one message that says what is missing."""
        if self.project is None:
            raise FondlyError("Start a speech first: File → New speech (Ctrl+N).")
        draft_id = self.document.draft_id
        if draft_id is None:
            raise FondlyError("Open the draft you want to rehearse first: choose it in the drafts column.")
        self.document.save()
        if not self.store.current_text(draft_id).strip():
            raise FondlyError("This draft is empty; there is nothing to rehearse yet.")
        return draft_id

    def toggle(self) -> None:
        if self.listening is not None:
            self.stop()
        elif self.operation is None:
            self.start()

    def start(self) -> None:
        """Open the microphone and write the reading to a take as it arrives."""
        if self.busy:
            return
        try:
            draft_id = self._draft_to_rehearse()
            if self.recording.busy:
                raise FondlyError("The microphone is recording a memory; stop that first, then rehearse.")
            listening = Listening(self.recording.microphone)
            revision_id = self.store.draft(draft_id).current_revision_id
            assert revision_id is not None  # the draft has words, so a current revision
            take = rehearsals.new_take(draft_id, revision_id)
            listening.start(take)
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.listening, self.take, self.recording_draft = listening, take, draft_id
        self.recording_revision = revision_id
        listening.failed.connect(self._device_failed)
        self.rehearse_btn.setText("Stop")
        self.record_action.setText("Stop the re&hearsal")
        self.file_action.setEnabled(False)
        self.file_btn.setEnabled(False)
        self._tick.start()
        self._show_time()

    def _show_time(self) -> None:
        if self.listening is not None:
            self.clock.setText(f"Recording {speaking.clock(self.listening.seconds)}")

    def _release(self, for_later: bool = False) -> None:
        self._tick.stop()
        listening, self.listening = self.listening, None
        assert listening is not None  # released only while a reading is recorded
        listening.close_for_later() if for_later else listening.stop()  # the WAV is closed whole
        self.rehearse_btn.setText("Rehearse…")
        self.record_action.setText("Re&hearse…")

    def stop(self) -> None:
        """The microphone off; the reading is timed on the speech lane."""
        if self.listening is None:
            return
        self._release()
        assert self.recording_draft is not None and self.take is not None  # set with self.listening
        self._analyse(self.recording_draft, self.take, take=True, revision_id=self.recording_revision)

    def _device_failed(self, message: str) -> None:
        self.stop()
        self.error.emit(message)

    def close_recording(self) -> None:
        """The window is closing mid-reading: the take is closed whole and kept on disk."""
        if self.listening is not None:
            self._release(for_later=True)

    def choose_file(self) -> QFileDialog | None:
        try:
            draft_id = self._draft_to_rehearse()
        except FondlyError as e:
            self.error.emit(str(e))
            return None
        # a reading cut off by a crash or a kill is still in the data folder as a take: start there
        takes = sorted(audio_dir().glob("rehearsal-take-*.wav"))
        dialog = QFileDialog(
            self, "A recording of you reading the draft", str(takes[-1] if takes else Path.home()), IMPORT_FILTER
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.rehearse_file(draft_id, path))
        dialog.open()
        return dialog

    def rehearse_file(self, draft_id: int, path: str) -> None:
        if self.busy:
            self.error.emit("A rehearsal is being timed already; wait for its report.")
            return
        self._analyse(draft_id, Path(path), take=False)

    def time_reading(self, take: Path, draft_id: int, revision_id: int) -> None:
        """A take recorded elsewhere (the teleprompter following a reading): timed now, or after
        the reading being timed."""
        self._analyse(draft_id, take, take=True, revision_id=revision_id)

    def recover(self) -> None:
        """On start: readings cut off by a crash or a kill are timed by themselves, like an import
        cut off; one whose draft is gone since (a backup restored) is kept as a plain recording,
        and said where."""
        for left in rehearsals.left_takes():
            if recover_take(left.path) is None:  # killed before a sound was written: nothing to keep
                continue
            try:
                self.store.revision(left.revision_id)  # gone if a backup was restored since
            except FondlyError:
                kept = left.path.with_name(left.path.name.replace("rehearsal-take-", "rehearsal-reading-"))
                left.path.rename(kept)
                self.message.emit(
                    f"A rehearsal reading cut off on {left.started:%d %b at %H:%M} read a draft that "
                    f"is gone; the recording is kept at {kept}."
                )
                continue
            self.message.emit(
                f"A rehearsal reading cut off on {left.started:%d %b at %H:%M} is being timed; "
                "its report opens when it is ready."
            )
            self._analyse(left.draft_id, left.path, take=True, revision_id=left.revision_id)

    def _analyse(self, draft_id: int, path: Path, take: bool, revision_id: int | None = None) -> None:
        if self.operation is not None:
            self.waiting.append((draft_id, path, take, revision_id))
            return
        self.rehearse_btn.setEnabled(False)
        self.record_action.setEnabled(False)
        self.file_action.setEnabled(False)
        self.file_btn.setEnabled(False)
        self.clock.setText("Listening to the reading…")
        self.progress.setMaximum(0)
        self.progress.show()
        self.cancel_btn.show()
        self._discard = threading.Event()
        self.operation = self.runner.run(
            rehearse_op(draft_id, path, take, revision_id, self._discard),
            lane="speech",
            on_done=self._done,
            on_failed=self._failed,
            on_progress=self._progress,
        )

    def _progress(self, fraction: float) -> None:
        self.progress.setMaximum(100)
        self.progress.setValue(int(fraction * 100))

    def cancel(self) -> None:
        if self.operation is not None:
            self._discard.set()  # the person chose to: the take goes too
            self.operation.cancel()
            self.clock.setText("Stopping…")

    def _idle(self) -> None:
        self.operation = None
        self.progress.hide()
        self.cancel_btn.hide()
        self.clock.setText("")
        for w in (self.rehearse_btn, self.file_btn, self.record_action, self.file_action):
            w.setEnabled(True)
        if self.waiting:
            self._analyse(*self.waiting.pop(0))

    def _done(self, rehearsal) -> None:
        self._idle()
        if self.document.draft_id == rehearsal.draft_id or self.draft_id == rehearsal.draft_id:
            self.show_draft(rehearsal.draft_id)
        self.open_report(rehearsal.id)

    def _failed(self, message: str) -> None:
        self._idle()
        self.error.emit(message)
