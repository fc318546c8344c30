"""The teleprompter following a real voice: espeak-ng reads the draft into the virtual microphone
in real time while the real window listens. Measured here, not in the suite: how closely a view
follows speech depends on how busy the machine is (on a loaded machine the microphone loses
audio), which is what a benchmark is for. Plumbing tests are in tests/test_teleprompter.py."""

from __future__ import annotations

import json
import os
import subprocess
import time
import wave
from pathlib import Path

import numpy as np

from app.ui.teleprompter import Teleprompter
from tests.helpers import ScriptedEngine
from tests.test_teleprompter import prompter

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


REPORT = Path(os.environ.get("FONDLY_TELEPROMPTER_REPORT", "/tmp/fondly-teleprompter.txt"))  # the timelines


def test_it_follows_a_voice_line_by_line(qtbot, pulse, transcriber, tmp_path, figure):
    """Sampled every 200 ms after the first 5 s: the highlighted line is within one line of the line
    being said (in a gap, the line just said) in at least 80 % of samples. Why 80 %: the view may
    lag a line at each line's start (a piece is heard a second or two after it is said) and the
    small speech model mishears whole phrases of espeak-ng; measured 93-97 % on a quiet machine,
    less when the machine is loaded enough that the microphone loses audio (the report says how much)."""
    samples, truth, t = follow(qtbot, pulse, transcriber, tmp_path, skip=None)
    fraction, n = score(samples, truth)
    words = len(t.words)
    assert 280 <= words <= 330
    assert figure("Teleprompter: highlighted line within one line of the line being said", "≥ 80 % of samples",
                  f"{fraction:.0%} of {n} samples", met=fraction >= 0.8,
                  note=f"espeak-ng reads the {words}-word draft into the virtual microphone in real time; sampled "
                       f"every 200 ms after the first 5 s; the microphone missed {t.lost:.1f} s of the reading.")


def test_a_skipped_paragraph_is_caught_up(qtbot, pulse, transcriber, tmp_path, figure):
    """The speaker leaves out the third paragraph: from the moment they begin the fourth, the view
    is within one line of them in 3 s or less (the first piece of the new paragraph is heard and
    the Follower jumps on a few of its words). Issue 15 asks for ≤ 3 s; it is not met yet (3.5–5.7 s
    measured: the first piece of the new paragraph is cut after a pause of up to 2.5 s and heard a
    second later), and issue 15 stays open on it, so the figure is reported, not yet enforced."""
    samples, truth, t = follow(qtbot, pulse, transcriber, tmp_path, skip=2)
    resumed = next(start for start, _e, _line, paragraph in truth if paragraph == 3)
    caught = next((s for s, shown in samples if s >= resumed and abs(shown - said_at(truth, s)) <= 1), None)
    fraction, n = score(samples, truth)
    lag = "never" if caught is None else f"{caught - resumed:.1f} s"
    assert figure("Teleprompter: a skipped paragraph caught up, from the next paragraph's first word",
                  "report (issue 15, open: ≤ 3 s)", lag,
                  note=f"The third of five paragraphs left out; {fraction:.0%} of {n} samples within one line; "
                       f"the microphone missed {t.lost:.1f} s.")
    assert fraction >= 0.7, fraction
