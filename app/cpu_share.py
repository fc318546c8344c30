"""How the text model and the speech model share the machine's cores.

Why: llama.cpp collapses when its threads outnumber the free cores. Measured on 2 cores with
SmolLM2-135M: quiet, 2 threads 102 tok/s; with one core busy, 1 thread 70 tok/s but 2 threads
28 tok/s. A draft written while an audio import transcribed took 1.9x its quiet time.

The policy (Qt-free; app.engines wraps both engines with it):
- A draft comes first. An audio import gives way between segments while a draft is being
  written, and goes on when it is done: the person is waiting for the draft, not for the import.
  "Being written" is the whole text operation (app.ui.operations holds it), not each model call:
  a draft is many calls with checks between them, and an import slipping into each gap took
  seconds of the cores every time (measured: 1.78x quiet that way).
- Live transcription (a recording or dictation) cannot wait, so while a live chunk is being
  transcribed the text model drops to cores − 1 threads, and returns to all of them after.
  The text engine checks its thread count at every token, so a change lands within one token.
- Other programs count too (`LoadMeter`): the cores they keep busy are not the text model's.
  Measured here (bundled model, 2 cores, `yes > /dev/null` on one): 2 threads 78 tok/s of prompt,
  25 of writing; 1 thread 84 / 35 — two threads lose to one as soon as anything else runs, since
  llama.cpp's threads wait for the slowest at every step. OMP_WAIT_POLICY=passive did not help
  (80 / 27). So the text model writes with the cores nothing else is using, re-measured every
  half second while it writes, and never fewer than one.
- The person's `threads` setting wins: with it set, nothing here changes threads or pauses.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class LoadMeter:
    """How many cores other programs keep busy: the whole machine's busy time (psutil) less this
    process's own, over the time between two readings. Fondly's own threads are not "others":
    its speech model is shared by the rules below, not measured away."""

    def __init__(self, interval: float = 0.5, window: float = 0.05, stale: float = 2.0) -> None:
        import psutil

        self._psutil, self._me = psutil, psutil.Process()
        self.interval, self.window, self.stale = interval, window, stale
        self._start: tuple[float, float, float] | None = None  # the reading the current window began at
        self._valid = False  # whether `others` was measured since the window last began afresh
        self.others = 0.0  # cores busy with other programs, at the last measurement

    def _reading(self) -> tuple[float, float, float]:
        t = self._psutil.cpu_times()
        busy = sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
        mine = sum(self._me.cpu_times()[:2])  # user + system of every thread of this process
        return time.monotonic(), busy, mine

    def prime(self) -> None:
        """Begin a fresh window if the last is stale: called as a text operation begins, so that by
        its first model call (after the Brief, the choice of memories, the prompt) the window has
        passed and the first `busy_cores` does not wait."""
        if self._start is None or time.monotonic() - self._start[0] > self.stale:
            self._start, self._valid = self._reading(), False

    def busy_cores(self) -> float:
        """Cores other programs used over the current window, re-measured every `interval`. After
        an idle spell an old window says nothing of now: a fresh one of at least `window` seconds
        is measured (waiting out what is left of it)."""
        self.prime()
        assert self._start is not None  # prime() has just begun a window if there was none
        elapsed = time.monotonic() - self._start[0]
        if self._valid and elapsed < self.interval:
            return self.others
        if not self._valid and elapsed < self.window:
            time.sleep(self.window - elapsed)
        now = self._reading()
        self.others = max(0.0, ((now[1] - self._start[1]) - (now[2] - self._start[2])) / (now[0] - self._start[0]))
        self._start, self._valid = now, True
        return self.others


def load_meter() -> LoadMeter | None:
    """A LoadMeter, or None where the system can't say how busy it is — no /proc, as in a bare
    container or chroot (seen there: psutil's "process not found" stopped the window opening).
    Without one the text model counts only Fondly's own work, which is still safe."""
    import psutil

    try:
        meter = LoadMeter()
        meter.prime()
    except (psutil.Error, OSError):
        return None
    return meter


class CpuShare:
    def __init__(
        self, cores: int | None = None, text_threads: int = 0, speech_threads: int = 0, meter: LoadMeter | None = None
    ) -> None:
        """`text_threads` / `speech_threads`: what each engine uses with the machine to itself
        (0: settings.threads()'s rule, the cores up to four); `fixed` when the person set them.
        `meter` watches other programs (the app's share has one; without it only Fondly's own
        work is counted, as plumbing tests want)."""
        self.cores = cores or os.cpu_count() or 1
        self.meter = meter
        self._cond = threading.Condition()
        self.configure(text_threads, speech_threads)
        self._writing = 0
        self._live = 0  # live chunks being transcribed now
        self._importing = 0  # imports transcribing now (not those waiting for a draft)
        self.waits = 0  # how many times an import gave way (for the benchmarks and tests)

    def configure(self, text_threads: int = 0, speech_threads: int = 0) -> None:
        """What the settings now say (the person may change `threads` while the app runs)."""
        auto = max(1, min(4, self.cores))
        with self._cond:
            self.fixed = bool(text_threads)
            self.full_text = text_threads or auto
            self.speech = speech_threads or auto

    @property
    def crowded(self) -> bool:
        """Would the text and the speech model together ask for more threads than there are cores?"""
        return self.full_text + self.speech > self.cores

    def text_threads(self) -> int:
        """Threads for the next token: all the text model may have, less a core for live
        transcription or an import when the two would crowd, less the cores other programs keep
        busy (a core counts as busy from half its time)."""
        with self._cond:
            if self.fixed:
                return self.full_text
            wanted = self.full_text
            if self.crowded and (self._live or self._importing):
                wanted = max(1, min(self.full_text, self.cores - 1))
        if self.meter is not None:
            others = int(self.meter.busy_cores() + 0.5)
            wanted = max(1, min(wanted, self.cores - others))
        return wanted

    @contextmanager
    def writing(self) -> Iterator[None]:
        if self.meter is not None and not self.fixed:
            self.meter.prime()
        with self._cond:
            self._writing += 1
        try:
            yield
        finally:
            with self._cond:
                self._writing -= 1
                self._cond.notify_all()

    @contextmanager
    def live(self) -> Iterator[None]:
        """Around one live chunk's transcription."""
        with self._cond:
            self._live += 1
        try:
            yield
        finally:
            with self._cond:
                self._live -= 1

    @contextmanager
    def importing(self) -> Iterator[None]:
        """Around an import's transcription; `give_way` inside it pauses while a draft is written."""
        with self._cond:
            self._importing += 1
        try:
            yield
        finally:
            with self._cond:
                self._importing -= 1

    def give_way(self, cancel: threading.Event | None = None) -> None:
        """Called by an import between segments: wait while a draft is being written (and the
        cores are too few for both), or until `cancel` is set."""
        with self._cond:
            if self.fixed or not self.crowded or not self._writing:
                return
            self.waits += 1
            self._importing -= 1  # not using the cores while it waits
            try:
                while self._writing and not (cancel is not None and cancel.is_set()):
                    self._cond.wait(timeout=0.2)  # the timeout notices `cancel`, which has no notify
            finally:
                self._importing += 1


class SharingTextEngine:
    """A text engine that writes under the share: marked as writing while it streams, and
    following `text_threads()` at every token. Anything else is the engine's own."""

    def __init__(self, engine, share: CpuShare) -> None:
        self._engine, self._share = engine, share

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def chat(self, *args, **kwargs) -> Iterator[str]:
        set_threads = getattr(self._engine, "set_threads", None)
        if set_threads is None:  # a model server: its cores are not ours to share
            yield from self._engine.chat(*args, **kwargs)
            return
        with self._share.writing():
            current = None
            stream = self._engine.chat(*args, **kwargs)
            try:
                while True:
                    wanted = self._share.text_threads()
                    if wanted != current:
                        set_threads(wanted)
                        current = wanted
                    try:
                        piece = next(stream)
                    except StopIteration:
                        return
                    yield piece
            finally:
                stream.close()


class SharingTranscriber:
    """A transcriber under the share: a live chunk (`guard=True`) is marked live; an import
    gives way to a draft between segments."""

    def __init__(self, transcriber, share: CpuShare) -> None:
        self._transcriber, self._share = transcriber, share

    def __getattr__(self, name: str):
        return getattr(self._transcriber, name)

    def transcribe(
        self, audio, hotwords=(), cancel: threading.Event | None = None, guard: bool = False, words: bool = False
    ):
        if guard:
            with self._share.live():
                yield from self._transcriber.transcribe(audio, hotwords, cancel=cancel, guard=True)
            return
        with self._share.importing():
            extra = {"words": True} if words else {}  # only asked of a transcriber when wanted (rehearsals)
            for segment in self._transcriber.transcribe(audio, hotwords, cancel=cancel, **extra):
                yield segment
                self._share.give_way(cancel)
