"""Rehearsing in the app: Rehearse from a recording… and Rehearse… (the virtual microphone) through
the real actions, the report view, the drafts column's list; and the refusals, which leave the
data folder exactly as it was."""

from __future__ import annotations

import re
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.helpers import db_dump

PARAGRAPHS = [
    (
        "Thank you all for coming today. My father Walter was a quiet man with a loud laugh, "
        "and he loved long walks by the river."
    ),
    "He grew up on a small farm with five brothers, and every morning he fed the chickens before school.",
    "Dad, we will miss your terrible jokes and your patience. Thank you for everything, and goodbye.",
]
SKIPPED = 1


@pytest.fixture(scope="module")
def reading(tmp_path_factory) -> Path:
    """espeak-ng reads paragraphs 1 and 3 (the second is skipped), a second of silence between."""
    folder = tmp_path_factory.mktemp("reading")
    frames, rate = [], 22050
    for i, text in enumerate(PARAGRAPHS):
        if i == SKIPPED:
            continue
        wav = folder / f"p{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True, timeout=60)
        with wave.open(str(wav)) as w:
            rate = w.getframerate()
            frames.append(w.readframes(w.getnframes()) + b"\0\0" * rate)
    out = folder / "reading.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate)
        w.writeframes(b"\0\0" * (rate // 2) + b"".join(frames))
    return out


def open_draft(window, qtbot, text: str) -> int:
    """A speech with one draft, opened in the editor as a person would by choosing it."""
    project = window.store.create_project("Dad", subject="Walter", pace=150)
    draft, _ = window.store.create_draft(project.id, "Eulogy", text, origin="imported")
    window.reload_projects(project.id)
    qtbot.waitUntil(lambda: window.project is not None and window.project.id == project.id)
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    qtbot.waitUntil(lambda: window.document.draft_id == draft.id)
    return draft.id


def check_report(view, store, draft_id) -> None:
    rows = view.rows()
    assert [r[0] for r in rows] == ["¶1", "¶2", "¶3"]
    assert rows[SKIPPED][2] == "skipped" and rows[SKIPPED][3] == ""
    assert rows[SKIPPED][1].startswith("He grew up on a small")
    [stored] = store.rehearsals(draft_id)
    assert stored.id == view.rehearsal.id and stored.report["paragraphs"][SKIPPED]["skipped"] is True
    for i in (0, 2):
        seconds = stored.report["paragraphs"][i]["seconds"]
        assert 3 < seconds < 12 and rows[i][2] == f"{seconds:.0f} s", rows[i]  # a few seconds each
        assert 100 <= int(rows[i][3]) <= 220, rows[i]  # espeak reads at 150 words a minute
    assert view.total.text().startswith("Total 0:")


def test_rehearse_from_a_recording_shows_the_report_and_lists_it(make_window, qtbot, reading, monkeypatch, fondly_home):
    from app.ui import rehearsals_panel

    window = make_window()
    draft_id = open_draft(window, qtbot, "\n\n".join(PARAGRAPHS))
    panel = window.rehearsals
    assert panel.list.count() == 0 and panel.title.text() == "Rehearsals of “Eulogy”"
    monkeypatch.setattr(rehearsals_panel.QFileDialog, "open", lambda dialog: dialog.fileSelected.emit(str(reading)))
    with qtbot.waitSignal(panel.opened, timeout=180_000) as opened:
        panel.file_action.trigger()
        assert panel.cancel_btn.isVisibleTo(panel) and not panel.rehearse_btn.isEnabled()  # progress, cancellable
    view = opened.args[0]
    check_report(view, window.store, draft_id)
    assert view.isVisible()
    # the rehearsal is listed with the draft, and opening it shows the same report
    assert panel.list.count() == 1
    item = panel.list.item(0)
    assert re.fullmatch(r"\d\d \w{3} \d\d:\d\d · 0:\d\d of 0:\d\d · 1 skipped", item.text()), item.text()
    again = panel.open_report(item.data(rehearsals_panel.Qt.ItemDataRole.UserRole))
    assert again.rows() == view.rows()
    assert reading.exists()  # the person's own file is theirs: copied, never moved
    stored = window.store.rehearsals(draft_id)[0]
    assert Path(stored.audio_path).parent == fondly_home / "audio"
    assert Path(stored.audio_path).read_bytes() == reading.read_bytes()
    assert not panel.cancel_btn.isVisibleTo(panel) and panel.rehearse_btn.isEnabled()

    # heard again: a paragraph activated plays the reading from where it began; Play stops it
    third = stored.report["paragraphs"][2]["start"]
    view.table.setCurrentCell(2, 1)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    player = view.playback.player
    assert player.source().toLocalFile() == stored.audio_path
    qtbot.waitUntil(lambda: view.playback.playing and player.position() >= third * 1000 + 300, timeout=10_000)
    assert player.position() < third * 1000 + 3000 and view.play_btn.text() == "Stop playing"
    view.play_btn.click()
    qtbot.waitUntil(lambda: not view.playback.playing and view.play_btn.text() == "Play", timeout=5_000)
    view.play_btn.click()  # from the start
    qtbot.waitUntil(lambda: view.playback.playing and player.position() > 0, timeout=10_000)
    assert player.position() < third * 1000
    view.close()
    assert not view.playback.playing


def test_rehearse_from_the_microphone_keeps_the_reading(make_window, qtbot, pulse, reading, fondly_home):
    from speech import audio as speech_audio

    window = make_window()
    draft_id = open_draft(window, qtbot, "\n\n".join(PARAGRAPHS))
    panel = window.rehearsals
    panel.record_action.trigger()
    assert panel.listening is not None and panel.rehearse_btn.text() == "Stop"
    take = panel.take
    assert take.parent == fondly_home / "audio"
    player = pulse.play_async(reading)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=90_000)  # the event loop keeps reading the microphone
    assert take.stat().st_size > 16000  # written as it arrives, before Stop
    assert panel.clock.text().startswith("Recording 0:")
    qtbot.wait(500)
    with qtbot.waitSignal(panel.opened, timeout=180_000) as opened:
        panel.rehearse_btn.click()  # Stop
    check_report(opened.args[0], window.store, draft_id)
    [stored] = window.store.rehearsals(draft_id)
    kept = Path(stored.audio_path)
    assert kept.is_file() and kept.parent == fondly_home / "audio" and kept.name == f"rehearsal-{stored.id}.wav"
    assert not take.exists()  # the rehearsal holds the copy; the take is gone
    samples = speech_audio.decode(kept)
    seconds = speech_audio.duration(samples)
    played = speech_audio.duration(speech_audio.decode(reading))
    assert played - 0.5 <= seconds <= played + 5
    n = len(samples) // 160 * 160
    loud = np.abs(samples[:n]).reshape(-1, 160).max(axis=1) > 0.02  # 10 ms frames at 16 kHz
    assert loud.sum() / 100 > 0.5 * (played - 2.5)  # the speech is in it, not silence
    assert panel.list.count() == 1


class FakeTranscriber:
    """Hears nothing (the plumbing of a reading with no speech); with `slow`, the first
    paragraph's words one segment every 0.2 s until stopped; with `reads`, the whole draft at
    once — without the real model."""

    name = "fake"

    def __init__(self) -> None:
        self.calls = 0
        self.slow = False
        self.reads = False
        self.segments = 0

    def transcribe(self, audio, hotwords=(), cancel=None, guard=False, words=False):
        from speech.transcriber import Segment, Word

        self.calls += 1
        if self.reads:
            for k, word in enumerate(" ".join(PARAGRAPHS).split()):
                yield Segment(k * 0.4, k * 0.4 + 0.3, word, 0.9, 0.0, words=[Word(word, k * 0.4, k * 0.4 + 0.3, 0.9)])
            return
        if not self.slow:
            return
        for k, word in enumerate(PARAGRAPHS[0].split() * 20):
            time.sleep(0.2)
            self.segments += 1
            yield Segment(k * 0.4, k * 0.4 + 0.3, word, 0.9, 0.0, words=[Word(word, k * 0.4, k * 0.4 + 0.3, 0.9)])
            if cancel is not None and cancel.is_set():
                return


@pytest.fixture
def fake_window(qtbot, qapp, pulse, monkeypatch):
    """The window with FakeTranscriber. The fake "hears" the draft in whatever the microphone gave,
    silence mostly, and times words past its end, all of which the voice check
    (app.rehearsal.in_voice) rightly drops; these tests try the plumbing, so here every time
    counts as voiced (tests/test_rehearsal_report.py tries the check)."""
    from app.engines import Engines
    from app.store import Store
    from app.ui.main_window import MainWindow
    from app.ui.operations import OperationRunner
    from tests.helpers import ScriptedEngine

    monkeypatch.setattr("speech.voice.voiced_spans", lambda samples, rate=16_000: [(0.0, float("inf"))])
    transcriber = FakeTranscriber()
    w = MainWindow(
        Store.open_default(),
        OperationRunner(Engines(open_text=lambda: ScriptedEngine([]), open_speech=lambda: transcriber)),
    )
    qtbot.addWidget(w)
    w.show()
    w.transcriber = transcriber
    yield w
    if w.isVisible():
        w.close()


def files(home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not p.name.startswith("fondly.db")
    }


def test_an_empty_draft_or_none_open_is_one_message_and_nothing_changes(
    fake_window, qtbot, fondly_home, reading, monkeypatch
):
    from app.ui import rehearsals_panel

    window = fake_window
    panel = window.rehearsals
    window.store.create_project("Dad")
    window.reload_projects()
    qtbot.waitUntil(lambda: window.project is not None)
    before, before_files = db_dump(fondly_home), files(fondly_home)
    panel.record_action.trigger()  # no draft open
    assert window.message.isVisible() and "Open the draft you want to rehearse" in window.message.label.text()
    assert panel.listening is None
    assert db_dump(fondly_home) == before and files(fondly_home) == before_files
    window.message.hide()

    draft_id = open_draft_in(window, qtbot, "   \n\n  ")
    before, before_files = db_dump(fondly_home), files(fondly_home)
    monkeypatch.setattr(rehearsals_panel.QFileDialog, "open", lambda dialog: dialog.fileSelected.emit(str(reading)))
    for action in (panel.record_action, panel.file_action):
        window.message.hide()
        action.trigger()
        assert (
            window.message.isVisible()
            and window.message.label.text() == "This draft is empty; there is nothing to rehearse yet."
        )
        assert panel.listening is None and panel.operation is None
    qtbot.wait(200)
    assert window.transcriber.calls == 0 and window.store.rehearsals(draft_id) == []
    assert db_dump(fondly_home) == before and files(fondly_home) == before_files


def the_speech_open(window, qtbot) -> int:
    """A project with one draft of PARAGRAPHS, opened in the fake window's editor."""
    window.store.create_project("Dad")
    window.reload_projects()
    qtbot.waitUntil(lambda: window.project is not None)
    return open_draft_in(window, qtbot, "\n\n".join(PARAGRAPHS))


def open_draft_in(window, qtbot, text: str) -> int:
    draft, _ = window.store.create_draft(window.project.id, "Eulogy", text, origin="imported")
    window.reload_drafts()
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    qtbot.waitUntil(lambda: window.document.draft_id == draft.id)
    return draft.id


def test_a_reading_with_no_speech_is_one_message_and_leaves_nothing(fake_window, qtbot, fondly_home):
    """Recorded through the real microphone path, heard as nothing: no rehearsal, no take left."""
    window = fake_window
    draft_id = the_speech_open(window, qtbot)
    before, before_files = db_dump(fondly_home), files(fondly_home)
    panel = window.rehearsals
    panel.record_action.trigger()
    take = panel.take
    assert panel.listening is not None and take.exists()
    qtbot.wait(1500)
    failed = []
    panel.error.connect(failed.append)
    panel.record_action.trigger()  # Stop
    qtbot.waitUntil(lambda: bool(failed), timeout=30_000)
    assert failed == [f"No speech was heard in {take.name}. Record yourself reading the speech aloud and try again."]
    assert window.message.label.text() == failed[0]
    assert window.transcriber.calls == 1 and window.store.rehearsals(draft_id) == []
    assert not take.exists()
    assert db_dump(fondly_home) == before and files(fondly_home) == before_files
    assert panel.rehearse_btn.isEnabled() and panel.rehearse_btn.text() == "Rehearse…" and panel.list.count() == 0


def test_cancel_while_a_reading_is_timed_keeps_nothing(fake_window, qtbot, fondly_home, reading, monkeypatch):
    """Cancel during the speech model's pass: one message, no rehearsal, and the person's file is untouched
    (the transcriber ends quietly when stopped; a half-heard reading must not be stored as a rehearsal)."""
    from app.ui import rehearsals_panel

    window = fake_window
    window.transcriber.slow = True
    draft_id = the_speech_open(window, qtbot)
    before, before_files, original = db_dump(fondly_home), files(fondly_home), reading.read_bytes()
    panel = window.rehearsals
    monkeypatch.setattr(rehearsals_panel.QFileDialog, "open", lambda dialog: dialog.fileSelected.emit(str(reading)))
    failed = []
    panel.error.connect(failed.append)
    panel.file_btn.click()
    qtbot.waitUntil(lambda: panel.progress.maximum() == 100 and panel.progress.value() > 0, timeout=10_000)
    panel.cancel_btn.click()
    qtbot.waitUntil(lambda: bool(failed), timeout=10_000)
    assert failed == [rehearsals_panel.STOPPED] and window.transcriber.segments < 40
    assert window.store.rehearsals(draft_id) == [] and panel.list.count() == 0 and panel.operation is None
    assert db_dump(fondly_home) == before and files(fondly_home) == before_files
    assert reading.read_bytes() == original
    assert panel.rehearse_btn.isEnabled() and not panel.cancel_btn.isVisibleTo(panel)


def test_no_microphone_is_one_message_and_nothing_changes(fake_window, qtbot, fondly_home, monkeypatch):
    from app import microphone

    window = fake_window
    draft_id = the_speech_open(window, qtbot)
    before, before_files = db_dump(fondly_home), files(fondly_home)
    monkeypatch.setattr(microphone, "inputs", list)  # as on a machine with no audio input at all
    window.rehearsals.record_action.trigger()
    assert window.message.isVisible() and window.message.label.text() == microphone.NO_MICROPHONE
    assert window.rehearsals.listening is None and window.rehearsals.rehearse_btn.text() == "Rehearse…"
    assert window.store.rehearsals(draft_id) == []
    assert db_dump(fondly_home) == before and files(fondly_home) == before_files


def test_the_report_marks_pauses_and_changes_without_judging(qtbot):
    """Where and how long, in the same plain type as everything else: no colour, no verdict."""
    from app.store import Rehearsal
    from app.ui.rehearsal_report import RehearsalReport

    report = {
        "total_seconds": 125.4,
        "target_seconds": 120,
        "target_from": "brief minutes",
        "recording_seconds": 130.0,
        "paragraphs": [
            {"index": 0, "seconds": 64.2, "skipped": False, "words_per_minute": 141, "opening": "Thank you all for"},
            {"index": 1, "seconds": None, "skipped": True, "words_per_minute": None, "opening": "He grew up on"},
            {"index": 2, "seconds": 52.0, "skipped": False, "words_per_minute": 150, "opening": "Dad we will miss"},
        ],
        "pauses": [
            {
                "at": 66.0,
                "seconds": 4.26,
                "after": "by the river",
                "before": "Dad we will",
                "paragraph": 2,
                "between_paragraphs": True,
            },
            {
                "at": 100.5,
                "seconds": 2.5,
                "after": "your terrible jokes",
                "before": "and your",
                "paragraph": 2,
                "between_paragraphs": False,
            },
        ],
        "changed": [{"paragraph": 2, "kind": "left out", "text": "and your patience"}],
    }
    view = RehearsalReport(Rehearsal(7, 1, 1, "2026-11-27T06:30:00+00:00", 130.0, None, report), "Eulogy")
    qtbot.addWidget(view)
    assert view.total.text() == "Total 2:05 — target 2:00 (the length asked for)"
    assert view.rows() == [
        ["¶1", "Thank you all for…", "1:04", "141"],
        ["¶2", "He grew up on…", "skipped", ""],
        ["¶3", "Dad we will miss…", "52 s", "150"],
    ]
    pauses = [view.pauses[1].item(i).text() for i in range(view.pauses[1].count())]
    assert pauses == [
        "1:06 — 4.3 s, before ¶3, after “…by the river”",
        "1:40 — 2.5 s, in ¶3, after “…your terrible jokes”",
    ]
    assert [view.changed[1].item(i).text() for i in range(view.changed[1].count())] == [
        "Left out (¶3): “and your patience”"
    ]
    from PySide6.QtCore import Qt

    for i in range(view.pauses[1].count()):  # no colour of its own: the list's ordinary text
        assert view.pauses[1].item(i).foreground().style() == Qt.BrushStyle.NoBrush
    assert all(word not in " ".join(pauses).lower() for word in ("too", "should", "!"))


def test_the_rehearsal_is_of_the_revision_on_screen_when_the_reading_began(fake_window, qtbot, fondly_home):
    """Typing while reading aloud (autosave keeps a new revision) does not change what was read."""
    window = fake_window
    window.transcriber.reads = True
    draft_id = the_speech_open(window, qtbot)
    read = window.store.draft(draft_id).current_revision_id
    panel = window.rehearsals
    panel.record_action.trigger()
    assert panel.listening is not None
    window.document.editor.setPlainText("\n\n".join(PARAGRAPHS) + "\n\nA paragraph written while reading.")
    assert window.document.save()
    assert window.store.draft(draft_id).current_revision_id != read
    qtbot.wait(500)
    with qtbot.waitSignal(panel.opened, timeout=30_000) as opened:
        panel.record_action.trigger()  # Stop
    [stored] = window.store.rehearsals(draft_id)
    assert stored.revision_id == read and len(stored.report["paragraphs"]) == 3
    assert [r[2] for r in opened.args[0].rows()].count("skipped") == 0
    assert Path(stored.audio_path).is_file() and not panel.take.exists()
    assert [i.text() for i in (panel.list.item(k) for k in range(panel.list.count()))] and panel.list.count() == 1


def test_closing_the_window_while_a_reading_is_timed_keeps_the_take(fake_window, qtbot, fondly_home):
    """Only the person's Cancel throws a reading away; the window closing keeps it on disk."""
    window = fake_window
    window.transcriber.slow = True
    draft_id = the_speech_open(window, qtbot)
    panel = window.rehearsals
    panel.record_action.trigger()
    take = panel.take
    qtbot.wait(1000)
    panel.record_action.trigger()  # Stop: the timing begins
    qtbot.waitUntil(lambda: window.transcriber.segments > 0, timeout=10_000)
    window.close()
    assert take.is_file() and take.stat().st_size > 44
    assert 'INSERT INTO "rehearsals"' not in db_dump(fondly_home) and draft_id


# --- the teleprompter's readings, and readings cut off ---------------------------------------------


def test_a_reading_the_teleprompter_followed_is_timed_as_a_rehearsal(
    fake_window, qtbot, pulse, reading, monkeypatch, fondly_home
):
    """F5 with the voice on records the reading; leaving (Esc) hands it to the rehearsals panel,
    which times it against the revision that was delivered, even when the draft changed since."""
    from app.ui import teleprompter, uisettings

    monkeypatch.setattr(teleprompter, "MIN_READING", 3.0)
    uisettings.save_prompter_settings({"voice": True, "keep": True})
    window = fake_window
    window.transcriber.reads = True
    draft_id = the_speech_open(window, qtbot)
    delivered = window.store.draft(draft_id).current_revision_id
    t = teleprompter.deliver(window)
    qtbot.waitUntil(lambda: t.mode == "voice", timeout=30_000)
    take = t.take
    player = pulse.play_async(reading)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=90_000)
    # the draft changes while it is delivered: the rehearsal is of what was read
    window.store.add_revision(draft_id, "\n\n".join(PARAGRAPHS) + "\n\nA paragraph added later.", "edited")
    with qtbot.waitSignal(window.rehearsals.opened, timeout=60_000) as opened:
        qtbot.keyClick(t, teleprompter.Qt.Key.Key_Escape)
    [stored] = window.store.rehearsals(draft_id)
    assert stored.revision_id == delivered and opened.args[0].rehearsal.id == stored.id
    assert not take.exists() and Path(stored.audio_path).parent == fondly_home / "audio"
    assert window.rehearsals.list.count() == 1


