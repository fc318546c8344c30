"""`fondly rehearse` on a real reading: espeak-ng reads a five-paragraph draft, one paragraph
skipped, with known silences between; the bundled tiny.en hears it with word timestamps.

The truth of a paragraph's time is measured the way the report defines it: from the start of its
first word to the end of its last. espeak-ng pads each WAV with silence, so the truth is the span
of each paragraph's WAV whose 10 ms frames are louder than 1 % of full scale (first loud frame to
last). The report must give each spoken paragraph within 10 % of that and the skipped one as
skipped."""

from __future__ import annotations

import array
import json
import subprocess
import wave
from pathlib import Path

import pytest

PARAGRAPHS = [
    (
        "Thank you all for coming here today. My name is Anna, and I am the oldest daughter of Walter Green. "
        "My father was a quiet man with a loud laugh. He liked long walks, strong coffee, and old films. "
        "He would want us to smile today, so I will try to help with that, and I hope you will help me too."
    ),
    (
        "Dad grew up on a small farm near the river. He was the youngest of six children, and he learned to "
        "work hard before he learned to read. Every morning he fed the chickens and milked the cows. He often "
        "said that the farm taught him patience, and that the cows taught him to get up early whether he liked it."
    ),
    (
        "When we were young, he took us camping by the lake every summer. He burned the sausages every single "
        "year, and every year he said it was on purpose. At night he told us stories about the stars, and most "
        "of them were made up. We believed every word, and some of us still do, if we are honest."
    ),
    (
        "He taught me to drive in his old blue truck. The door never closed properly, and the radio only played "
        "one station. He never raised his voice, not even when I drove into the garden fence. He just said, "
        "well, now we know where the fence is, and then he went to find his tools and fixed it himself."
    ),
    (
        "Dad, we will miss your laugh and your terrible jokes. We will keep telling them, badly, the way you "
        "did. Thank you for the walks, the stories, and the patience. Thank you for teaching us to be kind. "
        "We love you, and we will carry you with us every single day. Goodbye, Dad, and thank you for everything."
    ),
]
SKIPPED = 2
SILENCE_AFTER = {0: 1.5, 1: 3.0, 3: 2.5}  # seconds of silence added after each spoken paragraph
LEAD_IN = 1.0


def _speech_span(frames: bytes, rate: int) -> tuple[float, float]:
    """First and last 10 ms frame louder than 1 % of full scale, in seconds."""
    samples = array.array("h", frames)
    step = rate // 100
    loud = [i for i in range(0, len(samples), step) if max(map(abs, samples[i : i + step]), default=0) > 328]
    return loud[0] / rate, (loud[-1] + step) / rate


@pytest.fixture(scope="module")
def reading(tmp_path_factory):
    """The recording, and each spoken paragraph's true (start, end) in it."""
    folder = tmp_path_factory.mktemp("rehearsal")
    out = folder / "reading.wav"
    truth: dict[int, tuple[float, float]] = {}
    chunks: list[bytes] = []
    rate = None
    t = 0.0
    for i, text in enumerate(PARAGRAPHS):
        if i == SKIPPED:
            continue
        wav = folder / f"p{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        with wave.open(str(wav)) as w:
            rate = w.getframerate()
            assert w.getnchannels() == 1 and w.getsampwidth() == 2
            frames = w.readframes(w.getnframes())
        if not chunks:
            chunks.append(b"\0\0" * int(LEAD_IN * rate))
            t = LEAD_IN
        start, end = _speech_span(frames, rate)
        truth[i] = (t + start, t + end)
        chunks.append(frames)
        t += len(frames) / 2 / rate
        if i in SILENCE_AFTER:
            chunks.append(b"\0\0" * int(SILENCE_AFTER[i] * rate))
            t += SILENCE_AFTER[i]
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(chunks))
    return out, truth


@pytest.fixture
def draft_id(store):
    project = store.create_project("Dad", subject="Walter", pace=150)
    draft, _ = store.create_draft(
        project.id, "Eulogy", "\n\n".join(PARAGRAPHS), origin="imported", brief={"minutes": 2}
    )
    return draft.id


