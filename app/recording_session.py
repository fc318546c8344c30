"""One recording of a spoken memory, from Record to its final transcript: the service the
CLI's `memory record` and the app's Record button both drive, so there is one way a
recording is stored.

It owns the microphone (app.microphone), the live transcript (speech.live) and the storing
of live segments. The steps are split by where they may run: `start`, `pause`,
`resume` and `stop` touch the audio device and belong to the thread that made it (the
GUI thread in the app); `finish` runs the final pass and may take minutes, so the app
runs it on a worker; `close_for_later` keeps everything when the app closes mid-story.
"""

from __future__ import annotations

from typing import Callable

from app import recordings, vocabulary
from app.errors import USER_ERRORS
from app.microphone import Recorder, find_input
from app.store import Memory, Project, Store
from speech.transcriber import Segment


class RecordingSession:
    def __init__(self, store: Store, project: Project, transcriber, device: str | None = None,
                 title: str | None = None, on_segment: Callable[[int, Segment], None] | None = None) -> None:
        """`on_segment(memory_id, segment)` is called from the live transcript's own thread,
        after the segment is stored."""
        self.store, self.project, self.transcriber = store, project, transcriber
        self.device, self.title, self.on_segment = device, title, on_segment
        self.hotwords = vocabulary.for_project(store, project)  # the live and the final pass hear alike
        self.memory: Memory | None = None
        self.recorder: Recorder | None = None
        self._live = None
        self._live_store: Store | None = None
        self._count = 0

    def start(self) -> Memory:
        """Open the microphone and begin: the memory exists (status "recording") from now on.
        A microphone that can't be found or opened raises, and leaves nothing stored."""
        from speech.live import LiveTranscriber

        mic = find_input(self.device)  # before anything is stored
        self.memory, wav = recordings.begin(self.store, self.project, self.title)
        self._live_store = Store(self.store.path)  # the live thread writes through its own connection
        self._live = LiveTranscriber(self.transcriber, self.hotwords, self._keep)
        self.recorder = Recorder(mic, wav, self._live.feed)
        try:
            self.recorder.start()
        except USER_ERRORS:
            self._end_live()
            recordings.abandon(self.store, self.memory.id, wav)
            self.recorder, self.memory = None, None
            raise
        return self.memory

    def _keep(self, seg: Segment) -> None:
        self._live_store.add_segment(self.memory.id, self._count, seg.start, seg.end, seg.text, seg.confidence)
        self._count += 1
        if self.on_segment is not None:
            self.on_segment(self.memory.id, seg)

    @property
    def seconds(self) -> float:
        return self.recorder.seconds if self.recorder else 0.0

    @property
    def paused(self) -> bool:
        return bool(self.recorder and self.recorder.paused)

    def pause(self) -> None:
        self.recorder.pause()

    def resume(self) -> None:
        self.recorder.resume()

    def stop(self) -> int:
        """Stop the microphone (the WAV is closed whole); the transcript is finished by `finish`."""
        self._release()
        return self.memory.id

    def finish(self, store: Store | None = None) -> Memory:
        """The rest of the live transcript, then the final pass over the whole recording. `store`
        is the calling thread's connection, when that is not the one the session was made with."""
        self._end_live()
        return recordings.finish(store or self.store, self.memory.id, self.transcriber, self.hotwords)

    def close_for_later(self) -> None:
        """The app is closing mid-recording: keep the audio and the live transcript now, and
        leave the final pass to the next start (it would hold the window open for minutes)."""
        if self.recorder is not None:
            self._release()
        self._end_live()
        recordings.leave_for_later(self.store, self.memory.id)

    def _release(self) -> None:
        if self.recorder is not None:
            self.recorder.stop()
            self.recorder.deleteLater()  # on the thread that made it
            self.recorder = None

    def _end_live(self) -> None:
        if self._live is not None:
            self._live.finish()
            self._live = None
        if self._live_store is not None:
            self._live_store.close()
            self._live_store = None
