"""One recording of a spoken memory, from Record to its final transcript: the service the
CLI's `memory record` and the app's Record button both drive, so there is one way a
recording is stored.

It reaches the microphone and the live transcript the one way every use of them does
(app.listening.Listening), and stores the live segments. The steps are split by where
they may run: `start`, `pause`, `resume` and `stop` touch the audio device and belong to
the thread that made it (the GUI thread in the app); `finish` runs the final pass and may
take minutes, so the app runs it on a worker; `close_for_later` keeps everything when the
app closes mid-story. `level` (for a meter) and `failed` (the microphone stopped; what was
recorded is kept) are emitted on the thread that started it: no caller reaches into the device.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app import recordings, vocabulary
from app.errors import USER_ERRORS
from app.listening import Listening
from app.store import Memory, Project, Store
from speech.transcriber import Segment


class RecordingSession(QObject):
    level = Signal(float)  # 0..1, for a meter
    failed = Signal(str)  # the microphone stopped working: say so, and stop

    def __init__(
        self,
        store: Store,
        project: Project,
        transcriber,
        device: str | None = None,
        title: str | None = None,
        on_segment: Callable[[int, Segment], None] | None = None,
        question: str | None = None,
    ) -> None:
        """`on_segment(memory_id, segment)` is called from the live transcript's own thread,
        after the segment is stored."""
        super().__init__()
        self.store, self.project, self.transcriber = store, project, transcriber
        self.device, self.title, self.on_segment, self.question = device, title, on_segment, question
        self.hotwords = vocabulary.for_project(store, project)  # the live and the final pass hear alike
        self.memory: Memory | None = None
        self.listening: Listening | None = None
        self._live_store: Store | None = None
        self._count = 0

    def start(self) -> Memory:
        """Open the microphone and begin: the memory exists (status "recording") from now on.
        A microphone that can't be found or opened raises, and leaves nothing stored."""
        listening = Listening(
            self.device, transcriber=self.transcriber, hotwords=self.hotwords, on_segment=self._keep
        )  # the microphone is found before anything is stored
        self.memory, wav = recordings.begin(self.store, self.project, self.title, question=self.question)
        self._live_store = Store(self.store.path)  # the live thread writes through its own connection
        try:
            listening.start(wav)
        except USER_ERRORS:
            self._close_live_store()
            recordings.abandon(self.store, self.memory.id, wav)
            self.memory = None
            raise
        listening.level.connect(self.level.emit)
        listening.failed.connect(self.failed.emit)
        self.listening = listening
        return self.memory

    def _keep(self, seg: Segment) -> None:
        assert self._live_store is not None and self.memory is not None  # both made before the live thread starts
        self._live_store.add_segment(self.memory.id, self._count, seg.start, seg.end, seg.text, seg.confidence)
        self._count += 1
        if self.on_segment is not None:
            self.on_segment(self.memory.id, seg)

    @property
    def seconds(self) -> float:
        return self.listening.seconds if self.listening else 0.0

    @property
    def paused(self) -> bool:
        return bool(self.listening and self.listening.paused)

    def pause(self) -> None:
        assert self.listening is not None  # only after `start`
        self.listening.pause()

    def resume(self) -> None:
        assert self.listening is not None  # only after `start`
        self.listening.resume()

    def stop(self) -> int:
        """Stop the microphone (the WAV is closed whole); the transcript is finished by `finish`."""
        assert self.listening is not None and self.memory is not None  # only after `start`
        self.listening.stop()
        return self.memory.id

    def finish(self, store: Store | None = None) -> Memory:
        """The rest of the live transcript, then the final pass over the whole recording. `store`
        is the calling thread's connection, when that is not the one the session was made with."""
        assert self.listening is not None and self.memory is not None  # only after `start`
        self.listening.finish()
        self._close_live_store()
        return recordings.finish(store or self.store, self.memory.id, self.transcriber, self.hotwords)

    def close_for_later(self) -> None:
        """The app is closing mid-recording: keep the audio and the live transcript now, and
        leave the final pass to the next start (it would hold the window open for minutes)."""
        listening, memory = self.listening, self.memory
        assert listening is not None and memory is not None  # only after `start`
        listening.close_for_later(mark=lambda: recordings.leave_for_later(self.store, memory.id))
        self._close_live_store()

    def _close_live_store(self) -> None:
        if self._live_store is not None:
            self._live_store.close()
            self._live_store = None