def test_rehearse_times_each_paragraph_and_finds_the_skipped_one(fondly, store, draft_id, reading, fondly_home):
    wav, truth = reading
    proc = fondly("rehearse", draft_id, wav, "--json")
    report = json.loads(proc.stdout)
    assert report["target_seconds"] == 120
    pars = report["paragraphs"]
    assert [p["index"] for p in pars] == list(range(len(PARAGRAPHS)))
    errors = {}
    for p in pars:
        assert set(p) >= {"index", "seconds", "skipped", "words_per_minute"}
        if p["index"] == SKIPPED:
            assert p["skipped"] is True and p["seconds"] is None
            continue
        true_start, true_end = truth[p["index"]]
        true_seconds = true_end - true_start
        assert p["skipped"] is False
        errors[p["index"]] = round(100 * (p["seconds"] - true_seconds) / true_seconds, 1)
        assert abs(p["seconds"] - true_seconds) <= 0.10 * true_seconds, (p, true_seconds)
        assert 110 <= p["words_per_minute"] <= 200  # espeak reads at 150
    print("per-paragraph error %:", errors, [(p["start"], p["end"], truth.get(p["index"])) for p in pars])
    true_total = truth[max(truth)][1] - truth[min(truth)][0]
    assert abs(report["total_seconds"] - true_total) <= 0.10 * true_total
    # the long silences are marked where they fall: between the paragraphs each follows
    long_pauses = [pause for pause in report["pauses"] if pause["seconds"] >= 2.0]
    assert len(long_pauses) >= 2
    for pause in long_pauses:
        assert pause["between_paragraphs"] is True
        assert any(abs(pause["at"] - truth[i][1]) < 1.0 for i in (1, 3)), pause
    # the rehearsal is kept, with its audio in the data folder
    stored = store.rehearsals(draft_id)
    assert len(stored) == 1 and stored[0].report["paragraphs"][SKIPPED]["skipped"]
    kept = Path(stored[0].audio_path)
    assert kept.parent == fondly_home / "audio" and kept.read_bytes() == wav.read_bytes()
    shown = fondly("draft", "show", draft_id)
    assert "Rehearsed 1 time; the last took 1:" in shown.stderr
    assert json.loads(fondly("draft", "show", draft_id, "--json").stdout)["rehearsals"][0]["id"] == stored[0].id
    listed = json.loads(fondly("rehearsals", draft_id, "--json").stdout)
    assert [r["id"] for r in listed] == [stored[0].id]
    assert f"{stored[0].id}\t" in fondly("rehearse", "--list", draft_id).stdout


