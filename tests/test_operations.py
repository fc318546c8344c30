"""The operation runner: the one way work leaves the GUI thread — order, results, progress,
errors turned into one message, cancellation, models loaded once; and app.documents, the
rule for what keeping the editor's text means."""

from __future__ import annotations

import threading
import time

import pytest

from app import documents
from app.engines import Engines
from app.errors import FondlyError
from app.ui.operations import OperationRunner
from tests.helpers import ScriptedEngine


@pytest.fixture
def runner(qapp, fondly_home):
    r = OperationRunner(
        Engines(
            open_text=lambda: ScriptedEngine(["Hello there."]),
            open_speech=lambda: (_ for _ in ()).throw(FondlyError("No speech model here.")),
        )
    )
    yield r
    r.shutdown()


def test_results_come_back_on_the_gui_thread_in_order(runner, qtbot):
    gui = threading.get_ident()
    seen = []
    for n in range(3):
        runner.run(
            lambda job, n=n: (n, threading.get_ident()), on_done=lambda r: seen.append((r, threading.get_ident()))
        )
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=5_000)
    assert [r[0][0] for r in seen] == [0, 1, 2]
    assert all(worker != gui and where == gui for (_, worker), where in seen)
    assert not runner.busy("text")


def test_progress_reaches_the_caller_before_the_result(runner, qtbot):
    events = []

    def op(job):
        for word in ("one", "two", "three"):
            job.progress(word)
        return "done"

    runner.run(op, on_done=events.append, on_progress=events.append)
    qtbot.waitUntil(lambda: "done" in events, timeout=5_000)
    assert events == ["one", "two", "three", "done"]


def test_a_persons_mistake_is_its_message_and_a_bug_says_the_work_is_safe(runner, qtbot, capsys):
    failures = []
    runner.run(
        lambda job: (_ for _ in ()).throw(FondlyError("There is no memory called 'mum.txt'.")),
        on_failed=failures.append,
    )
    runner.run(lambda job: {}["missing"], on_failed=failures.append)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=5_000)
    assert failures[0] == "There is no memory called 'mum.txt'."
    assert failures[1].startswith("Something went wrong (KeyError") and "memories and drafts are safe" in failures[1]
    assert "Traceback" in capsys.readouterr().err  # the bug's trace goes to the log, not to the person


def test_cancel_stops_the_running_operation_and_what_is_queued(runner, qtbot):
    outcomes = []

    def slow(job):
        while not job.cancel.is_set():
            time.sleep(0.01)
        return "stopped"

    runner.run(slow, on_done=outcomes.append)
    queued = runner.run(
        lambda job: "cancelled before it began" if job.cancel.is_set() else "ran", on_done=outcomes.append
    )
    time.sleep(0.1)
    started = time.perf_counter()
    runner.cancel("text")
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=5_000)
    assert time.perf_counter() - started < 1.0
    assert outcomes == ["stopped", "cancelled before it began"] and queued.cancelled.is_set()


def test_lanes_run_side_by_side(runner, qtbot):
    """Writing never waits behind a long transcription."""
    release = threading.Event()
    done = []
    runner.run(lambda job: release.wait(5), lane="speech", on_done=lambda _: done.append("speech"))
    runner.run(lambda job: "text", on_done=done.append)
    qtbot.waitUntil(lambda: done == ["text"], timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: done == ["text", "speech"], timeout=5_000)


def test_models_load_once_and_a_failure_to_load_is_the_operations_failure(runner, qtbot):
    loaded, failures, names = [], [], []
    runner.model_loaded.connect(lambda kind, name: loaded.append((kind, name)))
    for _ in range(2):
        runner.run(lambda job: job.text_engine().name, on_done=names.append)
    runner.run(lambda job: job.transcriber(), lane="speech", on_failed=failures.append)
    qtbot.waitUntil(lambda: len(names) == 2 and bool(failures), timeout=5_000)
    assert names == ["scripted", "scripted"] and loaded == [("text", "scripted")]
    assert failures == ["No speech model here."]


def test_after_shutdown_nothing_calls_back(runner, qtbot):
    called = []
    runner.run(lambda job: time.sleep(0.3), on_done=called.append, on_failed=called.append)
    runner.shutdown()
    qtbot.wait(500)
    assert called == []


# --- what keeping the editor's text means ---------------------------------------------------------


