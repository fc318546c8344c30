"""Decoding and transcription through speech/, and storing segments as they arrive."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.memories import add_files
from app.store import Person
from speech import audio
from speech.errors import SpeechError
from tests.helpers import normalise


def convert(src, dest) -> None:
    """Re-encode with PyAV (no system ffmpeg), so every format is checked from the same speech."""
    import av

    codec = {".wav": "pcm_s16le", ".mp3": "libmp3lame", ".m4a": "aac", ".ogg": "libopus", ".flac": "flac"}[dest.suffix]
    with av.open(str(src)) as inp, av.open(str(dest), "w") as out:
        stream = out.add_stream(codec, rate=44100 if dest.suffix != ".ogg" else 48000)
        for frame in inp.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.mark.parametrize("ext", [".wav", ".mp3", ".m4a", ".ogg", ".flac"])
def test_common_formats_decode_to_16k_mono(tmp_path, jfk, ext):
    path = tmp_path / f"speech{ext}"
    convert(jfk, path)
    a = audio.decode(path)
    assert a.dtype == np.float32 and a.ndim == 1
    assert 10.5 < audio.duration(a) < 11.5
    assert 0.01 < float(np.abs(a).mean()) < 0.5
    from faster_whisper.audio import decode_audio  # Fondly decodes in small steps; the samples are the same

    assert np.array_equal(a, decode_audio(str(path), sampling_rate=audio.SAMPLE_RATE))


def test_corrupt_audio_is_a_speech_error(tmp_path, jfk):
    broken = tmp_path / "broken.flac"
    broken.write_bytes(jfk.read_bytes()[:200])
    with pytest.raises(SpeechError, match="can't be read as audio|holds no sound"):
        audio.decode(broken)


def test_transcript_of_jfk(transcriber, jfk):
    segments = list(transcriber.transcribe(audio.decode(jfk)))
    text = normalise(" ".join(s.text for s in segments))
    assert "ask not what your country can do for you" in text
    assert all(0 <= s.confidence <= 1 for s in segments)


def test_segments_are_stored_as_they_arrive(store, transcriber, jfk, tmp_path):
    """A crash after the first segment keeps that segment: each is committed on arrival."""
    long = tmp_path / "twice.wav"
    import wave

    a = audio.decode(jfk)
    pcm = (np.concatenate([a, np.zeros(16000 * 2, np.float32), a]) * 32767).astype("<i2")
    with wave.open(str(long), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(pcm.tobytes())
    project = store.create_project("Dad", people=[Person("Frank")])

    class Crash(Exception):
        pass

    def crash_after_first(memory, segment):
        raise Crash()

    with pytest.raises(Crash):
        add_files(store, project, [long], transcriber=lambda: transcriber, on_segment=crash_after_first)
    [memory] = store.memories(project.id)
    assert memory.status == "failed"
    segs = store.segments(memory.id)
    assert len(segs) == 1 and memory.text.strip() == segs[0].text
    assert memory.audio_path and Path(memory.audio_path).read_bytes() == long.read_bytes()