def test_rehearse_text_report_says_skipped(fondly, draft_id, reading):
    wav, _ = reading
    out = fondly("rehearse", draft_id, wav).stdout
    assert f"¶{SKIPPED + 1} “When we were young" in out and ": skipped" in out
    assert "Pause of" in out and "target 2:00" in out


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.wav", None, "There is no file"),
        ("notes.txt", b"just some words", "not a recording"),
        ("broken.wav", b"RIFF\0\0\0\0WAVEjunk" * 10, "."),
    ],
)
def test_a_bad_recording_is_one_message_and_nothing_is_kept(
    fondly, store, draft_id, tmp_path, name, content, message, fondly_home
):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = store.counts()
    proc = fondly("rehearse", draft_id, path, ok=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("fondly: error: ") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert store.rehearsals(draft_id) == [] and store.counts() == before
    assert not list((fondly_home / "audio").glob("rehearsal-*")) if (fondly_home / "audio").exists() else True


def test_rehearse_an_unknown_draft(fondly, reading):
    proc = fondly("rehearse", "99", reading[0], ok=False)
    assert proc.returncode == 1 and "There is no draft 99" in proc.stderr


def test_report_from_hand_made_words_marks_changes_and_pauses():
    from app.rehearsal import report

    text = "One two three four five six.\n\nSeven eight nine ten eleven twelve."
    words = [(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(["one", "two", "three", "four", "five", "six"])]
    adlib = [
        "seven",
        "and",
        "he",
        "would",
        "have",
        "laughed",
        "at",
        "all",
        "of",
        "this",
        "today",
        "twelve",
    ]  # eight...eleven not said
    words += [(w, 6 + i * 0.5, 6.4 + i * 0.5) for i, w in enumerate(adlib)]
    rep = report(text, words, target=10, target_from="brief minutes")
    assert [p.skipped for p in rep.paragraphs] == [False, False]
    assert rep.paragraphs[0].seconds == pytest.approx(2.9)
    assert rep.pauses and rep.pauses[0]["seconds"] == pytest.approx(3.1) and rep.pauses[0]["between_paragraphs"]
    assert {"paragraph": 1, "kind": "left out", "text": "eight nine ten eleven"} in rep.changed
    assert any(c["kind"] == "added" and "would have laughed" in c["text"] for c in rep.changed)


def test_a_rehearsal_whose_audio_cannot_be_kept_is_not_stored(store, draft_id):
    from app.errors import FondlyError

    rev = store.draft(draft_id).current_revision_id

    def fail(rehearsal_id):
        raise FondlyError("disk full")

    with pytest.raises(FondlyError, match="disk full"):
        store.add_rehearsal(draft_id, rev, 10.0, {"paragraphs": []}, keep_audio=fail)
    assert store.rehearsals(draft_id) == []


def test_a_restore_elsewhere_moves_rehearsal_audio_too(store, draft_id, tmp_path):
    rev = store.draft(draft_id).current_revision_id
    r = store.add_rehearsal(draft_id, rev, 10.0, {}, keep_audio=lambda i: tmp_path / "old" / f"rehearsal-{i}.wav")
    assert store.move_audio(tmp_path / "old", tmp_path / "new") == 1
    assert store.rehearsal(r.id).audio_path == str(tmp_path / "new" / f"rehearsal-{r.id}.wav")


def test_the_target_is_the_briefs_minutes_or_words_or_the_drafts_length():
    from app.rehearsal import target_seconds
    from app.store import Draft

    text = " ".join(["word"] * 300)
    assert target_seconds(Draft(1, 1, "t", "speech", brief={"minutes": 3.5}), text, 150) == (210, "brief minutes")
    assert target_seconds(Draft(1, 1, "t", "speech", brief={"words": 450, "target_words": 450}), text, 150) == (
        180,
        "brief words",
    )
    # a length nobody asked for (the occasion's default) is not the target: the draft's length is
    assert target_seconds(Draft(1, 1, "t", "speech", brief={"target_words": 600}), text, 150) == (120, "draft length")
    assert target_seconds(Draft(1, 1, "t", "speech"), text, 150) == (120, "draft length")


@pytest.fixture(scope="module")
def heard(reading):
    """The reading as tiny.en hears it, word by word with times (as the live transcript would)."""
    from app.rehearsal import timed_words
    from speech import audio
    from speech.transcriber import Transcriber

    return timed_words(Transcriber(threads=2).transcribe(audio.decode(reading[0]), ["Walter"], words=True))


def test_the_follower_keeps_up_with_the_real_reading_and_finds_the_skipped_paragraph(heard, reading):
    """What the teleprompter needs of app.alignment.Follower, on the words Whisper really heard:
    after each word, its place is within two words of the word just said (as the whole-recording
    alignment places it) nearly always, and after the skipped paragraph it is in the next one
    within 3 s of that paragraph's first word."""
    from app.alignment import Follower, align, script_words

    text = "\n\n".join(PARAGRAPHS)
    a = align(text, heard)
    truth_of = {j: i for i, j in enumerate(a.source) if j is not None}
    f = Follower(text)
    first_of_next = next(w.index for w in script_words(text) if w.paragraph == SKIPPED + 1)
    next_starts = reading[1][SKIPPED + 1][0]
    close = counted = 0
    found_at = None
    for j, (word, start, end) in enumerate(heard):
        pos = f.hear([word])
        if found_at is None and pos is not None and pos >= first_of_next:
            found_at = end
        if j in truth_of:
            counted += 1
            close += pos is not None and abs(pos - truth_of[j]) <= 2
    share = close / counted
    print(
        f"follower within 2 words: {share:.1%} of {counted}; found paragraph {SKIPPED + 2} "
        f"{found_at - next_starts:.1f} s after it began"
    )
    assert share >= 0.95
    assert found_at is not None and found_at - next_starts <= 3.0


def test_an_adlib_and_a_repeated_phrase_are_reported_and_do_not_spoil_the_times(fondly, store, draft_id, tmp_path):
    """All five paragraphs read, the second with a sentence of its own added, the fourth with a
    phrase said twice: every time within 10 %, nothing skipped, both additions reported in their
    paragraphs."""
    parts = list(PARAGRAPHS)
    parts[1] = parts[1].replace(
        "Every morning", "I am sorry, I always get emotional at this part of the story. Every morning"
    )
    parts[3] = parts[3].replace("He never raised his voice,", "He never raised his voice, he never raised his voice,")
    chunks, truth, rate = [], {}, 22050
    for i, text in enumerate(parts):
        wav = tmp_path / f"a{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        with wave.open(str(wav)) as w:
            rate, frames = w.getframerate(), w.readframes(w.getnframes())
        start, end = _speech_span(frames, rate)
        truth[i] = end - start
        chunks += [frames, b"\0\0" * int(2.5 * rate)]
    out = tmp_path / "adlib.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(chunks))
    report = json.loads(fondly("rehearse", draft_id, out, "--json").stdout)
    for p in report["paragraphs"]:
        assert not p["skipped"]
        assert abs(p["seconds"] - truth[p["index"]]) <= 0.10 * truth[p["index"]], (p, truth[p["index"]])
    added = [c for c in report["changed"] if c["kind"] == "added"]
    assert any(c["paragraph"] == 1 and "emotional" in c["text"] for c in added), report["changed"]
    assert any(c["paragraph"] == 3 and "raised his voice" in c["text"] for c in added), report["changed"]
