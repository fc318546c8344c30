"""A live transcript: audio is cut at the speaker's pauses and each piece transcribed at once.

Whisper wants whole phrases, not arbitrary slices, so the stream is cut where the
speaker pauses (a simple energy detector with an adaptive noise floor: cheap enough
to run on every block). Stretches with no speech are never sent to Whisper, which is
where it invents the most; the segments it returns are guarded as well.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

import numpy as np

from speech.audio import SAMPLE_RATE
from speech.transcriber import Segment, Transcriber

FRAME = SAMPLE_RATE * 30 // 1000  # 30 ms


class Chunker:
    """Feed 16 kHz mono audio; get back (offset seconds, phrase audio) at each pause.

    With no pause for `max_chunk` seconds, a piece is cut at the quietest moment near that length.
    `opening`: (quiet seconds, max seconds) — a piece that begins after at least that much quiet is
    cut at the shorter length. Why: after a long pause is where a speaker goes on from somewhere
    else (a paragraph left out, a page turned back), so a listener that follows them (the
    teleprompter) wants the first words after it sooner; mid-flow, longer pieces are heard better.
    """

    def __init__(
        self,
        pause: float = 0.5,
        min_speech: float = 0.3,
        max_chunk: float = 15.0,
        opening: tuple[float, float] | None = None,
    ):
        self.pause_frames = int(pause * 1000 / 30)
        self.min_speech_frames = int(min_speech * 1000 / 30)
        self.max_frames = int(max_chunk * 1000 / 30)
        # in frames; no opening length (0) without `opening`
        self.opening_quiet, self.opening_frames = (
            (int(opening[0] * 1000 / 30), int(opening[1] * 1000 / 30)) if opening else (0, 0)
        )
        self.buffer = np.zeros(0, np.float32)
        self.offset = 0.0  # seconds of audio before the buffer's start
        self.floor: float | None = None  # running noise floor (RMS)
        self._quiet_before = 10**9  # quiet frames already let go before the buffer (the start counts as a pause)

    def _speech_flags(self, audio: np.ndarray) -> np.ndarray:
        n = len(audio) // FRAME
        if n == 0:
            return np.zeros(0, bool)
        rms = np.sqrt(np.mean(np.square(audio[: n * FRAME].reshape(n, FRAME)), axis=1))
        quiet = float(np.percentile(rms, 10))
        # the quietest level heard so far, allowed to creep up if the room gets louder
        self.floor = quiet if self.floor is None else min(quiet, self.floor * 1.02 + 1e-6)
        threshold = max(0.008, self.floor * 3.0)
        return rms > threshold

    def feed(self, audio: np.ndarray) -> Iterator[tuple[float, np.ndarray]]:
        self.buffer = np.concatenate([self.buffer, audio.astype(np.float32, copy=False)])
        while True:
            flags = self._speech_flags(self.buffer)
            n = len(flags)
            if n == 0:
                return
            speech = np.flatnonzero(flags)
            if len(speech) == 0:
                if n > self.pause_frames * 2:  # only silence: drop it, keep a little lead-in
                    self._advance((n - self.pause_frames) * FRAME)
                    self._quiet_before += n - self.pause_frames
                return
            trailing_quiet = n - 1 - speech[-1]
            lead = int(speech[0])  # quiet frames before the first voice in the buffer
            if self.opening_frames and self._quiet_before + lead >= self.opening_quiet:
                limit, span = lead + self.opening_frames, self.opening_frames
            else:
                limit, span = self.max_frames, self.max_frames
            if len(speech) >= self.min_speech_frames and trailing_quiet >= self.pause_frames:
                cut = (speech[-1] + 1 + self.pause_frames // 2) * FRAME
                quiet_after = self.pause_frames // 2
            elif n >= limit:  # no pause for a long time: cut at the quietest frame near the limit
                end = min(n, limit)
                window = self.buffer[(end - span // 4) * FRAME : end * FRAME]
                frames = window[: len(window) // FRAME * FRAME].reshape(-1, FRAME)
                cut = (end - span // 4 + int(np.argmin(np.abs(frames).mean(axis=1))) + 1) * FRAME
                quiet_after = 0
            else:
                return
            yield self.offset, self.buffer[:cut].copy()
            self._advance(cut)
            self._quiet_before = quiet_after

    def flush(self) -> Iterator[tuple[float, np.ndarray]]:
        flags = self._speech_flags(self.buffer)
        if flags.sum() >= self.min_speech_frames // 2 and len(self.buffer):
            yield self.offset, self.buffer.copy()
        self._advance(len(self.buffer))

    def _advance(self, samples: int) -> None:
        self.buffer = self.buffer[samples:]
        self.offset += samples / SAMPLE_RATE


class LiveTranscriber:
    """Transcribes a stream on its own thread; `on_segment` gets each segment as it is ready.

    `feed()` never blocks (it is called from the audio callback); `finish()` transcribes
    what is left and waits.
    """

    def __init__(
        self,
        transcriber: Transcriber,
        hotwords: Iterable[str],
        on_segment: Callable[[Segment], None],
        on_error: Callable[[BaseException], None] | None = None,
        chunker: Chunker | None = None,
    ):
        """`chunker`: where to cut; a memory wants whole phrases (the default), the teleprompter wants
        words soon after they are said, so it cuts at shorter pauses and after a few seconds at most."""
        self.transcriber = transcriber
        self.hotwords = list(hotwords)
        self.on_segment = on_segment
        self.on_error = on_error
        self.chunker = chunker or Chunker()
        self._dropped = False
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="live-transcript", daemon=True)
        self._thread.start()

    def feed(self, audio: np.ndarray) -> None:
        self._queue.put(audio)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def drop(self) -> None:
        """End without transcribing what is left, and without waiting: for a listener whose window
        is closing (the teleprompter), where the rest is not wanted and a wait would freeze the window.
        The thread ends after the piece it is transcribing, if any, and reports nothing more."""
        self._dropped = True
        self._queue.put(None)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _take(self) -> tuple[list[np.ndarray], bool]:
        """Every block waiting (at least one), and whether the stream ended among them."""
        blocks = [self._queue.get()]
        while blocks[-1] is not None:
            try:
                blocks.append(self._queue.get_nowait())
            except queue.Empty:
                break
        ended = blocks[-1] is None
        return [b for b in blocks if b is not None], ended

    def _run(self) -> None:
        while True:
            blocks, ended = self._take()
            if self._dropped:
                return
            try:
                chunks = [c for b in blocks for c in self.chunker.feed(b)]
                if ended:
                    chunks += list(self.chunker.flush())
                for offset, audio in _merged(chunks):
                    for seg in self.transcriber.transcribe(audio, self.hotwords, guard=True):
                        if self._dropped:
                            return
                        self.on_segment(
                            replace(seg, start=round(seg.start + offset, 3), end=round(seg.end + offset, 3))
                        )
            except Exception as e:  # noqa: BLE001 — keep listening: the audio is safe on disk; on_error reports it
                if self.on_error:
                    self.on_error(e)
            if ended:
                return


MERGE_SECONDS = 25.0  # Whisper hears 30 s at a time


def _merged(chunks: list[tuple[float, np.ndarray]]) -> list[tuple[float, np.ndarray]]:
    """Pieces that follow on one from another joined, up to MERGE_SECONDS. Why: each Whisper call
    costs about the same whatever its length (it always hears a 30 s window), so when
    transcription falls behind (a busy machine, short pieces) and several pieces are waiting,
    one call for all of them catches up where one call each would fall further behind."""
    out: list[tuple[float, np.ndarray]] = []
    for offset, audio in chunks:
        if out:
            last_offset, last = out[-1]
            follows = abs(last_offset + len(last) / SAMPLE_RATE - offset) < 1e-3
            if follows and (len(last) + len(audio)) / SAMPLE_RATE <= MERGE_SECONDS:
                out[-1] = (last_offset, np.concatenate([last, audio]))
                continue
        out.append((offset, audio))
    return out
