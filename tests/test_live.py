"""The live transcript's pieces: cutting at pauses, and never transcribing silence or noise."""

from __future__ import annotations

import numpy as np

from speech import audio
from speech.live import Chunker, LiveTranscriber
from speech.transcriber import Segment
from tests.helpers import normalise


def feed_in_blocks(chunker: Chunker, samples: np.ndarray, block: int = 1600):
    out = []
    for i in range(0, len(samples), block):
        out += list(chunker.feed(samples[i:i + block]))
    return out + list(chunker.flush())


def test_chunks_are_cut_at_pauses(jfk):
    one = audio.decode(jfk)
    gap = np.zeros(16000 * 2, np.float32)
    stream = np.concatenate([gap, one, gap, one, gap])
    chunks = feed_in_blocks(Chunker(), stream)
    assert len(chunks) >= 2
    for offset, piece in chunks:  # every cut falls in a quiet stretch
        end = int((offset * 16000) + len(piece))
        assert np.abs(stream[max(0, end - 800):end + 800]).max() < 0.05
    assert sum(len(p) for _, p in chunks) < len(stream) - 16000 * 3  # the long silences were dropped


def test_silence_and_hiss_are_never_transcribed(transcriber):
    rng = np.random.default_rng(0)
    quiet = np.concatenate([np.zeros(16000 * 3, np.float32), rng.normal(0, 0.003, 16000 * 5).astype(np.float32)])
    got: list[Segment] = []
    live = LiveTranscriber(transcriber, [], got.append)
    for i in range(0, len(quiet), 1600):
        live.feed(quiet[i:i + 1600])
    live.finish()
    assert got == []


def test_live_transcript_of_speech_with_offsets(transcriber, jfk):
    one = audio.decode(jfk)
    stream = np.concatenate([np.zeros(16000 * 3, np.float32), one])
    got: list[Segment] = []
    live = LiveTranscriber(transcriber, [], got.append)
    for i in range(0, len(stream), 4410):
        live.feed(stream[i:i + 4410])
    live.finish()
    assert "ask not what your country" in normalise(" ".join(s.text for s in got))
    assert got[0].start >= 2.5  # times are from the start of the recording, not of the chunk


def test_invented_text_is_recognised():
    fine = Segment(0, 1, "He loved the lake.", 0.8, no_speech_prob=0.1, avg_logprob=-0.3, compression_ratio=1.2)
    loop = Segment(0, 1, "thank you " * 20, 0.8, no_speech_prob=0.1, avg_logprob=-0.3, compression_ratio=4.1)
    silence = Segment(0, 1, "Thank you.", 0.3, no_speech_prob=0.9, avg_logprob=-1.2, compression_ratio=0.9)
    unlikely = Segment(0, 1, "Subtitles by", 0.2, no_speech_prob=0.2, avg_logprob=-1.8, compression_ratio=1.0)
    assert not fine.looks_invented()
    assert loop.looks_invented() and silence.looks_invented() and unlikely.looks_invented()
