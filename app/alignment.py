"""Where in the speech the speaker is: heard words matched to the script, live and afterwards.

Two consumers, one notion of a word:
- the teleprompter follows a live transcript (`Follower`): words arrive a few at a time, often
  misheard, with ad-libs and repeats, and sometimes a whole paragraph is skipped. It must move on
  with the speaker, jump when they skip ahead, and never leap because of one common word.
- a rehearsal is aligned after the fact (`align`): the whole recording's timed words against the
  whole script, so that every script word gets the time it was said, or None if it was not.

Words are compared by a normal form (lower case, accents and apostrophes folded) and, failing
equality, by rapidfuzz's similarity of the two forms or an equal lemma (simplemma, as
llm/grounding.py does), since a small speech model mishears endings ("walked"/"walk", "Siobhan"/
"Shivon") far more often than whole words. Qt-free: the UI imports this, not the other way round.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

# A word of the script: letters, digits and inner apostrophes. Hyphenated words are two words,
# because the transcriber writes "well-loved" as often as "well loved".
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")

SIMILAR = 80  # rapidfuzz ratio (0-100) from which two different forms count as the same word


@dataclass(frozen=True)
class ScriptWord:
    """One word of the script and where it is, so a UI can highlight it and a report can group it.

    `start`/`end` are character offsets in the whole text; `line` is the 0-based line number and
    `column` the offset in that line; `paragraph` counts blank-line-separated blocks that have words.
    """

    index: int
    text: str
    norm: str
    paragraph: int
    line: int
    column: int
    start: int
    end: int


def normalise(word: str) -> str:
    """Lower case, accents folded, apostrophes dropped: "Renée's" and "renees" are one form."""
    w = unicodedata.normalize("NFKD", word.lower())
    w = "".join(c for c in w if not unicodedata.combining(c))
    return w.replace("'", "").replace("’", "")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the text's paragraphs: blocks between blank lines.

    A Markdown heading line is a paragraph of its own (it starts a section) but carries no spoken
    words (see `script_words`), so it is not counted: only blocks with spoken words are returned.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for block in re.split(r"(\n[ \t]*\n)", text):
        start, pos = pos, pos + len(block)
        if block.strip() and not re.fullmatch(r"\n[ \t]*\n", block):
            # split headings off the block they begin: "## Stories\nHe fished..." is two
            offset = start
            for line in block.splitlines(keepends=True):
                if _HEADING.match(line):
                    if offset > start and text[start:offset].strip():
                        spans.append((start, offset))
                    start = offset + len(line)
                offset += len(line)
            if text[start:pos].strip():
                spans.append((start, pos))
    return [s for s in spans if _WORD.search(text, s[0], s[1])]


def script_words(text: str) -> list[ScriptWord]:
    """Every spoken word of the script, in order, with its paragraph and place in the text.

    Headings are not read aloud, so their words are not here; nor is Markdown punctuation.
    """
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    out: list[ScriptWord] = []
    line = 0
    for p, (start, end) in enumerate(paragraphs(text)):
        for m in _WORD.finditer(text, start, end):
            while line + 1 < len(line_starts) and line_starts[line + 1] <= m.start():
                line += 1
            out.append(
                ScriptWord(
                    len(out),
                    m.group(),
                    normalise(m.group()),
                    p,
                    line,
                    m.start() - line_starts[line],
                    m.start(),
                    m.end(),
                )
            )
    return out


def heard_words(text: str) -> list[str]:
    """A transcript's words, split the way the script's are."""
    return [m.group() for m in _WORD.finditer(text)]


@lru_cache(maxsize=65536)
def _lemma(norm: str) -> str:
    from llm.grounding import lemma

    return lemma(norm)


@lru_cache(maxsize=65536)
def is_common(norm: str) -> bool:
    """A word too frequent to place the speaker by itself ("the", "and", "was", "he")."""
    if len(norm) <= 3:
        return True
    from llm.grounding import zipf_frequency

    return zipf_frequency(norm) >= 5.6


@lru_cache(maxsize=262144)
def similarity(a: str, b: str) -> float:
    """0..1: how surely heard form `a` is script form `b`. Short words must be equal."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    if _lemma(a) == _lemma(b):
        return 0.95
    if min(len(a), len(b)) <= 3:
        return 0.0
    score = fuzz.ratio(a, b)
    return score / 100 if score >= SIMILAR else 0.0


# ---------------------------------------------------------------- live following


