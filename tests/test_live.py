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
        out += list(chunker.feed(samples[i : i + block]))
    return out + list(chunker.flush())


def test_chunks_are_cut_at_pauses(jfk):
    one = audio.decode(jfk)
    gap = np.zeros(16000 * 2, np.float32)
    stream = np.concatenate([gap, one, gap, one, gap])
    chunks = feed_in_blocks(Chunker(), stream)
    assert len(chunks) >= 2
    for offset, piece in chunks:  # every cut falls in a quiet stretch
        end = int((offset * 16000) + len(piece))
        assert np.abs(stream[max(0, end - 800) : end + 800]).max() < 0.05
    assert sum(len(p) for _, p in chunks) < len(stream) - 16000 * 3  # the long silences were dropped


def test_the_first_piece_after_a_long_pause_is_cut_shorter():
    """The teleprompter's cutting: with no pause in the voice, a piece is cut at 2.5 s at most, at the
    quietest moment of its last quarter; the first piece after a long pause holds at most 1.5 s of
    voice, so the words after it are heard sooner."""
    rng = np.random.default_rng(1)

    def voice(seconds: float) -> np.ndarray:  # loud, never quiet for a 30 ms frame
        n = int(16000 * seconds)
        return (0.3 * np.sin(np.arange(n) * 0.1) + rng.normal(0, 0.05, n)).astype(np.float32)

    quiet = np.zeros(16000, np.float32)
    stream = np.concatenate([quiet, voice(6.0), quiet, voice(4.0)])  # voice from 1 s and from 8 s

    def first_voice_after_pauses(opening) -> list[float]:
        """Seconds of voice in the piece that holds the start of each stretch of voice."""
        chunks = feed_in_blocks(Chunker(pause=0.2, max_chunk=2.5, opening=opening), stream, block=320)
        out = []
        for begins in (1.0, 8.0):
            offset, piece = next((o, p) for o, p in chunks if o <= begins < o + len(p) / 16000)
            out.append(offset + len(piece) / 16000 - begins)
        return out

    assert all(v > 1.5 for v in first_voice_after_pauses(None))
    assert all(1.1 <= v <= 1.5 for v in first_voice_after_pauses((0.6, 1.5)))


def test_silence_and_hiss_are_never_transcribed(transcriber):
    rng = np.random.default_rng(0)
    quiet = np.concatenate([np.zeros(16000 * 3, np.float32), rng.normal(0, 0.003, 16000 * 5).astype(np.float32)])
    got: list[Segment] = []
    live = LiveTranscriber(transcriber, [], got.append)
    for i in range(0, len(quiet), 1600):
        live.feed(quiet[i : i + 1600])
    live.finish()
    assert got == []


def test_live_transcript_of_speech_with_offsets(transcriber, jfk):
    one = audio.decode(jfk)
    stream = np.concatenate([np.zeros(16000 * 3, np.float32), one])
    got: list[Segment] = []
    live = LiveTranscriber(transcriber, [], got.append)
    for i in range(0, len(stream), 4410):
        live.feed(stream[i : i + 4410])
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
