"""The teleprompter (View → Deliver, F5): paced scrolling, its keys, the microphone's start and
stop, with scripted parts. Following a real voice read into the virtual microphone is measured in
tests/bench/test_teleprompter_voice.py (`make bench`): how closely it follows depends on how busy
the machine is, which is a benchmark's business.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.delivery import Script, VoicePace
from app.ui import uisettings
from app.ui.teleprompter import Teleprompter
from tests.helpers import ScriptedEngine, make_project

PARAGRAPHS = [
    (
        "Thank you all for coming today. My father, Frank, would have been embarrassed by a crowd this size. "
        "He never liked a fuss, but he loved a full table, and today the table is very full indeed. He would "
        "have counted the chairs, checked there was enough coffee, and then slipped outside to talk to the dog."
    ),
    (
        "Dad worked for thirty years as a mail carrier in Austin. He knew every dog on his route by name, and "
        "most of the dogs knew him too. He carried biscuits in his left pocket and letters in his right, and he "
        "said the biscuits were the more important delivery. Rain or heat, he was never late, and he never once "
        "complained about the hills."
    ),
    (
        "Every summer he took us fishing at Lake Travis. He named every catfish he caught Gerald, and we never "
        "found out why. When the motor died on the trip to Galveston, he rowed us back for two hours, singing the "
        "whole way so that we would not be scared. My brother still sings those songs in the car."
    ),
    (
        "He grew tomatoes in the back garden and gave most of them away to the neighbours. He sang Johnny Cash "
        "songs badly while he weeded, and he laughed at himself every time he forgot the words. He taught me to "
        "change a tyre, to plant a seed, to mend a fence, and to always say thank you."
    ),
    (
        "So today I want to say thank you, Dad. Thank you for the fish called Gerald, for the songs with missing "
        "words, for the biscuits and the letters, and for the long row home. We will keep the table full, and we "
        "will keep singing, even when we forget the words. Goodbye, Dad."
    ),
]
SPEECH = "\n\n".join(PARAGRAPHS)


class FakeRunner:
    """The runner's surface the teleprompter uses: a loaded speech model (or none) and `run`."""

    def __init__(self, transcriber=None):
        self.engines = SimpleNamespace(loaded=lambda kind: transcriber if kind == "speech" else None)
        self.ran = []

    def run(self, op, on_done=None, on_failed=None, on_progress=None, lane="text"):
        """Runs at once when there is a speech model (the warm-up), else stays queued (still loading)."""
        self.ran.append(lane)
        transcriber = self.engines.loaded("speech")
        if transcriber is not None:
            result = op(SimpleNamespace(transcriber=lambda: transcriber))
            if on_done is not None:
                on_done(result)


class SilentTranscriber:
    def transcribe(self, audio, hotwords=(), cancel=None, guard=False):
        return iter(())


def prompter(
    qtbot,
    voice: bool,
    runner=None,
    device=None,
    pace: int = 130,
    text: str = SPEECH,
    draft: tuple[int, int] | None = None,
    keep_reading=None,
) -> Teleprompter:
    """A teleprompter started on `text`; with `draft` (draft id, revision id) and `keep_reading`,
    the reading it follows is recorded and handed to `keep_reading` when it stops."""
    uisettings.save_prompter_settings({"voice": voice, "mirror": False, "size": 56, "spacing": 150, "keep": True})
    t = Teleprompter(
        Script("Frank", text, pace, 120.0, ["Frank"], *(draft or (None, None))), runner or FakeRunner(), device
    )
    t.keep_reading = keep_reading
    qtbot.addWidget(t)
    t.resize(1600, 900)
    t.show()
    t.activateWindow()
    qtbot.waitActive(t)
    t.start()
    return t


def pixels(image) -> np.ndarray:
    """An image's grey levels, for comparing drawings that may differ by antialiasing."""
    from PySide6.QtGui import QImage

    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return (
        np.array(grey.constBits(), np.uint8)
        .reshape(grey.height(), grey.bytesPerLine())[:, : grey.width()]
        .astype(float)
    )


