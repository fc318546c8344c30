"""On-device transcription with faster-whisper, as a generator of segments.

The model loads once and is reused; `transcribe` yields each segment as Whisper
finishes it, so callers can store it at once and a crash keeps what was done.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

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
    needs to know when each word of the speech was said."""
    hot = " ".join(w.strip() for w in hotwords if w and w.strip())
    options = {"vad_filter": True, "beam_size": 5, "hotwords": hot or None}
    if words:
        options["word_timestamps"] = True
    return options


class Transcriber:
    """One loaded Whisper model. Not for use from two threads at once."""

    def __init__(self, model: str | Path | None = None, threads: int = 0):
        from faster_whisper import WhisperModel  # heavy import, only when a model is wanted

        self._lock = threading.Lock()  # the live transcript and file imports share one model
        self.model_path = resolve_model(model)
        try:
            self._model = WhisperModel(
                str(self.model_path),
                device="cpu",
                compute_type="int8",
                cpu_threads=threads,
                local_files_only=True,
            )
        except Exception as e:  # CTranslate2 reports a bad model.bin in several ways
            raise SpeechError(
                f"The speech model in {self.model_path} could not be loaded ({e}). "
                "Choose another Whisper model folder, or remove the setting to use the bundled one."
            ) from None

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
        with self._lock:
            segments, _info = self._model.transcribe(audio, **options)
            for s in segments:
                seg = Segment(
                    start=round(s.start, 3),
                    end=round(s.end, 3),
                    text=s.text.strip(),
                    confidence=round(math.exp(s.avg_logprob), 4),
                    no_speech_prob=round(s.no_speech_prob, 4),
                    avg_logprob=round(s.avg_logprob, 4),
                    compression_ratio=round(s.compression_ratio, 3),
                    words=[Word(w.word.strip(), round(w.start, 3), round(w.end, 3), round(w.probability, 4))
                           for w in s.words] if words and s.words else None,
                )
                if seg.text and not (guard and seg.looks_invented()):
                    yield seg
                if cancel is not None and cancel.is_set():
                    return
