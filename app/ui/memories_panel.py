"""The memories column: the project's memories with their status, importing (text and audio,
transcribed on the speech lane with progress and a way to stop), playing a recording
back, and recording a new one.

It stores nothing itself: importing is app.memories, recording is the RecordingSession
behind the recording panel, recovery is app.recordings — the same services the CLI uses. A memory is renamed (F2) or moved to
the bin (Delete) from the list's context menu; app.deleting says what can't be deleted, and why.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import deleting, recordings, speaking, vocabulary
from app.errors import USER_ERRORS, FondlyError
from app.store import Memory, Project, Store
from app.ui.dialogs import ask_name
from app.ui.operations import OperationRunner, message_for
from app.ui.playback import Playback
from app.ui.popups import keep_on_screen
from app.ui.recording import RecordingPanel

IMPORT_FILTER = "Memories (*.txt *.md *.markdown *.text *.wav *.flac *.mp3 *.m4a *.ogg *.oga *.opus *.aac *.webm)"


class MemoriesPanel(QWidget):
    opened = Signal(int)  # the person chose this memory
    changed = Signal()  # memories were added or changed: the search, the marks and the Brief may differ
    transcript_grew = Signal(int)  # memory id: its live transcript has a new segment
    transcribing = Signal(int, str, float)  # memory id, a segment's text, fraction done
    memory_done = Signal(int)  # an import or recording is through: ready, or failed with its error stored
    recovered = Signal(int, str)  # memory id, title: a recording cut off last time, now finished
    error = Signal(str)
    message = Signal(str)
    status = Signal(str, int)
    binned = Signal(str, int)  # "memory", id: moved to the bin (the editor lets it go if it is open)
    undoable = Signal(str, object)  # news, and the callable that undoes it (the message bar's Undo)

    def __init__(self, store: Store, runner: OperationRunner) -> None:
        super().__init__()
        self.store, self.runner = store, runner
        self.project: Project | None = None
        self.progress: dict[int, float] = {}  # memory id → fraction transcribed
        self.importing = 0  # files queued or being imported
        self.busy_elsewhere: list = []  # memory id → bool: recorded by another window (the interview)

        self.list = QListWidget()
        self.list.setAccessibleName("Memories")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentItemChanged.connect(self._chosen)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.rename_action = self._list_action("Rename…", "F2", self.rename_dialog)
        self.delete_action = self._list_action("Move to the bin", QKeySequence.StandardKey.Delete, self.delete)
        self.rename_dialog_box: QInputDialog | None = None
        import_btn = QPushButton("Import…", toolTip="Import text or audio memories (Ctrl+I)")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        import_btn.clicked.connect(self.import_dialog)
        self.play_btn = QPushButton("Play", toolTip="Play the original recording", enabled=False)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.play_btn.clicked.connect(self.play)
        self.playback = Playback(self.play_btn)
        self.playback.error.connect(self.error)
        self.cancel_import_btn = QPushButton("Stop transcribing", enabled=False)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.cancel_import_btn.clicked.connect(self.stop_import)
        self.recording = RecordingPanel(store, runner)
        self.recording.started.connect(self._recording_started)
        self.recording.stopping.connect(self._recording_stopping)
        self.recording.finished.connect(self._done)
        self.recording.live_segment.connect(self._live_segment)
        self.recording.error.connect(self.error)
        buttons = QHBoxLayout()
        for b in (import_btn, self.play_btn, self.cancel_import_btn):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Memories"))
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.recording)

    # --- the list -----------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = self.recording.project = project
        self.reload()

    def _label(self, m: Memory) -> str:
        status = m.status
        if m.status == "transcribing" and m.id in self.progress:
            status = f"transcribing {self.progress[m.id]:.0%}"
        details = [m.kind, status] + ([speaking.clock(m.duration)] if m.duration else [])
        preview = " ".join(m.text.split())[:80]
        return f"{m.title}\n{' · '.join(details)}" + (f"\n{preview}" if preview else "")

    def reload(self, chosen: int | None = None) -> None:
        """The project's memories, `chosen` (or the one selected) selected, quietly."""
        chosen = chosen if chosen is not None else self.selected()
        self.list.blockSignals(True)
        self.list.clear()
        for m in self.store.memories(self.project.id) if self.project else []:
            item = QListWidgetItem(self._label(m))
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            if m.error:
                item.setToolTip(m.error)
            self.list.addItem(item)
            if m.id == chosen:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.changed.emit()

    def selected(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, memory_id: int | None) -> None:
        """Select a memory without opening it again (it is already open)."""
        self.list.blockSignals(True)
        if memory_id is None:
            self.list.setCurrentItem(None)  # type: ignore[call-overload]  # Qt takes None: no current item
        elif (item := self._item(memory_id)) is not None:
            self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.play_btn.setEnabled(memory_id is not None and bool(self.store.memory(memory_id).audio_path))

    def filter(self, memory_ids: set[int] | None) -> None:
        """Show only these memories (None: all), for the search box."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(memory_ids is not None and item.data(Qt.ItemDataRole.UserRole) not in memory_ids)

    def titles(self) -> list[str]:
        return [self.list.item(i).text().split("\n")[0] for i in range(self.list.count())]

    def titles_by_id(self) -> dict[int, str]:
        """Every memory's title by id (the drafts panel names the memory each sentence came from)."""
        return {m.id: m.title for m in self.store.memories(self.project.id)} if self.project else {}

    def is_busy(self, memory_id: int) -> bool:
        """Being recorded or transcribed: its text is not the person's to edit yet."""
        session = self.recording.session
        return (
            memory_id in self.progress
            or (session is not None and session.memory is not None and session.memory.id == memory_id)
            or any(busy(memory_id) for busy in self.busy_elsewhere)
        )

    def _item(self, memory_id: int) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == memory_id:
                return self.list.item(i)
        return None

    def _relabel(self, memory_id: int) -> None:
        item = self._item(memory_id)
        if item is not None:
            item.setText(self._label(self.store.memory(memory_id)))

    def _chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            memory_id = item.data(Qt.ItemDataRole.UserRole)
            self.play_btn.setEnabled(bool(self.store.memory(memory_id).audio_path))
            self.opened.emit(memory_id)

    # --- names and the bin --------------------------------------------------------------------

    def _list_action(self, text: str, key, slot) -> QAction:
        """A command on the selected memory: in the context menu, and its key while the list has focus."""
        act = QAction(
            text, self.list, shortcut=QKeySequence(key), shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        act.triggered.connect(lambda: slot())
        self.list.addAction(act)
        return act

    def _context_menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        menu = QMenu(self.list)
        menu.addActions([self.rename_action, self.delete_action])
        at = self.list.viewport().mapToGlobal(pos)
        keep_on_screen(menu, at).popup(at)

    def rename_dialog(self, memory_id: int | None = None) -> QInputDialog | None:
        """Ask for the selected memory's new name (non-modal); the name is kept when accepted."""
        memory_id = memory_id if memory_id is not None else self.selected()
        if memory_id is None:
            return None
        self.rename_dialog_box = ask_name(
            self,
            "Rename the memory",
            "The memory's name:",
            self.store.memory(memory_id).title,
            lambda name: self.rename(memory_id, name),
        )
        return self.rename_dialog_box

    def rename(self, memory_id: int, name: str) -> None:
        try:
            self.store.rename("memory", memory_id, name)
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.reload()

    def delete(self, memory_id: int | None = None) -> None:
        """Move the selected memory to the bin; the message says how to get it back, with Undo."""
        memory_id = memory_id if memory_id is not None else self.selected()
        if memory_id is None:
            return
        try:
            memory = deleting.to_bin(self.store, "memory", memory_id, busy=self.is_busy(memory_id))
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.reload()
        self.binned.emit("memory", memory_id)
        self.undoable.emit(deleting.moved(memory), lambda: self.bring_back(memory_id))

    def bring_back(self, memory_id: int) -> None:
        """Undo a delete: the memory back from the bin, selected."""
        try:
            memory = deleting.from_bin(self.store, "memory", memory_id)
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.reload(chosen=memory_id)
        self.message.emit(f"“{memory.title}” is back.")

    # --- importing ----------------------------------------------------------------------------

    def add(self, how: str) -> None:
        """Add a memory as the person chose where something was missing: "record" one, or import one."""
        if how == "record":
            self.recording.record_btn.click()
        else:
            self.import_dialog()

    def import_dialog(self) -> None:
        if self.project is None:
            self.error.emit("Start a speech first: File → New speech (Ctrl+N).")
            return
        dialog = QFileDialog(self, "Import memories", str(Path.home()), IMPORT_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(self.import_paths)
        dialog.open()

    def import_paths(self, paths: list[str]) -> None:
        """Queue files on the speech lane; each becomes a memory or one clear message."""
        project = self.project
        if project is None:
            self.error.emit("Start a speech first: File → New speech (Ctrl+N).")
            return
        for path in map(str, paths):
            self.importing += 1
            self.runner.run(
                partial(self._import, project=project, path=path),
                lane="speech",
                on_progress=self._import_progress,
                on_done=self._done,
                on_failed=partial(self._refused, Path(path).name),
            )
        self.cancel_import_btn.setEnabled(True)
        self.status.emit(f"Importing {len(paths)} file{'s' if len(paths) != 1 else ''}…", 3000)

    @staticmethod
    def _import(job, project: Project, path: str) -> int:
        """On the speech lane: store the file as a memory, then transcribe it if it is audio.
        A refused file raises (nothing is stored); a failed transcription is kept on the memory."""
        from app.memories import prepare, store_prepared, transcribe_memory

        if job.cancel.is_set():
            raise FondlyError("Importing was stopped before this file began, so nothing was stored.")
        item = prepare(path)
        transcriber = None
        if item.kind == "audio":
            try:
                transcriber = job.transcriber()
            except Exception as e:  # noqa: BLE001 — a model fails to load in many ways; each is this one line
                raise FondlyError(f"The speech model could not be loaded, so the audio was not imported ({e}).")
        memory = store_prepared(job.store, project, item)
        job.progress(("added", memory.id, "", 0.0))
        if transcriber is not None:
            assert item.audio is not None  # audio is what a transcriber is loaded for
            length = max(memory.duration or 0.0, 0.001)
            try:
                transcribe_memory(
                    job.store,
                    memory.id,
                    item.audio,
                    transcriber,
                    vocabulary.for_project(job.store, project),
                    cancel=job.cancel,
                    on_segment=lambda m, s: job.progress(("segment", m.id, s.text, min(1.0, s.end / length))),
                )
            except Exception as e:  # noqa: BLE001 — message_for logs a bug's trace
                message_for(e)  # the memory holds the error, shown when it is done; a bug's trace goes to the log
        return memory.id

    def _import_progress(self, event) -> None:
        kind, memory_id, text, fraction = event
        if kind == "added":
            self.reload()
        else:
            self.progress[memory_id] = fraction
            self._relabel(memory_id)
            self.transcribing.emit(memory_id, text, fraction)

    def _refused(self, name: str, message: str) -> None:
        self._import_through()
        self.error.emit(message if message.startswith(name) else f"{name} was not imported. {message}")

    def _import_through(self) -> None:
        self.importing = max(0, self.importing - 1)
        self.cancel_import_btn.setEnabled(self.importing > 0)

    def stop_import(self) -> bool:
        """Stop transcribing (what was heard is kept). False if nothing was being imported."""
        if not self.importing:
            return False
        self.runner.cancel("speech")
        return True

    def _done(self, memory_id: int) -> None:
        """An import or a recording is through, ready or failed."""
        self.progress.pop(memory_id, None)
        self._import_through()
        m = self.store.memory(memory_id)
        if m.status == "failed" and m.error:
            self.error.emit(f"{m.title}: {m.error}")
        self.reload()
        self.memory_done.emit(memory_id)

    # --- recording, recovery, playback --------------------------------------------------------

    def _recording_started(self, memory_id: int) -> None:
        self.reload(chosen=memory_id)
        self.opened.emit(memory_id)

    def _recording_stopping(self, memory_id: int) -> None:
        self.progress[memory_id] = 0.0
        self.importing += 1  # the final pass is on the speech lane like an import, and stops the same way
        self.status.emit("Finishing the transcript…", 5000)
        self.reload()

    def _live_segment(self, memory_id: int, _text: str) -> None:
        self._relabel(memory_id)
        self.transcript_grew.emit(memory_id)

    def recover(self) -> None:
        """Finish recordings and imports an earlier run was killed in the middle of (on the speech lane)."""

        def recover_all(job) -> list[tuple[Memory, str | None]]:
            transcriber = job.transcriber()  # loads the speech model: this is also its warm-up
            outcomes: list[tuple[Memory, str | None]] = []
            for memory in recordings.unfinished(job.store):
                try:
                    outcomes.append((recordings.recover(job.store, memory, transcriber), None))
                except Exception as e:  # noqa: BLE001 — one recording's failure is its message; the rest go on
                    outcomes.append((memory, message_for(e)))
            return outcomes

        self.runner.run(recover_all, lane="speech", on_done=self._recovered, on_failed=self.error.emit)

    def _recovered(self, outcomes: list[tuple[Memory, str | None]]) -> None:
        self.reload()
        for m, problem in outcomes:
            if problem:
                self.error.emit(f"{m.title}: {problem}")
                continue
            what = "A recording" if m.kind == "voice" else "An import"
            self.message.emit(f"{what} that was cut off last time has been recovered: {m.title}.")
            self.recovered.emit(m.id, m.title)

    def play(self) -> None:
        memory_id = self.selected()
        audio = self.store.memory(memory_id).audio_path if memory_id is not None else None
        if audio:
            self.playback.toggle(audio)

    @property
    def player(self):
        """The media player, once something was played (None before)."""
        return self.playback.player
