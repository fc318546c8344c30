"""The interview: the questions a speechwriter would ask (app.interview), one at a time in large
type, answered aloud or typed. (Where it is opened from: app/ui/interview_hooks.py.)

A spoken answer is an ordinary recording (app.recording_session.RecordingSession) titled by its
question and linked to it, so it is on disk as it is spoken and recovered after a kill like any
recording; its final pass runs on the speech lane while the next question is asked. A typed answer
is stored when the person moves on (app.interview.answer_typed), and changed in place if they
come back and change it. Skip moves a question to the end, once. At the end, Write again writes
the last shorthand again through the prompt bar, and says how much longer the speech has grown.

Nothing here asks the questions or stores anything itself: that is app.interview and the session.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import interview, speaking
from app.errors import USER_ERRORS
from app.recording_session import RecordingSession
from app.store import Project, Store
from app.ui.operations import OperationRunner
from llm.composition import minutes
from llm.questions import Question

QUESTION_POINTS = 22  # the question's type: read from arm's length, as the teleprompter is
TYPE_INSTEAD = "You can type your answer in the box below instead."


def _alive(widget) -> bool:
    """A final pass can end after its dialog was closed and deleted."""
    from shiboken6 import isValid

    return isValid(widget)


def length_line(checks: dict, pace: int) -> str:
    """ "2.7 of 3.0 min": a draft's length against the length asked."""
    return f"{minutes(checks.get('words', 0), pace)} of {minutes(checks.get('target_words', 0), pace)} min"


