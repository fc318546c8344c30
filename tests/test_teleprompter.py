"""The teleprompter (View → Deliver, F5): paced scrolling and its keys with no microphone, and
following a voice that espeak-ng reads into the virtual microphone in real time.

The voice tests define the truth by construction: the speech is laid out as the teleprompter
lays it out, and each of its lines is synthesised on its own and joined with short gaps, so the
time every line is said is known exactly (to the sample).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import wave
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
    "Thank you all for coming today. My father, Frank, would have been embarrassed by a crowd this size. "
    "He never liked a fuss, but he loved a full table, and today the table is very full indeed. He would "
    "have counted the chairs, checked there was enough coffee, and then slipped outside to talk to the dog.",
    "Dad worked for thirty years as a mail carrier in Austin. He knew every dog on his route by name, and "
    "most of the dogs knew him too. He carried biscuits in his left pocket and letters in his right, and he "
    "said the biscuits were the more important delivery. Rain or heat, he was never late, and he never once "
    "complained about the hills.",
    "Every summer he took us fishing at Lake Travis. He named every catfish he caught Gerald, and we never "
    "found out why. When the motor died on the trip to Galveston, he rowed us back for two hours, singing the "
    "whole way so that we would not be scared. My brother still sings those songs in the car.",
    "He grew tomatoes in the back garden and gave most of them away to the neighbours. He sang Johnny Cash "
    "songs badly while he weeded, and he laughed at himself every time he forgot the words. He taught me to "
    "change a tyre, to plant a seed, to mend a fence, and to always say thank you.",
    "So today I want to say thank you, Dad. Thank you for the fish called Gerald, for the songs with missing "
    "words, for the biscuits and the letters, and for the long row home. We will keep the table full, and we "
    "will keep singing, even when we forget the words. Goodbye, Dad.",
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


def prompter(qtbot, voice: bool, runner=None, device=None, pace: int = 130, text: str = SPEECH) -> Teleprompter:
    uisettings.save_prompter_settings({"voice": voice, "mirror": False, "size": 56, "spacing": 150})
    t = Teleprompter(Script("Frank", text, pace, 120.0, ["Frank"]), runner or FakeRunner(), device)
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
    return np.array(grey.constBits(), np.uint8).reshape(grey.height(), grey.bytesPerLine())[:, :grey.width()].astype(float)


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
    assert uisettings.prompter_settings() == {"size": 68, "spacing": 175, "scheme": 1, "mirror": True, "voice": False}


def test_no_microphone_scrolls_at_pace_and_says_so(qtbot, pulse):
    t = prompter(qtbot, voice=True, runner=FakeRunner(SilentTranscriber()), device="Nonexistent microphone")
    assert t.mode == "pace" and t.recorder is None
    assert t.status.text() == ("There is no microphone called 'Nonexistent microphone': scrolling at 130 "
                               "words a minute")
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
    assert t.mode == "voice" and t.recorder is not None and t.status.text() == "Following your voice"
    live = t.last_live
    qtbot.waitUntil(lambda: t.recorder.seconds > 0.2, timeout=5000)
    assert live.running
    t.close()
    assert t.recorder is None and t.live is None
    qtbot.waitUntil(lambda: not live.running, timeout=3000)


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


# --- following a voice read into the virtual microphone -----------------------------------------

GAP_WORD, GAP_SENTENCE, GAP_PARAGRAPH = 0.06, 0.35, 0.9
WARM_UP = 5.0  # seconds of the reading not scored: the first pieces are still being heard


def line_texts(t: Teleprompter) -> list[tuple[int, int, str]]:
    """(line, paragraph, the words on it as written) for every line of the view that has words."""
    by_line: dict[int, list] = {}
    for w in t.words:
        by_line.setdefault(t.view.line_of(w.start), []).append(w)
    text = t.script.text
    out = []
    for line, words in sorted(by_line.items()):
        end = words[-1].end
        while end < len(text) and text[end] in ".,;:!?'\"”’":
            end += 1
        out.append((line, words[0].paragraph, text[words[0].start:end]))
    return out


def espeak(text: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(path), text], check=True, timeout=60)
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    assert rate == 22050
    loud = np.flatnonzero(np.abs(pcm) > 0.01)
    return pcm[loud[0]:loud[-1] + 1]


def reading(t: Teleprompter, folder: Path, skip: int | None = None) -> tuple[Path, list[tuple[float, float, int, int]]]:
    """The speech read line by line into one WAV, leaving paragraph `skip` out; and when each line
    is said: (start, end, line, paragraph) in seconds from the start of the file."""
    lines = [x for x in line_texts(t) if x[1] != skip]
    pieces, truth, now = [np.zeros(int(22050 * 0.5), np.float32)], [], 0.5
    for k, (line, paragraph, text) in enumerate(lines):
        audio = espeak(text, folder / f"line{k}.wav")
        truth.append((now, now + len(audio) / 22050, line, paragraph))
        last = k + 1 == len(lines) or lines[k + 1][1] != paragraph
        gap = GAP_PARAGRAPH if last else GAP_SENTENCE if text[-1] in ".!?" else GAP_WORD
        pieces += [audio, np.zeros(int(22050 * gap), np.float32)]
        now += (len(audio) + int(22050 * gap)) / 22050
    path = folder / "reading.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
        w.writeframes((np.concatenate(pieces) * 32767).astype("<i2").tobytes())
    return path, truth


def said_at(truth, s: float) -> int | None:
    """The line being said at `s` seconds; in a gap, the line just said."""
    said = None
    for start, _end, line, _p in truth:
        if start <= s:
            said = line
    return said


def follow(qtbot, pulse, transcriber, tmp_path, skip: int | None):
    from app.engines import Engines
    from app.ui.operations import OperationRunner

    runner = OperationRunner(Engines(open_text=lambda: ScriptedEngine([]), open_speech=lambda: transcriber))
    with qtbot.waitSignal(runner.model_loaded, timeout=60_000):
        runner.run(lambda job: job.transcriber(), lane="speech")
    t = prompter(qtbot, voice=True, runner=runner)
    qtbot.waitUntil(lambda: t.mode == "voice", timeout=30_000)  # the word lists load on the speech lane
    assert t.position == 0
    wav, truth = reading(t, tmp_path, skip)
    samples, heard = [], []
    t._ears.heard.connect(lambda text, start, end: heard.append(
        (round(time.monotonic() - began, 1), start, end, text, t.follower.position)))
    player = pulse.play_async(wav)
    began = time.monotonic()
    heard_from = t.recorder.seconds
    while player.poll() is None:
        qtbot.wait(200)
        samples.append((time.monotonic() - began, t.view.current))
    t.lost = (time.monotonic() - began) - (t.recorder.seconds - heard_from)  # audio the microphone missed
    t.close()
    runner.shutdown()
    # the whole timeline (what was shown, what was said, what was heard when), for looking into a failure
    timeline = REPORT.with_name(f"{REPORT.stem}-{'follow' if skip is None else 'skip'}.json")
    timeline.write_text(json.dumps({"samples": samples, "truth": truth, "heard": heard}))
    return samples, truth, t


def score(samples, truth) -> tuple[float, int]:
    scored = [(s, shown, said_at(truth, s)) for s, shown in samples if s >= truth[0][0] + WARM_UP]
    near = sum(abs(shown - said) <= 1 for _s, shown, said in scored)
    return near / len(scored), len(scored)


REPORT = Path(os.environ.get("FONDLY_TELEPROMPTER_REPORT", "/tmp/fondly-teleprompter.txt"))


def test_it_follows_a_voice_line_by_line(qtbot, pulse, transcriber, tmp_path):
    """Sampled every 200 ms after the first 5 s: the highlighted line is within one line of the line
    being said (in a gap, the line just said) in at least 80 % of samples. Why 80 %: the view may
    lag a line at each line's start (a piece is heard a second or two after it is said) and the
    small speech model mishears whole phrases of espeak-ng; measured 93-97 % on a quiet machine,
    less when the machine is loaded enough that the microphone loses audio (the report says how much)."""
    samples, truth, t = follow(qtbot, pulse, transcriber, tmp_path, skip=None)
    fraction, n = score(samples, truth)
    words = len(t.words)
    with REPORT.open("a") as f:
        f.write(f"follow: {words} words, {len(t.view.lines)} lines, {n} samples scored, "
                f"{fraction:.0%} within one line; microphone missed {t.lost:.1f} s\n")
    assert 280 <= words <= 330
    assert fraction >= 0.8, fraction


def test_a_skipped_paragraph_is_caught_up_within_three_seconds(qtbot, pulse, transcriber, tmp_path):
    """The speaker leaves out the third paragraph: from the moment they begin the fourth, the view
    is within one line of them in 3 s or less (the first piece of the new paragraph is heard and
    the Follower jumps on a few of its words)."""
    samples, truth, t = follow(qtbot, pulse, transcriber, tmp_path, skip=2)
    resumed = next(start for start, _e, _line, paragraph in truth if paragraph == 3)
    caught = next((s for s, shown in samples if s >= resumed and abs(shown - said_at(truth, s)) <= 1), None)
    fraction, n = score(samples, truth)
    with REPORT.open("a") as f:
        f.write(f"skip: caught up {None if caught is None else round(caught - resumed, 1)} s after the next "
                f"paragraph began; {n} samples scored, {fraction:.0%} within one line; microphone missed {t.lost:.1f} s\n")
    assert caught is not None and caught - resumed <= 3.0, (caught, resumed)
    assert fraction >= 0.7, fraction


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