class Follower:
    """Follows a live transcript through the script, a few words at a time.

    `hear(words)` returns the index (into `words`) of the script word the speaker is at now, or
    None while there is no evidence yet. Two ways to move:
    - a step: the heard word matches one of the next few script words (an ad-lib or a misheard
      word leaves the place where it is; a skipped word or two is stepped over). Only the very
      next word may be matched by a common word alone; further on, a common word must be backed
      by the heard word before it matching the script word before it.
    - a jump: when steps fail, the last several heard words are matched, in order, against every
      place within `window` words ahead (and a few behind, for a repeated passage); a place is
      taken only if at least `min_matches` of them match there, at least two of them uncommon
      words, and among such places the nearest wins. So one "the" never moves the view, and a
      skipped paragraph is found after a handful of words of the next. Within `NEAR` words ahead
      (the speaker went on past a misheard phrase) three matches, one uncommon, are enough.
    """

    STEP = 4  # script words looked at for a step
    NEAR = 12  # a jump this short (a misheard phrase, not a skipped passage) needs less evidence

    def __init__(self, script_text: str, *, window: int = 400, tail: int = 6, min_matches: int = 4, behind: int = 30):
        self.words = script_words(script_text)
        self._norms = [w.norm for w in self.words]
        self.window, self.tail, self.min_matches, self.behind = window, tail, min_matches, behind
        self.position: int | None = None
        self._heard: list[str] = []
        self._last_match_heard = -1  # index in _heard of the last word that moved or held the place

    def reset(self, position: int | None = None) -> None:
        """Start again (the speaker began again), or at a place the person chose by hand."""
        self.position = position
        self._heard.clear()
        self._last_match_heard = -1

    def hear(self, words: Iterable[str]) -> int | None:
        for word in words:
            for part in heard_words(word):
                self._heard.append(normalise(part))
                self._advance()
        return self.position

    def _advance(self) -> None:
        if not self._norms:
            return
        h = len(self._heard) - 1
        word = self._heard[h]
        pos = -1 if self.position is None else self.position
        for k in range(pos + 1, min(pos + 1 + self.STEP, len(self._norms))):
            if similarity(word, self._norms[k]) == 0.0:
                continue
            backed = h > 0 and k > 0 and similarity(self._heard[h - 1], self._norms[k - 1]) > 0
            if k == pos + 1 or not is_common(word) or backed:
                if self.position is None and k > 0 and is_common(word) and not backed:
                    break  # the first place must be the opening word or earned by a jump
                self.position = k
                self._last_match_heard = h
                return
        if h - self._last_match_heard >= 1:
            self._jump()

    def _jump(self) -> None:
        tail = self._heard[-self.tail :]
        if len(tail) < self.min_matches:
            return
        pos = -1 if self.position is None else self.position
        lo = max(0, pos - self.behind)
        hi = min(len(self._norms), pos + 1 + self.window)
        best: tuple[int, int] | None = None  # (distance, end index)
        last = tail[-1]
        for j in range(lo, hi):
            if j == pos or similarity(last, self._norms[j]) == 0.0:
                continue
            matched, uncommon = _tail_matches(tail, self._norms, j)
            near = pos < j <= pos + self.NEAR
            if (matched >= self.min_matches and uncommon >= 2) or (near and matched >= 3 and uncommon >= 1):
                distance = (j - pos) if j > pos else (pos - j) * 3  # going back must be much nearer
                if best is None or distance < best[0]:
                    best = (distance, j)
        if best is not None:
            self.position = best[1]
            self._last_match_heard = len(self._heard) - 1


def _tail_matches(tail: Sequence[str], norms: Sequence[str], end: int) -> tuple[int, int]:
    """How many of the heard `tail` words match, in order, the script words ending at `end`
    (the last heard word is `end`; each earlier one may skip up to two script words or be an
    ad-lib), and how many of those are uncommon words."""
    matched = uncommon = 0
    j = end
    for word in reversed(tail):
        for k in range(j, max(-1, j - 3), -1):
            if similarity(word, norms[k]) > 0:
                matched += 1
                uncommon += not is_common(word)
                j = k - 1
                break
        if j < 0:
            break
    return matched, uncommon


# ---------------------------------------------------------------- whole recording


@dataclass
class Alignment:
    """Per script word, the time it was said: (start, end) seconds, or None if it was not heard."""

    words: list[ScriptWord]
    times: list[tuple[float, float] | None]
    heard: list[tuple[str, float, float]] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)  # indices into heard of words not in the script
    source: list[int | None] = field(default_factory=list)  # per script word, the heard word it was

    def said(self, index: int) -> bool:
        return self.times[index] is not None


