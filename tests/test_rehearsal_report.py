"""Reports that don't invent (issue 25, point 6): words "heard" where the recording has no voice
are neither added nor read, and a paragraph not read is "skipped", never "0 s".

A real recording: espeak-ng reads three of the four paragraphs, then 18 s of silence (digital
zeros, or low room noise) with the last paragraph unread; the bundled tiny.en transcribes it
through app.rehearsal.rehearse. tiny.en with its VAD filter does not invent words on this
silence, so the rule is also tried on the same real audio with Whisper's best-known invention
added to its transcript, timed inside the silence (as faster-whisper times a hallucination in
the padding after the last piece of speech): without the rule the report says "Added (¶3): she
was my…" and reads ¶4 "Goodbye, my gran." in under a second.
"""

from __future__ import annotations

import subprocess
import wave

import numpy as np
import pytest
from PySide6.QtCore import Qt

from speech.transcriber import Segment, Word

PARAGRAPHS = [
    (
        "Thank you all for coming today. My gran Margaret was the kindest person I have ever known, and she "
        "laughed at her own jokes before she finished them."
    ),
    "She grew up by the sea, and every morning she walked the dog along the harbour wall, whatever the weather.",
    "She taught me to bake bread, to play cards, and never to leave a cup of tea to go cold.",
    "Goodbye, my gran.",
]
READ = 3  # the first three are read; the last is not
TAIL = 18.0  # seconds of silence after the reading
RATE = 16_000
LOOP = ["she", "was", "my", "gran", "she", "was", "my", "gran", "she", "was"]


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> tuple[np.ndarray, float, float]:
    """The reading as 16 kHz samples (half a second's lead-in, a second after each paragraph),
    and where its voice truly begins and ends (first and last sample above 1 % of full scale)."""
    from speech import audio

    folder = tmp_path_factory.mktemp("voice")
    parts = [np.zeros(RATE // 2, np.float32)]
    for i, text in enumerate(PARAGRAPHS[:READ]):
        wav = folder / f"p{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-gb", "-s", "150", "-w", str(wav), text], check=True, timeout=60)
        parts += [audio.decode(wav), np.zeros(RATE, np.float32)]
    samples = np.concatenate(parts)
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    return samples, loud[0] / RATE, loud[-1] / RATE


def write(path, samples: np.ndarray):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


TAILS = {
    "digital silence": lambda n: np.zeros(n, np.float32),
    "low room noise": lambda n: (
        np.random.default_rng(7).normal(0, 0.003, n)  # about -50 dBFS, and a hum
        + 0.004 * np.sin(2 * np.pi * 50 * np.arange(n) / RATE)
    ).astype(np.float32),
}


@pytest.fixture(scope="module", params=list(TAILS))
def recording(request, speech, tmp_path_factory):
    samples, _start, end = speech
    tail = TAILS[request.param](int(TAIL * RATE))
    path = write(tmp_path_factory.mktemp("take") / "reading.wav", np.concatenate([samples, tail]))
    return path, end


@pytest.fixture
def draft_id(store):
    project = store.create_project("Gran", subject="Margaret", pace=150)
    draft, _ = store.create_draft(project.id, "For Gran", "\n\n".join(PARAGRAPHS), origin="imported")
    return draft.id


class Inventing:
    """The real tiny.en, with Whisper's invention in silence added after what it really heard:
    `words` [(word, start, end)] as one more segment, as faster-whisper yields one."""

    def __init__(self, real, words):
        self.real, self.words = real, words

    def transcribe(self, samples, hotwords=(), cancel=None, words=False):
        yield from self.real.transcribe(samples, hotwords, cancel=cancel, words=words)
        yield Segment(
            self.words[0][1],
            self.words[-1][2],
            " ".join(w for w, _s, _e in self.words),
            0.4,
            0.7,
            -0.9,
            1.6,
            [Word(w, s, e, 0.5) for w, s, e in self.words],
        )


def loop_at(start: float, step: float = 0.45):
    return [(w, round(start + k * step, 2), round(start + k * step + 0.4, 2)) for k, w in enumerate(LOOP)]


def check_honest(rep, speech_end: float) -> None:
    """Nothing counted from the silence; the unread paragraph skipped, with no time and no pace."""
    last = rep.paragraphs[-1]
    assert last.skipped and last.seconds is None and last.words_per_minute is None and last.start is None
    assert [p.skipped for p in rep.paragraphs[:READ]] == [False] * READ
    assert not [c for c in rep.changed if c["kind"] == "added" and c.get("at", 0) > speech_end - 0.5], rep.changed
    assert not any("gran she was" in c["text"] for c in rep.changed)
    assert all(p["at"] < speech_end for p in rep.pauses), rep.pauses
    assert all(p.end is None or p.end <= speech_end + 0.5 for p in rep.paragraphs)
    assert rep.total_seconds <= speech_end + 0.5


