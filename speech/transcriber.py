"""On-device transcription with faster-whisper, as a generator of segments.

The model loads once and is reused; `transcribe` yields each segment as Whisper
finishes it, so callers can store it at once and a crash keeps what was done.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speech.errors import SpeechError
from speech.models import resolve_model


@dataclass
class Word:
    """One word as Whisper heard it, with when (seconds into the audio) and how surely."""

    text: str
    start: float
    end: float
    probability: float


@dataclass
class Segment:
    start: float
    end: float
    text: str
    confidence: float  # exp(average log-probability of its tokens), 0..1
    no_speech_prob: float
    avg_logprob: float = 0.0
    compression_ratio: float = 1.0
    words: list[Word] | None = None  # with transcribe(words=True) only: each word's own times

    def looks_invented(self) -> bool:
        """Whisper's tell-tales of text nobody said, as on silence or noise: a loop (a
        highly compressible text), a likely non-speech window the model was unsure of,
        or a very unlikely decoding."""
        return (
            self.compression_ratio > 2.4
            or (self.no_speech_prob > 0.6 and self.avg_logprob < -1.0)
            or self.avg_logprob < -1.5
        )


def whisper_options(hotwords: Iterable[str] = (), words: bool = False) -> dict:
    """The transcribe() settings Fondly uses; the benchmark hands the same ones to the bare library.
    `words` asks for word timestamps (cross-attention alignment, a little slower): a rehearsal
    needs to know when each word of the speech was said.

    The vocabulary (app.vocabulary: "Grandma Siobhan", "Uncle Tadhg", "Ballycotton") goes in as
    `hotwords`, which faster-whisper puts before every 30 s window, not as `initial_prompt`, which
    only starts the first. Measured with tiny.en on three espeak-ng recordings of memories with 36
    names (word error, names right; live chunks / whole-file pass): hotwords 25 %, 30 / 52 %, 26;
    initial_prompt "Grandma Siobhan, Uncle Tadhg, Ballycotton." 26 %, 29 / 50 %, 23; both 33 %, 27 /
    31 %, 27 but the whole-file pass 4.6x slower (temperature fallbacks); no vocabulary 41 %, 12 /
    39 %, 10. The whole-file pass's losses are caught by app.final_pass."""
    hot = " ".join(w.strip() for w in hotwords if w and w.strip())
    options = {"vad_filter": True, "beam_size": 5, "hotwords": hot or None}
    if words:
        options["word_timestamps"] = True
    return options