def test_a_reading_cut_off_by_a_kill_is_timed_on_the_next_start(fake_window, qtbot, fondly_home):
    """The window delivering with the voice on is SIGKILLed mid-reading; the next start finds the
    take, says so, and times it as a rehearsal of the revision that was read."""
    import os
    import signal
    import sys

    window = fake_window
    window.transcriber.reads = True
    project = window.store.create_project("Dad")
    draft, revision = window.store.create_draft(project.id, "Eulogy", "\n\n".join(PARAGRAPHS), origin="imported")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.apps.delivering"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    line = proc.stdout.readline().strip()
    assert line, proc.stderr.read()
    take = Path(line)
    assert take.parent == fondly_home / "audio" and take.name.startswith(f"rehearsal-take-{draft.id}-{revision.id}-")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert take.is_file()
    with qtbot.waitSignal(window.rehearsals.opened, timeout=60_000) as opened:
        window.warm_up()
    assert window.message.isVisible() and "A rehearsal reading cut off on" in window.message.label.text()
    [stored] = window.store.rehearsals(draft.id)
    assert stored.revision_id == revision.id and opened.args[0].rehearsal.id == stored.id
    assert not take.exists() and Path(stored.audio_path).stat().st_size > 44
    window.rehearsals.recover()  # only once
    assert len(window.store.rehearsals(draft.id)) == 1
