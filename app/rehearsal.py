"""A rehearsal: the speech read aloud, recorded, and what the reading says about the speech.

The recording is transcribed with word timestamps and aligned to the revision it read
(app/alignment.py). The report gives the total time against the target, each paragraph's time and
pace, the paragraphs skipped, the passages left out or added, and the long pauses — marked where
they fall and never judged: a pause is often where the feeling lands. Only words heard where the
recording has a voice count (`in_voice`): Whisper invents text in silence, and a report built on
it would say the speaker added a passage while nobody spoke. Qt-free; the CLI and the app
share it. The audio is kept in the data folder beside the memories', so a rehearsal can be heard
again and a backup carries it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app import speaking
from app.alignment import Alignment, align, heard_words, normalise, paragraphs
from app.errors import FondlyError
from app.paths import audio_dir, copy_private
from app.store import Draft, Rehearsal, Store

LONG_PAUSE = 2.0  # seconds of silence between two words that the report marks
SKIPPED_BELOW = 0.3  # a paragraph of which fewer of the words were heard was skipped
CHANGED_RUN = 3  # consecutive words left out (or added) that make a passage changed, not a slip
MIN_READ = 2  # a paragraph of two words or more of which fewer were heard was skipped
PACE_WORDS = 5  # a pace from fewer words heard is noise, not a pace
VOICED = 0.5  # a word at least this much in the recording's voiced spans was said (speech.voice)


@dataclass
class ParagraphTime:
    """One paragraph of the draft as it was read. `seconds` runs from the start of its first
    word heard to the end of its last (None when skipped), so pauses between paragraphs belong
    to neither; `start` is that first word's time in the recording."""

    index: int
    seconds: float | None
    skipped: bool
    words_per_minute: int | None
    words: int
    words_heard: int
    start: float | None
    end: float | None
    opening: str  # its first words, to recognise it by

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    total_seconds: float  # first word heard to last word heard
    target_seconds: int | None
    target_from: str  # where the target came from: "brief minutes", "brief words", "draft length"
    recording_seconds: float
    paragraphs: list[ParagraphTime]
    pauses: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    words_heard: int = 0
    unvoiced: list[dict[str, Any]] = field(default_factory=list)  # words Whisper wrote where no voice is

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "paragraphs": [p.to_dict() for p in self.paragraphs]}


def target_seconds(draft: Draft, text: str, pace: int) -> tuple[int, str]:
    """The time the speech should take: the minutes the Brief asked for, else the words it asked
    for at the speaker's pace, else the draft's own length at that pace — as the teleprompter's
    clock says (app.delivery). Not the Brief's `target_words`: with no length asked, that is the
    occasion's default, which the person never chose."""
    brief = draft.brief or {}
    if brief.get("minutes"):
        return round(float(brief["minutes"]) * 60), "brief minutes"
    if brief.get("words"):
        return speaking.speaking_seconds(int(brief["words"]), pace), "brief words"
    return speaking.speaking_seconds(speaking.word_count(text), pace), "draft length"


def report(
    text: str,
    timed_words: Sequence[tuple[str, float, float]],
    *,
    target: int | None = None,
    target_from: str = "",
    recording_seconds: float = 0.0,
    voiced: Sequence[tuple[float, float]] | None = None,
) -> Report:
    """The report of one reading of `text`, from the words heard with their times. `voiced` is
    where the recording has a voice (speech.voice.voiced_spans); words heard elsewhere are left
    out of everything — read, added, times, pauses — and listed as `unvoiced` (see `in_voice`).
    None: no audio to ask, every word counts.

    A paragraph is skipped when under SKIPPED_BELOW of its words were heard, or a single word of
    a longer one (one "gran" is not a reading of "Gran, we will miss you"): its time and pace are
    None, never a "0 s". A pace needs PACE_WORDS words heard."""
    unvoiced: list[dict[str, Any]] = []
    if voiced is not None:
        timed_words, unvoiced = in_voice(timed_words, voiced)
    a = align(text, timed_words)
    spans = paragraphs(text)
    by_par: dict[int, list[int]] = {}
    for w in a.words:
        by_par.setdefault(w.paragraph, []).append(w.index)
    out: list[ParagraphTime] = []
    for p in range(len(spans)):
        idx = by_par.get(p, [])
        said = [t for i in idx if (t := a.times[i]) is not None]
        skipped = not idx or len(said) < SKIPPED_BELOW * len(idx) or len(said) < min(MIN_READ, len(idx))
        opening = " ".join(a.words[i].text for i in idx[:6])
        if skipped:
            out.append(ParagraphTime(p, None, True, None, len(idx), len(said), None, None, opening))
            continue
        start, end = min(t[0] for t in said), max(t[1] for t in said)
        seconds = round(end - start, 2)
        wpm = round(len(said) * 60 / seconds) if seconds > 0 and len(said) >= PACE_WORDS else None
        out.append(ParagraphTime(p, seconds, False, wpm, len(idx), len(said), round(start, 2), round(end, 2), opening))
    heard = a.heard
    total = round(heard[-1][2] - heard[0][1], 2) if heard else 0.0
    return Report(
        total, target, target_from, round(recording_seconds, 2), out, _pauses(a), _changed(a, out), len(heard), unvoiced
    )