def test_keeping_text_adds_a_revision_replaces_a_transcript_or_starts_a_draft(store):
    project = store.create_project("Dad")
    draft, first = store.create_draft(project.id, "Eulogy", "Dad.")
    memory = store.add_memory(project.id, "voice", "story", text="He said it.")

    assert documents.keep(store, project, ("draft", draft.id), "Dad. He loved us.") == ("draft", draft.id)
    assert [r.text for r in store.revisions(draft.id)] == ["Dad.", "Dad. He loved us."]  # the first is untouched
    assert documents.keep(store, project, ("memory", memory.id), "He said it, twice.") == ("memory", memory.id)
    assert store.memory(memory.id).text == "He said it, twice."
    blank = documents.keep(store, project, None, "Words typed on a blank page.")
    assert blank[0] == "draft" and store.draft(blank[1]).title == "Untitled draft"
    assert documents.load(store, blank)[0] == "Words typed on a blank page."
    assert documents.keep(store, project, None, "   ") is None  # nothing to keep
    assert documents.load(store, ("draft", draft.id), first.id)[0] == "Dad."


def test_a_warm_up_cancelled_before_it_began_still_settles(runner, qtbot):
    """Nothing is left 'busy' forever: an operation nobody waits for, cancelled while queued."""
    release = threading.Event()
    runner.run(lambda job: release.wait(5))
    runner.run(lambda job: job.text_engine())  # a warm-up: no on_done
    runner.cancel("text")
    release.set()
    qtbot.waitUntil(lambda: not runner.busy("text"), timeout=5_000)


@pytest.mark.qt_log_level_fail("CRITICAL")  # this test makes the warning on purpose, to see it caught
def test_a_timer_touched_from_another_thread_is_a_failure_the_suite_sees(qapp, qtlog, pytestconfig):
    """The rule in pyproject.toml (qt_log_level_fail + qt_log_ignore) fails any test whose Qt
    messages include a warning about threads; here is such a warning, and the rule matches it."""
    import re

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.start(1000)
    worker = threading.Thread(target=timer.stop)
    worker.start()
    worker.join()
    messages = [r.message for r in qtlog.records]
    assert any("another thread" in m for m in messages), messages
    ignore = [re.compile(p) for p in pytestconfig.getini("qt_log_ignore")]
    flagged = [m for m in messages if not any(p.search(m) for p in ignore)]
    assert flagged and pytestconfig.getini("qt_log_level_fail") == "WARNING"
    timer.stop()


def test_memory_an_operation_freed_goes_back_to_the_system():
    """After a speech-lane operation the runner returns freed heap to the system (see
    give_back_freed_memory); without it glibc keeps it and the app stays large. Measured in a
    fresh process: in the suite's own, glibc's heap is shaped by every test before."""
    import json
    import subprocess
    import sys

    code = """
import gc, json
from app.heap import give_back_freed_memory
def resident_mb():
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) / 1024
# 300 MB written on the heap, each block pinned by a small live one after it: freed, they are
# holes glibc keeps (as after an import), not a top of the heap it would trim by itself
blocks, keep = [], []
for _ in range(3000):
    blocks.append(bytearray(b"\\1" * 100_000))
    keep.append(bytearray(b"\\2" * 1000))
before = resident_mb()
del blocks
gc.collect()
held = resident_mb()
give_back_freed_memory()
print(json.dumps([before, held, resident_mb()]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    before, held, after = json.loads(out.stdout)
    assert before - held < 100 and held - after > 200, (before, held, after)


CAPPED_HEAP = """
import ctypes, json, sys
from app.heap import cap_mmap_threshold
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = Info
if sys.argv[1] == "capped":
    assert cap_mmap_threshold()
libc.free(libc.malloc(16 << 20))  # a big block freed, as each long import frees Whisper's features
mapped = libc.mallinfo2().hblks
block = libc.malloc(8 << 20)      # a window's buffer afterwards: mapped of its own, or in the heap?
print(json.dumps(libc.mallinfo2().hblks - mapped))
"""


@pytest.mark.parametrize("mode, mapped", [("default", 0), ("capped", 1)])
def test_after_a_big_block_is_freed_large_buffers_stay_out_of_the_heap_only_when_capped(mode, mapped):
    """app.heap.cap_mmap_threshold (the runner calls it): glibc's default raises the mmap threshold
    when a big block is freed, so later multi-MB buffers fragment the heap (the app grew with
    every 30-minute import); capped, they are mapped and given back whole. Run in a fresh process:
    the threshold is process-wide. The default case shows the test can tell the two apart."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", CAPPED_HEAP, mode], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(out.stdout) == mapped