def test_the_real_reading_then_silence(store, draft_id, recording, transcriber):
    """The whole pipeline on the real recording: every word Whisper heard is in the voice (none
    dropped), nothing is reported from the silence, ¶4 is skipped."""
    from app.rehearsal import rehearse

    path, speech_end = recording
    rehearsal, rep = rehearse(store, draft_id, path, lambda: transcriber)
    check_honest(rep, speech_end)
    assert rep.unvoiced == []  # the voice check took none of the real words away
    assert rep.recording_seconds > speech_end + TAIL - 1
    assert rehearsal.report["paragraphs"][-1]["skipped"] is True


def test_words_invented_in_the_silence_are_not_counted(store, draft_id, recording, transcriber):
    """The same real audio, with "she was my gran she was my gran she was" heard 3 s into the
    silence: not added, ¶4 not read by its "my gran", no pause before it, the total not stretched
    to it; the report says once what it left out and where."""
    from app.rehearsal import rehearse, summary_lines

    path, speech_end = recording
    invented = loop_at(speech_end + 3.0)
    _rehearsal, rep = rehearse(store, draft_id, path, lambda: Inventing(transcriber, invented))
    check_honest(rep, speech_end)
    assert [u["text"] for u in rep.unvoiced] == [" ".join(LOOP)]
    assert rep.unvoiced[0]["at"] == invented[0][1]
    lines = summary_lines(rep.to_dict())
    assert any(line.startswith("¶4 “Goodbye my gran…”: skipped") for line in lines), lines
    assert not any(line.startswith("Added") for line in lines), lines
    assert any("Not counted" in line and "she was my gran" in line for line in lines)


def test_without_the_audio_the_same_words_would_be_invented(speech):
    """The rule is what makes the difference: the report builder given the same words with no
    voiced spans reports the loop as added and ¶4 as read; given the audio's spans, it does not."""
    from app.rehearsal import report
    from speech.voice import voiced_spans

    samples, start, end = speech
    audio = np.concatenate([samples, np.zeros(int(TAIL * RATE), np.float32)])
    said = " ".join(PARAGRAPHS[:READ]).split()
    step = (end - start) / len(said)
    words = [(w, start + k * step, start + k * step + 0.3) for k, w in enumerate(said)] + loop_at(end + 3.0)
    text = "\n\n".join(PARAGRAPHS)
    fooled = report(text, words)
    assert any(c["kind"] == "added" and "she was" in c["text"] for c in fooled.changed)
    assert not fooled.paragraphs[-1].skipped  # "my gran" read it, in no time at all
    assert fooled.total_seconds > end + 5 - start
    spans = voiced_spans(audio)
    assert spans and spans[-1][1] < end + 0.5  # no voice in the silence
    honest = report(text, words, voiced=spans)
    assert not any(c["kind"] == "added" for c in honest.changed), honest.changed
    assert honest.paragraphs[-1].skipped and honest.total_seconds < end - start + 0.5
    assert honest.unvoiced[-1]["text"] == " ".join(LOOP)


def test_voiced_spans_cover_the_reading_and_not_the_silence(speech):
    """Silero (and, without it, the energy gate) finds the voice where espeak spoke, to within a
    third of a second, and none in the silence or the noise after it."""
    from speech.voice import energy_spans, voiced_spans

    samples, start, end = speech
    for name, tail in TAILS.items():
        audio = np.concatenate([samples, tail(int(TAIL * RATE))])
        for found in (voiced_spans(audio), energy_spans(audio)):
            assert found[0][0] <= start + 0.1 and start - 0.5 <= found[0][0], (name, found)
            assert end - 0.1 <= found[-1][1] <= end + 0.5, (name, found)


def test_the_energy_gate_stands_in_when_the_vad_cannot_run(speech, monkeypatch):
    from faster_whisper import vad

    from speech.voice import voiced_spans

    samples, _start, end = speech
    audio = np.concatenate([samples, np.zeros(int(TAIL * RATE), np.float32)])

    def no_onnx(*_a, **_k):
        raise RuntimeError("Applying the VAD filter requires the onnxruntime package")

    monkeypatch.setattr(vad, "get_speech_timestamps", no_onnx)
    spans = voiced_spans(audio)
    assert spans and spans[-1][1] <= end + 0.5


