"""Live transcript lag: from the end of a spoken phrase to its segment being stored.

Four phrases, spoken by espeak-ng with pauses between them, are played into the
virtual microphone while the project's own recorder and live transcriber run.
Goal: under 2 s with the bundled model on 2 cores.
"""

from __future__ import annotations

import subprocess
import time
import wave

import numpy as np

from app import recordings
from app.microphone import Recorder, find_input
from app.store import Store
from speech import audio
from speech.live import LiveTranscriber
from speech.transcriber import Transcriber

PHRASES = [
    ("garden", "Every Sunday my father worked in his garden."),
    ("guitar", "He played the old guitar after dinner."),
    ("lake", "In summer we drove out to the lake."),
    ("birthday", "My mother still bakes his bread on his birthday."),
]
PAUSE = 2.0


def make_fixture(tmp_path):
    pieces, ends, t = [], [], 0.0
    for i, (_, sentence) in enumerate(PHRASES):
        wav = tmp_path / f"p{i}.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), sentence], check=True)
        a = audio.decode(wav)
        voiced = np.flatnonzero(np.abs(a) > 0.01)
        a = a[: voiced[-1] + 1]  # end of speech, not of the file
        pieces += [a, np.zeros(int(PAUSE * 16000), np.float32)]
        t += len(a) / 16000
        ends.append(t)
        t += PAUSE
    out = tmp_path / "phrases.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((np.concatenate(pieces) * 32767).astype("<i2").tobytes())
    return out, ends


def test_live_lag(tmp_path, qtbot, pulse, fondly_home, report):
    fixture, ends = make_fixture(tmp_path)
    store = Store.open_default()
    project = store.create_project("Dad")
    transcriber = Transcriber(threads=2)
    memory, wav = recordings.begin(store, project)
    live_store = Store.open_default()
    stored: list[tuple[float, str]] = []

    def keep(seg) -> None:
        live_store.add_segment(memory.id, len(stored), seg.start, seg.end, seg.text, seg.confidence)
        stored.append((time.perf_counter(), seg.text.lower()))

    live = LiveTranscriber(transcriber, [], keep)
    recorder = Recorder(find_input(), wav, live.feed)
    recorder.start()
    qtbot.wait(500)
    t0 = time.perf_counter()
    player = pulse.play_async(fixture)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=60_000)
    try:
        qtbot.waitUntil(lambda: all(any(k in text for _, text in stored) for k, _ in PHRASES), timeout=20_000)
    except Exception:
        raise AssertionError(f"not every phrase was heard: {stored}")
    recorder.stop()
    live.finish()

    lags = []
    for (keyword, _), end in zip(PHRASES, ends):
        when = min(t for t, text in stored if keyword in text)
        lags.append(when - (t0 + end))
    worst, median = max(lags), float(np.median(lags))
    report(f"live transcript lag, end of phrase to segment stored ({len(PHRASES)} phrases, tiny.en, 2 threads): "
           f"median {median:.2f} s, worst {worst:.2f} s (goal < 2 s) {'MET' if worst < 2 else 'NOT MET'}")
    live_store.close()
    store.close()