def in_voice(
    words: Sequence[tuple[str, float, float]], voiced: Sequence[tuple[float, float]]
) -> tuple[list[tuple[str, float, float]], list[dict[str, Any]]]:
    """The words heard where the recording has a voice, and the rest as passages
    ({"at", "until", "text"}) for the report to say it did not count them.

    Why: Whisper writes words where nobody spoke — in silence, in room noise, in the padding
    after the last piece of speech, timed back into the silence after it (issue 25: "Added (¶4):
    'she was my gran she was my gran she was'", heard during 18.8 s of silence). Counted, such
    words are a passage "added", a skipped paragraph "read" in no time, a total and a pause that
    never were. The audio says where a voice is (speech.voice): a word less than VOICED of whose
    time lies there was not said. A loop — a phrase repeated two and a half times or more in a
    row, Whisper's signature when it invents — stands or falls as one: if any word of its repeats
    is out of the voice, all its repeats go, so a loop that began on the last real words and ran
    on into the noise leaves only what was said once. A phrase really said twice is no loop, and
    one said over and over in voice is kept."""
    shares = [_share(voiced, start, end) for _w, start, end in words]
    out_of_voice = {k for k, share in enumerate(shares) if share < VOICED}
    for repeats in _loops([" ".join(normalise(p) for p in heard_words(w)) for w, _s, _e in words]):
        if out_of_voice & set(repeats):
            out_of_voice.update(repeats)
    kept = [w for k, w in enumerate(words) if k not in out_of_voice]
    dropped: list[dict[str, Any]] = []
    for k in sorted(out_of_voice):
        word, start, end = words[k]
        if dropped and k - 1 in out_of_voice:
            dropped[-1]["until"] = round(end, 2)
            dropped[-1]["text"] += f" {word}"
        else:
            dropped.append({"at": round(start, 2), "until": round(end, 2), "text": word})
    return kept, dropped


def _share(voiced: Sequence[tuple[float, float]], start: float, end: float) -> float:
    from speech.voice import voiced_share

    return voiced_share(voiced, start, end)


def _loops(keys: Sequence[str], longest: int = 8) -> list[range]:
    """The repeats (every word after the phrase's first saying) of each loop in `keys`: a phrase
    of 2..`longest` words said again and again, at least two and a half times in all ("she was my
    gran she was my gran she was")."""
    out: list[range] = []
    i = 0
    while i < len(keys):
        best = None
        for p in range(2, longest + 1):
            run = 0
            while i + p + run < len(keys) and keys[i + run] and keys[i + run] == keys[i + p + run]:
                run += 1
            if p + run >= 2 * p + (p + 1) // 2 and (best is None or run > best[1]):
                best = (p, run)
        if best is None:
            i += 1
            continue
        p, run = best
        out.append(range(i + p, i + p + run))
        i += p + run
    return out


def _pauses(a: Alignment) -> list[dict[str, Any]]:
    """Silences of LONG_PAUSE or more between two heard words, with the words either side and the
    paragraph they fall in (or between)."""
    said_at = {j: a.words[i] for i, j in enumerate(a.source) if j is not None}  # heard index -> script word
    out = []
    for k in range(1, len(a.heard)):
        gap = a.heard[k][1] - a.heard[k - 1][2]
        if gap < LONG_PAUSE:
            continue
        before, after = said_at.get(k - 1), said_at.get(k)
        out.append(
            {
                "at": round(a.heard[k - 1][2], 2),
                "seconds": round(gap, 2),
                "after": " ".join(h[0] for h in a.heard[max(0, k - 4) : k]),
                "before": " ".join(h[0] for h in a.heard[k : k + 4]),
                "paragraph": after.paragraph if after else (before.paragraph if before else None),
                "between_paragraphs": bool(before and after and before.paragraph != after.paragraph),
            }
        )
    return out


