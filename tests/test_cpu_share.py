"""The CPU share: a draft comes first, live transcription takes a core, the `threads` setting wins.
The measured effect (a draft written during an import) is in tests/bench/test_contention.py."""

from __future__ import annotations

import os
import threading
import time

import pytest

from app.cpu_share import CpuShare, SharingTextEngine, SharingTranscriber
from speech.transcriber import Segment


class CountingEngine:
    """A text engine that notes the thread count in force at every token."""

    name = "counting.gguf"

    def __init__(self, tokens: int, between=None) -> None:
        self.tokens, self.between = tokens, between
        self.threads = 0
        self.per_token: list[int] = []

    def set_threads(self, n: int) -> None:
        self.threads = n

    def chat(self, messages, **kwargs):
        for i in range(self.tokens):
            self.per_token.append(self.threads)
            if self.between:
                self.between(i)
            yield f"w{i} "


class SlowTranscriber:
    """Yields `n` segments, noting which ran while a draft was being written."""

    def __init__(self, n: int, share: CpuShare) -> None:
        self.n, self.share = n, share
        self.during_writing: list[bool] = []

    def transcribe(self, audio, hotwords=(), cancel=None, guard=False):
        for i in range(self.n):
            self.during_writing.append(bool(self.share._writing))
            time.sleep(0.01)
            yield Segment(start=i, end=i + 1, text=f"s{i}", confidence=0.9, no_speech_prob=0.0)


def test_on_two_cores_the_text_model_gives_a_core_to_live_transcription_and_takes_it_back():
    share = CpuShare(cores=2)
    assert share.text_threads() == 2
    live_chunk = share.live()

    def around(i):  # a live chunk is transcribed while tokens 3-5 are written
        if i == 2:
            live_chunk.__enter__()
        if i == 5:
            live_chunk.__exit__(None, None, None)

    engine = CountingEngine(8, between=around)
    text = "".join(SharingTextEngine(engine, share).chat([]))
    assert text.split() == [f"w{i}" for i in range(8)]
    assert engine.per_token == [2, 2, 2, 1, 1, 1, 2, 2]


def test_a_thread_setting_wins_and_plenty_of_cores_change_nothing():
    fixed = CpuShare(cores=2, text_threads=2, speech_threads=2)
    roomy = CpuShare(cores=8)
    for share in (fixed, roomy):
        with share.live():
            assert share.text_threads() == (2 if share is fixed else 4)
        with share.writing(), share.importing():
            start = time.perf_counter()
            share.give_way()
            assert time.perf_counter() - start < 0.05  # nothing waits


def test_an_import_gives_way_to_a_draft_between_segments_and_goes_on_after():
    share = CpuShare(cores=2)
    transcriber = SlowTranscriber(40, share)
    heard: list[str] = []
    at_s3, writing_started, writing_may_end = threading.Event(), threading.Event(), threading.Event()

    def import_():
        for seg in SharingTranscriber(transcriber, share).transcribe(None):
            heard.append(seg.text)
            if seg.text == "s3":
                at_s3.set()
                writing_started.wait(5)

    def write():
        def hold(i):
            if i == 0:
                writing_started.set()
                writing_may_end.wait(5)

        "".join(SharingTextEngine(CountingEngine(3, between=hold), share).chat([]))

    importer = threading.Thread(target=import_)
    importer.start()
    at_s3.wait(5)
    writer = threading.Thread(target=write)
    writer.start()
    writing_started.wait(5)
    time.sleep(0.3)
    paused_at = len(heard)
    assert paused_at == 4 and share.waits == 1  # s0..s3 heard; then it waits for the draft
    assert share.text_threads() == 2  # a waiting import leaves both cores to the draft
    writing_may_end.set()
    writer.join(5), importer.join(5)
    assert heard == [f"s{i}" for i in range(40)]  # then it goes on, and nothing is skipped
    assert transcriber.during_writing.count(True) <= 1  # at most the segment already under way


def test_an_import_waiting_for_a_draft_can_still_be_stopped():
    share = CpuShare(cores=2)
    cancel = threading.Event()
    with share.writing(), share.importing():
        threading.Timer(0.2, cancel.set).start()
        start = time.perf_counter()
        share.give_way(cancel)
        assert 0.15 < time.perf_counter() - start < 1.0


