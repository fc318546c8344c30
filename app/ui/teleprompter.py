"""The teleprompter (View → Deliver, F5): the speech full screen in very large type, the line being
said highlighted and kept in the upper third of the screen.

With the microphone on it follows the voice: the microphone (app.listening.Listening, the one way
to it, as a recording's) feeds the live transcript (speech.live, its own thread, cut at short pauses
so words arrive within a couple of seconds of being said), and app.alignment.Follower places each
heard piece in the script. Between pieces — a piece is heard a second or two after it was said —
the view moves on at the speaker's own measured rate, but only while the microphone hears a voice,
so a long pause (where emotion lands) holds the view still. Without a microphone, or with it off,
the view scrolls at the project's pace; Space pauses, the arrows nudge a line.

A reading followed by voice is recorded as it is heard (a take in the data folder, as Rehearse
records one) and, when the voice stops, handed to `keep_reading` to be timed as a rehearsal of the
revision on screen: delivering is rehearsing, and a run-through gives its report with no second
reading. R stops keeping readings; a take of less than MIN_READING seconds of voice is let go.

The page itself (type, band, mirror, Markdown's marks) is app/ui/prompt_view.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSizePolicy, QVBoxLayout, QWidget

from app import delivery, speaking
from app.alignment import Follower, heard_words, script_words
from app.delivery import Script, VoicePace, script_for
from app.errors import USER_ERRORS
from app.listening import Listening
from app.rehearsal import new_take
from app.ui import uisettings
from app.ui.prompt_view import SCHEMES, SIZES, SPACINGS, PromptView

# Where the live transcript cuts: a memory wants whole phrases; following wants words soon
# after they are said (a piece is heard about 0.6 s after it ends, on two cores). After a pause of
# LISTEN_OPENING[0] s, where a speaker may go on from somewhere else (a paragraph left out), the
# first piece is cut after LISTEN_OPENING[1] s of voice: enough words to place it, heard sooner.
LISTEN_PAUSE, LISTEN_MAX, LISTEN_OPENING = 0.2, 2.5, (0.6, 1.5)
MIN_READING = 15.0  # seconds of voice from which a reading is kept as a rehearsal


class _Ears(QObject):
    """Carries what the live transcript heard from its thread to the window's (a queued signal
    to a @Slot method, never a lambda: PYSIDE-3124)."""

    heard = Signal(str, float, float)  # text, start and end seconds into the listening


class Teleprompter(QWidget):
    """The delivery window. `start()` begins: listening if the voice is on, else scrolling."""

    error = Signal(str)

    def __init__(self, script: Script, runner, device: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"{script.title} — Deliver")
        self.script, self.runner, self.device = script, runner, device
        self.words = script_words(script.text)
        self.look = uisettings.prompter_settings()
        self.view = PromptView(script.text)
        self.status = QLabel(objectName="prompter-status")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.clock = QLabel(objectName="prompter-clock", alignment=Qt.AlignmentFlag.AlignRight)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.keys = QLabel(
            "Space pause · ↑↓ a line · + − size · [ ] spacing · C colours · M mirror · "
            "V voice · Esc leave · right-click for all"
        )
        self.keys.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # a small screen drops it
        bar = QWidget(objectName="prompter-bar")  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 4, 12, 4)
        row.addWidget(self.status)
        row.addStretch(1)
        row.addWidget(self.keys)
        row.addStretch(1)
        row.addWidget(self.clock)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.view, 1)
        column.addWidget(bar)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.position = 0.0  # the word being said, as a fractional word index
        self.paused = False
        self.elapsed = 0.0  # scrolling at pace: seconds scrolled
        self.mode = "pace"  # "pace" | "voice" | "loading" (voice wanted, the speech model loading)
        self.reason = ""  # why it scrolls at pace when the voice is wanted
        self.listening: Listening | None = None  # the microphone and its live transcript, while on
        self.follower: Follower | None = None
        self.take = None  # the reading being recorded, while listening with a draft to rehearse
        self.keep_reading = None  # (take, draft id, revision id) -> None: a reading to time, or None
        self._ears = _Ears()
        self._ears.heard.connect(self._heard)
        self._listening = False
        self._open = True
        self._reset_following()
        self._apply_look()
        self._last = time.monotonic()
        self._timer = QTimer(self, interval=40)  # 25 frames a second; the GUI thread also reads the microphone
        self._timer.timeout.connect(self._tick)

    # --- starting and stopping -----------------------------------------------------------------

    def start(self) -> None:
        self._last = time.monotonic()
        self._timer.start()
        if self.look["voice"]:
            self.listen()
        else:
            self._show_status()

    def listen(self) -> None:
        """Follow the voice; if there is no microphone (or no speech model), scroll at pace and say why."""
        transcriber = self.runner.engines.loaded("speech")
        if transcriber is None or not delivery.warmed():
            self.mode, self.reason = "loading", "the speech model is loading"

            def load(job) -> None:  # on the speech lane: the model, then its warm-up
                job.transcriber()
                delivery.warm_up()

            self.runner.run(
                load,
                lane="speech",
                on_done=lambda _t: self.listen() if self._open and self.mode == "loading" else None,
                on_failed=self._model_failed,
            )
            self._show_status()
            return
        from speech.live import Chunker

        take = None
        try:
            listening = Listening(
                self.device,
                transcriber=transcriber,
                hotwords=self.script.hotwords,
                on_segment=self._on_segment,
                chunker=Chunker(pause=LISTEN_PAUSE, max_chunk=LISTEN_MAX, opening=LISTEN_OPENING),
            )
            if self.keep_reading is not None and self.script.revision_id is not None:
                take = new_take(self.script.draft_id, self.script.revision_id)
            listening.start(take)
        except USER_ERRORS as e:
            self.mode, self.reason = "pace", str(e).split(". ")[0]
            self._show_status()
            return
        self.listening, self.take = listening, take
        listening.level.connect(self._level)
        listening.failed.connect(self._mic_failed)
        self.follower = Follower(self.script.text)
        if self.position >= 1:  # nudged or scrolled before listening: follow on from here
            self.follower.reset(int(self.position))
        self._reset_following()
        self._listening = True
        self.mode, self.reason = "voice", ""
        self._show_status()

    def stop_listening(self, reason: str = "", hand_over: bool = True) -> None:
        """The microphone off, at once and whole: the live transcript ends without its rest (not
        wanted, and waiting for it would freeze the window); the view goes on at pace from here.
        The reading (closed whole) goes to be timed, if it is to be kept and long enough; with
        `hand_over` False (the main window closing) it stays in the data folder, and the next
        start times it."""
        self._listening = False
        if self.listening is not None:
            voiced = self.pacer.voiced(self.listening.seconds)
            self.listening.drop()
            self.listening = None
            take, self.take = self.take, None
            if take is not None and (not self.look["keep"] or voiced < MIN_READING):
                take.unlink(missing_ok=True)
            elif take is not None and hand_over:
                self.keep_reading(take, self.script.draft_id, self.script.revision_id)
        self.mode, self.reason = "pace", reason
        self._show_status()

    def leave_for_later(self) -> None:
        """Close with the main window: a reading is kept on disk for the next start to time."""
        self.stop_listening(hand_over=False)
        self.close()

    def _model_failed(self, message: str) -> None:
        if self._open and self.mode == "loading":
            self.mode, self.reason = "pace", message
            self._show_status()

    @Slot(str)
    def _mic_failed(self, message: str) -> None:
        self.stop_listening("the microphone stopped working")
        self.error.emit(message)

    def closeEvent(self, event) -> None:
        self._open = False
        self.stop_listening()
        self._timer.stop()
        uisettings.save_prompter_settings(self.look)
        super().closeEvent(event)

    # --- following the voice -------------------------------------------------------------------

    def _reset_following(self) -> None:
        self.pacer = VoicePace(self.script.pace)

    def _on_segment(self, seg) -> None:
        """On the live transcript's thread: hand the words to the window's thread."""
        if self._listening:
            self._ears.heard.emit(seg.text, seg.start, seg.end)

    @Slot(str, float, float)
    def _heard(self, text: str, start: float, end: float) -> None:
        if self._listening and self.follower is not None:
            place = self.follower.hear(heard_words(text))
            if place is not None and self.listening is not None:  # Whisper's times can overrun the piece
                now = self.listening.seconds
                self.pacer.heard(place, min(start, now), min(end, now))

    @Slot(float)
    def _level(self, level: float) -> None:
        if self.listening is not None:
            self.pacer.level(self.listening.seconds, level)

    # --- moving --------------------------------------------------------------------------------

    @Slot()
    def _tick(self) -> None:
        now = time.monotonic()
        dt, self._last = now - self._last, now
        if not self.paused:
            if self.mode == "voice" and self.listening is not None:
                estimate = self.pacer.estimate(self.listening.seconds)
                if estimate is not None:
                    self.position = VoicePace.shown(self.position, estimate)
            elif self.mode == "pace" and self.words:  # loading: held, the speaker has not begun
                self.position += self.script.pace / 60 * dt
                self.elapsed += dt
        self.position = min(max(self.position, 0.0), max(len(self.words) - 1, 0))
        self._place()
        self.view.step(dt)
        self._show_clock()

    def _place(self) -> None:
        if self.words:
            self.view.set_current(self.view.line_of(self.words[int(self.position)].start))

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        self._show_status()

    def nudge(self, lines: int) -> None:
        """A line on or back, by hand: from there the view scrolls (or follows) on."""
        if not self.words:
            return
        line = max(0, min(self.view.current + lines, len(self.view.lines) - 1))
        start = self.view.lines[line][2]
        index = next((w.index for w in self.words if w.start >= start), len(self.words) - 1)
        if self.view.line_of(self.words[index].start) != line and lines < 0:
            index = max(0, int(self.position) - 1)  # a line with no words (between paragraphs)
        self.position = float(index)
        if self.follower is not None and self.listening is not None:
            self.follower.reset(index)
            self.pacer.placed(index, self.listening.seconds)
        self._place()

    @property
    def seconds(self) -> float:
        """Time spoken so far: from the first word heard, or the time scrolled at pace."""
        if self.mode == "voice" and self.listening is not None:
            first = self.pacer.first_heard
            return 0.0 if first is None else max(0.0, self.listening.seconds - first)
        return self.elapsed

    def _show_clock(self) -> None:
        spent, target = self.seconds, self.script.target_seconds
        left = target - spent
        tail = f"{speaking.clock(left)} left" if left >= 0 else f"{speaking.clock(-left)} over"
        self.clock.setText(f"{speaking.clock(spent)} · {tail} of {speaking.clock(target)}")

    def _show_status(self) -> None:
        pace = f"scrolling at {self.script.pace} words a minute"
        if self.mode == "voice":
            text = "Following your voice"
            if self.take is not None:
                text += " · keeping this reading as a rehearsal (R)" if self.look["keep"] else " · not keeping it (R)"
        elif self.mode == "loading":
            text = "Getting ready to follow your voice (loading the speech model)"
        elif self.reason:
            text = f"{self.reason.rstrip('.')}: {pace}"
        else:
            text = pace[0].upper() + pace[1:]
        self.status.setText(text + (" · paused (Space)" if self.paused else ""))

    # --- look ----------------------------------------------------------------------------------

    def _apply_look(self) -> None:
        look = self.look
        self.view.set_look(look["size"], look["spacing"], look["scheme"], look["mirror"])
        _name, fg, bg, _band = SCHEMES[look["scheme"] % len(SCHEMES)]
        self.setStyleSheet(
            f"#prompter-bar {{ background: {bg}; }} #prompter-bar QLabel {{ color: {fg}; font-size: 11pt; }}"
        )
        self.keys.setStyleSheet("color: gray;")
        self._place()

    def _change(self, key: str, value) -> None:
        self.look[key] = value
        uisettings.save_prompter_settings(self.look)
        self._apply_look()

    def _step(self, key: str, choices: tuple, direction: int) -> None:
        now = self.look[key]
        if direction > 0:
            value = next((c for c in choices if c > now), choices[-1])
        else:
            value = next((c for c in reversed(choices) if c < now), choices[0])
        self._change(key, value)

    def larger(self, direction: int = 1) -> None:
        self._step("size", SIZES, direction)

    def spacing(self, direction: int = 1) -> None:  # between lines
        self._step("spacing", SPACINGS, direction)

    def next_colours(self) -> None:
        self._change("scheme", (self.look["scheme"] + 1) % len(SCHEMES))

    def toggle_mirror(self) -> None:
        self._change("mirror", not self.look["mirror"])

    def toggle_keep(self) -> None:
        self._change("keep", not self.look["keep"])
        self._show_status()

    def toggle_voice(self) -> None:
        self.look["voice"] = not self.look["voice"]
        uisettings.save_prompter_settings(self.look)
        if self.look["voice"]:
            self.listen()
        else:
            spoken = self.seconds  # the clock goes on from the time spoken
            self.stop_listening()
            self.elapsed = spoken

    # --- keys and the menu ---------------------------------------------------------------------

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return [
            ("Pause / resume", "Space", self.toggle_pause),
            ("A line back", "Up", lambda: self.nudge(-1)),
            ("A line on", "Down", lambda: self.nudge(1)),
            ("Larger text", "+", lambda: self.larger(1)),
            ("Smaller text", "-", lambda: self.larger(-1)),
            ("More space", "]", lambda: self.spacing(1)),
            ("Less space", "[", lambda: self.spacing(-1)),
            ("Colours", "C", self.next_colours),
            ("Mirror for a glass prompter", "M", self.toggle_mirror),
            ("Follow my voice", "V", self.toggle_voice),
            ("Keep my reading as a rehearsal", "R", self.toggle_keep),
            ("Leave", "Esc", self.close),
        ]

    # fmt: off
    KEYS: ClassVar[dict[Qt.Key, str]] = {
            Qt.Key.Key_Space: "Space", Qt.Key.Key_Up: "Up", Qt.Key.Key_Down: "Down", Qt.Key.Key_Plus: "+",
            Qt.Key.Key_Equal: "+", Qt.Key.Key_Minus: "-", Qt.Key.Key_BracketRight: "]",
            Qt.Key.Key_BracketLeft: "[", Qt.Key.Key_C: "C", Qt.Key.Key_M: "M", Qt.Key.Key_V: "V",
            Qt.Key.Key_R: "R", Qt.Key.Key_Escape: "Esc"}
    # fmt: on

    def keyPressEvent(self, event) -> None:
        name = self.KEYS.get(Qt.Key(event.key()))
        command = next((c for _label, key, c in self._commands() if key == name), None)
        if command is None:
            super().keyPressEvent(event)
            return
        command()

    def contextMenuEvent(self, event) -> None:
        menu = QMenu(self)
        for label, key, command in self._commands():
            action = menu.addAction(f"{label}\t{key}", command)
            if key in ("M", "V", "R"):
                action.setCheckable(True)
                action.setChecked(bool(self.look[{"M": "mirror", "V": "voice", "R": "keep"}[key]]))
        menu.exec(event.globalPos())


def deliver(window) -> Teleprompter | None:
    """View → Deliver (F5): the open draft's current revision, full screen."""
    document = window.document
    if document.draft_id is None:
        window.show_error("Open a draft to deliver it: choose one in the list of drafts on the right.")
        return None
    document.save()  # what is delivered is what is on screen
    script = script_for(window.store, document.draft_id)
    if not script_words(script.text):
        window.show_error("This draft has no words to deliver yet.")
        return None
    close_all(window)
    prompter = Teleprompter(script, window.runner, window.memories.recording.microphone, window)
    prompter.error.connect(window.show_error)
    prompter.keep_reading = window.rehearsals.time_reading
    # Cover the window's screen first: full screen is a request to the window manager, and where
    # none honours it (a bare X server, some kiosk set-ups) the prompter stayed a small window.
    prompter.setGeometry(window.screen().geometry())
    prompter.showFullScreen()
    prompter.activateWindow()
    prompter.setFocus()
    prompter.start()
    return prompter


def close_all(window, for_later: bool = False) -> None:
    """Close any delivery window of this main window (the microphone is released with it).
    `for_later`: the main window is closing, so a reading is left for the next start to time."""
    for prompter in window.findChildren(Teleprompter):
        if prompter.isVisible():
            prompter.leave_for_later() if for_later else prompter.close()
        prompter.deleteLater()