def _changed(a: Alignment, pars: list[ParagraphTime]) -> list[dict[str, Any]]:
    """Passages of a paragraph that was read but not as written: CHANGED_RUN or more of its
    words in a row not heard ("left out"), or as many heard words in a row that are not in the
    script ("added") — a skipped paragraph is reported as skipped, not here."""
    skipped = {p.index for p in pars if p.skipped}
    out: list[dict[str, Any]] = []
    run: list[int] = []
    for w in a.words + [None]:
        if (
            w is not None
            and a.times[w.index] is None
            and w.paragraph not in skipped
            and (not run or a.words[run[-1]].paragraph == w.paragraph)
        ):
            run.append(w.index)
            continue
        if len(run) >= CHANGED_RUN:
            out.append(
                {
                    "paragraph": a.words[run[0]].paragraph,
                    "kind": "left out",
                    "text": " ".join(a.words[i].text for i in run),
                }
            )
        run = [w.index] if w is not None and a.times[w.index] is None and w.paragraph not in skipped else []
    extra = sorted(a.extra)
    groups: list[list[int]] = []
    for j in extra:
        if groups and groups[-1][-1] == j - 1:
            groups[-1].append(j)
        else:
            groups.append([j])
    said_at = {j: a.words[i].paragraph for i, j in enumerate(a.source) if j is not None}
    for g in groups:
        if len(g) >= CHANGED_RUN:  # in the paragraph of the word said before it (or after)
            paragraph = said_at.get(g[0] - 1, said_at.get(g[-1] + 1))
            out.append(
                {
                    "paragraph": paragraph,
                    "kind": "added",
                    "at": round(a.heard[g[0]][1], 2),
                    "text": " ".join(a.heard[j][0] for j in g),
                }
            )
    return out


def longest_word(word: str) -> float:
    """The most time one word takes even said slowly: a little for the word, a little a letter."""
    return 0.2 + 0.07 * sum(c.isalnum() for c in word)


def timed_words(segments: Iterable) -> list[tuple[str, float, float]]:
    """(word, start, end) of every word Whisper heard, from segments transcribed with words=True.

    Whisper's word times come from its attention, which stretches the word on either side of a
    silence into it ("too." measured 21.37–22.85 s, said in 0.3 s of that): a paragraph would
    last a second longer and the pause after it be a second shorter. A word longer than it can
    be said (`longest_word`) is cut back from the silence's side: the side with a gap, or whose
    neighbour is stretched too (the two words either side of a silence meet in its middle), or the
    recording's start, or a sentence's end (the "He" that opens a paragraph after "hills." was
    timed from the end of "hills.", and the paragraph measured 7 % long); else its end.
    """
    raw = [(w.text.strip(), float(w.start), float(w.end)) for s in segments for w in (s.words or []) if w.text.strip()]

    def too_long(k: int) -> bool:
        return 0 <= k < len(raw) and raw[k][2] - raw[k][1] > longest_word(raw[k][0])

    out = []
    for k, (text, start, end) in enumerate(raw):
        if too_long(k):
            # the silence is where there is a gap, or where the neighbour is stretched too
            before = k == 0 or start - raw[k - 1][2] > 0.2 or too_long(k - 1) or raw[k - 1][0][-1] in ".!?"
            after = k == len(raw) - 1 or raw[k + 1][1] - end > 0.2 or too_long(k + 1) or text[-1] in ".!?"
            if before and not after:
                start = end - longest_word(text)
            else:
                end = start + longest_word(text)
        out.append((text, round(start, 3), round(end, 3)))
    return out


def rehearse(
    store: Store,
    draft_id: int,
    audio_path: str | Path,
    transcriber: Callable[[], Any],
    cancel=None,
    revision_id: int | None = None,
) -> tuple[Rehearsal, Report]:
    """Rehearse the draft's current revision (or `revision_id`: the one on screen when the app
    began recording, which autosave may have followed with another while the person read) from a
    recording: decode it (a file that is not audio is refused before the speech model loads),
    transcribe it with word times, keep the words said where the audio has a voice (`in_voice`),
    align and report, then store the rehearsal with a copy of its audio — all of it, or nothing."""
    from speech import audio as speech_audio
    from speech.voice import voiced_spans

    draft = store.draft(draft_id)
    path = Path(audio_path).expanduser()
    if not path.exists():
        raise FondlyError(f"There is no file at {path}. Check the name and try again.")
    if path.is_dir():
        raise FondlyError(f"{path} is a folder; choose the recording itself.")
    if not speech_audio.is_audio(path):
        kinds = ", ".join(speech_audio.AUDIO_EXTENSIONS)
        raise FondlyError(f"{path.name} is not a recording Fondly can read ({kinds}).")
    read = revision_id or draft.current_revision_id
    assert read is not None  # a draft is made with its first revision (Store.create_draft)
    revision = store.revision(read)
    if revision.draft_id != draft.id:
        raise FondlyError(f"Revision {revision.id} belongs to another draft.")
    if not revision.text.strip():
        raise FondlyError("This draft is empty; there is nothing to rehearse yet.")
    samples = speech_audio.decode(path)
    duration = speech_audio.duration(samples)
    project = store.project(draft.project_id)
    segments = list(transcriber().transcribe(samples, project.hotwords, cancel=cancel, words=True))
    heard = timed_words(segments)
    voiced = voiced_spans(samples)
    if not heard or not in_voice(heard, voiced)[0]:
        raise FondlyError(
            f"No speech was heard in {path.name}. Record yourself reading the speech aloud and try again."
        )
    target, source = target_seconds(draft, revision.text, project.pace)
    rep = report(revision.text, heard, target=target, target_from=source, recording_seconds=duration, voiced=voiced)

    def keep(rehearsal_id: int) -> Path:
        dest = audio_dir() / f"rehearsal-{rehearsal_id}{path.suffix.lower()}"
        tmp = dest.with_suffix(dest.suffix + ".part")
        try:
            copy_private(path, tmp)
            os.replace(tmp, dest)
        except OSError as e:
            Path(tmp).unlink(missing_ok=True)
            raise FondlyError(
                f"Fondly could not keep a copy of {path.name} in its data folder ({e.strerror})."
            ) from None
        return dest

    return store.add_rehearsal(draft.id, revision.id, duration, rep.to_dict(), keep_audio=keep), rep


