"""The stored transcript of a recording is never worse than the live one.

The final pass hears the whole recording with full context and is usually the better transcript,
but not always. Measured on espeak-ng readings of memories full of names and places, with the
project's vocabulary as Whisper's prompt (tests/bench/test_final_pass.py): Whisper tiny.en's live
transcript (short chunks cut at pauses) had 25 % word error and 30 of 36 names right; the final
pass over the same audio had 52 % and 26 of 36 — over its first 30 s window it copied the
prompt ("Grandma Siobhan Uncle Tadhg Nana Bronwen … Aberystwyth Ballycotton Aberystwyth") instead
of the speech, and elsewhere it turned "the strand at Ballycotton" into "must run that
helicopter". So, for each stretch of time, the final pass's words replace the live ones only when
they keep what the live transcript heard:

- every vocabulary name the live transcript heard there is in the final text too;
- no vocabulary name is repeated there more than the live transcript has it (the prompt copied;
  and the other way round: a live stretch that copied the prompt gives way to the final one);
- the final text has at least MIN_WORDS of the live text's words (a stretch the final pass
  dropped or cut short).

Otherwise the live segments for that stretch are kept. Stretches are where no segment of either
transcript crosses from one to the next, so what is kept is always one transcript's whole segments.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from app.vocabulary import RELATIONS

MIN_WORDS = 0.7  # the final text's words, as a share of the live text's, below which it lost speech

Seg = tuple[float, float, str, float | None]  # start, end, text, confidence


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def name_words(vocabulary: Iterable[str]) -> set[str]:
    """The words of the vocabulary that are names ("siobhan", "ballycotton"), not relations."""
    relations = {r.lower() for r in RELATIONS}
    return {w for phrase in vocabulary for w in _words(phrase) if w not in relations and len(w) > 2}


def stretches(live: Sequence[Seg], final: Sequence[Seg]) -> list[tuple[list[Seg], list[Seg]]]:
    """(live segments, final segments) for each stretch of time that no segment crosses out of."""
    tagged = sorted([(s, 0) for s in live] + [(s, 1) for s in final], key=lambda x: (x[0][0], x[0][1]))
    out: list[tuple[list[Seg], list[Seg]]] = []
    end = None
    for seg, which in tagged:
        if end is None or seg[0] >= end - 0.05:  # starts after everything so far has ended
            out.append(([], []))
            end = seg[1]
        end = max(end, seg[1])
        out[-1][which].append(seg)
    return out


def _echo(text: Counter, other: Counter) -> int:
    """How many more times `text` says the names than `other` does (or once, if `other` never does)."""
    return sum(max(0, n - max(other.get(w, 0), 1)) for w, n in text.items())


def final_keeps_live(live_text: str, final_text: str, names: set[str]) -> bool:
    """Whether the final text keeps what the live text heard (the rules in the module's docstring).
    A live text that is itself the prompt copied (a short chunk can be) is not kept over a final
    text that is not."""
    heard, final = _words(live_text), _words(final_text)
    heard_names, final_names = Counter(w for w in heard if w in names), Counter(w for w in final if w in names)
    live_echo, final_echo = _echo(heard_names, final_names), _echo(final_names, heard_names)
    if live_echo != final_echo:
        return final_echo < live_echo
    if any(w not in final_names for w in heard_names):
        return False
    return len(final) >= MIN_WORDS * len(heard)


def merge(live: Sequence[Seg], final: Sequence[Seg], vocabulary: Iterable[str]) -> tuple[list[Seg], int]:
    """The stored transcript: the final pass's segments, but the live ones wherever the final pass
    lost what the live transcript heard. Returns the segments, in time order, and how many
    stretches kept the live transcript."""
    names = name_words(vocabulary)
    out: list[Seg] = []
    kept_live = 0
    for heard, redone in stretches(live, final):
        if heard and (
            not redone or not final_keeps_live(" ".join(s[2] for s in heard), " ".join(s[2] for s in redone), names)
        ):
            out += heard
            kept_live += 1
        else:
            out += redone
    return out, kept_live
