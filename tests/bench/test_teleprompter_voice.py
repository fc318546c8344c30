"""The teleprompter following a real voice: espeak-ng reads the draft into the virtual microphone
in real time while the real window listens. Measured here, not in the suite: how closely a view
follows speech depends on how busy the machine is (on a loaded machine the microphone loses
audio), which is what a benchmark is for. Plumbing tests are in tests/test_teleprompter.py."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from app.ui.teleprompter import Teleprompter
from tests.helpers import ScriptedEngine
from tests.test_teleprompter import SPEECH, prompter

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
        out.append((line, words[0].paragraph, text[words[0].start : end]))
    return out


def espeak(text: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(path), text], check=True, timeout=60)
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    assert rate == 22050
    loud = np.flatnonzero(np.abs(pcm) > 0.01)
    return pcm[loud[0] : loud[-1] + 1]


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


def follow(
    qtbot,
    pulse,
    transcriber,
    tmp_path,
    skip: int | None,
    draft: tuple[int, int] | None = None,
    kept: list | None = None,
):
    """The reading played into the microphone while the teleprompter follows it; with `draft`, the
    teleprompter records it as a rehearsal take of that (draft, revision), appended to `kept`."""
    from app.engines import Engines
    from app.ui.operations import OperationRunner

    runner = OperationRunner(Engines(open_text=lambda: ScriptedEngine([]), open_speech=lambda: transcriber))
    with qtbot.waitSignal(runner.model_loaded, timeout=60_000):
        runner.run(lambda job: job.transcriber(), lane="speech")
    t = prompter(
        qtbot,
        voice=True,
        runner=runner,
        draft=draft,
        keep_reading=None if kept is None else lambda *reading: kept.append(reading),
    )
    qtbot.waitUntil(lambda: t.mode == "voice", timeout=30_000)  # the word lists load on the speech lane
    assert t.position == 0
    wav, truth = reading(t, tmp_path, skip)
    samples, heard = [], []
    t._ears.heard.connect(
        lambda text, start, end: heard.append(
            (round(time.monotonic() - began, 1), start, end, text, t.follower.position)
        )
    )
    player = pulse.play_async(wav)
    began = time.monotonic()
    heard_from = t.listening.seconds
    while player.poll() is None:
        qtbot.wait(200)
        samples.append((time.monotonic() - began, t.view.current))
    # audio the microphone missed; none is shown as 0 (the microphone's buffer can hold a little
    # from before the reading began, which made this negative)
    t.lost = max(0.0, (time.monotonic() - began) - (t.listening.seconds - heard_from))
    t.close()
    runner.shutdown()
    # the whole timeline (what was shown, what was said, what was heard when), for looking into a failure
    timeline = REPORT.with_name(f"{REPORT.stem}-{'follow' if skip is None else 'skip'}.json")
    timeline.write_text(json.dumps({"samples": samples, "truth": truth, "heard": heard, "heard_from": heard_from}))
    return samples, truth, t


def score(samples, truth) -> tuple[float, int]:
    scored = [(s, shown, said_at(truth, s)) for s, shown in samples if s >= truth[0][0] + WARM_UP]
    near = sum(abs(shown - said) <= 1 for _s, shown, said in scored)
    return near / len(scored), len(scored)


# the timelines, in the suite's temporary folder (tests/conftest.py: the checkout's tmp/, not /tmp)
REPORT = Path(os.environ.get("FONDLY_TELEPROMPTER_REPORT", Path(tempfile.gettempdir()) / "fondly-teleprompter.txt"))


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
    assert figure(
        "Teleprompter: highlighted line within one line of the line being said",
        "≥ 80 % of samples",
        f"{fraction:.0%} of {n} samples",
        met=fraction >= 0.8,
        note=f"espeak-ng reads the {words}-word draft into the virtual microphone in real time; sampled "
        f"every 200 ms after the first 5 s; the microphone missed {t.lost:.1f} s of the reading.",
    )


def test_a_skipped_paragraph_is_caught_up_and_the_reading_timed(
    qtbot, pulse, transcriber, tmp_path, figure, store, fondly
):
    """The speaker leaves out the third paragraph: from the moment they begin the fourth, the view
    is within one line of them in 3 s or less (issue 15). Why it can be: after a pause, the live
    transcript cuts the first piece of what follows short (speech.live.Chunker's `opening`), so a
    few words of the new paragraph are heard about two seconds after they begin, and the Follower
    jumps on them. Measured 2.3-2.7 s on a quiet machine, 2.9 s with one core kept busy (3.3-5.7 s
    quiet before the short first piece).

    The teleprompter kept the reading as a rehearsal take; `fondly rehearse` on that recording
    gives each paragraph's time within 10 % of when espeak-ng really said it, and the third as
    skipped (issue 15's done-when)."""
    import json

    project = store.create_project("Dad", subject="Frank", pace=165)
    draft, revision = store.create_draft(project.id, "Eulogy", SPEECH, origin="imported")
    kept: list = []
    samples, truth, t = follow(qtbot, pulse, transcriber, tmp_path, skip=2, draft=(draft.id, revision.id), kept=kept)
    resumed = next(start for start, _e, _line, paragraph in truth if paragraph == 3)
    caught = next((s for s, shown in samples if s >= resumed and abs(shown - said_at(truth, s)) <= 1), None)
    fraction, n = score(samples, truth)
    lag = None if caught is None else caught - resumed
    met = figure(
        "Teleprompter: a skipped paragraph caught up, from the next paragraph's first word",
        "≤ 3 s",
        "never" if lag is None else f"{lag:.1f} s",
        met=lag is not None and lag <= 3.0,
        note=f"The third of five paragraphs left out; {fraction:.0%} of {n} samples within one line; "
        f"the microphone missed {t.lost:.1f} s.",
    )

    [(take, draft_id, revision_id)] = kept
    assert (draft_id, revision_id) == (draft.id, revision.id)
    report = json.loads(fondly("rehearse", str(draft.id), str(take), "--json").stdout)
    said = {}
    for start, end, _line, paragraph in truth:
        first, last = said.get(paragraph, (start, end))
        said[paragraph] = (min(first, start), max(last, end))
    errors = []
    for p in report["paragraphs"]:
        if p["index"] == 2:
            continue
        true = said[p["index"]][1] - said[p["index"]][0]
        errors.append(abs(p["seconds"] - true) / true if p["seconds"] is not None else 1.0)
    skipped = [p["index"] for p in report["paragraphs"] if p["skipped"]]
    rehearsed = figure(
        "Rehearsal of the teleprompter's own recording: each paragraph's time against the truth",
        "each within 10 %; ¶3 skipped",
        ", ".join(f"{e:.1%}" for e in errors) + f"; skipped: {', '.join(f'¶{i + 1}' for i in skipped)}",
        met=max(errors) <= 0.10 and skipped == [2],
        note="`fondly rehearse DRAFT TAKE --json` on the take the teleprompter recorded from the "
        "virtual microphone while following the reading above.",
    )
    assert met and rehearsed and fraction >= 0.7, (lag, errors, skipped, fraction)
