"""Fondly's main window: projects and memories on the left, the editor and its preview in the
middle, the prompt bar below, drafts and their revisions on the right.

The window only arranges and reacts. Reading and writing go through app.store and the
services the CLI uses; models and files are handled by the two workers.
"""

from __future__ import annotations

import copy
import html
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMainWindow, QPlainTextEdit, QPushButton, QSplitter,
                               QTextBrowser, QToolButton, QVBoxLayout, QWidget)

from app import speaking
from app.errors import USER_ERRORS
from app.paths import data_dir
from app.render import to_html
from app.writing import keep_piece, keep_rewrite, make_brief, mode_for
from llm.brief import Brief
from app.store import Memory, Project, Store
from app.ui import uisettings
from app.ui.dialogs import NewProjectDialog, about_box
from app.ui.brief_chips import BriefChips
from app.ui.drafts_panel import DraftsPanel
from app.ui.grounding_marks import FlagMarks
from app.ui.provenance import mode_label
from llm.composition import Source, facts_for
from app.ui.recording import RecordingPanel
from app.ui.workers import SpeechWorker, TextWorker

AUTOSAVE_MS = 2000  # after this long without typing, the text is kept as a revision…
AUTOSAVE_MAX_MS = 4000  # …and at least this often while typing goes on
EXPORT_FILTERS = {
    "md": "Markdown (*.md)", "txt": "Plain text (*.txt)", "html": "Web page, for printing (*.html)",
    "pdf": "Large-print reading copy (*.pdf)", "cards": "Cue cards (*.pdf)", "docx": "Word document (*.docx)",
}
IMPORT_FILTER = "Memories (*.txt *.md *.markdown *.text *.wav *.flac *.mp3 *.m4a *.ogg *.oga *.opus *.aac *.webm)"