# --- plumbing: no voice ------------------------------------------------------------------------


def test_paced_scrolling_pauses_nudges_and_shows_time_left(qtbot):
    t = prompter(qtbot, voice=False, pace=600)  # 10 words a second, so a second shows it moving
    assert t.mode == "pace" and t.status.text() == "Scrolling at 600 words a minute"
    assert t.view.current == 0
    qtbot.wait(1500)
    assert 9 <= t.position <= 22, t.position
    assert t.view.current >= 1
    qtbot.keyClick(t, Qt.Key.Key_Space)
    assert t.paused and "paused" in t.status.text()
    held = t.position
    qtbot.wait(600)
    assert t.position == held
    line = t.view.current
    qtbot.keyClick(t, Qt.Key.Key_Down)
    assert t.view.current == line + 1
    qtbot.keyClick(t, Qt.Key.Key_Up)
    qtbot.keyClick(t, Qt.Key.Key_Up)
    assert t.view.current == line - 1
    qtbot.keyClick(t, Qt.Key.Key_Space)
    assert not t.paused
    qtbot.wait(300)
    assert t.position > held - 10  # scrolling again, from the nudged place
    assert t.clock.text().endswith("left of 2:00") and t.clock.text().startswith("0:0")
    # the current line is kept a third of the way down
    qtbot.keyClick(t, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: abs(t.view.offset - t.view.target_offset()) < 2, timeout=3000)
    top, height, _ = t.view.lines[t.view.current]
    assert abs((top + height / 2 - t.view.offset) - t.view.height() / 3) < 3


def test_time_over_the_target_is_said(qtbot):
    t = prompter(qtbot, voice=False)
    t.elapsed = 125
    qtbot.wait(100)
    assert t.clock.text().startswith("2:05 · 0:05 over of 2:00")


def test_look_keys_mirror_and_remembered(qtbot):
    t = prompter(qtbot, voice=False)
    qtbot.keyClick(t, Qt.Key.Key_Space)
    plain = t.view.grab().toImage()
    qtbot.keyClick(t, Qt.Key.Key_M)
    assert t.view.mirrored
    mirrored = t.view.grab().toImage()
    flipped = pixels(plain)[:, ::-1]
    assert np.abs(pixels(mirrored) - flipped).mean() < 0.05 * np.abs(pixels(plain) - flipped).mean()
    lines = len(t.view.lines)
    qtbot.keyClick(t, Qt.Key.Key_Plus)
    assert t.look["size"] == 68 and len(t.view.lines) > lines  # larger type: more, shorter lines
    qtbot.keyClick(t, Qt.Key.Key_BracketRight)
    assert t.look["spacing"] == 175
    qtbot.keyClick(t, Qt.Key.Key_C)
    assert t.view.colours[0] == "Yellow on black"
    t.close()
    assert uisettings.prompter_settings() == {
        "size": 68,
        "spacing": 175,
        "scheme": 1,
        "mirror": True,
        "voice": False,
        "keep": True,
    }


def test_markdown_marks_are_not_shown_and_emphasis_is(qtbot):
    """A draft written in Markdown reads as the words alone: the marks are invisible and take next
    to no room (a heading's "## ", the ** of bold), bold words are bold; each character keeps its
    offset, so the script's words still map to the view's lines."""
    from PySide6.QtGui import QFont

    from app.ui.prompt_view import PromptView

    def ink_width(text: str) -> int:
        view = PromptView(text)
        view.resize(2400, 300)  # one line, however wide
        view.set_look(44, 150, 2, False)  # black on white
        columns = np.flatnonzero((pixels(view.grab().toImage()) < 128).any(axis=0))
        return int(columns[-1] - columns[0])

    marked, bare = "## He was **very** proud of _that_ boat", "He was very proud of that boat"
    assert abs(ink_width(marked) - ink_width(bare)) < 25  # shown, the marks were 295 px wider
    view = PromptView(marked)
    cursor = view.doc.find("very")
    assert cursor.charFormat().fontWeight() == QFont.Weight.Bold and view.doc.find("that").charFormat().fontItalic()
    assert view.doc.toPlainText() == marked


