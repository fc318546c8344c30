"""The prompt bar and what it sets going: shorthand → Brief chips → a draft, an anecdote at the
cursor, or a rewrite of the selection, written on the text lane and streamed into the editor.

Everything written is stored by app.writing (with model, seed, prompt, provenance and
checks), as the CLI stores it; this panel only asks, streams, and shows the outcome.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app import placement, speaking, writing
from app.store import Project, Store
from app.ui.brief_chips import BriefChips
from app.ui.editor_panel import EditorPanel
from app.ui.interview_hooks import ShortfallLink
from app.ui.operations import Operation, OperationRunner
from llm.brief import Brief
from llm.engine import new_seed

_TOKEN, _DISCARD, _PARAGRAPH = "token", "discard", "paragraph"
_EDITOR, _PROMPT = "editor", "prompt"  # where dictated words go: at the cursor, or into the shorthand


class WritingPanel(QWidget):
    written = Signal(int, int, bool)  # draft id, revision id, stopped part-way: on screen and stored
    piece_kept = Signal(int)  # revision id: an anecdote went in at the cursor and was kept
    rewritten = Signal(object)  # app.writing.Rewrite: put in and kept, or refused with its problems
    streamed = Signal(str)  # each piece of text as it streams in
    paragraph_written = Signal(int, dict)  # its number in the draft, its provenance
    checks_ready = Signal(dict)
    started = Signal()
    error = Signal(str)
    message = Signal(str)  # calm news for the message bar
    status = Signal(str, int)

    def __init__(self, store: Store, runner: OperationRunner, editor: EditorPanel, dictation) -> None:
        super().__init__()
        self.store, self.runner, self.editor, self.dictation = store, runner, editor, dictation
        self.project: Project | None = None
        self._operation: Operation | None = None
        # an anecdote being written: its draft, seed, paragraphs and the revision growing
        self._piece: dict[str, Any] | None = None
        self._count = 0
        self._dictation_at = 0  # where the cursor was when dictation began
        self._dictation_for: str | None = None  # whose dictation is under way, until its words arrive
        self._listening = False  # the microphone is still on for it (then its button reads "Done")

        self.prompt = QLineEdit(
            placeholderText='e.g. "Write a funeral speech using dad.txt and include at least one joke"'
        )
        self.prompt.setAccessibleName("Shorthand")
        self.prompt.returnPressed.connect(self.generate)
        self.speak_btn = QPushButton(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            "Speak", checkable=True, toolTip="Say what you want written; your words become the shorthand (Ctrl+Shift+D)"
        )
        self.speak_btn.toggled.connect(self.speak)
        self.generate_btn = QPushButton("Generate", toolTip="Write from your shorthand (Ctrl+Enter)", default=True)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.generate_btn.clicked.connect(self.generate)
        self.stop_btn = QPushButton("Stop", toolTip="Stop writing and keep what is written (Esc)", enabled=False)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.stop_btn.clicked.connect(self.stop)
        self.dictate_btn = QPushButton(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            "Dictate", checkable=True, toolTip="Speak, then click again: the words go in at the cursor (Ctrl+D)"
        )
        self.dictate_btn.toggled.connect(self.dictate)
        self._dictation_buttons = {_EDITOR: (self.dictate_btn, "Dictate"), _PROMPT: (self.speak_btn, "Speak")}
        dictation.dictated.connect(self._dictated)
        dictation.dictation_failed.connect(self._dictation_ended)
        self.chips = BriefChips()
        self.chips.reader = self._read_brief
        self.prompt.textChanged.connect(lambda: self._brief_timer.start())
        self._brief_timer: QTimer = QTimer(self, singleShot=True, interval=300, timeout=self.update_brief)  # type: ignore[call-arg]  # stubs lack signal kwargs
        bar = QHBoxLayout()
        for w, stretch in (
            (self.prompt, 1),
            (self.speak_btn, 0),
            (self.generate_btn, 0),
            (self.stop_btn, 0),
            (self.dictate_btn, 0),
        ):
            bar.addWidget(w, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.chips)
        self.shortfall = ShortfallLink()  # "1.6 of 3.0 min — answer 3 questions", after a short draft
        layout.addWidget(self.shortfall)

    @property
    def busy(self) -> bool:
        return self._operation is not None

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.update_brief()

    # --- the Brief ----------------------------------------------------------------------------

    def current_brief(self) -> Brief | None:
        """The Brief for the prompt as the chips show it (with any change the person made)."""
        if self.project is None or not self.prompt.text().strip():
            return None
        if self.chips.brief is None or self.chips.brief.shorthand != self.prompt.text():
            self.chips.show_brief(
                writing.make_brief(self.store, self.project, self.prompt.text()),
                self.store.memories(self.project.id),
                self.project.pace,
            )
        return self.chips.brief

    def _read_brief(self, brief: Brief, mode: str):
        """What the chips say beyond the Brief: what won't be used, what no memory tells of yet."""
        if self.project is None:
            return None
        return writing.read_brief(self.store, self.project, brief, mode or writing.model_status()["mode"])

    def update_brief(self) -> None:
        if self.project is None or not self.prompt.text().strip():
            self.chips.show_brief(None, [], speaking.DEFAULT_PACE)
            return
        self.current_brief()

    def _memory_ids(self) -> list[int] | None:
        return sorted(self.chips.selected) if self.chips.selected is not None else None

    # --- writing ------------------------------------------------------------------------------

    def generate(self) -> None:
        """Write what the prompt asks: a new draft; or, into the open draft, an anecdote at the
        cursor; or, with text selected, a rewrite of the selection."""
        if self.busy:
            return
        if self.project is None:
            self.error.emit("Start a speech first: File → New speech (Ctrl+N).")
            return
        brief = self.current_brief()
        if brief is None:
            self.error.emit('Tell Fondly what to write, for example "Write a funeral speech using dad.txt".')
            self.prompt.setFocus()
            return
        brief = Brief.from_dict(copy.deepcopy(brief.to_dict()))
        selection = self.editor.selection()[0]
        in_draft = self.editor.draft_id is not None
        if brief.task == "rewrite":
            if not (in_draft and selection.strip()):
                self.error.emit("Select the passage to rewrite in a draft first, then ask again.")
                return
            self.rewrite_selection(brief.rewrite or "warmer", brief)
            return
        project, ids = self.project, self._memory_ids()
        if brief.task in ("anecdote", "opening", "closing") and in_draft:
            self.editor.save()
            draft_id, seed, draft = self.editor.draft_id, new_seed(), self.editor.editor.toPlainText()
            assert draft_id is not None  # in_draft
            self._begin(placement.fit(draft, self.editor.cursor_position()))
            self._piece = {"draft_id": draft_id, "seed": seed, "paragraphs": [], "revision_id": None}
            self._operation = self.runner.run(
                lambda job: writing.compose_piece(
                    job.store,
                    project,
                    brief,
                    job.text_engine(),
                    seed=seed,
                    memory_ids=ids,
                    cancel=job.cancel,
                    draft=draft,
                    **self._streaming(job),
                ),
                on_done=lambda piece: self._piece_done(draft_id, piece),
                on_failed=self._failed,
                on_progress=self._progress,
            )
            return
        self.editor.blank()
        self._begin(placement.Fit(0, 0, "", ""))
        self._operation = self.runner.run(
            lambda job: writing.write(
                job.store, project, brief, job.text_engine(), memory_ids=ids, cancel=job.cancel, **self._streaming(job)
            ),
            on_done=self._draft_done,
            on_failed=self._failed,
            on_progress=self._progress,
        )

    @staticmethod
    def _streaming(job) -> dict:
        """The writers' callbacks, carried to the GUI thread as the operation's progress."""
        return {
            "on_token": lambda t: job.progress((_TOKEN, t)),
            "on_paragraph": lambda p: job.progress((_PARAGRAPH, p)),
            "on_discard": lambda: job.progress((_DISCARD, None)),
        }

    def _begin(self, where: placement.Fit) -> None:
        self._count = 0
        self.editor.begin_stream(where.at, where.cut, where.before, where.after)
        self.shortfall.hide()
        self.generate_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.status.emit("Writing…", 0)
        self.started.emit()

    def _progress(self, event) -> None:
        kind, value = event
        if kind == _TOKEN:
            self.editor.stream(value)
            self.streamed.emit(value)
        elif kind == _DISCARD:
            self.editor.replace_stream("")
        else:
            self.editor.settle_stream(value.text)  # a blank line apart from the one before (the editor's rule)
            self._count += 1
            if self._piece is not None:
                self._keep_piece_so_far(value)
            self.paragraph_written.emit(self._count, value.to_dict())

    def _keep_piece_so_far(self, paragraph) -> None:
        """An anecdote's finished paragraph is in the draft on disk at once (a draft's are kept by app.writing)."""
        p = self._piece
        assert p is not None  # called only while a piece is written
        p["paragraphs"].append(paragraph)
        engine = self.runner.engines.loaded("text")
        p["revision_id"] = writing.keep_piece_so_far(
            self.store,
            p["draft_id"],
            self.editor.editor.toPlainText(),
            p["paragraphs"],
            engine.name if engine else "",
            p["seed"],
            p["revision_id"],
        ).id

    def stop(self) -> bool:
        """Stop writing (what is written is kept). False if nothing was being written."""
        if self._operation is None:
            return False
        self._operation.cancel()
        return True

    def _end(self) -> None:
        self._operation = None
        self._piece = None
        self.generate_btn.setEnabled(True)
        self.stop_btn.setEnabled(False)
        self.editor.end_stream()
        self.editor.show_sources()  # the pane was cleared for the writing; what is kept may say more after
        self.status.emit("", 0)

    def _draft_done(self, result) -> None:
        self._end()
        self.editor.open(("draft", result.draft.id), save=False)
        if result.stopped:
            self.status.emit("Stopped. What was written is kept as a revision.", 5000)
        self.written.emit(result.draft.id, result.revision.id, result.stopped)
        self.shortfall.show_for(self.store, self.project, result.draft.id, result.revision.id)

    def _piece_done(self, draft_id: int, piece) -> None:
        """An anecdote is in place at the cursor: keep the draft with it as a new revision."""
        revision_id = self._piece["revision_id"] if self._piece else None
        self._end()
        if self.editor.draft_id != draft_id:
            return
        if not piece.composition.paragraphs:  # stopped first, every paragraph repeated the draft, or none fitted
            c = piece.composition
            why = (
                "it was stopped before a paragraph was finished."
                if c.stopped
                else " ".join(c.check.notes) or "what your memories tell of this is already in the draft."
            )
            self.message.emit("Nothing was added to the draft: " + why)
            return
        revision = writing.keep_piece(self.store, draft_id, self.editor.editor.toPlainText(), piece, revision_id)
        self.editor.kept(revision=revision)  # the sources pane follows: the draft's provenance with the piece
        self.checks_ready.emit(piece.composition.check.to_dict())
        self.piece_kept.emit(revision.id)

    def _failed(self, message: str) -> None:
        if self._piece and self._piece["revision_id"]:  # the anecdote's finished paragraphs stay, said to be cut off
            writing.end_piece_so_far(self.store, self._piece["revision_id"], message)
        self.editor.replace_stream("")  # the paragraph cut off by the failure; finished ones are stored
        self._end()
        self.error.emit(message)

    # --- rewriting a selection ----------------------------------------------------------------

    def rewrite_menu(self, menu, add_action) -> None:
        """The Edit menu's "Rewrite the selection": one action for each way."""
        for how, label in (
            ("shorter", "&Shorter"),
            ("warmer", "&Warmer"),
            ("lighter", "&Lighter"),
            ("style", "In the Brief's st&yle"),
        ):
            add_action(menu, label, lambda _=False, h=how: self.rewrite_selection(h))

    def rewrite_selection(self, how: str, brief: Brief | None = None) -> None:
        if self.busy:
            return
        if self.project is None:
            self.error.emit("Start a speech first: File → New speech (Ctrl+N).")
            return
        passage, start, end = self.editor.selection()
        if self.editor.draft_id is None or not passage.strip():
            self.error.emit("Select the passage to rewrite in a draft first.")
            return
        self.editor.save()
        project, draft_id = self.project, self.editor.draft_id
        brief = brief or self.current_brief() or Brief()
        self._begin(placement.Fit(start, start, "", ""))
        self.status.emit(f"Rewriting the selection ({how})…", 0)
        self._operation = self.runner.run(
            lambda job: writing.rewrite(job.store, project, passage, how, brief, job.text_engine(), cancel=job.cancel),
            on_done=lambda rw: self._rewrite_done(draft_id, (start, end), rw),
            on_failed=self._failed,
        )

    def _rewrite_done(self, draft_id: int, span: tuple[int, int], rw) -> None:
        self._end()
        if rw.problems:
            self.message.emit("The passage is kept as it was: the rewrite " + "; ".join(rw.problems) + ".")
        elif self.editor.draft_id != draft_id or not self.editor.replace_span(*span, rw.passage, rw.text):
            self.error.emit("The text changed while it was being rewritten, so the rewrite was not put in.")
        else:
            writing.keep_rewrite(self.store, draft_id, self.editor.editor.toPlainText(), rw)
            self.editor.kept()
        self.rewritten.emit(rw)

    # --- dictation ----------------------------------------------------------------------------
    # One microphone, two places for the words: the editor at the cursor (Dictate), or the prompt as
    # shorthand (Speak). The one that began owns the dictation until its words arrive, so they go
    # where it meant, and the other can't start meanwhile.

    def dictate(self, on: bool) -> None:
        """Toggle dictation; the words go in where the cursor was when it began."""
        if on and self.busy:  # the editor is being written into
            self._show_dictation()
            return
        self._toggle_dictation(_EDITOR, on)

    def speak(self, on: bool) -> None:
        """Toggle speaking the shorthand: the words heard become the prompt, or follow what is typed there."""
        self._toggle_dictation(_PROMPT, on)

    def _toggle_dictation(self, target: str, on: bool) -> None:
        if on and self._dictation_for is None and self.dictation.start_dictation():
            self._dictation_for, self._listening = target, True
            self._dictation_at = self.editor.cursor_position()
        elif not on and self._dictation_for == target and self._listening:
            self._listening = False
            self.dictation.stop_dictation()
        self._show_dictation()  # a refused start, too: its button springs back

    def _show_dictation(self) -> None:
        """Each button as the dictation stands: "Done" on the one listening; neither can start
        another while one is listening or its words are on their way."""
        for target, (button, text) in self._dictation_buttons.items():
            listening = self._listening and self._dictation_for == target
            button.blockSignals(True)
            button.setChecked(listening)
            button.blockSignals(False)
            button.setText("Done" if listening else text)
            button.setEnabled(self._dictation_for is None or listening)

    def _dictation_ended(self, *_) -> None:
        """Its words arrived, or could not be heard (`dictation_failed`): either button may start again."""
        self._dictation_for, self._listening = None, False
        self._show_dictation()

    def _dictated(self, text: str) -> None:
        target = self._dictation_for
        self._dictation_ended()
        if not text.strip():
            self.status.emit("Nothing was heard.", 4000)
        elif target == _PROMPT:
            self._add_to_prompt(text.strip())
        else:
            self.editor.insert_words(self._dictation_at, text.strip())

    def _add_to_prompt(self, words: str) -> None:
        """Spoken shorthand is the prompt, or follows what was typed there after a space; put in
        as typing is, so Ctrl+Z takes it out again. The chips follow (textChanged)."""
        typed = self.prompt.text().rstrip()
        if typed.strip():
            self.prompt.setSelection(len(typed), len(self.prompt.text()) - len(typed))
            self.prompt.insert(" " + words)
        else:
            self.prompt.selectAll()
            self.prompt.insert(words)
        self.prompt.setFocus()