class MessageBar(QWidget):
    """A calm, non-blocking message above the editor; stays until read and closed."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("messageBar")
        self.label = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(text="✕", toolTip="Dismiss", autoRaise=True)
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.label, 1)
        row.addWidget(close)
        self.hide()

    def show_message(self, text: str, error: bool = False) -> None:
        self.setProperty("error", error)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.show()


class MainWindow(QMainWindow):
    request_generate = Signal(int, object, object)
    request_piece = Signal(int, object, object)
    request_rewrite = Signal(int, str, str, object)
    request_import = Signal(int, str)
    request_warm_text = Signal()
    request_pace = Signal(int, str)
    request_reload_text = Signal()
    request_reload_speech = Signal()
    request_warm_speech = Signal()

    def __init__(self, store: Store | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Fondly")
        self.setAcceptDrops(True)
        self.store = store or Store.open_default()  # the composition root (app.ui.app) hands one in
        self.project: Project | None = None
        self.doc: tuple[str, int] | None = None  # ("draft", id) or ("memory", id)
        self.doc_text = ""  # the text as loaded, to tell whether it was edited
        self.generating = False
        self.importing = 0
        self.progress: dict[int, float] = {}
        self.models = {"text": "the bundled text model (loading)", "speech": "the bundled speech model (loading)"}
        self.player = None
        self._dictation_at = 0  # where the cursor was when dictation began

        self.text_worker = TextWorker()
        self.speech_worker = SpeechWorker()
        self._build()
        self._build_menus()
        self._start_workers()
        self._restore_layout()
        self.apply_text_size(uisettings.text_size())
        self.reload_projects()

    # --- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        # left: project, search, memories
        self.project_box = QComboBox(toolTip="The speech you are working on")
        self.project_box.currentIndexChanged.connect(self._project_chosen)
        new_btn = QPushButton("New…", toolTip="New speech (Ctrl+N)")
        new_btn.clicked.connect(self.new_project)
        top = QHBoxLayout()
        top.addWidget(self.project_box, 1)
        top.addWidget(new_btn)
        self.search = QLineEdit(placeholderText="Search memories and drafts (Ctrl+F)", clearButtonEnabled=True)
        self.search.textChanged.connect(lambda: self._search_timer.start())
        self._search_timer = QTimer(self, singleShot=True, interval=200, timeout=self.apply_search)
        self.results = QTextBrowser(openLinks=False, maximumHeight=160)
        self.results.setAccessibleName("Search results")
        self.results.anchorClicked.connect(self._open_result)
        self.results.hide()
        self.memory_list = QListWidget()
        self.memory_list.setAccessibleName("Memories")
        self.memory_list.setWordWrap(True)
        self.memory_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.memory_list.currentItemChanged.connect(self._memory_chosen)
        import_btn = QPushButton("Import…", toolTip="Import text or audio memories (Ctrl+I)")
        import_btn.clicked.connect(self.import_dialog)
        self.play_btn = QPushButton("Play", toolTip="Play the original recording", enabled=False)
        self.play_btn.clicked.connect(self.play_audio)
        self.cancel_import_btn = QPushButton("Stop transcribing", enabled=False)
        self.cancel_import_btn.clicked.connect(self.stop_import)
        buttons = QHBoxLayout()
        for b in (import_btn, self.play_btn, self.cancel_import_btn):
            buttons.addWidget(b)
        left = QWidget(objectName="sidebar")
        lv = QVBoxLayout(left)
        lv.addLayout(top)
        lv.addWidget(self.search)
        lv.addWidget(self.results)
        lv.addWidget(QLabel("Memories"))
        lv.addWidget(self.memory_list, 1)
        lv.addLayout(buttons)
        self.recording = RecordingPanel(self.store, self.speech_worker)
        lv.addWidget(self.recording)

        # middle: message bar, editor | preview, prompt bar
        self.message = MessageBar()
        self.editor = QPlainTextEdit(placeholderText="Your speech appears here. Type, or ask Fondly below.")
        self.editor.setAccessibleName("Editor")
        self.editor.setAcceptDrops(False)  # files dropped here go to the window, to be imported
        self.editor.textChanged.connect(lambda: self._render_timer.start())
        self.editor.textChanged.connect(self._typed)
        self.marks = FlagMarks(self.editor.document())
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.editor.customContextMenuRequested.connect(self._editor_menu)
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS, timeout=self.autosave)
        self._autosave_max = QTimer(self, singleShot=True, interval=AUTOSAVE_MAX_MS, timeout=self.autosave)
        self.preview = QTextBrowser(openExternalLinks=False, openLinks=False)
        self.preview.setAccessibleName("Preview")
        self._render_timer = QTimer(self, singleShot=True, interval=150, timeout=self.render_preview)
        self.editor_split = QSplitter()
        self.editor_split.addWidget(self.editor)
        self.editor_split.addWidget(self.preview)
        self.prompt = QLineEdit(placeholderText='e.g. "Write a funeral speech using dad.txt and include at least one joke"')
        self.prompt.setAccessibleName("Shorthand")
        self.prompt.returnPressed.connect(self.generate)
        self.generate_btn = QPushButton("Generate", toolTip="Write from your shorthand (Ctrl+Enter)", default=True)
        self.generate_btn.clicked.connect(self.generate)
        self.stop_btn = QPushButton("Stop", toolTip="Stop writing and keep what is written (Esc)", enabled=False)
        self.stop_btn.clicked.connect(self.stop)
        bar = QHBoxLayout()
        bar.addWidget(self.prompt, 1)
        bar.addWidget(self.generate_btn)
        bar.addWidget(self.stop_btn)
        self.dictate_btn = QPushButton("Dictate", checkable=True,
                                       toolTip="Speak, then click again: the words go in at the cursor (Ctrl+D)")
        self.dictate_btn.toggled.connect(self.dictate)
        bar.addWidget(self.dictate_btn)
        self.chips = BriefChips()
        self.prompt.textChanged.connect(lambda: self._brief_timer.start())
        self._brief_timer = QTimer(self, singleShot=True, interval=300, timeout=self.update_brief)
        middle = QWidget()
        mv = QVBoxLayout(middle)
        mv.addWidget(self.message)
        mv.addWidget(self.editor_split, 1)
        mv.addLayout(bar)
        mv.addWidget(self.chips)

        # right: drafts and revisions
        self.drafts_panel = right = DraftsPanel(self.store)
        right.chosen.connect(self._revision_chosen)
        right.compare_requested.connect(self.compare_revisions)
        right.restore_requested.connect(self.restore_revision)
        right.sentence_activated.connect(self._select_sentence)
        # the panel's widgets, by the names the rest of the window (and its tests) know them
        self.drafts, self.paragraphs_view, self.checks_label = right.tree, right.sentences, right.checks
        self.compare_btn, self.restore_btn = right.compare_btn, right.restore_btn

        self.split = QSplitter()
        for w in (left, middle, right):
            self.split.addWidget(w)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([260, 760, 240])
        self.setCentralWidget(self.split)

        self.words_label = QLabel()
        self.model_label = QLabel()
        self.statusBar().addPermanentWidget(self.words_label, 1)
        self.statusBar().addPermanentWidget(self.model_label)
        self._show_models()
        self.render_preview()

    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self, statusTip=tip)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        m = self.menuBar()
        f = m.addMenu("&File")
        self._action(f, "&New speech…", self.new_project, QKeySequence.StandardKey.New)
        self._action(f, "&Import memories…", self.import_dialog, "Ctrl+I")
        self._action(f, "&Snapshot", self.snapshot, QKeySequence.StandardKey.Save, "Keep this version in the history")
        self._action(f, "&Export…", self.export_dialog, "Ctrl+E", "Save the speech for delivery: PDF, cue cards, Word…")
        self._action(f, "&Measure my pace…", self.measure_pace_dialog, None,
                     "Choose a recording of you reading the speech; speaking times will use your pace")
        f.addSeparator()
        self._action(f, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        e = m.addMenu("&Edit")
        self._action(e, "&Find…", self.focus_search, QKeySequence.StandardKey.Find)
        self._action(e, "Se&ttings…", self.show_settings, QKeySequence.StandardKey.Preferences)
        r = e.addMenu("&Rewrite the selection")
        for how, label in (("shorter", "&Shorter"), ("warmer", "&Warmer"), ("lighter", "&Lighter"),
                           ("style", "In the Brief's st&yle")):
            self._action(r, label, lambda _=False, h=how: self.rewrite_selection(h))
        w = m.addMenu("&Write")
        self.generate_action = self._action(w, "&Generate", self.generate, "Ctrl+Return")
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.generate)
        self._action(w, "&Stop", self.stop, "Esc")
        self._action(w, "Focus the &prompt", self.prompt.setFocus, "Ctrl+L")
        w.addSeparator()
        self._action(w, "&Record a memory", self.recording.toggle_record, "Ctrl+R")
        self._action(w, "&Dictate at the cursor", self.dictate_btn.toggle, "Ctrl+D")
        v = m.addMenu("&View")
        self._action(v, "&Larger text", lambda: self.apply_text_size(uisettings.step_text_size(+1)),
                     QKeySequence.StandardKey.ZoomIn)
        self._action(v, "&Smaller text", lambda: self.apply_text_size(uisettings.step_text_size(-1)),
                     QKeySequence.StandardKey.ZoomOut)
        h = m.addMenu("&Help")
        self._action(h, "&About Fondly", self.show_about)

    def _start_workers(self) -> None:
        t, s = self.text_worker, self.speech_worker
        self.request_generate.connect(t.generate)
        self.request_piece.connect(t.piece)
        self.request_rewrite.connect(t.rewrite)
        t.paragraph.connect(self._on_paragraph)
        t.discard.connect(self._on_discard)
        t.piece_done.connect(self._on_piece)
        t.rewritten.connect(self._on_rewritten)
        self.request_warm_text.connect(t.warm_up)
        t.chunk.connect(self._on_chunk)
        t.finished.connect(self._on_generated)
        t.failed.connect(self._on_generate_failed)
        t.loaded.connect(self._text_model_ready)
        t.load_failed.connect(self._model_failed)
        self.request_import.connect(s.import_file)
        self.request_warm_speech.connect(s.warm_up)
        s.added.connect(self._on_memory_added)
        s.segment.connect(self._on_segment)
        s.done.connect(self._on_memory_done)
        s.failed.connect(self._on_import_failed)
        s.loaded.connect(self._speech_model_ready)
        s.recovered.connect(self._on_recovered)
        s.live_segment.connect(self._on_live_segment)
        s.dictated.connect(self._on_dictated)
        self.request_pace.connect(s.measure_pace)
        self.request_reload_text.connect(t.reload)
        self.request_reload_speech.connect(s.reload)
        s.pace_measured.connect(self._on_pace)
        s.problem.connect(self.show_error)
        self.recording.started.connect(self._on_recording_started)
        self.recording.stopping.connect(self._on_recording_stopping)
        self.recording.error.connect(self.show_error)
        s.load_failed.connect(self._model_failed)
        t.start()
        s.start()

    def warm_up(self) -> None:
        """Load both models in the background; the window is already usable."""
        self.request_warm_text.emit()
        self.request_warm_speech.emit()

    # --- layout and text size ---------------------------------------------------------------

    def _restore_layout(self) -> None:
        s = uisettings.ui_settings()
        for key, restore in (("geometry", self.restoreGeometry), ("state", self.restoreState),
                             ("split", self.split.restoreState), ("editor_split", self.editor_split.restoreState)):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        if not isinstance(s.value("geometry"), QByteArray):
            self.resize(1280, 800)

    def _save_layout(self) -> None:
        s = uisettings.ui_settings()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("state", self.saveState())
        s.setValue("split", self.split.saveState())
        s.setValue("editor_split", self.editor_split.saveState())
        s.sync()

    def apply_text_size(self, size: int) -> None:
        self.text_size = size
        font = QFont(self.editor.font())
        font.setPointSize(size)
        for w in (self.editor, self.preview, self.prompt):
            w.setFont(font)
        self.preview.document().setDefaultFont(font)
        self.render_preview()

    # --- projects ---------------------------------------------------------------------------

    def reload_projects(self, select: int | None = None) -> None:
        current = select if select is not None else (self.project.id if self.project else None)
        self.project_box.blockSignals(True)
        self.project_box.clear()
        for p in self.store.projects():
            self.project_box.addItem(p.title, p.id)
        self.project_box.blockSignals(False)
        index = self.project_box.findData(current) if current is not None else 0
        self.project_box.setCurrentIndex(max(index, 0))
        self._project_chosen()

    def _project_chosen(self) -> None:
        self.save_document()
        pid = self.project_box.currentData()
        self.project = self.store.project(pid) if pid is not None else None
        self.recording.project = self.project
        self.open_document(None)
        self.reload_memories()
        self.reload_drafts()
        self.setWindowTitle(f"{self.project.title} — Fondly" if self.project else "Fondly")

    def new_project(self) -> NewProjectDialog:
        """Open the New speech dialog (non-modal for the caller: it returns at once)."""
        dialog = NewProjectDialog(self)

        def create() -> None:
            try:
                project = self.store.create_project(**dialog.values())
            except USER_ERRORS as e:
                self.show_error(str(e))
                return
            self.reload_projects(select=project.id)

        dialog.accepted.connect(create)
        dialog.open()
        return dialog

    def _need_project(self) -> bool:
        if self.project is None:
            self.show_error("Start a speech first: File → New speech (Ctrl+N).")
            return False
        return True

    # --- memories ---------------------------------------------------------------------------

    def _memory_label(self, m: Memory) -> str:
        status = m.status
        if m.status == "transcribing" and m.id in self.progress:
            status = f"transcribing {self.progress[m.id]:.0%}"
        details = [m.kind, status]
        if m.duration:
            details.append(speaking.clock(m.duration))
        preview = " ".join(m.text.split())[:80]
        return f"{m.title}\n{' · '.join(details)}" + (f"\n{preview}" if preview else "")

    def reload_memories(self) -> None:
        chosen = self.doc[1] if self.doc and self.doc[0] == "memory" else None
        self.memory_list.blockSignals(True)
        self.memory_list.clear()
        if self.project:
            for m in self.store.memories(self.project.id):
                item = QListWidgetItem(self._memory_label(m))
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                if m.error:
                    item.setToolTip(m.error)
                self.memory_list.addItem(item)
                if m.id == chosen:
                    self.memory_list.setCurrentItem(item)
        self.memory_list.blockSignals(False)
        self.apply_search()
        self._update_marks()

    def _memory_item(self, memory_id: int) -> QListWidgetItem | None:
        for i in range(self.memory_list.count()):
            item = self.memory_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == memory_id:
                return item
        return None

    def memory_titles(self) -> list[str]:
        return [self.memory_list.item(i).text().split("\n")[0] for i in range(self.memory_list.count())]

    def _memory_chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.open_document(("memory", item.data(Qt.ItemDataRole.UserRole)))

    def import_dialog(self) -> None:
        if not self._need_project():
            return
        dialog = QFileDialog(self, "Import memories", str(Path.home()), IMPORT_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(self.import_paths)
        dialog.open()

    def import_paths(self, paths: list[str]) -> None:
        """Queue files for the speech worker; each becomes a memory or a clear message."""
        if not self._need_project():
            return
        for path in paths:
            self.importing += 1
            self.request_import.emit(self.project.id, str(path))
        self.cancel_import_btn.setEnabled(True)
        self.statusBar().showMessage(f"Importing {len(paths)} file{'s' if len(paths) != 1 else ''}…", 3000)

    def stop_import(self) -> None:
        self.speech_worker.cancel.set()

    @Slot(int)
    def _on_memory_added(self, memory_id: int) -> None:
        self.reload_memories()

    @Slot(int, str, float)
    def _on_segment(self, memory_id: int, text: str, fraction: float) -> None:
        self.progress[memory_id] = fraction
        item = self._memory_item(memory_id)
        if item is not None:
            item.setText(self._memory_label(self.store.memory(memory_id)))

    @Slot(int)
    def _on_memory_done(self, memory_id: int) -> None:
        self.progress.pop(memory_id, None)
        self._import_finished()
        m = self.store.memory(memory_id)
        if m.status == "failed" and m.error:
            self.show_error(f"{m.title}: {m.error}")
        if self.doc == ("memory", memory_id):
            self.open_document(self.doc, save=False)
        self.reload_memories()

    @Slot(str, str)
    def _on_import_failed(self, name: str, message: str) -> None:
        if not message.startswith(name):
            message = f"{name} was not imported. {message}"
        self.show_error(message)
        self._import_finished()

    def _import_finished(self) -> None:
        """One queued file is through: `done` for a stored memory, `failed` for a refused file."""
        self.importing = max(0, self.importing - 1)
        self.cancel_import_btn.setEnabled(self.importing > 0)

    def play_audio(self) -> None:
        if not (self.doc and self.doc[0] == "memory"):
            return
        m = self.store.memory(self.doc[1])
        if not m.audio_path:
            return
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        except ImportError as e:
            self.show_error(f"Audio can't be played on this computer ({e}).")
            return
        if self.player is None:
            self.player = QMediaPlayer(self)
            self.player.setAudioOutput(QAudioOutput(self.player))
            self.player.errorOccurred.connect(self._on_player_error)
            self.player.playbackStateChanged.connect(self._on_playback_state)
        if self.player.isPlaying():
            self.player.stop()
            return
        self.player.setSource(QUrl.fromLocalFile(m.audio_path))
        self.player.play()

    # --- recording and dictation ------------------------------------------------------------

    def _on_recording_started(self, memory_id: int) -> None:
        self.reload_memories()
        item = self._memory_item(memory_id)
        if item is not None:
            self.memory_list.setCurrentItem(item)
        self.editor.setReadOnly(True)  # the live transcript writes here until Stop

    def _on_recording_stopping(self, memory_id: int) -> None:
        self.progress[memory_id] = 0.0
        self.statusBar().showMessage("Finishing the transcript…", 5000)
        self.reload_memories()

    @Slot(int, str)
    def _on_live_segment(self, memory_id: int, text: str) -> None:
        item = self._memory_item(memory_id)
        if item is not None:
            item.setText(self._memory_label(self.store.memory(memory_id)))
        if self.doc == ("memory", memory_id):
            self.doc_text = self.store.memory(memory_id).text
            self.editor.setPlainText(self.doc_text)

    @Slot(int, str)
    def _on_recovered(self, memory_id: int, title: str) -> None:
        self.reload_memories()
        self.message.show_message(f"A recording that was cut off last time has been recovered: {title}.")

    def dictate(self, on: bool) -> None:
        """Toggle dictation; the words are inserted where the cursor was when it began."""
        if on:
            if self.generating or not self.recording.start_dictation():
                self.dictate_btn.setChecked(False)
                return
            self._dictation_at = self.editor.textCursor().position()
            self.dictate_btn.setText("Done")
        else:
            self.dictate_btn.setText("Dictate")
            self.recording.stop_dictation()

    @Slot(str)
    def _on_dictated(self, text: str) -> None:
        text = text.strip()
        if not text:
            self.statusBar().showMessage("Nothing was heard.", 4000)
            return
        cursor = self.editor.textCursor()
        cursor.setPosition(min(self._dictation_at, len(self.editor.toPlainText())))
        before = self.editor.toPlainText()[: cursor.position()]
        cursor.insertText((" " if before and not before[-1].isspace() else "") + text)
        self.editor.setTextCursor(cursor)

    @Slot()
    def _on_player_error(self, _error=None, text: str = "") -> None:
        self.show_error(f"The recording can't be played: {text or self.player.errorString()}")

    @Slot()
    def _on_playback_state(self, _state=None) -> None:
        self.play_btn.setText("Stop playing" if self.player.isPlaying() else "Play")

    # --- drafts -----------------------------------------------------------------------------

    def reload_drafts(self) -> None:
        self.drafts_panel.reload(self.project, self.doc[1] if self.doc and self.doc[0] == "draft" else None)
        self.apply_search()

    @Slot(int, object)
    def _revision_chosen(self, draft_id: int, revision_id: int | None) -> None:
        self.open_document(("draft", draft_id), revision_id=revision_id)

    # --- the open document ------------------------------------------------------------------

    def open_document(self, doc: tuple[str, int] | None, revision_id: int | None = None, save: bool = True) -> None:
        """Show a draft (its current text, or one revision's) or a memory in the editor."""
        if save:
            self.save_document()
        self.doc = doc
        text = ""
        if doc and doc[0] == "draft":
            revision = self.store.revision(revision_id or self.store.draft(doc[1]).current_revision_id)
            text = revision.text
            self.show_provenance(revision)
        elif doc and doc[0] == "memory":
            m = self.store.memory(doc[1])
            text = m.text
            self.play_btn.setEnabled(bool(m.audio_path))
        if not (doc and doc[0] == "memory"):
            self.play_btn.setEnabled(False)
        self.doc_text = text
        self._update_marks()
        self.editor.setPlainText(text)
        self.editor.setReadOnly(bool(doc and doc[0] == "memory" and self.progress.get(doc[1]) is not None))

    def save_document(self, origin: str = "edited") -> bool:
        """Keep edits to the open draft (a new revision) or memory transcript. True if saved."""
        if self.generating:
            return False
        text = self.editor.toPlainText()
        if text == self.doc_text and origin != "snapshot":
            return False
        try:
            if self.doc and self.doc[0] == "draft":
                self.store.add_revision(self.doc[1], text, origin=origin)
                self.reload_drafts()
            elif self.doc and self.doc[0] == "memory":
                self.store.update_memory(self.doc[1], text=text)
                self.reload_memories()
            elif text.strip() and self.project:
                draft, _ = self.store.create_draft(self.project.id, "Untitled draft", text, origin=origin)
                self.doc = ("draft", draft.id)
                self.reload_drafts()
            else:
                return False
        except USER_ERRORS as e:
            self.show_error(f"Your edit could not be saved: {e}")
            return False
        self.doc_text = text
        self._autosave.stop()  # whatever saved it, there is nothing left for autosave to keep
        self._autosave_max.stop()
        return True

    def _typed(self) -> None:
        if not self.generating and not self.editor.isReadOnly():
            self._autosave.start()
            if not self._autosave_max.isActive():
                self._autosave_max.start()

    def autosave(self) -> None:
        if self.save_document(origin="autosave"):
            self.statusBar().showMessage("Saved.", 1500)

    def snapshot(self) -> None:
        if self.save_document(origin="snapshot"):
            self.statusBar().showMessage("Snapshot kept in the history.", 3000)

    # --- writing ----------------------------------------------------------------------------

    def current_brief(self) -> Brief | None:
        """The Brief for the prompt as the chips show it (with any change the person made)."""
        if self.project is None or not self.prompt.text().strip():
            return None
        if self.chips.brief is None or self.chips.brief.shorthand != self.prompt.text():
            self.chips.show_brief(make_brief(self.store, self.project, self.prompt.text()),
                                  self.store.memories(self.project.id), self.project.pace)
        return self.chips.brief

    def update_brief(self) -> None:
        if self.project is None or not self.prompt.text().strip():
            self.chips.show_brief(None, [], speaking.DEFAULT_PACE)
            return
        self.current_brief()

    def generate(self) -> None:
        """Write what the prompt asks: a new draft; or, into the open draft, an anecdote at the
        cursor; or, with text selected, a rewrite of the selection."""
        if self.generating or not self._need_project():
            return
        brief = self.current_brief()
        if brief is None:
            self.show_error('Tell Fondly what to write, for example "Write a funeral speech using dad.txt".')
            self.prompt.setFocus()
            return
        brief = Brief.from_dict(copy.deepcopy(brief.to_dict()))
        selection = self.editor.textCursor().selectedText().replace("\u2029", "\n")
        in_draft = bool(self.doc and self.doc[0] == "draft")
        if brief.task == "rewrite":
            if not (in_draft and selection.strip()):
                self.show_error("Select the passage to rewrite in a draft first, then ask again.")
                return
            self.rewrite_selection(brief.rewrite or "warmer", brief)
            return
        self.message.hide()
        self.paragraphs_view.clear()
        if brief.task in ("anecdote", "opening", "closing") and in_draft:
            self.save_document()
            cursor = self.editor.textCursor()
            cursor.clearSelection()
            self._begin_writing(cursor.position())
            self.request_piece.emit(self.project.id, brief, self._memory_ids())
            return
        self.save_document()
        self.doc, self.doc_text = None, ""
        self.drafts.clearSelection()
        self.editor.clear()
        self._begin_writing(0)
        self.request_generate.emit(self.project.id, brief, self._memory_ids())

    def _memory_ids(self) -> list[int] | None:
        return sorted(self.chips.selected) if self.chips.selected is not None else None

    def _begin_writing(self, at: int) -> None:
        # the paragraph being written streams into [_stream_start, _stream_end) of the editor
        self._stream_start = self._stream_end = at
        self._written: list = []
        self.editor.setReadOnly(True)
        self.generating = True
        self.marks.set_facts(None)
        self.generate_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.statusBar().showMessage("Writing…")

    def stop(self) -> None:
        """Esc: stop writing (what is written is kept), or else stop a transcription."""
        if self.generating:
            self.text_worker.cancel.set()
        elif self.importing:
            self.speech_worker.cancel.set()

    def _replace_pending(self, text: str) -> None:
        length = len(self.editor.toPlainText())
        cursor = self.editor.textCursor()
        cursor.setPosition(min(self._stream_start, length))
        cursor.setPosition(min(self._stream_end, length), cursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        self._stream_end = cursor.position()

    @Slot(str)
    def _on_chunk(self, text: str) -> None:
        cursor = self.editor.textCursor()
        cursor.setPosition(min(self._stream_end, len(self.editor.toPlainText())))
        cursor.insertText(text)
        self._stream_end = cursor.position()
        self.editor.ensureCursorVisible()

    @Slot()
    def _on_discard(self) -> None:
        """The paragraph just streamed failed its checks: it goes, and is written again."""
        self._replace_pending("")

    @Slot(object)
    def _on_paragraph(self, paragraph) -> None:
        self._replace_pending(paragraph.text + "\n\n")
        self._stream_start = self._stream_end
        self._written.append(paragraph)
        self._show_paragraph(len(self._written), paragraph.to_dict())

    def _writing_done(self) -> None:
        self.generating = False
        self.generate_btn.setEnabled(True)
        self.stop_btn.setEnabled(False)
        self.editor.setReadOnly(False)
        self.statusBar().clearMessage()
        self._update_marks()

    @Slot(int, int, bool)
    def _on_generated(self, draft_id: int, revision_id: int, stopped: bool) -> None:
        self._writing_done()
        self.doc = ("draft", draft_id)
        self.reload_drafts()
        self.open_document(("draft", draft_id), save=False)
        if stopped:
            self.statusBar().showMessage("Stopped. What was written is kept as a revision.", 5000)

    @Slot(object)
    def _on_piece(self, piece) -> None:
        """An anecdote is in place at the cursor: keep the draft with it as a new revision."""
        self._writing_done()
        if not (self.doc and self.doc[0] == "draft"):
            return
        text = self.editor.toPlainText()
        keep_piece(self.store, self.doc[1], text, piece)
        self.doc_text = text
        self.reload_drafts()
        self.show_checks(piece.composition.check.to_dict())

    @Slot(str)
    def _on_generate_failed(self, message: str) -> None:
        if self.generating and self.doc and self.doc[0] == "draft":
            self._replace_pending("")
        self._writing_done()
        self.show_error(message)

    # --- rewriting a selection -------------------------------------------------------------

    def rewrite_selection(self, how: str, brief: Brief | None = None) -> None:
        if self.generating or not self._need_project():
            return
        cursor = self.editor.textCursor()
        passage = cursor.selectedText().replace("\u2029", "\n")
        if not (self.doc and self.doc[0] == "draft") or not passage.strip():
            self.show_error("Select the passage to rewrite in a draft first.")
            return
        self._rewrite_span = (cursor.selectionStart(), cursor.selectionEnd())
        self.save_document()
        self.generating = True
        self.editor.setReadOnly(True)
        self.generate_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.statusBar().showMessage(f"Rewriting the selection ({how})…")
        self.request_rewrite.emit(self.project.id, passage, how, brief or self.current_brief() or Brief())

    @Slot(object)
    def _on_rewritten(self, rw) -> None:
        self._writing_done()
        if rw.problems:
            self.message.show_message("The passage is kept as it was: the rewrite " + "; ".join(rw.problems) + ".")
            return
        start, end = self._rewrite_span
        cursor = self.editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
        if cursor.selectedText().replace("\u2029", "\n") != rw.passage:
            self.show_error("The text changed while it was being rewritten, so the rewrite was not put in.")
            return
        cursor.insertText(rw.text)
        text = self.editor.toPlainText()
        keep_rewrite(self.store, self.doc[1], text, rw)
        self.doc_text = text
        self.reload_drafts()

    # --- words not in the memories, marked in the draft ------------------------------------------

    def _update_marks(self) -> None:
        """Mark, in the open draft, what the project's memories and facts do not hold."""
        if self.generating or not (self.project and self.doc and self.doc[0] == "draft"):
            self.marks.set_facts(None)
            return
        p = self.project
        brief = Brief.from_dict(self.store.draft(self.doc[1]).brief or {})
        brief.subject = brief.subject or p.subject
        sources = [Source(m.id, m.title, m.text) for m in self.store.memories(p.id)]
        self.marks.set_facts(facts_for(brief, sources, p.hotwords, p.speaker))

    def _editor_menu(self, pos) -> None:
        menu = self.editor.createStandardContextMenu(self.editor.mapToGlobal(pos))
        cursor = self.editor.cursorForPosition(pos)
        word = self.marks.word_at(cursor.block().text(), cursor.positionInBlock())
        if word and self.project:
            accept = QAction(f"“{word}” is not in your memories — it is true: accept it", menu)
            accept.triggered.connect(lambda: self.accept_word(word))
            first = menu.actions()[0] if menu.actions() else None
            menu.insertAction(first, accept)
            menu.insertSeparator(first)
        menu.exec(self.editor.mapToGlobal(pos))

    def accept_word(self, word: str) -> None:
        """The person vouches for a flagged word: it joins the project's vocabulary and counts as a fact."""
        if word not in self.project.vocabulary:
            self.project = self.store.update_project(self.project.id, vocabulary=self.project.vocabulary + [word])
        self._update_marks()
        self.statusBar().showMessage(f"“{word}” is accepted as true, and added to the project's vocabulary.", 5000)

    def _titles(self) -> dict[int, str]:
        return {m.id: m.title for m in self.store.memories(self.project.id)} if self.project else {}

    # --- where each sentence came from ---------------------------------------------------------

    def _show_paragraph(self, number: int, p: dict) -> None:
        """Rows for one paragraph just written (numbered as the draft's paragraphs are)."""
        self.drafts_panel.add_rows([{}] * (number - 1) + [p], self._titles())

    def show_provenance(self, revision) -> None:
        self.drafts_panel.show_revision(revision, self._titles())

    @Slot(str)
    def _select_sentence(self, text: str) -> None:
        """Show the sentence an entry speaks of, selected in the editor."""
        start = self.editor.toPlainText().find(text) if text else -1
        if start >= 0:
            cursor = self.editor.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len(text), cursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(cursor)
            self.editor.setFocus()

    def show_checks(self, checks: dict) -> None:
        self.drafts_panel.show_checks(checks)

    # --- search, preview, status ------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def apply_search(self) -> None:
        """Filter the lists to what matches, and show the matches with their snippets."""
        query = self.search.text().strip()
        found = self.store.search_snippets(self.project.id, query) if (self.project and query) else None
        self._show_results(found)
        ids = {(h["kind"], h["id"]) for h in found or []}
        for i in range(self.memory_list.count()):
            item = self.memory_list.item(i)
            item.setHidden(found is not None and ("memory", item.data(Qt.ItemDataRole.UserRole)) not in ids)
        self.drafts_panel.filter(None if found is None else {i for kind, i in ids if kind == "draft"})

    def _show_results(self, found: list[dict] | None) -> None:
        """Matches with their snippets, the matched words highlighted; a click opens the document."""
        if found is None:
            self.results.hide()
            return
        rows = []
        for hit in found:
            snippet = html.escape(hit["snippet"]).replace("[", "<b style='background:#fbe7a1'>").replace("]", "</b>")
            rows.append(f"<p><a href='{hit['kind']}:{hit['id']}'>{html.escape(hit['title'])}</a> "
                        f"<small>({hit['kind']})</small><br>{snippet}</p>")
        self.results.setHtml("".join(rows) or "<p><i>Nothing found.</i></p>")
        self.results.show()

    def _open_result(self, url) -> None:
        kind, _, ident = url.toString().partition(":")
        self.open_document((kind, int(ident)))
        if kind == "memory":
            item = self._memory_item(int(ident))
            if item is not None:
                self.memory_list.blockSignals(True)
                self.memory_list.setCurrentItem(item)
                self.memory_list.blockSignals(False)

    # --- history ---------------------------------------------------------------------------

    def compare_revisions(self):
        """Word-by-word differences: two selected revisions, or one and the text in the editor."""
        from app.history import word_diff

        chosen = self.drafts_panel.selected_revisions()
        if not chosen or len(chosen) > 2 or (len(chosen) == 1 and not (self.doc and self.doc[0] == "draft")):
            self.show_error("Select one revision to compare with the current text, or two to compare together.")
            return None
        if len(chosen) == 2:
            first, second = sorted(r for _, r in chosen)
            old, new = self.store.revision(first).text, self.store.revision(second).text
            title = f"Revision {first} → revision {second}"
        else:
            old, new = self.store.revision(chosen[0][1]).text, self.editor.toPlainText()
            title = f"Revision {chosen[0][1]} → the current text"
        parts = []
        for op, text in word_diff(old, new):
            t = html.escape(text).replace("\n", "<br>")
            parts.append(t if op == " " else f"<del style='background:#f6d5d5'>{t}</del>" if op == "-"
                         else f"<ins style='background:#d5f0dc'>{t}</ins>")
        dialog = QDialog(self)
        dialog.setWindowTitle(title)
        view = QTextBrowser()
        view.setHtml("".join(parts))
        QVBoxLayout(dialog).addWidget(view)
        dialog.resize(700, 500)
        dialog.open()
        self.diff_view = view
        return dialog

    def restore_revision(self) -> None:
        chosen = self.drafts_panel.selected_revisions()
        if len(chosen) != 1:
            self.show_error("Select the one revision to restore.")
            return
        draft_id, revision_id = chosen[0]
        current = self.editor.toPlainText() if self.doc == ("draft", draft_id) else None
        self.store.restore(draft_id, revision_id, current_text=current)
        self.doc = None  # its text is already kept: nothing more to save
        self.open_document(("draft", draft_id), save=False)
        self.reload_drafts()
        self.statusBar().showMessage("Restored. The text it replaced is kept in the history.", 5000)

    # --- export and pace -------------------------------------------------------------------

    def export_dialog(self) -> None:
        if not (self.doc and self.doc[0] == "draft"):
            self.show_error("Open the draft to export first.")
            return
        self.save_document()
        dialog = QFileDialog(self, "Export the speech", str(Path.home()), ";;".join(EXPORT_FILTERS.values()))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda path: self.export_to(path, dialog.selectedNameFilter()))
        dialog.open()

    def export_to(self, path: str, name_filter: str) -> None:
        from app.export import FORMATS, export_draft

        fmt = next((k for k, v in EXPORT_FILTERS.items() if v == name_filter), "pdf")
        if not Path(path).suffix:
            path += FORMATS[fmt][0]
        try:
            export_draft(self.store, self.doc[1], fmt, path)
        except USER_ERRORS as e:
            self.show_error(str(e))
            return
        self.message.show_message(f"Exported to {path}.")

    def measure_pace_dialog(self) -> None:
        if not self._need_project():
            return
        dialog = QFileDialog(self, "A recording of you reading the speech", str(Path.home()), IMPORT_FILTER)
        dialog.fileSelected.connect(self.measure_pace)
        dialog.open()

    def measure_pace(self, path: str) -> None:
        self.statusBar().showMessage("Measuring your pace…")
        self.request_pace.emit(self.project.id, path)

    @Slot(int, int)
    def _on_pace(self, project_id: int, wpm: int) -> None:
        self.statusBar().clearMessage()
        if self.project and self.project.id == project_id:
            self.project = self.store.project(project_id)
            self.render_preview()
            self.reload_drafts()
        self.message.show_message(f"Your pace is {wpm} words a minute; speaking times now use it.")

    def render_preview(self) -> None:
        text = self.editor.toPlainText()
        bar = self.preview.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.preview.setHtml(to_html(text))
        if at_end:
            bar.setValue(bar.maximum())
        pace = self.project.pace if self.project else speaking.DEFAULT_PACE
        self.words_label.setText(speaking.summary(text, pace))

    # Cross-thread signals go to @Slot methods, never lambdas: PySide6 6.8+ can corrupt
    # reference counts delivering a queued signal to a plain callable (PYSIDE-3124).
    @Slot(str)
    def _text_model_ready(self, name: str) -> None:
        self.models["text"] = name
        self._show_models()
        self.chips.set_mode(mode_label(mode_for(self.text_worker.engine)))

    @Slot(str)
    def _speech_model_ready(self, name: str) -> None:
        self.models["speech"] = name
        self._show_models()

    @Slot(str)
    def _model_failed(self, message: str) -> None:
        self.show_error(message)

    def _show_models(self) -> None:
        text = self.models["text"].replace("the bundled text model ", "").strip("()")
        speech = self.models["speech"].replace("the bundled speech model ", "").strip("()")
        self.model_label.setText(f"Text: {text} · Speech: {speech} · on this computer")

    def show_error(self, text: str) -> None:
        self.message.show_message(text, error=True)

    def show_settings(self):
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self)
        dialog.text_model_changed.connect(self._switch_text_model)
        dialog.speech_model_changed.connect(self.request_reload_speech)
        dialog.accepted.connect(lambda: self.apply_text_size(uisettings.text_size()))
        dialog.open()
        return dialog

    def _switch_text_model(self) -> None:
        self.statusBar().showMessage("Switching the text model…", 5000)
        self.request_reload_text.emit()

    def show_about(self) -> None:
        about_box(self, self.models["speech"], self.models["text"], str(data_dir())).open()

    # --- drag and drop, closing -------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def closeEvent(self, event) -> None:
        # Workers save their own results (a stopped draft, the segments heard so far);
        # the closing window no longer wants to hear about them.
        self.recording.close_recording()
        for worker in (self.text_worker, self.speech_worker):
            worker.blockSignals(True)
            worker.cancel.set()
        self.save_document()
        self._save_layout()
        self.text_worker.stop()
        self.speech_worker.stop()
        self.store.close()
        super().closeEvent(event)