def test_no_microphone_scrolls_at_pace_and_says_so(qtbot, pulse):
    t = prompter(qtbot, voice=True, runner=FakeRunner(SilentTranscriber()), device="Nonexistent microphone")
    assert t.mode == "pace" and t.listening is None
    assert t.status.text() == (
        "There is no microphone called 'Nonexistent microphone': scrolling at 130 words a minute"
    )
    qtbot.waitUntil(lambda: t.position > 1, timeout=3000)


def test_speech_model_still_loading_scrolls_at_pace_meanwhile(qtbot):
    runner = FakeRunner(None)
    t = prompter(qtbot, voice=True, runner=runner)
    assert t.mode == "loading" and runner.ran == ["speech"]  # the model loads on the speech lane
    assert t.status.text() == "Getting ready to follow your voice (loading the speech model)"
    qtbot.wait(500)
    assert t.position == 0  # held: the speaker has not begun


def test_closing_stops_the_microphone_and_the_live_transcript(qtbot, pulse):
    t = prompter(qtbot, voice=True, runner=FakeRunner(SilentTranscriber()))
    assert t.mode == "voice" and t.listening is not None and t.status.text() == "Following your voice"
    listening = t.listening
    qtbot.waitUntil(lambda: listening.seconds > 0.2, timeout=5000)
    assert listening.running and listening.transcribing
    t.close()
    assert t.listening is None and not listening.running
    qtbot.waitUntil(lambda: not listening.transcribing, timeout=3000)


def tone(path: Path, seconds: float) -> Path:
    """A loud 220 Hz tone: voice to the level meter, and audio in the take."""
    import wave

    t = np.arange(int(16000 * seconds)) / 16000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((np.sin(2 * np.pi * 220 * t) * 0.6 * 32767).astype("<i2").tobytes())
    return path


def listening_with_a_draft(qtbot, monkeypatch, kept: list) -> Teleprompter:
    from app.ui import teleprompter

    monkeypatch.setattr(teleprompter, "MIN_READING", 1.0)
    uisettings.save_prompter_settings({"voice": True, "keep": True})
    t = Teleprompter(
        Script("Frank", SPEECH, 130, 120.0, ["Frank"], draft_id=7, revision_id=12), FakeRunner(SilentTranscriber())
    )
    t.keep_reading = lambda *reading: kept.append(reading)
    qtbot.addWidget(t)
    t.show()
    t.start()
    assert t.mode == "voice"
    return t


def test_a_reading_followed_by_voice_is_handed_over_as_a_rehearsal_take(
    qtbot, pulse, tmp_path, monkeypatch, fondly_home
):
    kept: list = []
    t = listening_with_a_draft(qtbot, monkeypatch, kept)
    take = t.take
    assert take.parent == fondly_home / "audio" and take.name.startswith(f"rehearsal-take-7-12-{os.getpid()}-")
    assert t.status.text() == "Following your voice · keeping this reading as a rehearsal (R)"
    player = pulse.play_async(tone(tmp_path / "tone.wav", 2.5))
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=20_000)
    qtbot.wait(300)
    assert take.stat().st_size > 44 + 2 * 16000  # written as it is heard, before the window closes
    qtbot.keyClick(t, Qt.Key.Key_Escape)
    assert kept == [(take, 7, 12)] and take.is_file()  # closed whole, for the rehearsals panel to time
    from speech import wavfile

    assert wavfile.repair(take) >= 2.0


