"""Speaking a memory: a real microphone path (PulseAudio's virtual source), live and final
transcripts, recovery after a kill, no microphone, and names spelled the family's way."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
import wave
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.helpers import normalise, row_counts

# What JFK says, as tiny.en hears it however the recording starts: it hears "ask not" as "asked
# not" now and then, depending on where the audio falls in its window (a recovery test failed in CI so).
PHRASE = "what your country can do for you"


def start_recording(fondly, *args: str) -> subprocess.Popen:
    """`fondly memory record` in the background; returns once it is listening."""
    proc = subprocess.Popen(
        [str(fondly.exe), "memory", "record", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FONDLY_HOME": str(fondly.home)},
    )
    deadline = time.time() + 60
    for line in proc.stderr:
        if line.startswith("Recording from"):
            return proc
        assert time.time() < deadline and proc.poll() is None, line
    raise AssertionError(f"the recorder never started: {proc.wait()}")


def test_cli_records_from_the_microphone(fondly, pulse, jfk_wav, fondly_home):
    fondly("project", "new", "Dad")
    proc = start_recording(fondly, "Dad", "--seconds", "14", "--title", "Dad's speech")
    pulse.play(jfk_wav)  # 11 s, in real time, into the virtual microphone
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    memory = json.loads(fondly("memory", "show", out.strip(), "--json").stdout)
    assert memory["kind"] == "voice" and memory["status"] == "ready" and memory["title"] == "Dad's speech"
    assert PHRASE in normalise(memory["text"])
    assert memory["segments"] and 10 < memory["duration"] < 16
    assert "ask" in err.lower()  # the live transcript was shown while recording
    with wave.open(memory["audio_path"]) as w:  # the device's own format, a standard WAV
        assert w.getsampwidth() == 2 and w.getframerate() >= 16000
        assert abs(w.getnframes() / w.getframerate() - memory["duration"]) < 0.1
    assert not Path(memory["audio_path"]).with_suffix(".owner").exists()


def test_ctrl_c_stops_and_keeps_what_was_said(fondly, pulse, jfk_wav):
    fondly("project", "new", "Dad")
    proc = start_recording(fondly, "Dad")
    pulse.play(jfk_wav)
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    memory = json.loads(fondly("memory", "show", out.strip(), "--json").stdout)
    assert memory["status"] == "ready" and PHRASE in normalise(memory["text"])


def test_a_killed_recording_is_recovered_on_the_next_start(fondly, pulse, jfk_wav, fondly_home, qtbot):
    """SIGKILL while the speech is still playing into the microphone: everything up to a second
    before the kill is in the recovered recording, and transcribed."""
    fondly("project", "new", "Dad")
    proc = start_recording(fondly, "Dad", "--seconds", "120")
    listening = time.monotonic()
    player = pulse.play_async(jfk_wav)  # 11 s of speech
    time.sleep(9.5)  # "…ask not what your country can do for you" (ends at 8.0 s) has been said; the rest has not
    killed = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    player.wait()
    db = sqlite3.connect(fondly_home / "fondly.db")
    status, _wav_path = db.execute("SELECT status, audio_path FROM memories").fetchone()
    db.close()
    assert status == "recording"

    from app.ui.main_window import MainWindow

    window = MainWindow()  # the next start
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.memories.recovered, timeout=120_000) as recovered:
        window.warm_up()
    memory = window.store.memory(recovered.args[0])
    assert memory.status == "ready" and memory.title.endswith("(recovered)")
    assert PHRASE in normalise(memory.text)
    with wave.open(memory.audio_path) as w:
        frames, rate = w.getnframes(), w.getframerate()
        assert frames * w.getnchannels() * 2 == Path(memory.audio_path).stat().st_size - 44
        assert frames / rate >= (killed - listening) - 1.0, (frames / rate, killed - listening)
    qtbot.waitUntil(lambda: window.message.isVisible() and "recovered" in window.message.label.text())
    assert window.memories.titles() == [memory.title]
    window.close()


def test_no_microphone_is_a_clear_error_and_stores_nothing(fondly, fondly_home, tmp_path, pulse):
    fondly("project", "new", "Dad")
    before = row_counts(fondly_home)
    env = {**os.environ, "FONDLY_HOME": str(fondly_home), "PULSE_SERVER": f"unix:{tmp_path}/no-server"}
    proc = subprocess.run(
        [str(fondly.exe), "memory", "record", "Dad", "--seconds", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("fondly: error: Fondly can't find a microphone")
    assert row_counts(fondly_home) == before
    assert not any((fondly_home / "audio").glob("*"))
    wrong = fondly("memory", "record", "Dad", "--device", "Nonexistent mic", ok=False)  # microphones exist (pulse)
    assert wrong.returncode == 1 and "no microphone called" in wrong.stderr


@pytest.fixture(scope="session")
def names_wav(tmp_path_factory) -> Path:
    """Irish names said by espeak-ng; the bare model spells them its own way."""
    path = tmp_path_factory.mktemp("espeak") / "names.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-gb",
            "-s",
            "140",
            "-w",
            str(path),
            "Siobhan and Tadhg came to the funeral. Siobhan read a poem, and Tadhg carried the flowers.",
        ],
        check=True,
        timeout=60,
    )
    return path


def test_people_and_vocabulary_spell_names_the_familys_way(fondly, names_wav, transcriber):
    from speech import audio

    bare = " ".join(s.text for s in transcriber.transcribe(audio.decode(names_wav)))
    assert "Siobhan" not in bare and "Tadhg" not in bare  # what the model hears on its own

    fondly("project", "new", "Dad", "--people", "Siobhan (shiv-AWN)", "--vocabulary", "Tadhg")
    mid = fondly("memory", "add", "Dad", names_wav).stdout.strip()
    text = json.loads(fondly("memory", "show", mid, "--json").stdout)["text"]
    assert text.count("Siobhan") == 2 and text.count("Tadhg") == 2, text


# --- the desktop app --------------------------------------------------------------------------


@pytest.fixture
def window(qtbot):
    from app.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitActive(w)
    w.warm_up()
    qtbot.waitUntil(lambda: w.runner.engines.loaded("speech") is not None, timeout=60_000)
    w.store.create_project("Dad", people=[])
    w.reload_projects()
    yield w
    w.close()


def test_record_in_the_app_with_live_transcript_pause_and_stop(window, qtbot, pulse, jfk_wav):
    panel = window.memories.recording
    assert panel.devices.currentText().startswith("Virtual Source")
    levels: list[int] = []
    qtbot.mouseClick(panel.record_btn, Qt.MouseButton.LeftButton)
    assert panel.busy and panel.record_btn.text() == "Stop"
    panel.meter.valueChanged.connect(levels.append)
    [memory] = window.store.memories(window.project.id)
    assert memory.status == "recording" and window.memories.titles() == [memory.title]

    player = pulse.play_async(jfk_wav)
    started = time.time()
    qtbot.waitUntil(lambda: bool(window.store.segments(memory.id)), timeout=15_000)
    first_live = time.time() - started
    assert first_live < 11  # words appear while the speech is still going
    assert max(levels) > 30
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=60_000)  # the event loop keeps running

    qtbot.mouseClick(panel.pause_btn, Qt.MouseButton.LeftButton)
    assert panel.session.paused and panel.pause_btn.text() == "Resume"
    qtbot.wait(500)
    qtbot.mouseClick(panel.pause_btn, Qt.MouseButton.LeftButton)
    assert not panel.session.paused

    with qtbot.waitSignal(window.memories.memory_done, timeout=120_000):
        qtbot.mouseClick(panel.record_btn, Qt.MouseButton.LeftButton)
    memory = window.store.memory(memory.id)
    assert memory.status == "ready" and PHRASE in normalise(memory.text)
    assert not panel.busy and panel.record_btn.text() == "Record"


def test_dictation_inserts_at_the_cursor(window, qtbot, pulse, jfk_wav):
    window.document.editor.setPlainText("He always said: . The end.")
    cursor = window.document.editor.textCursor()
    cursor.setPosition(len("He always said:"))
    window.document.editor.setTextCursor(cursor)
    qtbot.mouseClick(window.writing.dictate_btn, Qt.MouseButton.LeftButton)
    assert window.writing.dictate_btn.isChecked() and window.writing.dictate_btn.text() == "Done"
    player = pulse.play_async(jfk_wav)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=60_000)
    with qtbot.waitSignal(window.memories.recording.dictated, timeout=60_000):
        qtbot.mouseClick(window.writing.dictate_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "ask" in window.document.editor.toPlainText().lower()
    )  # the window's slot runs after the signal
    text = window.document.editor.toPlainText()
    assert text.startswith("He always said: ") and text.endswith(". The end.")
    assert PHRASE in normalise(text)
    assert window.store.memories(window.project.id) == []  # dictation makes no memory


def test_unplugged_microphone_in_the_app(window, qtbot, pulse):
    module = next(
        line.split()[0]
        for line in pulse.pactl("list", "short", "modules").splitlines()
        if "module-virtual-source" in line
    )
    pulse.pactl("unload-module", module)
    try:
        qtbot.mouseClick(window.memories.recording.record_btn, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(window.message.isVisible, timeout=10_000)
        # Qt may still list a device that has just gone: then it is the opening that fails
        assert re.search("can't find a microphone|could not open the microphone", window.message.label.text())
        assert window.store.memories(window.project.id) == [] and not window.memories.recording.busy
    finally:
        pulse.pactl(
            "load-module", "module-virtual-source", f"source_name={pulse.source}", f"master={pulse.sink}.monitor"
        )