class InterviewDialog(QDialog):
    """One question at a time; Record/Stop (Space), or type; Next, Skip, Back; Write again at the end."""

    changed = Signal()  # a memory was added or changed (an answer began, was typed, or was transcribed)
    answer_done = Signal(int)  # memory id: a spoken answer's final pass is through (ready, or failed and said)
    error = Signal(str)  # a failure after the dialog may be gone (a final pass): for the main window
    _heard = Signal(int, str)  # memory id, text: from the live transcript's thread
    result: QLabel  # type: ignore[assignment]  # the new length; hides QDialog.result(), unused here (tests read it)

    def __init__(
        self,
        store: Store,
        runner: OperationRunner,
        project: Project,
        questions: list[Question],
        shorthand: str | None = None,
        was: dict | None = None,
        device: str | None = None,
        has_microphone: bool = True,
        writing=None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"Interview — {project.title}")
        self.store, self.runner, self.project = store, runner, project
        self.questions = list(questions)
        self.shorthand, self.was, self.device, self.writing = shorthand, was or {}, device, writing
        self.has_microphone = has_microphone
        self.index = 0
        self.skipped_here: set[str] = set()  # skipped in this interview: passed over, not moved, the second time
        self.typed: dict[str, tuple[int, str]] = {}  # question id → (memory id, the text stored)
        self.spoken: dict[str, list[int]] = {}  # question id → its recorded memories
        self.session: RecordingSession | None = None
        self.finishing: set[int] = set()  # recordings whose final pass is under way
        self._write_waiting = False
        self._listening_to_writing = False  # to the prompt bar's written/error, while Write again writes
        self.speech_problem = ""  # why the speech model could not be loaded, once it could not
        self._build()
        self._heard.connect(self._show_heard)
        self.show_current()
        self._prepare_speech()

    # --- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.resize(760, 560)
        self.progress = QLabel(accessibleName="Progress")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.question = QLabel(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            wordWrap=True, accessibleName="Question", textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse
        )
        big = QFont(self.font())
        big.setPointSize(QUESTION_POINTS)
        self.question.setFont(big)
        self.why = QLabel(wordWrap=True, accessibleName="Why this is asked")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.why.setStyleSheet("color: #5f6b66;")
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.9))
        self.why.setFont(small)
        self.heard = QLabel(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            wordWrap=True,
            accessibleName="Live transcript",
            alignment=Qt.AlignmentFlag.AlignTop,
            textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse,
        )
        medium = QFont(self.font())
        medium.setPointSizeF(self.font().pointSizeF() * 1.25)
        self.heard.setFont(medium)
        self.record_btn = QPushButton("Record (Space)", toolTip="Answer aloud; Space again stops")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.record_btn.clicked.connect(self.toggle_record)
        self.meter = QProgressBar(maximum=100, textVisible=False, maximumHeight=8, accessibleName="Input level")  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.clock = QLabel("")
        self.answer_box = QPlainTextEdit(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            placeholderText="Or type your answer here", accessibleName="Typed answer", maximumHeight=150
        )
        self.answer_box.textChanged.connect(self._enable)
        self.note = QLabel(wordWrap=True, accessibleName="Interview message")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.back_btn = QPushButton("Back")
        self.back_btn.clicked.connect(self.back)
        self.skip_btn = QPushButton("Skip", toolTip="Not now: the question comes back at the end")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.skip_btn.clicked.connect(self.skip)
        self.next_btn = QPushButton("Next", default=True, toolTip="Keep this answer and go on")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.next_btn.clicked.connect(self.next)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.toggle_record)  # a text box keeps its spaces

        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(self.progress)
        v.addWidget(self.question)
        v.addWidget(self.why)
        v.addSpacing(12)
        record = QHBoxLayout()
        record.addWidget(self.record_btn)
        record.addWidget(self.meter, 1)
        record.addWidget(self.clock)
        v.addLayout(record)
        v.addWidget(self.heard, 1)
        v.addWidget(self.answer_box)

        self.summary = QLabel(wordWrap=True, accessibleName="Summary")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.summary.setFont(medium)
        self.write_btn = QPushButton(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            "Write again", toolTip="Write the speech again from the same shorthand, with your answers"
        )
        self.write_btn.clicked.connect(self.write_again)
        self.result = QLabel(wordWrap=True, accessibleName="New length")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.result.setFont(medium)
        end = QWidget()
        e = QVBoxLayout(end)
        e.addWidget(self.summary)
        e.addWidget(self.write_btn, 0, Qt.AlignmentFlag.AlignLeft)
        e.addWidget(self.result)
        e.addStretch(1)

        self.pages = QStackedWidget()
        self.pages.addWidget(page)
        self.pages.addWidget(end)
        nav = QHBoxLayout()
        nav.addWidget(self.back_btn)
        nav.addStretch(1)
        nav.addWidget(self.skip_btn)
        nav.addWidget(self.next_btn)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.note)
        layout.addLayout(nav)
        self._tick = QTimer(self, interval=250)
        self._tick.timeout.connect(self._show_time)

    def _prepare_speech(self) -> None:
        """Load the speech model now if it is not yet, so Record is ready when the first answer is."""
        if not self.has_microphone:
            self.say("No microphone found, so type your answers in the box below.")
            self.answer_box.setFocus()
        elif self.runner.engines.loaded("speech") is None:
            self.runner.run(
                lambda job: job.transcriber(),
                lane="speech",
                on_failed=lambda message: self._speech_failed(message) if _alive(self) else None,
            )

    def _speech_failed(self, message: str) -> None:
        self.speech_problem = f"Fondly can't hear answers: {message} {TYPE_INSTEAD}"
        self.say(self.speech_problem, error=True)
        self.answer_box.setFocus()

    # --- where we are -------------------------------------------------------------------------

    def busy_with(self, memory_id: int) -> bool:
        """Being spoken or given its final pass: not the person's to edit yet."""
        memory = self.session.memory if self.session is not None else None
        return memory_id in self.finishing or (memory is not None and memory.id == memory_id)

    @property
    def current(self) -> Question | None:
        return self.questions[self.index] if self.index < len(self.questions) else None

    def show_current(self) -> None:
        q = self.current
        if q is None:
            self._show_end()
            return
        self.pages.setCurrentIndex(0)
        self.progress.setText(f"Question {self.index + 1} of {len(self.questions)}")
        self.question.setText(q.text)
        self.why.setText(f"Would add about {q.seconds} s to {q.fills}. {q.why}")
        self._show_spoken(q)
        self.answer_box.blockSignals(True)
        self.answer_box.setPlainText(self.typed.get(q.id, (0, ""))[1])
        self.answer_box.blockSignals(False)
        self.note.clear()
        if not self.has_microphone:
            self.answer_box.setFocus()
        self._enable()

    def _show_spoken(self, q: Question) -> None:
        """The question's spoken answers as stored: the live transcript, then the final one."""
        spoken = [self.store.memory(i) for i in self.spoken.get(q.id, [])]
        self.heard.setText("\n\n".join(m.text.strip() or "(being transcribed…)" for m in spoken))

    def _enable(self) -> None:
        q = self.current
        recording = self.session is not None
        answered = q is not None and (q.id in self.spoken or bool(self.answer_box.toPlainText().strip()))
        self.back_btn.setEnabled(self.index > 0)
        self.skip_btn.setEnabled(q is not None and not answered and not recording)
        self.next_btn.setEnabled(True)  # at the end it closes the interview: a way out that is a button
        self.next_btn.setText("Close" if q is None else "Next" if self.index < len(self.questions) - 1 else "Finish")
        self.record_btn.setEnabled(q is not None and self.has_microphone)
        self.record_btn.setText("Stop (Space)" if recording else "Record (Space)")

    def say(self, text: str, error: bool = False) -> None:
        self.note.setStyleSheet("color: #a0441a;" if error else "")
        self.note.setText(text)

    # --- moving -------------------------------------------------------------------------------

    def next(self) -> None:
        if self.current is None:  # the end: Close
            self.close()
            return
        if not self._leave_question():
            return
        self.index += 1
        self.show_current()

    def back(self) -> None:
        if self.index == 0 or not self._leave_question():
            return
        self.index = min(self.index, len(self.questions)) - 1
        self.show_current()

    def skip(self) -> None:
        """Not now: remembered (app.interview.skip), and asked again at the end — once."""
        q = self.current
        if q is None or not self.skip_btn.isEnabled():
            return
        try:
            interview.skip(self.store, self.project.id, q.id)
        except USER_ERRORS as e:
            self.say(str(e), error=True)
            return
        if q.id in self.skipped_here or self.index == len(self.questions) - 1:  # already at the end
            self.skipped_here.add(q.id)
            self.index += 1
        else:
            self.skipped_here.add(q.id)
            self.questions.append(self.questions.pop(self.index))
        self.show_current()

    def _leave_question(self) -> bool:
        """Stop a recording (its final pass goes on) and keep what was typed. False if it could not be kept."""
        if self.session is not None:
            self.stop_recording()
        return self._keep_typed()

    def _keep_typed(self) -> bool:
        q, text = self.current, self.answer_box.toPlainText().strip()
        if q is None:
            return True
        memory_id, stored = self.typed.get(q.id, (None, ""))
        if text == stored:
            return True
        try:
            if memory_id is None:
                memory_id = interview.answer_typed(self.store, self.project, q, text).id
            else:  # came back and changed it: the same memory, changed
                self.store.update_memory(memory_id, text=text)
        except USER_ERRORS as e:
            self.say(str(e), error=True)
            return False
        self.typed[q.id] = (memory_id, text)
        self.changed.emit()
        return True

    # --- answering aloud ----------------------------------------------------------------------

    def toggle_record(self) -> None:
        if self.session is not None:
            self.stop_recording()
        elif self.current is not None and self.pages.currentIndex() == 0:
            self.start_recording()

    def start_recording(self) -> None:
        q = self.current
        if not self.has_microphone:
            self.say(f"No microphone found. {TYPE_INSTEAD}", error=True)
            self.answer_box.setFocus()
            return
        transcriber = self.runner.engines.loaded("speech")
        if transcriber is None and self.speech_problem:
            self.say(self.speech_problem, error=True)
            self.answer_box.setFocus()
            return
        if transcriber is None:
            self.say(
                "The speech model is still loading, so Fondly can't hear you yet. Try again in a moment, "
                "or type your answer below.",
                error=True,
            )
            return
        assert q is not None  # toggle_record starts one only on a question
        session = RecordingSession(
            self.store,
            self.project,
            transcriber,
            device=self.device,
            title=q.text,
            on_segment=lambda memory_id, seg: self._heard.emit(memory_id, seg.text),
            question=q.id,
        )
        try:
            memory = session.start()
        except USER_ERRORS as e:
            self.say(f"{e} {TYPE_INSTEAD}", error=True)
            self.answer_box.setFocus()
            return
        self.session = session
        self.spoken.setdefault(q.id, []).append(memory.id)
        session.level.connect(self._level)
        session.failed.connect(self._device_failed)
        self.heard.setText("Listening…")
        self.say("")
        self._tick.start()
        self._enable()
        self.changed.emit()

    def stop_recording(self) -> None:
        """The microphone stops now; the final pass over the answer runs on the speech lane."""
        session, self.session = self.session, None
        if session is None:
            return
        memory_id = session.stop()
        self._tick.stop()
        self.meter.setValue(0)
        self.clock.setText("")
        self.finishing.add(memory_id)
        self.runner.run(
            lambda job: session.finish(job.store),
            lane="speech",
            on_done=lambda _m: self._transcribed(memory_id),
            on_failed=lambda message: self._transcribed(memory_id, message),
        )
        self._enable()

    def _transcribed(self, memory_id: int, failure: str | None = None) -> None:
        if failure is not None:  # kept as it was heard, and said (the memory holds why)
            memory = self.store.update_memory(memory_id, status="failed", error=failure)
        if not _alive(self):
            return
        if failure is not None:
            self.error.emit(f"{memory.title}: {failure}")
        self.finishing.discard(memory_id)
        self.changed.emit()
        self.answer_done.emit(memory_id)
        q = self.current
        if q is not None and memory_id in self.spoken.get(q.id, []) and self.session is None:
            self._show_spoken(q)  # the final transcript in place of the live one
        if self._write_waiting and not self.finishing:
            self._write_waiting = False
            self.write_again()

    @Slot(int, str)
    def _show_heard(self, memory_id: int, text: str) -> None:
        if self.session is not None and self.session.memory is not None and self.session.memory.id == memory_id:
            shown = self.heard.text()
            self.heard.setText(text.strip() if shown == "Listening…" else f"{shown} {text.strip()}")

    @Slot(float)
    def _level(self, value: float) -> None:
        self.meter.setValue(int(value * 100))

    @Slot(str)
    def _device_failed(self, message: str) -> None:
        self.stop_recording()
        self.say(f"{message} What was heard is kept. {TYPE_INSTEAD}", error=True)

    def _show_time(self) -> None:
        if self.session is not None:
            self.clock.setText(speaking.clock(self.session.seconds))

    # --- the end ------------------------------------------------------------------------------

    def _show_end(self) -> None:
        self.pages.setCurrentIndex(1)
        self.progress.clear()
        aloud, typed = sum(1 for v in self.spoken.values() if v), len(self.typed)
        answered = len(set(self.spoken) | set(self.typed))
        left = len(self.questions) - answered
        text = (
            f"That's all the questions. You answered {answered} ({aloud} aloud, {typed} typed)"
            + (f"; {left} left unanswered" if left else "")
            + ". Each answer is a memory, titled by its question."
        )
        if not self.shorthand:
            text += " To hear them in the speech, type what to write in the prompt bar and Generate."
        self.summary.setText(text)
        self.write_btn.setVisible(bool(self.shorthand and self.writing is not None))
        self.write_btn.setEnabled(answered > 0)
        self.note.clear()
        self._enable()

    def write_again(self) -> None:
        """The last shorthand again, through the prompt bar (as Generate), once every answer is transcribed."""
        w = self.writing
        if w is None or not self.shorthand:
            return
        if w.busy:
            self.say("Fondly is still writing; try again when it has finished.", error=True)
            return
        if self.finishing:
            self._write_waiting = True
            self.result.setText("Waiting for your spoken answers to be transcribed, then writing…")
            return
        new = {i for ids in self.spoken.values() for i in ids} | {i for i, _t in self.typed.values()}
        if w.chips.selected is not None:  # memories chosen by hand: the answers join them
            w.chips.selected |= new
        w.prompt.setText(self.shorthand)
        w.written.connect(self._rewritten)
        w.error.connect(self._write_failed)
        self._listening_to_writing = True
        self.write_btn.setEnabled(False)
        self.result.setText("Writing…")
        w.generate()
        if not w.busy:  # refused at once: its error was said
            self._disconnect_writing()
            self.write_btn.setEnabled(True)

    def _disconnect_writing(self) -> None:
        if self._listening_to_writing:
            self._listening_to_writing = False
            self.writing.written.disconnect(self._rewritten)
            self.writing.error.disconnect(self._write_failed)

    def _rewritten(self, _draft_id: int, revision_id: int, stopped: bool) -> None:
        self._disconnect_writing()
        self.write_btn.setEnabled(True)
        checks = self.store.revision(revision_id).checks
        pace = self.store.project(self.project.id).pace
        now = f"now {length_line(checks, pace)}" if "words" in checks else "written"
        was = f"was {minutes(self.was['words'], pace)} min, " if "words" in self.was else ""
        self.result.setText(f"{was}{now}" + (" (stopped part-way)" if stopped else "") + ".")
        self.was = checks

    def _write_failed(self, message: str) -> None:
        self._disconnect_writing()
        self.write_btn.setEnabled(True)
        self.result.setText(f"Not written: {message}")

    # --- closing ------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Closed (Esc, the window's ✕): what was said goes on to its final pass; what was typed is kept."""
        if self.session is not None:
            self.stop_recording()
        self._keep_typed()
        self._disconnect_writing()
        super().done(result)

    def close_for_later(self) -> None:
        """The app is closing mid-answer: keep the audio and the live transcript now; the next
        start gives the answer its final pass (as it does any recording cut off)."""
        if self.session is not None:
            session, self.session = self.session, None
            session.close_for_later()
        self._keep_typed()
        super().done(QDialog.DialogCode.Rejected)
