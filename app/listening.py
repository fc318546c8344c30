"""One way to the microphone: every use of it — a memory being recorded (app.recording_session,
which the interview's spoken answers use too), dictation at the cursor, a rehearsal's reading, the
teleprompter following a voice — is a `Listening`.

Each of those used to find the device, make its take file, build an app.microphone.Recorder and a
live transcript, wire the meter and the failure, and undo it all when the device refused, each in
its own way; the small rules that keep the promise "nothing is lost" were written four times
(nothing is made before the device is found; a take the device never filled is removed with its
owner mark; the Recorder is deleted on the thread that made it; the live transcript's rest is
waited for, or dropped by a window that must not freeze). They are kept here once, and so is the
repair of a take cut off by a crash (`recover_take`).

Its own module, not app/microphone.py: that one is the device (Qt Multimedia, its formats, a block
at a time), imported by `fondly doctor` only to count the inputs; this one is what Fondly does with
it — which file, which transcript, when to let go — and brings in the recordings' owner marks and
speech.live. QtCore only, through app.microphone: the CLI records without a window. A test holds
that a Recorder is made here alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from app import recordings
from app.errors import USER_ERRORS
from app.microphone import Recorder, find_input
from speech import wavfile
from speech.live import Chunker, LiveTranscriber
from speech.transcriber import Segment


class Listening(QObject):
    """The microphone for one use (start it once). Made with the device's name or part of one (None:
    the system's default), it finds the device at once — a clear error (FondlyError) before the
    caller makes anything — and opens it at `start(take)`.

    - `take`: the WAV written as the audio arrives (None: no file). Its name and the mark saying which
      process owns it belong to what it is (recordings.begin: an owner file beside it;
      rehearsal.new_take: the process id in its name); if the device will not open, the file and any
      owner mark beside it are removed.
    - With a `transcriber`, a live transcript on its own thread: `on_segment(segment)` is called
      there, for each piece cut where `chunker` says (default: whole phrases, for a memory; the
      teleprompter cuts sooner).
    - `collect`: keep the 16 kHz mono audio for `audio()` (dictation transcribes it whole).
    - `level` (0..1, for a meter) and `failed` (the device stopped; what was recorded is kept) are
      emitted on the thread that started it.

    Ending: `stop()` turns the device off and closes the take whole, while the live transcript goes
    on through what was heard (`finish()` waits for that); `drop()` ends at once, the transcript's
    rest not wanted (a closing window must not wait for Whisper); `close_for_later()` is for the app
    closing mid-take: stopped, the transcript's rest kept, the owner mark released so that the next
    start finishes the take.
    """

    level = Signal(float)
    failed = Signal(str)

    def __init__(
        self,
        device: str | None = None,
        *,
        transcriber=None,
        hotwords: Iterable[str] = (),
        on_segment: Callable[[Segment], None] | None = None,
        chunker: Chunker | None = None,
        collect: bool = False,
    ) -> None:
        super().__init__()
        self.device = find_input(device)
        self.transcriber, self.hotwords = transcriber, list(hotwords)
        self.on_segment, self.chunker = on_segment, chunker
        self.take: Path | None = None
        self.live: LiveTranscriber | None = None
        self._live_open = False
        self._recorder: Recorder | None = None
        self._blocks: list[np.ndarray] | None = [] if collect else None
        self._seconds = 0.0

    @property
    def name(self) -> str:
        """The device's name, as a person knows it."""
        return self.device.description()

    def start(self, take: Path | None = None) -> None:
        """Open the device and begin; if it will not open, raise with nothing left behind."""
        self.take = take
        recorder = Recorder(self.device, take, self._sink)
        recorder.level.connect(self.level.emit)
        recorder.failed.connect(self.failed.emit)
        if self.transcriber is not None:  # its thread begins here, once the take is open
            heard = self.on_segment or (lambda _segment: None)  # no on_segment: the segments go nowhere
            self.live = LiveTranscriber(self.transcriber, self.hotwords, heard, chunker=self.chunker)
            self._live_open = True
        try:
            recorder.start()
        except USER_ERRORS:
            recorder.deleteLater()
            self._end_live(wait=False)
            if take is not None:
                take.unlink(missing_ok=True)
                recordings.release(take)
            raise
        self._recorder = recorder

    def _sink(self, samples: np.ndarray) -> None:
        if self._live_open:
            assert self.live is not None  # open only once made (start)
            self.live.feed(samples)
        if self._blocks is not None:
            self._blocks.append(samples)

    @property
    def running(self) -> bool:
        """The device is open (started, not yet stopped)."""
        return self._recorder is not None

    @property
    def seconds(self) -> float:
        """Seconds recorded: so far, or in all once stopped."""
        return self._recorder.seconds if self._recorder is not None else self._seconds

    @property
    def paused(self) -> bool:
        return self._recorder is not None and self._recorder.paused

    def pause(self) -> None:
        assert self._recorder is not None  # only while running
        self._recorder.pause()

    def resume(self) -> None:
        assert self._recorder is not None  # only while running
        self._recorder.resume()

    @property
    def transcribing(self) -> bool:
        """The live transcript's thread is still at work (it ends a piece after `drop`)."""
        return self.live is not None and self.live.running

    def audio(self) -> np.ndarray:
        """What was heard, 16 kHz mono (with `collect`)."""
        return np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.float32)

    def stop(self) -> Path | None:
        """The device off: the last of the audio taken and the take closed whole. Returns the take."""
        if self._recorder is not None:
            self._seconds = self._recorder.seconds
            self._recorder.stop()
            self._recorder.deleteLater()  # on the thread that made it
            self._recorder = None
        return self.take

    def finish(self) -> None:
        """Wait for the live transcript to go through the rest of what was heard."""
        self._end_live(wait=True)

    def drop(self) -> Path | None:
        """End now, without the live transcript's rest and without waiting for it. Returns the take."""
        self._end_live(wait=False)
        return self.stop()

    def close_for_later(self, mark: Callable[[], object] | None = None) -> Path | None:
        """The app is closing mid-take: stop, keep the live transcript's rest, and release the owner
        mark, so the next start finishes the take. `mark` records first what the take now is (a
        memory: "transcribing"), so no other Fondly takes it for one cut off in between."""
        self.stop()
        self.finish()
        if mark is not None:
            mark()
        if self.take is not None:
            recordings.release(self.take)
        return self.take

    def _end_live(self, wait: bool) -> None:
        if self._live_open:
            self._live_open = False
            assert self.live is not None  # open only once made (start)
            self.live.finish() if wait else self.live.drop()


def recover_take(path: Path) -> float | None:
    """A take cut off by a crash, a kill or a power cut, made a whole WAV again (its header's lengths
    from the file's real size): its seconds. One killed before a sound was written holds nothing: it
    is removed, with any owner mark, and None returned."""
    try:
        return wavfile.repair(path)
    except ValueError:
        path.unlink(missing_ok=True)
        recordings.release(path)
        return None