def align(script_text: str, timed_words: Sequence[tuple[str, float, float]]) -> Alignment:
    """Align a whole recording's timed words to the script.

    Each heard word is first given the script's form it most resembles (see `similarity`), then
    the longest common subsequence of the two word lists (rapidfuzz's Indel edit operations, fast
    for thousands of words) pairs them. Three repairs follow:
    - a lone common word matched far from its neighbours (a "the" of a skipped paragraph taken by
      the "the" of the next one) is unpaired: a match counts when a neighbouring script word is
      also matched, or the word is uncommon;
    - each run of matches grows outwards over neighbours that are alike (`similarity`);
    - a gap of up to SHORT_GAP script words unheard, with up to as many words heard in their
      place, between two matches, is paired in order, first with first and last with last: the
      words were misheard, not left out, and the time the passage began is kept. The price: a
      short passage really reworded is not reported as changed.
    """
    words = script_words(script_text)
    heard: list[tuple[str, float, float]] = []
    for text, start, end in timed_words:
        for part in heard_words(text):
            heard.append((normalise(part), float(start), float(end)))
    norms = [w.norm for w in words]
    vocab = _Vocabulary(norms)
    canon = [vocab.canonical(h[0]) for h in heard]
    pairs: dict[int, int] = {}
    for op in Indel.opcodes(norms, canon):
        if op.tag == "equal":
            for i in range(op.src_end - op.src_start):
                pairs[op.src_start + i] = op.dest_start + i

    def neighbour_matched(i: int) -> bool:
        return any(
            0 <= k < len(norms) and k in pairs and abs(pairs[k] - pairs[i]) <= 3 for k in (i - 2, i - 1, i + 1, i + 2)
        )

    for i in [i for i in pairs if is_common(norms[i]) and not neighbour_matched(i)]:
        del pairs[i]
    # grow each run of matches outwards over words that are alike (the "He" that opens a paragraph
    # after a skipped one, whose first LCS partner was an island removed above)
    used = set(pairs.values())
    for i, j in sorted(pairs.items()):
        for step in (-1, 1):
            a, b = i + step, j + step
            while (
                0 <= a < len(norms)
                and 0 <= b < len(heard)
                and a not in pairs
                and b not in used
                and similarity(heard[b][0], norms[a]) > 0
            ):
                pairs[a] = b
                used.add(b)
                a, b = a + step, b + step
    # pair the short gaps between matches: misheard words ("Dad grew up on" heard as "And from")
    ordered = sorted(pairs.items())
    for (i0, j0), (i1, j1) in itertools.pairwise(ordered):
        gap_s, gap_h = i1 - i0 - 1, j1 - j0 - 1
        if 0 < gap_s <= SHORT_GAP and 0 < gap_h <= SHORT_GAP:
            _pair_gap(pairs, i0 + 1, gap_s, j0 + 1, gap_h)
    times: list[tuple[float, float] | None] = [None] * len(words)
    for i, j in pairs.items():
        times[i] = (heard[j][1], heard[j][2])
    used = set(pairs.values())
    return Alignment(
        words,
        times,
        [(h[0], h[1], h[2]) for h in heard],
        [j for j in range(len(heard)) if j not in used],
        [pairs.get(i) for i in range(len(words))],
    )


SHORT_GAP = 6  # at most this many words unheard, with words heard in their place, are taken as misheard


def _pair_gap(pairs: dict[int, int], i: int, n_script: int, j: int, n_heard: int) -> None:
    """Pair a gap of unmatched script words with the unmatched heard words in their place, in
    order and spread evenly: the first with the first and the last with the last, so the time a
    passage began and ended is kept even when its words were misheard."""
    if n_script <= n_heard:
        for k in range(n_script):
            pairs[i + k] = j + (round(k * (n_heard - 1) / (n_script - 1)) if n_script > 1 else 0)
    else:
        for k in range(n_heard):
            pairs[i + (round(k * (n_script - 1) / (n_heard - 1)) if n_heard > 1 else 0)] = j + k


class _Vocabulary:
    """The script's forms, to give a heard form the script form it is (equal, same lemma, or the
    most similar long word), quickly: a speech has a few thousand words, a script a thousand forms."""

    def __init__(self, norms: Iterable[str]):
        self.forms = sorted(set(norms))
        self.long = [f for f in self.forms if len(f) > 3]
        self.by_lemma: dict[str, str] = {}
        for f in self.forms:
            self.by_lemma.setdefault(_lemma(f), f)
        self._known = set(self.forms)

    def canonical(self, form: str) -> str:
        if form in self._known:
            return form
        if (lem := self.by_lemma.get(_lemma(form))) is not None:
            return lem
        if len(form) > 3 and self.long:
            best = process.extractOne(form, self.long, scorer=fuzz.ratio, score_cutoff=SIMILAR)
            if best is not None:
                return best[0]
        return form
