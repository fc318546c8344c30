"""The one way to the microphone (app.listening): through PulseAudio's virtual microphone, a take
written as it is heard and kept for later with its owner mark released after the caller's mark; a
microphone that is not there, or will not open, leaving nothing; the live transcript's rest waited
for or dropped; a take cut off by a kill made whole again."""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from app import recordings
from app.errors import FondlyError
from app.listening import Listening, recover_take
from speech.transcriber import Segment
from speech.wavfile import WavWriter


def tone(path: Path, seconds: float) -> Path:
    """A loud 220 Hz tone: voice to the level meter and the live transcript's cutter."""
    t = np.arange(int(16000 * seconds)) / 16000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((np.sin(2 * np.pi * 220 * t) * 0.6 * 32767).astype("<i2").tobytes())
    return path


class Ears:
    """A speech model that says how much it was given; with `hold`, it waits for it before answering."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.hold, self.heard, self.entered = hold, [], threading.Event()

    def transcribe(self, audio, hotwords=(), cancel=None, guard=False):
        self.entered.set()
        if self.hold is not None:
            self.hold.wait(10)
        self.heard.append(len(audio) / 16000)
        yield Segment(0.0, len(audio) / 16000, "a tone", 0.9, 0.0)


def test_a_take_is_written_as_heard_and_kept_for_later(qtbot, pulse, tmp_path):
    take = tmp_path / "memory-1.wav"
    recordings.claim(take)
    owner = take.with_suffix(".owner")
    ears, segments, levels = Ears(), [], []
    listening = Listening(None, transcriber=ears, on_segment=segments.append, collect=True)
    listening.level.connect(levels.append)
    listening.start(take)
    assert listening.running and listening.name.startswith("Virtual Source")
    player = pulse.play_async(tone(tmp_path / "tone.wav", 1.5))
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=20_000)
    qtbot.wait(300)
    assert take.stat().st_size > 44 + 16000  # on disk as it is heard
    assert max(levels) > 0.3
    marked = []
    assert listening.close_for_later(mark=lambda: marked.append(owner.exists())) == take
    assert marked == [True] and not owner.exists()  # released after the caller's mark, not before
    assert not listening.running and not listening.transcribing  # the transcript's rest was waited for
    assert sum(ears.heard) > 0.5 and len(segments) == len(ears.heard) and segments[0].text == "a tone"
    with wave.open(str(take)) as w:  # closed whole
        seconds = w.getnframes() / w.getframerate()
    assert seconds >= 1.4 and abs(seconds - listening.seconds) < 0.05
    assert abs(len(listening.audio()) / 16000 - seconds) < 0.05  # `collect` kept it all, at 16 kHz


def test_a_microphone_that_is_not_there_is_refused_before_anything_is_made(pulse, monkeypatch):
    from app import microphone

    with pytest.raises(FondlyError, match="There is no microphone called 'Nonexistent'. Available: Virtual"):
        Listening("Nonexistent")
    monkeypatch.setattr(microphone, "inputs", list)
    with pytest.raises(FondlyError) as refused:
        Listening()
    assert str(refused.value) == microphone.NO_MICROPHONE


def test_a_microphone_that_will_not_open_leaves_neither_take_nor_mark(pulse, monkeypatch, tmp_path):
    from app import microphone

    def refuse(recorder) -> None:
        recorder.close()
        raise FondlyError("Fondly could not open the microphone.")

    monkeypatch.setattr(microphone.Recorder, "start", refuse)
    take = tmp_path / "memory-2.wav"
    recordings.claim(take)
    listening = Listening(None, transcriber=Ears())
    with pytest.raises(FondlyError, match="could not open"):
        listening.start(take)
    assert sorted(tmp_path.iterdir()) == [] and not listening.running
    deadline = time.monotonic() + 3
    while listening.transcribing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not listening.transcribing


def test_drop_ends_at_once_without_the_transcripts_rest(qtbot, pulse, tmp_path):
    """A closing window must not wait for Whisper: `drop` returns while a piece is being heard,
    and nothing more is reported; the take is still closed whole."""
    hold = threading.Event()
    ears, segments = Ears(hold), []
    listening = Listening(None, transcriber=ears, on_segment=segments.append)
    take = tmp_path / "reading.wav"
    listening.start(take)
    player = pulse.play_async(tone(tmp_path / "tone.wav", 1.0))
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=20_000)
    qtbot.waitUntil(ears.entered.is_set, timeout=10_000)  # the pause after the tone cut a piece
    began = time.monotonic()
    assert listening.drop() == take
    assert time.monotonic() - began < 0.5 and listening.transcribing
    hold.set()
    qtbot.waitUntil(lambda: not listening.transcribing, timeout=5000)
    assert segments == [] and ears.heard  # heard, and not reported after the drop
    with wave.open(str(take)) as w:
        assert w.getnframes() / w.getframerate() >= 0.9


def test_a_take_cut_off_is_made_whole_and_an_empty_one_removed(tmp_path):
    take = tmp_path / "rehearsal-take.wav"
    writer = WavWriter(take, 16000, 1, header_every=1000)  # the header's lengths never rewritten
    writer.write(np.zeros(16000 + 1, "<i2").tobytes()[:-1])  # a second and half a frame: killed mid-write
    writer._f.close()
    with wave.open(str(take)) as w:
        assert w.getnframes() == 0  # as a kill leaves it: the header says nothing was written
    assert recover_take(take) == pytest.approx(1.0, abs=1e-3)
    with wave.open(str(take)) as w:
        assert w.getnframes() == 16000
    empty = tmp_path / "memory-3.wav"
    empty.write_bytes(b"RIFF")  # killed before its header was whole
    recordings.claim(empty)
    assert recover_take(empty) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rehearsal-take.wav"]
