"""The editor and its preview: the open document, autosave, the words not in the memories
underlined, and the place writing streams into.

It keeps what the person types (through app.documents, which decides what keeping
means) and shows what it is told to. Writing, rewriting and dictation put text in through
its small stream and insert methods, so only this panel moves the cursor and the text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import documents, speaking
from app.errors import USER_ERRORS
from app.render import to_html
from app.store import Project, Store
from app.ui.grounding_marks import FlagMarks
from app.ui.popups import keep_on_screen
from llm.brief import Brief
from llm.composition import Source, facts_for

MEMORY_KINDS = {
    "voice": "a voice memory",
    "audio": "an imported recording",
    "text": "an imported text",
    "typed": "a typed memory",
}
AUTOSAVE_MS = 2000  # after this long without typing, the text is kept as a revision…
AUTOSAVE_MAX_MS = 4000  # …and at least this often while typing goes on
PARAGRAPH_BREAK = "\n\n"  # between the paragraphs written in one stream


class EditorPanel(QWidget):
    saved = Signal(str)  # "draft" | "memory": something was kept; lists showing it should reload
    revision_shown = Signal(object)  # the Revision now open (its provenance and checks to show)
    project_changed = Signal(object)  # the Project with a word the person vouched for: every panel writes by it
    error = Signal(str)
    status = Signal(str, int)  # a status-bar message and how long to show it (ms)
    preview_closed = Signal()  # an old version was shown in the preview pane; now the person's text is again

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.project: Project | None = None
        self.doc: documents.Doc | None = None
        self.doc_text = ""  # the text as loaded or last kept, to tell whether it was edited
        self.busy = False  # writing streams in: nothing is kept or autosaved until it ends
        self.previewing = False  # the preview pane shows an old version (show_preview), not the editor's text
        self._stream = (0, 0)  # the paragraph being written streams into [start, end) of the text
        self._paragraphs = 0  # paragraphs settled in this stream: the next one begins a blank line on
        self._block_open = False  # this stream's undo block exists, and later insertions join it
        self._text_before = ""
        self._known: dict[str, object] = {}  # texts this draft had, shown or kept here → their Revision

        self.editor = QPlainTextEdit(placeholderText="Your speech appears here. Type, or ask Fondly below.")
        self.editor.setAccessibleName("Editor")
        self.editor.setAcceptDrops(False)  # files dropped here go to the window, to be imported
        self.editor.textChanged.connect(lambda: self._render_timer.start())
        self.editor.textChanged.connect(self._typed)
        self.editor.textChanged.connect(self.end_preview)  # editing is back to the person's own text
        self.marks = FlagMarks(self.editor.document())
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.editor.customContextMenuRequested.connect(self._context_menu)
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS, timeout=self.autosave)  # type: ignore[call-arg]  # stubs lack signal kwargs
        self._autosave_max = QTimer(self, singleShot=True, interval=AUTOSAVE_MAX_MS, timeout=self.autosave)  # type: ignore[call-arg]  # stubs lack signal kwargs
        self.preview = QTextBrowser(openExternalLinks=False, openLinks=False)
        self.preview.setAccessibleName("Preview")
        self._render_timer: QTimer = QTimer(self, singleShot=True, interval=150, timeout=self.render_preview)  # type: ignore[call-arg]  # stubs lack signal kwargs
        self.split = QSplitter()
        self.split.addWidget(self.editor)
        shown = QWidget()  # the preview, and above it (when it shows an old version) the banner saying so
        sv = QVBoxLayout(shown)
        sv.setContentsMargins(0, 0, 0, 0)
        sv.setSpacing(0)
        self.split.addWidget(shown)
        self.words_label = QLabel()  # for the status bar: words and speaking time
        self.preview_banner = QFrame(objectName="previewBanner", visible=False)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.preview_banner.setStyleSheet("QFrame#previewBanner { background: #fff3bf; border: 1px solid #e0b252; }")
        self.preview_label = QLabel(wordWrap=True)
        self.preview_back = QPushButton("Back to your text", clicked=self.end_preview)  # type: ignore[call-overload]  # stubs lack signal kwargs
        bl = QHBoxLayout(self.preview_banner)
        bl.setContentsMargins(6, 2, 6, 2)
        bl.addWidget(self.preview_label, 1)
        bl.addWidget(self.preview_back)
        sv.addWidget(self.preview_banner)
        sv.addWidget(self.preview, 1)
        self.memory_note = QLabel(objectName="memoryNote", wordWrap=True)  # type: ignore[call-overload]  # stubs lack inherited property kwargs; a memory open, not the speech
        self.memory_note.setAccessibleName("Open memory")
        self.memory_note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.memory_note)
        layout.addWidget(self.split, 1)  # the text takes the height; the note only the lines it needs
        self.render_preview()

    # --- the open document ------------------------------------------------------------------

    @property
    def draft_id(self) -> int | None:
        return self.doc[1] if self.doc and self.doc[0] == "draft" else None

    @property
    def memory_id(self) -> int | None:
        return self.doc[1] if self.doc and self.doc[0] == "memory" else None

    def set_project(self, project: Project | None) -> None:
        """Switch speech. Words typed before there was any speech become the new one's first draft."""
        self.save()
        orphan = self.project is None and self.doc is None and bool(self.editor.toPlainText().strip())
        self.project = project
        self.open(self.doc if orphan and self.save() else None, save=False)

    def open(
        self, doc: documents.Doc | None, revision_id: int | None = None, save: bool = True, read_only: bool = False
    ) -> None:
        """Show a draft (its current text, or one revision's) or a memory."""
        self.end_preview()
        if save:
            self.save()
        self.doc = doc
        text, revision = documents.load(self.store, doc, revision_id)
        if doc and doc[0] == "draft":
            self.revision_shown.emit(revision)
        self.doc_text = text
        self._known = {text: revision} if revision is not None else {}
        self.update_marks()
        self.editor.setPlainText(text)
        self.editor.setReadOnly(read_only)
        self.say_what_is_open()

    def say_what_is_open(self) -> None:
        """Above the editor, when a memory is open: which, what kind, and that editing it changes the
        memory, not the speech (a transcript and a draft look alike in a text box). Gone for a draft.
        Said again when the memories change (one renamed)."""
        try:
            m = self.store.memory(self.memory_id) if self.memory_id is not None else None
        except USER_ERRORS:
            m = None  # deleted for good meanwhile
        if m is None:
            self.memory_note.hide()
            return
        kind = MEMORY_KINDS.get(m.kind, "a memory")
        edits = (
            "being transcribed: it can be edited when it is done"
            if self.editor.isReadOnly()
            else "edits change the memory, not the speech"
        )
        self.memory_note.setText(f"Memory: {m.title} — {kind}; {edits}")
        self.memory_note.show()

    def show_transcript(self, memory_id: int) -> None:
        """A memory's transcript grew (a live recording): show it if it is the one open."""
        if self.memory_id == memory_id:
            self.doc_text = self.store.memory(memory_id).text
            self.editor.setPlainText(self.doc_text)

    def blank(self) -> None:
        """A fresh page for a new draft (what was there is kept first)."""
        self.save()
        self.doc, self.doc_text, self._known = None, "", {}
        self.editor.clear()
        self.say_what_is_open()

    def save(self, origin: str = "edited") -> bool:
        """Keep edits to the open document. True if something was kept."""
        if self.busy:
            return False
        text = self.editor.toPlainText()
        if text == self.doc_text and origin != "snapshot":
            return False
        try:
            doc = documents.keep(self.store, self.project, self.doc, text, origin=origin)
        except USER_ERRORS as e:
            self.error.emit(f"Your edit could not be saved: {e}")
            return False
        if doc is None:
            return False
        self.doc, self.doc_text = doc, text
        if doc[0] == "draft" and not self.previewing:  # the sources pane follows the text as kept
            self.revision_shown.emit(self._known.get(text) or documents.load(self.store, doc)[1])
        self._autosave.stop()  # whatever saved it, there is nothing left for autosave to keep
        self._autosave_max.stop()
        self.saved.emit(doc[0])
        return True

    def _typed(self) -> None:
        if not self.busy and not self.editor.isReadOnly():
            self._autosave.start()
            if not self._autosave_max.isActive():
                self._autosave_max.start()

    def autosave(self) -> None:
        if self.save(origin="autosave"):
            self.status.emit("Saved.", 1500)

    def snapshot(self) -> None:
        if self.save(origin="snapshot"):
            self.status.emit("Snapshot kept in the history.", 3000)

    def kept(self, doc: documents.Doc | None = None, revision=None) -> None:
        """What the editor shows has just been kept elsewhere (by writing): nothing to save. With the
        `revision` it was kept as, what is shown about the text (where each sentence came from) follows."""
        if doc is not None:
            self.doc = doc
        self.doc_text = self.editor.toPlainText()
        if revision is not None:
            self._known[self.doc_text] = revision
            self.revision_shown.emit(revision)

    # --- text put in by writing and dictation -------------------------------------------------

    # Writing streams in as many small insertions; the person should see it as one change. The first
    # insertion opens an undo block (beginEditBlock) and every later one joins it (joinPreviousEditBlock),
    # which is safe because the editor is read-only while the stream lasts, so nothing else can land on
    # the undo stack in between. One Ctrl+Z then restores the exact text before the piece — and is an
    # edit like any other, so autosave keeps it as one revision.

    def begin_stream(self, at: int, cut: int | None = None, before: str = "", after: str = "") -> None:
        """Writing begins at `at`: [at, cut) is replaced by `before` + `after` and the paragraphs go
        between them, a blank line apart (app.placement decides these for a piece at the cursor)."""
        self._stream = (at, at)
        self._paragraphs = 0
        self._block_open = False  # no undo block yet: a stream that puts nothing in leaves no undo step
        self._text_before = self.editor.toPlainText()
        self.busy = True
        self.editor.setReadOnly(True)
        self.marks.set_facts(None)
        cut = at if cut is None else cut
        if before or after or cut != at:
            self._insert(at, cut, before + after)
            self._stream = (at + len(before), at + len(before))

    def stream(self, text: str) -> None:
        """Add a piece of the paragraph being written (a new paragraph starts a blank line after the last)."""
        start, end = self._stream
        if start == end and self._paragraphs and text:
            text = PARAGRAPH_BREAK + text.lstrip()
        if text:
            self._stream = (start, self._insert(end, end, text))
            self.editor.ensureCursorVisible()

    def replace_stream(self, text: str) -> None:
        """Replace the paragraph being written ("" drops it: it failed its checks)."""
        start, end = self._stream
        if text and self._paragraphs:
            text = PARAGRAPH_BREAK + text
        if text or end != start:
            self._stream = (start, self._insert(start, end, text))

    def settle_stream(self, text: str) -> None:
        """The paragraph is finished and checked: it stays, and the next one begins after it."""
        text = text.strip()
        self.replace_stream(text)
        if text:
            self._paragraphs += 1
        self._stream = (self._stream[1], self._stream[1])

    def end_stream(self) -> None:
        """Writing ended. If it put no paragraph in (each dropped, or it failed before one was done), its
        undo step is taken back whole — the blank lines made ready for it too — so the text is exactly as
        it was and Ctrl+Z never undoes nothing."""
        if self._block_open and (self._paragraphs == 0 or self.editor.toPlainText() == self._text_before):
            self.editor.document().undo()
            self.editor.document().clearUndoRedoStacks(QTextDocument.Stacks.RedoStack)
        self._block_open = False
        self.busy = False
        self.editor.setReadOnly(False)
        self.update_marks()

    def _insert(self, start: int, end: int, text: str) -> int:
        length = len(self.editor.toPlainText())
        cursor = self.editor.textCursor()
        if self.busy and self._block_open:
            cursor.joinPreviousEditBlock()
        else:
            cursor.beginEditBlock()
            self._block_open = self.busy
        cursor.setPosition(min(start, length))
        cursor.setPosition(min(end, length), cursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        cursor.endEditBlock()
        return cursor.position()

    def insert_words(self, at: int, text: str) -> None:
        """Dictated words, at `at`, with a space before them if they need one."""
        at = min(at, len(self.editor.toPlainText()))
        before = self.editor.toPlainText()[:at]
        cursor = self.editor.textCursor()
        cursor.setPosition(self._insert(at, at, (" " if before and not before[-1].isspace() else "") + text))
        self.editor.setTextCursor(cursor)

    def replace_span(self, start: int, end: int, expected: str, text: str) -> bool:
        """Put `text` where `expected` was; False (and nothing changed) if that span was edited since."""
        cursor = self.editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
        if cursor.selectedText().replace("\u2029", "\n") != expected:
            return False
        cursor.beginEditBlock()  # one undo step: the passage out and the rewrite in
        cursor.insertText(text)
        cursor.endEditBlock()
        return True

    def selection(self) -> tuple[str, int, int]:
        cursor = self.editor.textCursor()
        return cursor.selectedText().replace("\u2029", "\n"), cursor.selectionStart(), cursor.selectionEnd()

    def cursor_position(self) -> int:
        return self.editor.textCursor().position()

    def select_text(self, text: str) -> None:
        """Show a sentence selected (from the list of where each sentence came from)."""
        start = self.editor.toPlainText().find(text) if text else -1
        if start >= 0:
            cursor = self.editor.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len(text), cursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(cursor)
            self.editor.setFocus()

    # --- words not in the memories ----------------------------------------------------------

    def update_marks(self) -> None:
        """Underline, in the open draft, what the project's memories and facts do not hold."""
        if self.busy or not (self.project and self.draft_id):
            self.marks.set_facts(None)
            return
        p = self.project
        brief = Brief.from_dict(self.store.draft(self.draft_id).brief or {})
        brief.subject = brief.subject or p.subject
        sources = [Source(m.id, m.title, m.text) for m in self.store.memories(p.id)]
        self.marks.set_facts(facts_for(brief, sources, p.hotwords, p.speaker))

    def _context_menu(self, pos) -> None:
        menu = self.editor.createStandardContextMenu(self.editor.mapToGlobal(pos))
        cursor = self.editor.cursorForPosition(pos)
        word = self.marks.word_at(cursor.block().text(), cursor.positionInBlock())
        if word and self.project:
            accept = QAction(f"“{word}” is not in your memories — it is true: accept it", menu)
            accept.triggered.connect(lambda: self.accept_word(word))
            first = menu.actions()[0] if menu.actions() else None
            menu.insertAction(first, accept)  # type: ignore[arg-type]  # Qt appends at None; the stubs omit it
            menu.insertSeparator(first)  # type: ignore[arg-type]  # the same
        at = self.editor.viewport().mapToGlobal(pos)  # a scroll area's pos is its viewport's
        keep_on_screen(menu, at).exec(at)

    def accept_word(self, word: str) -> None:
        """The person vouches for a flagged word: it joins the project's vocabulary and counts as a fact."""
        project = self.project
        assert project is not None  # the menu offers it only with a speech open
        if word not in project.vocabulary:
            self.project = self.store.update_project(project.id, vocabulary=project.vocabulary + [word])
            self.project_changed.emit(self.project)
        self.update_marks()
        self.status.emit(f"“{word}” is accepted as true, and added to the project's vocabulary.", 5000)

    # --- preview, size, layout --------------------------------------------------------------

    def show_preview(self, text: str, banner: str) -> None:
        """Show an old version read-only in the preview pane, with a banner saying so; the editor, its
        text and what is stored stay as they are (selecting a point in the history must not replace
        the person's text: issue 25)."""
        self.previewing = True
        self.preview_label.setText(banner)
        self.preview_banner.show()
        self.preview.setHtml(to_html(text))
        self.preview.verticalScrollBar().setValue(0)
        sizes = self.split.sizes()
        if len(sizes) == 2 and sizes[1] < 80:  # the person had folded the preview pane away
            self.split.setSizes([sum(sizes) // 2, sum(sizes) - sum(sizes) // 2])

    def end_preview(self) -> None:
        """Back to the person's own text in the preview pane (after an edit, opening a draft, or the button)."""
        if not self.previewing:
            return
        self.previewing = False
        self.preview_banner.hide()
        self.render_preview()
        self.show_sources()  # its sources, not the old version's
        self.preview_closed.emit()

    def show_sources(self) -> None:
        """Tell the sources pane about the open draft's text as kept (after writing ended, or a preview)."""
        if self.draft_id and not self.busy:
            self.revision_shown.emit(documents.load(self.store, self.doc)[1])

    def render_preview(self) -> None:
        text = self.editor.toPlainText()
        pace = self.project.pace if self.project else speaking.DEFAULT_PACE
        self.words_label.setText(speaking.summary(text, pace))
        if self.previewing:  # the pane shows an old version until the preview ends
            return
        bar = self.preview.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.preview.setHtml(to_html(text))
        if at_end:
            bar.setValue(bar.maximum())

    def apply_font(self, font: QFont) -> None:
        for w in (self.editor, self.preview):
            w.setFont(font)
        self.preview.document().setDefaultFont(font)
        self.render_preview()