def test_a_reading_not_to_keep_or_with_no_voice_is_let_go(qtbot, pulse, tmp_path, monkeypatch):
    kept: list = []
    t = listening_with_a_draft(qtbot, monkeypatch, kept)
    qtbot.keyClick(t, Qt.Key.Key_R)  # keep readings: off (remembered)
    assert uisettings.prompter_settings()["keep"] is False
    assert t.status.text() == "Following your voice · not keeping it (R)"
    take = t.take
    player = pulse.play_async(tone(tmp_path / "tone.wav", 2.0))
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=20_000)
    qtbot.wait(300)
    qtbot.keyClick(t, Qt.Key.Key_V)  # the microphone off: the reading is let go
    assert kept == [] and not take.exists() and t.take is None
    qtbot.keyClick(t, Qt.Key.Key_R)  # keep: on again; the microphone on, and off with no voice heard
    qtbot.keyClick(t, Qt.Key.Key_V)
    take = t.take
    assert take is not None and take.exists()
    qtbot.wait(500)
    t.close()
    assert kept == [] and not take.exists()


def test_voice_pace_moves_only_with_voice_and_resets_after_a_jump():
    pace = VoicePace(120)
    assert pace.estimate(1.0) is None  # nothing heard: the view stays where it is
    for i in range(100):  # 2 s of voice, then 3 s of silence, in 50 ms blocks
        pace.level(i * 0.05, 0.8 if i < 40 else 0.0)
    pace.heard(10, 0.0, 1.0)
    assert pace.estimate(2.0) == pytest.approx(10 + pace.rate * 1.0, abs=0.2)
    assert pace.estimate(4.9) == pace.estimate(2.5)  # a pause holds the place still
    assert VoicePace.shown(20.0, 15.0) == 20.0 and VoicePace.shown(20.0, 5.0) == 5.0
    pace.heard(200, 1.0, 2.0)  # far beyond reach: a jump; the rate is measured afresh from here
    assert pace.anchors == [(2.0, 200)]


def test_pieces_waiting_together_are_heard_in_one_call():
    """When transcription falls behind, waiting pieces that follow on are joined (one Whisper call
    costs the same for 2 s as for 20 s); a gap of dropped silence keeps them apart."""
    from speech.live import _merged

    second = np.ones(16000, np.float32)
    merged = _merged([(0.0, second), (1.0, second), (2.0, second), (5.0, second)])
    assert [(offset, len(audio) / 16000) for offset, audio in merged] == [(0.0, 3.0), (5.0, 1.0)]


# --- the window: F5 and Esc --------------------------------------------------------------------


def test_f5_delivers_the_open_draft_full_screen_and_esc_leaves(make_window, qtbot):
    uisettings.save_prompter_settings({"voice": False})
    window = make_window(ScriptedEngine([]))
    window.activateWindow()  # shortcuts need the window active
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.message.isVisible() and window.message.label.text().startswith("Open a draft to deliver it")
    make_project(window, qtbot)
    draft, _ = window.store.create_draft(window.project.id, "Eulogy", "# For Frank\n\n" + SPEECH)
    window.reload_drafts()
    window._open_draft(draft.id)
    window.document.editor.setPlainText("# For Frank\n\n" + SPEECH + "\n\nOne more line, typed just now.")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    [t] = window.findChildren(Teleprompter)
    assert t.isVisible() and t.isFullScreen()
    assert t.view.doc.toPlainText() == SPEECH + "\n\nOne more line, typed just now."  # what was on screen, saved
    assert t.script.title == "For Frank" and t.mode == "pace"
    qtbot.waitUntil(t.isActiveWindow)
    qtbot.keyClick(t, Qt.Key.Key_Escape)
    assert not t.isVisible()


def test_screenshot(qtbot, tmp_path):
    """Writes the teleprompter part-way through the speech to a PNG (`make screenshot`: docs/teleprompter.png)."""
    t = prompter(qtbot, voice=False)
    t.resize(1280, 720)
    qtbot.keyClick(t, Qt.Key.Key_Space)
    for _ in range(9):
        qtbot.keyClick(t, Qt.Key.Key_Down)
    t.elapsed = 52
    qtbot.waitUntil(lambda: abs(t.view.offset - t.view.target_offset()) < 1, timeout=5000)
    qtbot.wait(100)
    assert t.clock.text() == "0:52 · 1:08 left of 2:00"
    out = Path(os.environ.get("FONDLY_SCREENSHOT") or tmp_path / "teleprompter.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    assert t.grab().save(str(out))
    assert out.stat().st_size > 20_000