def test_the_real_model_takes_a_new_thread_count_between_tokens(engine):
    import llama_cpp

    from llm.engine import Message

    share = CpuShare(cores=2)
    seen: list[int] = []
    shared = SharingTextEngine(engine, share)
    ctx = engine._llama._ctx.ctx
    for i, _ in enumerate(shared.chat([Message("user", "Say hello to Frank.")], max_tokens=12, seed=3)):
        seen.append(llama_cpp.llama_n_threads(ctx))
        if i == 3:
            share._live += 1  # a live chunk begins
        if i == 7:
            share._live -= 1
    assert seen[:4] == [2, 2, 2, 2] and 1 in seen[4:8] and seen[-1] == 2


@pytest.mark.parametrize("setting", [0, 3])
def test_the_app_engines_follow_the_thread_setting(fondly_home, setting):
    from app import settings
    from app.engines import Engines

    settings.set_value("threads", setting)
    engines = Engines(open_text=lambda: CountingEngine(1), open_speech=lambda: None)
    assert engines.share.fixed == bool(setting)
    assert engines.share.full_text == (setting or min(4, engines.share.cores))
    text, fresh = engines.get("text")
    assert fresh and isinstance(text, SharingTextEngine) and text.name == "counting.gguf"


def test_the_whole_text_operation_counts_as_writing_not_each_model_call(qtbot, fondly_home):
    from app.engines import Engines
    from app.ui.operations import OperationRunner

    runner = OperationRunner(Engines(open_text=lambda: CountingEngine(1), open_speech=lambda: None))
    seen = {}
    for lane in ("text", "speech"):
        with qtbot.waitSignal(runner.finished, timeout=10_000):
            runner.run(
                lambda job: job.engines.share._writing,
                lane=lane,
                on_done=lambda n, lane=lane: seen.__setitem__(lane, n),
            )
    runner.shutdown()
    assert seen == {"text": 1, "speech": 0}


class FixedMeter:
    """Other programs keeping `others` cores busy."""

    def __init__(self, others: float) -> None:
        self.others = others

    def busy_cores(self) -> float:
        return self.others


@pytest.mark.parametrize(
    "others, cores, expected",
    [(0.0, 2, 2), (0.3, 2, 2), (0.7, 2, 1), (1.0, 2, 1), (2.0, 2, 1), (1.0, 8, 4), (5.2, 8, 3)],
)
def test_the_text_model_writes_with_the_cores_other_programs_leave_it(others, cores, expected):
    share = CpuShare(cores=cores, meter=FixedMeter(others))
    assert share.text_threads() == expected
    fixed = CpuShare(cores=cores, text_threads=2, speech_threads=2, meter=FixedMeter(others))
    assert fixed.text_threads() == 2  # the person's setting still wins


def test_another_program_keeping_a_core_busy_is_measured_and_the_text_model_steps_down():
    """A real busy process, as `yes > /dev/null` was when two threads lost to one (25 vs 35 tok/s)."""
    import subprocess
    import sys

    from app.cpu_share import LoadMeter

    meter = LoadMeter(interval=0.3)
    share = CpuShare(cores=2, meter=meter)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (meter.busy_cores() >= 0.7 and share.text_threads() == 1):
            time.sleep(0.1)
        assert meter.busy_cores() >= 0.7 and share.text_threads() == 1, meter.others
        mine = time.process_time()
        while time.process_time() - mine < 0.5:  # this process busy itself: that is not "others"
            pass
        assert meter.busy_cores() < 1.6
    finally:
        busy.kill()
        busy.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and meter.busy_cores() >= 0.5:
        time.sleep(0.1)
    assert share.text_threads() == 2, meter.others  # back to both cores when it stops


def test_without_proc_the_share_counts_only_fondlys_own_work(monkeypatch):
    """In a bare chroot with no /proc psutil can't find even this process; the window must still
    open (seen in make test-dist's bare Debian before this), with no meter."""
    import psutil

    from app import cpu_share
    from app.engines import Engines

    def gone(*args, **kwargs):
        raise psutil.NoSuchProcess(os.getpid())

    assert isinstance(cpu_share.load_meter(), cpu_share.LoadMeter)
    monkeypatch.setattr(psutil, "Process", gone)
    assert cpu_share.load_meter() is None
    assert Engines().share.meter is None