class Turns:
    """Who uses the one model next: live work before anything else.

    The model is taken for one CTranslate2 call at a time (an encoding, or one decoding of a 30 s
    window), not for a whole file. Why: an interview answer or a memory being recorded is
    transcribed in short live chunks while a long import may be running; with one lock for the
    whole import, the speaker's words waited minutes. Per segment of faster-whisper's generator
    was not fine enough: one segment can cost a window decoded six times over (its temperature
    fallbacks), measured 9-13 s on 2 busy cores. A live transcription counts as waiting from its
    first call to its last, so an import makes no call in the middle of a live chunk, and a live
    chunk starts at most one decoding later than it asks.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._live = 0  # live transcriptions begun and not finished
        self._local = threading.local()  # whether this thread's transcription is live

    @contextmanager
    def live(self):
        """Around a whole live transcription: other work waits until it is done."""
        with self._cond:
            self._live += 1
        self._local.open = getattr(self._local, "open", 0) + 1
        try:
            yield
        finally:
            self._local.open -= 1
            with self._cond:
                self._live -= 1
                self._cond.notify_all()

    @contextmanager
    def acting_for(self, live: bool):
        """Calls made by this thread meanwhile are live work (or not)."""
        before = getattr(self._local, "live", False)
        self._local.live = live
        try:
            yield
        finally:
            self._local.live = before

    @contextmanager
    def step(self, live: bool | None = None):
        """The model, for one call; `live` defaults to what this thread is acting for."""
        if live is None:
            live = getattr(self._local, "live", False)
        # a thread inside its own live transcription (e.g. a segment's callback transcribing) must
        # not wait for that transcription to end: it would wait for itself
        live = live or getattr(self._local, "open", 0) > 0
        with self._cond:
            while self._busy or (not live and self._live):
                self._cond.wait()
            self._busy = True
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()


class _TakingTurns:
    """A CTranslate2 Whisper model whose every computing call waits for its turn."""

    CALLS = ("encode", "generate", "detect_language", "align")

    def __init__(self, model, turns: Turns) -> None:
        self._model, self._turns = model, turns

    def __getattr__(self, name: str):
        found = getattr(self._model, name)
        if name not in self.CALLS:
            return found

        def call(*args, **kwargs):
            with self._turns.step():
                return found(*args, **kwargs)

        return call


class Transcriber:
    """One loaded Whisper model, shared by the threads that transcribe (the live transcript, file
    imports, the final pass), one model call at a time, live work first (see `Turns`).

    Interleaving two transcriptions call by call is safe: faster-whisper keeps a transcription's
    state (its prompt tokens, offsets, the last word's time) in the generator's own locals, and
    a CTranslate2 model may be called from several Python threads (faster-whisper's maintainers,
    issue #100: "you can call model.transcribe from multiple Python threads"; the calls are queued
    to the model's workers, one here). The turns keep the two from competing for the same two
    cores, and put the live one first."""

    def __init__(self, model: str | Path | None = None, threads: int = 0):
        from faster_whisper import WhisperModel  # heavy import, only when a model is wanted

        self.turns = Turns()  # the live transcript and file imports share one model
        self.model_path = resolve_model(model)
        try:
            self._model = WhisperModel(
                str(self.model_path), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
            )
        except Exception as e:  # noqa: BLE001 — CTranslate2 reports a bad model.bin in several ways
            raise SpeechError(
                f"The speech model in {self.model_path} could not be loaded ({e}). "
                "Choose another Whisper model folder, or remove the setting to use the bundled one."
            ) from None
        self._model.model = _TakingTurns(self._model.model, self.turns)

    @property
    def name(self) -> str:
        """A name a person recognises: the bundled model's, or the chosen folder's."""
        from speech.models import bundled_model

        try:
            if self.model_path.resolve() == bundled_model().resolve():
                return "Whisper tiny.en"
        except SpeechError:
            pass
        return self.model_path.name

    def transcribe(
        self,
        audio: np.ndarray,
        hotwords: Iterable[str] = (),
        cancel: threading.Event | None = None,
        guard: bool = False,
        words: bool = False,
    ) -> Iterator[Segment]:
        """Segments of 16 kHz mono float32 audio, yielded as they are decoded.

        `hotwords` (the project's names) bias spelling toward the family's. Setting
        `cancel` stops after the segment in progress. `guard` drops segments that look
        invented (for short live chunks, where Whisper is most prone to it). `words`
        gives each segment its words with their own start and end times.
        """
        options = whisper_options(hotwords, words)
        if guard:  # live: a fallback is a whole second decoding (or five), seconds the speaker waits
            options["temperature"] = 0.0  # for, and what needs one mostly looks invented and is dropped
        with self.turns.live() if guard else nullcontext():
            with self.turns.acting_for(guard):  # the model's calls wait for their turn (Turns)
                found, _info = self._model.transcribe(audio, **options)  # VAD and features; decoding is lazy
            while True:
                with self.turns.acting_for(guard):
                    s = next(found, None)
                if s is None:
                    return
                seg = Segment(
                    start=round(s.start, 3),
                    end=round(s.end, 3),
                    text=s.text.strip(),
                    confidence=round(math.exp(s.avg_logprob), 4),
                    no_speech_prob=round(s.no_speech_prob, 4),
                    avg_logprob=round(s.avg_logprob, 4),
                    compression_ratio=round(s.compression_ratio, 3),
                    words=[
                        Word(w.word.strip(), round(w.start, 3), round(w.end, 3), round(w.probability, 4))
                        for w in s.words
                    ]
                    if words and s.words
                    else None,
                )
                if seg.text and not (guard and seg.looks_invented()):
                    yield seg
                if cancel is not None and cancel.is_set():
                    return
