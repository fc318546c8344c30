"""Fondly's main window: menus, the panels' layout (left: project, search, memories; middle: message bar,
editor, prompt bar; right: drafts) and closing. The panels do the work; the window only connects them."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from app.paths import data_dir
from app.recovery import settle_at_start
from app.store import Project, Store
from app.ui import closing, menus, teleprompter, uisettings
from app.ui.dialogs import about_box
from app.ui.drafts_panel import DraftsPanel
from app.ui.editor_panel import EditorPanel
from app.ui.export_dialog import ask_and_export
from app.ui.memories_panel import MemoriesPanel
from app.ui.message_bar import MessageBar
from app.ui.model_status import ModelStatus
from app.ui.operations import OperationRunner
from app.ui.pace_dialog import ask_and_measure
from app.ui.project_bar import ProjectBar
from app.ui.provenance import mode_label
from app.ui.rehearsals_panel import RehearsalsPanel
from app.ui.search_panel import SearchPanel
from app.ui.writing_panel import WritingPanel


class MainWindow(QMainWindow):
    def __init__(self, store: Store | None = None, runner: OperationRunner | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Fondly")
        self.setAcceptDrops(True)
        self.store = store or Store.open_default()  # the composition root (app.ui.app) hands them in
        self.runner = runner or OperationRunner()
        self.project: Project | None = None
        self._build()
        menus.build(self)
        self._connect()
        uisettings.restore_layout(self, self.splitters)
        self.apply_text_size(uisettings.text_size())
        closing.reopen(self)  # the project and draft open when it last closed

    # --- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.projects = ProjectBar(self.store)
        self.search_panel = SearchPanel(self.store)
        self.memories = MemoriesPanel(self.store, self.runner)
        left = QWidget(objectName="sidebar")  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        lv = QVBoxLayout(left)
        lv.addWidget(self.projects)
        lv.addWidget(self.search_panel)
        lv.addWidget(self.memories, 1)

        self.message = MessageBar()
        self.document = EditorPanel(self.store)
        self.writing = WritingPanel(self.store, self.runner, self.document, self.memories.recording)
        middle = QWidget()
        mv = QVBoxLayout(middle)
        mv.addWidget(self.message)
        mv.addWidget(self.document, 1)
        mv.addWidget(self.writing)

        self.drafts_panel = DraftsPanel(self.store, self._open_text, self.memories.titles_by_id)
        self.rehearsals = RehearsalsPanel(self.store, self.runner, self.document, self.memories.recording)
        column = self.drafts_panel.layout()
        assert column is not None  # DraftsPanel lays itself out in a column
        column.addWidget(self.rehearsals)  # the open draft's rehearsals, and Rehearse…
        self.split = QSplitter()
        for w in (left, middle, self.drafts_panel):
            self.split.addWidget(w)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([260, 760, 240])
        self.setCentralWidget(self.split)
        self.splitters = {"split": self.split, "editor_split": self.document.split}  # their places are remembered
        # a normal widget, not a permanent one: a message ("Saved.", "Closing when done…") takes its place for a
        # while; a permanent one with stretch left messages no room, so none was ever seen
        self.statusBar().addWidget(self.document.words_label, 1)
        self.model_label = ModelStatus(self.runner)  # which model writes, its mode, how fast it was last time
        self.statusBar().addPermanentWidget(self.model_label)

    def _connect(self) -> None:
        """What one panel says, to what another shows."""
        doc, mem, drafts, search, w, bar = (
            self.document,
            self.memories,
            self.drafts_panel,
            self.search_panel,
            self.writing,
            self.statusBar(),
        )
        self.projects.chosen.connect(self._project_chosen)
        for panel in (self.projects, doc, mem, drafts, w, self.rehearsals):
            panel.error.connect(self.show_error)
        for panel in (doc, mem, w):
            panel.status.connect(lambda text, ms: bar.showMessage(text, ms) if text else bar.clearMessage())
        for panel in (mem, w, self.rehearsals, drafts):
            panel.message.connect(self.message.show_message)
        doc.saved.connect(lambda kind: self.reload_drafts() if kind == "draft" else mem.reload())
        doc.project_changed.connect(self._project_changed)
        doc.revision_shown.connect(lambda revision: drafts.show_revision(revision, self.memories.titles_by_id()))
        mem.opened.connect(self._open_memory)
        for panel in (mem, drafts):
            # what is open went to the bin: nothing is left open
            panel.binned.connect(lambda kind, ident: doc.open(None) if doc.doc == (kind, ident) else None)
            panel.undoable.connect(self.message.show_undoable)
        mem.changed.connect(search.apply)
        mem.changed.connect(doc.update_marks)
        mem.changed.connect(doc.say_what_is_open)  # a memory renamed: the note above the editor follows
        mem.transcript_grew.connect(doc.show_transcript)
        mem.memory_done.connect(lambda memory_id: self._open_memory(memory_id) if doc.memory_id == memory_id else None)
        drafts.chosen.connect(lambda draft_id, revision_id: self._open_draft(draft_id, revision_id))
        drafts.restored.connect(self._restored)
        drafts.previewing.connect(doc.show_preview)  # an old version beside the text, never instead of it
        doc.preview_closed.connect(drafts.preview_closed)
        drafts.changed.connect(self.reload_drafts)
        drafts.changed.connect(lambda: self.rehearsals.show_draft(doc.draft_id))  # its new name, or none
        drafts.sentence_activated.connect(doc.select_text)
        search.found.connect(self._filter)
        search.open_requested.connect(
            lambda kind, ident: self._open_memory(ident, select=True) if kind == "memory" else self._open_draft(ident)
        )
        w.started.connect(self._writing_started)
        w.paragraph_written.connect(lambda n, p: drafts.add_rows([{}] * (n - 1) + [p], self.memories.titles_by_id()))
        w.checks_ready.connect(drafts.show_checks)
        for done in (w.written, w.piece_kept, w.rewritten):
            done.connect(self.reload_drafts)
        self.model_label.mode_changed.connect(lambda mode: self.writing.chips.set_mode(mode_label(mode), mode))
        self.writing.chips.get_model.connect(lambda model_id: self.show_settings().catalog.choose(model_id))
        self.writing.chips.add_memory.connect(self.memories.add)
        self.runner.model_failed.connect(lambda _kind, message: self.show_error(message))

    def warm_up(self) -> None:
        """Load both models in the background; finish the recording, import or draft a killed run left."""
        self.runner.run(lambda job: job.text_engine(), on_failed=self.show_error)
        self.runner.run(lambda job: settle_at_start(job.store), on_done=self._settled)
        self.memories.recover()
        self.rehearsals.recover()

    def _settled(self, settled) -> None:  # what an earlier run left (app.recovery.settle_at_start), said once
        if settled.said():
            self.reload_drafts()
            self.memories.reload()
            self.message.show_message(settled.said())

    def apply_text_size(self, size: int) -> None:
        self.text_size = size
        font = QFont(self.document.editor.font())
        font.setPointSize(size)
        self.writing.prompt.setFont(font)
        self.document.apply_font(font)

    # --- projects and the open document -----------------------------------------------------

    def reload_projects(self, select: int | None = None) -> None:
        self.projects.reload(select)

    def _project_chosen(self, project: Project | None) -> None:
        self.project = project  # the editor keeps what was typed under the project before
        for panel in (self.document, self.writing, self.memories, self.rehearsals):
            panel.set_project(project)
        self.search_panel.project = project
        self.reload_drafts()
        self.setWindowTitle(f"{project.title} — Fondly" if project else "Fondly")

    def _open_memory(self, memory_id: int, select: bool = False) -> None:
        self.document.open(("memory", memory_id), read_only=self.memories.is_busy(memory_id))
        if select:
            self.memories.select(memory_id)

    def _open_draft(self, draft_id: int, revision_id: int | None = None) -> None:
        self.document.open(("draft", draft_id), revision_id=revision_id)
        self.memories.select(None)

    def _open_text(self, draft_id: int) -> str | None:
        return self.document.editor.toPlainText() if self.document.draft_id == draft_id else None

    def reload_drafts(self, *_) -> None:
        self.drafts_panel.reload(self.project, self.document.draft_id)
        self.search_panel.apply()

    def _restored(self, draft_id: int) -> None:
        self.document.open(("draft", draft_id), save=self.document.draft_id != draft_id)  # its replaced text is kept
        self.reload_drafts()
        self.statusBar().showMessage("Restored. The text it replaced is kept in the history.", 5000)

    def _filter(self, found: set | None) -> None:
        self.memories.filter(None if found is None else {i for kind, i in found if kind == "memory"})
        self.drafts_panel.filter(None if found is None else {i for kind, i in found if kind == "draft"})

    def _writing_started(self) -> None:
        self.message.hide()
        self.drafts_panel.sentences.clear()
        self.drafts_panel.checks.setText("Checking each sentence as it is written…")  # not the last draft's line
        if self.document.doc is None:
            self.drafts_panel.tree.clearSelection()

    def stop(self) -> None:
        """Esc: stop writing (what is written is kept), or else stop a transcription."""
        self.writing.stop() or self.memories.stop_import()

    # --- export and pace -------------------------------------------------------------------

    def export_dialog(self) -> None:
        if self.document.draft_id is None:
            self.show_error("Open the draft to export first.")
            return
        self.document.save()
        ask_and_export(self, self.store, self.document.draft_id, self.message.show_message, self.show_error)

    def measure_pace_dialog(self) -> None:
        if self.project is None:
            self.show_error("Start a speech first: File → New speech (Ctrl+N).")
            return
        project_id = self.project.id
        self.statusBar().showMessage("Measuring your pace…")
        ask_and_measure(self, self.runner, self.project, lambda wpm: self._paced(project_id, wpm), self.show_error)

    def _paced(self, project_id: int, wpm: int) -> None:
        self.statusBar().clearMessage()
        if self.project and self.project.id == project_id:
            self._project_changed(self.store.project(project_id))
            self.document.render_preview()
            self.reload_drafts()
        self.message.show_message(f"Your pace is {wpm} words a minute; speaking times now use it.")

    def _project_changed(self, project: Project) -> None:
        """The open project's details changed (its pace, a word vouched for): every panel uses them now."""
        self.project = project
        for panel in (self.document, self.writing, self.memories, self.memories.recording):
            panel.project = project

    # --- models, settings, messages ---------------------------------------------------------

    def show_error(self, text: str) -> None:
        self.message.show_error(text)

    def show_settings(self):
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self)
        dialog.text_model_changed.connect(self._switch_text_model)
        dialog.speech_model_changed.connect(lambda: self.runner.reload("speech"))
        dialog.accepted.connect(lambda: self.apply_text_size(uisettings.text_size()))
        dialog.open()
        return dialog

    def _switch_text_model(self) -> None:
        self.statusBar().showMessage("Switching the text model…", 5000)
        self.runner.reload("text")

    def show_about(self) -> None:
        about_box(self, self.model_label.models["speech"], self.model_label.models["text"], str(data_dir())).open()

    # --- drag and drop, closing -------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.memories.import_paths(paths)

    def closeEvent(self, event) -> None:
        if not closing.may_close(self):  # writing or transcribing: asked first (app.ui.closing)
            event.ignore()
            return
        # Work in progress keeps its own results (a stopped draft, the segments heard so far); the closing
        # window hears no more of them, and no pending timer (search, autosave) may reach the closed store.
        self.memories.recording.close_recording()
        self.rehearsals.close_recording()
        teleprompter.close_all(self, for_later=True)  # its microphone too; a reading is timed next start
        self.document.save()
        closing.remember(self)
        uisettings.save_layout(self, self.splitters)
        self.runner.shutdown()
        for timer in self.findChildren(QTimer):
            timer.stop()
        self.store.close()
        super().closeEvent(event)