# --- takes: a reading being recorded ----------------------------------------------------------------


@dataclass(frozen=True)
class Take:
    """A reading written to the data folder as it is recorded (app.listening.Listening), before it
    is timed: the draft and revision it reads and the process recording it are in its name, so a
    take cut off by a crash is timed against the text that was read, on the next start."""

    path: Path
    draft_id: int
    revision_id: int
    pid: int

    @property
    def started(self) -> datetime:
        return datetime.strptime("-".join(self.path.stem.split("-")[-2:]), "%Y%m%d-%H%M%S")


_TAKE = re.compile(r"rehearsal-take-(\d+)-(\d+)-(\d+)-\d{8}-\d{6}\.wav")


def new_take(draft_id: int, revision_id: int) -> Path:
    """Where a new reading of `revision_id` is to be written."""
    return audio_dir() / f"rehearsal-take-{draft_id}-{revision_id}-{os.getpid()}-{datetime.now():%Y%m%d-%H%M%S}.wav"


def left_takes() -> list[Take]:
    """Takes whose recording process is gone (a crash, a kill, a power cut), oldest first: each is
    a whole reading up to the cut, which the person would otherwise have to give again."""
    from app.paths import process_alive

    out = []
    for path in sorted(audio_dir().glob("rehearsal-take-*.wav")):
        m = _TAKE.fullmatch(path.name)
        if m is None:
            continue
        draft_id, revision_id, pid = map(int, m.groups())
        if pid != os.getpid() and process_alive(pid):
            continue  # another Fondly is recording it now
        out.append(Take(path, draft_id, revision_id, pid))
    return out


def paragraph_starts(report_dict: dict[str, Any]) -> dict[int, float]:
    """Elapsed time at the start of each paragraph read, from the first word heard: the timing
    marks of a delivery copy ("≈ 1:40")."""
    pars = [p for p in report_dict.get("paragraphs", []) if not p.get("skipped") and p.get("start") is not None]
    if not pars:
        return {}
    origin = min(p["start"] for p in pars)
    return {p["index"]: round(p["start"] - origin, 1) for p in pars}


def summary_lines(rep: dict[str, Any]) -> list[str]:
    """The report as a person reads it in a terminal."""
    clock = speaking.clock
    source = {
        "brief minutes": "the length asked for",
        "brief words": "the words asked for",
        "draft length": "the draft's length at your pace",
    }.get(rep.get("target_from", ""), "")
    lines = [
        f"Total {clock(rep['total_seconds'])}"
        + (f" (target {clock(rep['target_seconds'])}: {source})" if rep.get("target_seconds") else "")
    ]
    for p in rep["paragraphs"]:
        head = f"¶{p['index'] + 1} “{p['opening']}…”"
        if p["skipped"]:
            lines.append(f"{head}: skipped")
        else:
            pace = f", {p['words_per_minute']} words a minute" if p.get("words_per_minute") else ""
            lines.append(f"{head}: {clock(p['seconds'])} (from {clock(p['start'])}){pace}")
    for c in rep.get("changed", []):
        where = f"¶{c['paragraph'] + 1}" if c.get("paragraph") is not None else f"at {clock(c['at'])}"
        lines.append(f"{c['kind'].capitalize()} ({where}): {c['text']}")
    for pause in rep.get("pauses", []):
        lines.append(f"Pause of {pause['seconds']:.1f} s at {clock(pause['at'])}, after “{pause['after']}”")
    for u in rep.get("unvoiced", []):
        lines.append(f"Not counted, heard where the recording is silent ({clock(u['at'])}): {u['text']}")
    return lines
