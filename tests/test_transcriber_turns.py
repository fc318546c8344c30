"""The one Whisper model is shared step by step, live work first: an interview answer or a memory
being recorded never waits behind a long import (speech.transcriber.Turns)."""

from __future__ import annotations

import threading
import time

import numpy as np

from speech import audio
from speech.transcriber import Turns


def test_a_live_turn_comes_before_waiting_imports():
    """An import asks for its next step while a live step waits: the live one goes first, and the
    import takes no step while a live transcription is under way."""
    turns = Turns()
    order: list[str] = []
    first = threading.Event()

    def importing():
        for i in range(3):
            with turns.step(live=False):
                order.append(f"import {i}")
                first.set()
                time.sleep(0.2)

    def live():
        with turns.live():
            for i in range(2):
                with turns.step(live=True):
                    order.append(f"live {i}")
                time.sleep(0.05)  # between its own steps: still live, so the import keeps waiting

    t = threading.Thread(target=importing)
    t.start()
    first.wait(2)
    time.sleep(0.05)  # the import is in its first step
    lv = threading.Thread(target=live)
    lv.start()
    t.join(5), lv.join(5)
    assert order == ["import 0", "live 0", "live 1", "import 1", "import 2"]


def test_steps_are_one_at_a_time():
    turns, inside, most = Turns(), [0], [0]
    lock = threading.Lock()

    def work(live):
        for _ in range(20):
            with turns.step(live):
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.001)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=work, args=(i % 2 == 0,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join(10) for t in threads]
    assert most[0] == 1


def test_a_live_chunk_never_waits_behind_a_long_import(transcriber, jfk):
    """jfk.flac eleven times over (two minutes) transcribed as an import on one thread; a live
    chunk on another, asked for once the import is under way, is done within seconds, long
    before the import, and both transcripts are right."""
    one = audio.decode(jfk)
    gap = np.zeros(8000, np.float32)
    long = np.concatenate([x for _ in range(11) for x in (one, gap)])
    assert len(long) / 16000 > 120
    imported: list[str] = []
    started, done = threading.Event(), threading.Event()
    times: dict[str, float] = {}

    def importing():
        for seg in transcriber.transcribe(long):
            imported.append(seg.text)
            started.set()
        times["import"] = time.monotonic()
        done.set()

    t = threading.Thread(target=importing)
    t.start()
    assert started.wait(120)
    asked = time.monotonic()
    live = " ".join(s.text for s in transcriber.transcribe(one, guard=True))
    times["live"] = time.monotonic()
    t.join(600)
    waited = times["live"] - asked
    print(f"live chunk done {waited:.1f} s after asking, import still running")
    assert "ask not what your country can do for you" in live.lower().replace(",", "")
    assert waited < 8, f"the live chunk took {waited:.1f} s while an import ran"
    assert times["live"] < times["import"], "the live chunk waited for the whole import"
    text = " ".join(imported).lower().replace(",", "")
    assert text.count("ask not what your country can do for you") >= 9


def test_other_work_inside_a_live_transcription_on_its_own_thread_does_not_wait_for_itself():
    turns, done = Turns(), threading.Event()

    def nested():
        with turns.live():
            with turns.step(live=True):
                pass
            with turns.step(live=False):  # e.g. a segment's callback that transcribes something else
                done.set()

    t = threading.Thread(target=nested, daemon=True)
    t.start()
    t.join(2)
    assert done.is_set()
