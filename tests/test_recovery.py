"""Nothing is stuck after a kill: an audio import SIGKILLed mid-transcription is transcribed again
from the copy in the data folder — by `fondly memory recover`, and by the app on its next start."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.helpers import long_speech, normalise


def heard_all_of_it(text: str, segment_ends: list[float]) -> bool:
    """The whole 72 s was transcribed, not just what was heard before the kill: the segments reach
    the last repetition, and "your country" (said twice in each of the six) is heard at least ten
    times. Counting a whole sentence failed once in CI when Whisper misheard one "ask" as "As", and
    "your country" once on a busy fresh clone ("you country"), so the word alone is counted: 12 said."""
    return max(segment_ends) >= 66 and normalise(text).count("country") >= 10


@pytest.fixture
def long_story(tmp_path, jfk):
    """About 72 s of speech: long enough to kill mid-way."""
    return long_speech(jfk, tmp_path / "long story.wav", times=6)


def kill_an_import_mid_way(fondly, path) -> int:
    """`fondly memory add` killed (SIGKILL) after its first segment is stored; returns the memory id."""
    fondly("project", "new", "Dad")
    proc = subprocess.Popen(
        [str(fondly.exe), "memory", "add", "Dad", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FONDLY_HOME": str(fondly.home)},
    )
    deadline = time.time() + 120
    for line in proc.stderr:
        if line.startswith("  ["):  # the first segment is printed after it is stored
            break
        assert time.time() < deadline and proc.poll() is None, line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    db = sqlite3.connect(fondly.home / "fondly.db")
    memory_id, status = db.execute("SELECT id, status FROM memories").fetchone()
    stored = db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    db.close()
    assert status == "transcribing" and 1 <= stored < 6  # killed part-way: stuck, as a crash leaves it
    return memory_id


def test_fondly_memory_recover_finishes_an_import_that_was_killed(fondly, long_story):
    memory_id = kill_an_import_mid_way(fondly, long_story)
    recovered = fondly("memory", "recover")
    assert f"Recovered an interrupted import: long story.wav (memory {memory_id}, ready)" in recovered.stderr
    import json

    memory = json.loads(fondly("memory", "show", str(memory_id), "--json").stdout)
    assert memory["status"] == "ready" and memory["error"] is None
    ends = [seg["end"] for seg in memory["segments"]]
    assert heard_all_of_it(memory["text"], ends), (max(ends), normalise(memory["text"]).count("country"))
    assert "Nothing was interrupted" in fondly("memory", "recover").stderr  # and only once


def test_the_app_finishes_a_killed_import_by_itself(fondly, long_story, window, qtbot):
    memory_id = kill_an_import_mid_way(fondly, long_story)
    window.reload_projects()
    with qtbot.waitSignal(window.memories.recovered, timeout=120_000) as recovered:
        window.warm_up()
    assert recovered.args[0] == memory_id
    memory = window.store.memory(memory_id)
    assert memory.status == "ready"
    assert heard_all_of_it(memory.text, [seg.end for seg in window.store.segments(memory_id)])
    assert "ready" in window.memories.list.item(0).text()


# --- a draft being written when the process dies ---------------------------------------------------


def test_a_draft_killed_while_writing_keeps_its_paragraphs_and_says_interrupted(fondly, tmp_path, window, qtbot):
    """Each paragraph is stored as it is finished: SIGKILL the writer (app.writing.write, with a slow
    scripted engine) after the first is printed, and the next start (CLI or app) shows the draft
    with that paragraph, marked interrupted, with its provenance."""
    import json

    fondly("project", "new", "Dad", "--subject", "Frank")
    dad = tmp_path / "dad.txt"
    dad.write_text(
        "Frank fished at Lake Travis every summer. He called every catfish Gerald.\n"
        "He worked as a mail carrier in Austin for thirty years.\n"
        "He burned the Thanksgiving turkey in 1998 and we ate cereal instead.\n",
        encoding="utf-8",
    )
    fondly("memory", "add", "Dad", dad)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.apps.writing", "Dad"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FONDLY_HOME": str(fondly.home)},
    )
    first = proc.stdout.readline().strip()  # the first checked paragraph: stored before it is printed
    assert first, proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    [draft] = json.loads(fondly("draft", "list", "Dad", "--json").stdout)
    shown = json.loads(fondly("draft", "show", str(draft["id"]), "--json").stdout)
    [revision] = shown["revisions"]
    assert first in shown["text"] and revision["origin"] == "generated" and revision["seed"] is not None
    assert revision["checks"]["interrupted"] is True and "writing" not in revision["checks"]  # settled at next start
    assert revision["provenance"][0]["sentences"] and revision["provenance"][0]["memory_ids"]
    assert "Interrupted: Fondly stopped while writing" in fondly("draft", "show", str(draft["id"])).stderr

    window.reload_projects()
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    assert first in window.document.editor.toPlainText()
    assert "Interrupted" in window.drafts_panel.checks.text()


def test_an_anecdote_killed_while_writing_keeps_its_finished_paragraphs(fondly, tmp_path, store):
    """The window writing an anecdote into an open draft, SIGKILLed after its first paragraph: that
    paragraph is in the draft on disk, in place, and the next start marks it interrupted."""
    import json

    project = store.create_project("Dad", subject="Frank")
    store.add_memory(
        project.id,
        "text",
        "fishing trip",
        text="Frank fished at Lake Travis every summer. He called every catfish Gerald.",
    )
    draft, _ = store.create_draft(project.id, "Eulogy", "Opening words.\n\nClosing words.\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.apps.anecdote"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FONDLY_HOME": str(fondly.home), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.stdout.readline().strip() == "1", proc.stderr.read()  # the first paragraph is in
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    shown = json.loads(fondly("draft", "show", str(draft.id), "--json").stdout)
    first, latest = shown["revisions"][0], shown["revisions"][-1]
    assert first["text"] == "Opening words.\n\nClosing words.\n"  # the history is never rewritten
    assert latest["text"].startswith("Opening words.\n\nFrank fished at Lake Travis")
    assert latest["text"].rstrip().endswith("Closing words.")
    assert latest["checks"]["interrupted"] is True and latest["checks"]["inserted"] is True
    assert latest["seed"] is not None and latest["model"] == "scripted"
    assert latest["provenance"][-1]["memory_ids"]


def test_an_import_cut_off_before_its_audio_was_copied_is_failed_with_a_reason(fondly, store):
    """Killed between storing the memory and copying its audio: not stuck, not a traceback."""
    project = store.create_project("Dad")
    memory = store.add_memory(project.id, "audio", "story.flac", status="transcribing")
    out = fondly("memory", "recover")
    assert "Traceback" not in out.stderr and "Recovered an interrupted import: story.flac" in out.stderr
    memory = store.memory(memory.id)
    assert memory.status == "failed" and "please add it again" in memory.error


def test_ctrl_c_while_writing_keeps_the_paragraphs_as_a_finished_stopped_draft(fondly, tmp_path):
    """Ctrl+C (a real SIGINT) part-way: the writer ends cleanly, and the draft is whole and stopped —
    not left "being written", not mistaken for a kill."""
    import json

    fondly("project", "new", "Dad", "--subject", "Frank")
    dad = tmp_path / "dad.txt"
    dad.write_text("Frank fished at Lake Travis every summer. He called every catfish Gerald.\n", encoding="utf-8")
    fondly("memory", "add", "Dad", dad)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.apps.writing", "Dad"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FONDLY_HOME": str(fondly.home)},
    )
    first = proc.stdout.readline().strip()
    assert first, proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err, err
    [draft] = json.loads(fondly("draft", "list", "Dad", "--json").stdout)
    [revision] = json.loads(fondly("draft", "show", str(draft["id"]), "--json").stdout)["revisions"]
    assert first in revision["text"] and revision["checks"]["stopped"] is True
    assert "writing" not in revision["checks"] and "interrupted" not in revision["checks"]
    assert revision["checks"]["sentences"] >= 1  # checked as a whole, as a finished draft is