def test_a_loop_that_runs_on_into_the_silence_goes_whole():
    """A loop begun on the last real words and run on past the voice loses all its repeats; a
    phrase really said twice, or said over and over in voice, is kept; a lone word out of voice
    goes."""
    from app.rehearsal import in_voice

    voiced = [(0.0, 3.0)]
    loop = [(w, 1.0 + k * 0.4, 1.3 + k * 0.4) for k, w in enumerate(LOOP)]  # 1.0-4.9 s: half in voice
    kept, dropped = in_voice(loop, voiced)
    assert [w for w, _s, _e in kept] == LOOP[:4] and dropped[0]["text"] == " ".join(LOOP[4:])
    said = ["he", "never", "raised", "his", "voice", "he", "never", "raised", "his", "voice"]
    twice = [(w, k * 0.3, k * 0.3 + 0.25) for k, w in enumerate(said)] + [("fence.", 3.5, 3.9)]
    kept, dropped = in_voice(twice, voiced)
    assert [w for w, _s, _e in kept] == said and dropped == [{"at": 3.5, "until": 3.9, "text": "fence."}]
    chant = [(w, k * 0.25, k * 0.25 + 0.2) for k, w in enumerate(["thank", "you", "thank", "you", "thank", "you"])]
    assert in_voice(chant, voiced) == (chant, [])


def test_one_word_of_a_paragraph_is_not_a_reading_and_a_short_one_has_no_pace():
    from app.rehearsal import report

    text = "One two three four five six seven.\n\nGoodbye, my gran.\n\nThank you."
    words = [(w, k * 0.4, k * 0.4 + 0.3) for k, w in enumerate(["one", "two", "three", "four", "five", "six", "seven"])]
    rep = report(text, words + [("gran", 5.0, 5.3), ("thank", 6.0, 6.3), ("you", 6.3, 6.6)])
    first, gran, thanks = rep.paragraphs
    assert first.words_per_minute and not first.skipped
    assert gran.skipped and gran.seconds is None  # one word of three
    assert not thanks.skipped and thanks.seconds == pytest.approx(0.6) and thanks.words_per_minute is None


def test_the_report_window_says_skipped_and_what_it_did_not_count(qtbot, store, draft_id, tmp_path):
    from app.rehearsal import report
    from app.ui.rehearsal_report import RehearsalReport, paragraph_rows

    text = "\n\n".join(PARAGRAPHS)
    words = [(w, 0.5 + k * 0.4, 0.8 + k * 0.4) for k, w in enumerate(" ".join(PARAGRAPHS[:READ]).split())]
    rep = report(text, words + loop_at(40.0), voiced=[(0.0, 30.0)])
    rev = store.draft(draft_id).current_revision_id
    rehearsal = store.add_rehearsal(draft_id, rev, 50.0, rep.to_dict())
    view = RehearsalReport(rehearsal, "For Gran")
    qtbot.addWidget(view)
    view.show()
    rows = view.rows()
    assert rows[-1][0] == "¶4" and rows[-1][2] == "skipped" and rows[-1][3] == ""
    assert all(r[2] != "0 s" for r in rows)
    assert view.unvoiced.isVisible() and "she was my gran" in view.unvoiced.text() and "0:40" in view.unvoiced.text()
    changed = [view.changed[1].item(k).text() for k in range(view.changed[1].count())]
    assert not any("Added" in line for line in changed), changed
    # a report stored before this rule, with a paragraph "read" in no time: never "0 s"
    old = {
        "paragraphs": [
            {"index": 0, "opening": "Goodbye my gran", "skipped": False, "seconds": 0.3, "words_per_minute": 400},
            {"index": 1, "opening": "x", "skipped": False, "seconds": None},
        ]
    }
    assert [r[2] for r in paragraph_rows(old)] == ["under 1 s", "skipped"]
    quiet = RehearsalReport(store.add_rehearsal(draft_id, rev, 5.0, report(text, words).to_dict()), "For Gran")
    qtbot.addWidget(quiet)
    assert not quiet.unvoiced.isVisibleTo(quiet)
    from PySide6.QtWidgets import QDialogButtonBox

    qtbot.mouseClick(view.buttons.button(QDialogButtonBox.StandardButton.Close), Qt.MouseButton.LeftButton)
    assert not view.isVisible()  # a way out in the window itself, not only the title bar's


def test_a_recording_with_no_voice_is_refused_even_when_words_are_heard(store, draft_id, tmp_path, transcriber):
    """Only silence, and the speech model writes a loop into it: no rehearsal of invented words,
    one message, nothing kept."""
    from app.errors import FondlyError
    from app.rehearsal import rehearse

    path = write(tmp_path / "silence.wav", TAILS["low room noise"](int(TAIL * RATE)))
    with pytest.raises(FondlyError, match="No speech was heard in silence.wav"):
        rehearse(store, draft_id, path, lambda: Inventing(transcriber, loop_at(3.0)))
    assert store.rehearsals(draft_id) == []
