"""Delivering a speech: what the teleprompter shows, and where the speaker is between two
pieces of the live transcript. Qt-free (app/ui/teleprompter.py draws it), so it is tested alone.

Where the speaker is comes from app.alignment.Follower, once per piece the live transcript hears.
A piece arrives a second or two after its words were said, so between pieces the place moves on
at the speaker's own measured rate (words per second of voice) — but only while the microphone
hears a voice, so a long pause holds the place still, and never further than a few seconds of
voice past the last word heard.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from app import alignment, speaking
from app.export import Speech

AHEAD_SECONDS = 8.0  # the most voice the place runs on past the last word heard (a busy machine hears late)
HOLD_WORDS = 10  # a place heard a little behind the view holds the view still, rather than pulling it back


@dataclass
class Script:
    """What is delivered: the draft's current revision (its "# Title" line taken off), its pace,
    and the time to aim for (the Brief's minutes if it asked for some, else the text at the pace)."""

    title: str
    text: str
    pace: int
    target_seconds: float
    hotwords: list[str]
    draft_id: int | None = None  # what a reading of it is a rehearsal of (None: not kept)
    revision_id: int | None = None


def script_for(store, draft_id: int) -> Script:
    draft = store.draft(draft_id)
    project = store.project(draft.project_id)
    speech = Speech(draft.title, store.current_text(draft_id), project.pace)
    minutes = (draft.brief or {}).get("minutes")
    words = speaking.word_count(speech.text)
    target = float(minutes) * 60 if minutes else float(speaking.speaking_seconds(words, project.pace))
    return Script(
        speech.title, speech.text, project.pace, target, list(project.hotwords), draft.id, draft.current_revision_id
    )


_warm = False


def warm_up() -> None:
    """Load the word lists the Follower consults (word frequencies, lemmas): half a second or more
    the first time. Run off the GUI thread before the microphone opens; otherwise the first piece
    heard holds the window that long, and the microphone's one-second buffer with it."""
    global _warm
    alignment.is_common("garden"), alignment.similarity("walked", "walking")
    _warm = True


def warmed() -> bool:
    return _warm


class VoicePace:
    """The place between heard pieces. Times are seconds into the listening (the microphone's clock).

    `level(t, loudness)` for every block the microphone reads; `heard(place, start, end)` for every
    piece the Follower placed; `estimate(now)` is the word the speaker is at now.
    """

    def __init__(self, pace: int) -> None:
        self.rate = pace / 60 / 0.8  # words per second of voice (speech is ~80 % voice), until measured
        self.anchor: tuple[int, float] | None = None  # (word index, when it was said)
        self.anchors: list[tuple[float, int]] = []  # since the last jump
        self.first_heard: float | None = None
        self._times, self._totals = [0.0], [0.0]  # voice heard up to each time
        self._floor = 0.0  # the quiet between words, rising slowly to a noisy room's

    def level(self, t: float, loudness: float) -> None:
        """`loudness` 0..1 (app.microphone's level): voice when well above the quietest heard lately."""
        self._floor = min(loudness, self._floor + 0.0005)
        voiced = loudness > max(0.3, self._floor + 0.2)
        dt = max(0.0, t - self._times[-1])
        self._times.append(t)
        self._totals.append(self._totals[-1] + (dt if voiced else 0.0))

    def voiced(self, t: float) -> float:
        """Seconds of voice heard from the start of the listening to `t`."""
        return self._totals[max(0, bisect.bisect_right(self._times, t) - 1)]

    def heard(self, place: int, start: float, end: float) -> None:
        """A piece the Follower placed at `place`. One that left the place where it was (misheard,
        or an aside) is no news of where the speaker is: the place keeps moving on from the last
        word that was placed, with the voice, as far as AHEAD_SECONDS."""
        if self.first_heard is None:
            self.first_heard = start
        if self.anchor is not None and place == self.anchor[0]:
            return
        if self.anchors:
            t0, i0 = self.anchors[-1]
            if abs(place - i0) > self.rate * 1.5 * (self.voiced(end) - self.voiced(t0)) + 8:
                self.anchors.clear()  # a jump (a skipped paragraph): the rate is measured afresh after it
        self.anchors.append((end, place))
        self.anchor = (place, end)
        recent = [(t, i) for t, i in self.anchors if t >= end - 20]
        (t0, i0), (t1, i1) = recent[0], recent[-1]
        voice = self.voiced(t1) - self.voiced(t0)
        if voice >= 4 and i1 > i0:
            self.rate = min(6.0, max(1.0, (i1 - i0) / voice))

    def placed(self, place: int, t: float) -> None:
        """The person moved the place by hand: go on from there."""
        self.anchors.clear()
        self.anchor = (place, t)

    def estimate(self, now: float) -> float | None:
        if self.anchor is None:
            return None
        place, said = self.anchor
        return place + self.rate * max(0.0, min(AHEAD_SECONDS, self.voiced(now) - self.voiced(said)))

    @staticmethod
    def shown(current: float, estimate: float) -> float:
        """Where the view goes: on with the estimate, or back only when the speaker really went back."""
        return estimate if estimate >= current or estimate < current - HOLD_WORDS else current
