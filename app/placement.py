"""Where a piece written for the open draft goes, and what it must not repeat.

An anecdote, opening or closing is asked for "at the cursor", but the cursor is wherever the
person last clicked: mid-sentence, right after "rocks.", on an empty line. A piece is one or
more paragraphs, so it always goes in whole paragraphs, a blank line from its neighbours
(Markdown's paragraph break, which the preview, the reading copy and the teleprompter read):

- on an empty line (or in an empty draft) it fills that line;
- at the start of a line — where the person would start typing a new paragraph — it goes
  before that line;
- anywhere else in a line (mid-sentence, after "rocks.", at its end) it goes after the end of
  the paragraph the cursor is in, so no sentence is cut and nothing glues ("rocks.She").

Whitespace the person put around is kept; only what is needed for one blank line on each
side is added, and a draft that ended with a newline still does.

A piece must also not tell again what the draft already tells: `repeats` measures how much of
a written paragraph's wording is already one paragraph of the draft. Qt-free, so it is tested
as a table (tests/test_placement.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llm.grounding import STOPWORDS, fold, forms, tokens

# A paragraph is a repeat when this share of its content words (each in all its forms, "the", "and"…
# left out) is in one paragraph already in the draft. Measured on tests/helpers.py's memories: a
# verbatim repeat, the fishing trip retold in other words ("When the motor died on the boat at
# Galveston, Dad rowed us back…") and a shortened repeat ("Dad named every catfish Gerald.") all score
# 1.0; a different story from the same person scores 0.1–0.2; a new sentence that touches the same
# story ("Every summer Dad took us fishing, and he always sang." against the fishing trip) 0.5.
# 0.6 drops what tells the draft's story again and keeps what adds to it.
REPEAT_SHARE = 0.6
MIN_WORDS = 4  # fewer content words than this can't tell a story twice ("Thank you, Frank.")


@dataclass(frozen=True)
class Fit:
    """Replace text[at:cut] by `before` + the piece's paragraphs (a blank line apart) + `after`."""

    at: int
    cut: int
    before: str
    after: str


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _blank(line: str) -> bool:
    return not line.strip()


def _gap_before(head: str) -> str:
    """What makes a blank line between `head` (the text before) and the piece."""
    if not head.strip():
        return ""
    trailing = head[len(head.rstrip()) :]
    return "\n" * max(0, 2 - trailing.count("\n"))


def _gap_after(tail: str, text: str) -> str:
    """What makes a blank line between the piece and `tail` (the text after); at the end of the
    text, the final newline the draft had."""
    if not tail.strip():
        return "" if "\n" in tail or not text.endswith("\n") else "\n"
    leading = tail[: len(tail) - len(tail.lstrip())]
    return "\n" * max(0, 2 - leading.count("\n"))


def fit(text: str, cursor: int) -> Fit:
    """Where a piece goes for a cursor at `cursor` in `text` (the rules are the module's)."""
    cursor = max(0, min(cursor, len(text)))
    start, end = _line_bounds(text, cursor)
    line = text[start:end]
    if _blank(line):  # an empty line: the piece fills it (its stray spaces go)
        at, cut = start, end
    elif not text[start:cursor].strip():  # the start of a line: before it
        at = cut = start
    else:  # in a line: after the end of its paragraph (the run of lines that are not blank)
        at = end
        while at < len(text):
            nxt_start, nxt_end = at + 1, _line_bounds(text, at + 1)[1]
            if _blank(text[nxt_start:nxt_end]):
                break
            at = nxt_end
        cut = at
    return Fit(at, cut, _gap_before(text[:at]), _gap_after(text[cut:], text))


def place(text: str, cursor: int, paragraphs: list[str]) -> str:
    """`text` with `paragraphs` in where `fit` says: what the editor shows once a piece is written."""
    f = fit(text, cursor)
    piece = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    if not piece:
        return text
    return text[: f.at] + f.before + piece + f.after + text[f.cut :]


def paragraphs_of(text: str) -> list[str]:
    """The draft's paragraphs (blank-line separated), as Markdown reads them."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _content(text: str) -> list[frozenset[str]]:
    """Each content word (three letters or more, not "the", "and", "was"…), as the set of its forms
    ("rowed" ~ "row"), as llm.grounding compares a topic with a story."""
    return [forms(t) for t in tokens(text) if len(t) > 2 and fold(t) not in STOPWORDS]


def overlap(paragraph: str, other: str) -> float:
    """The share of `paragraph`'s content words that `other` has too (in any of their forms)."""
    mine = _content(paragraph)
    if not mine:
        return 0.0
    theirs = set().union(*_content(other)) if _content(other) else set()
    return sum(1 for f in mine if f & theirs) / len(mine)


def repeats(paragraph: str, draft: str | list[str], share: float = REPEAT_SHARE) -> str | None:
    """The paragraph of `draft` that `paragraph` mostly repeats (see REPEAT_SHARE), or None."""
    if len(_content(paragraph)) < MIN_WORDS:
        return None
    existing = paragraphs_of(draft) if isinstance(draft, str) else draft
    best = max(existing, key=lambda p: overlap(paragraph, p), default=None)
    return best if best is not None and overlap(paragraph, best) >= share else None


def in_text_order(provenance: list[dict], text: str) -> list[dict]:
    """A draft's provenance (one entry a paragraph) in the order its paragraphs stand in `text`, so
    "where each sentence came from" reads down with the text after a piece went in mid-draft. A
    paragraph no longer found as written (the person edited it) stays after the one before it."""
    placed, last = [], -1
    for i, para in enumerate(provenance):
        first = next((s.get("text", "") for s in para.get("sentences", []) if s.get("text")), "")
        at = text.find(first) if first else -1
        last = at if at >= 0 else last
        placed.append((last, i, para))
    return [para for _, _, para in sorted(placed, key=lambda x: (x[0], x[1]))]


TYPED = "typed"  # a sentence's origin when no version Fondly wrote holds it: the person typed or changed it


def follow_text(provenance: list[dict], text: str) -> list[dict]:
    """Where each sentence of `text` came from, after the person edited a text whose sources were
    `provenance`: a sentence still there word for word keeps its entry (its memory, its check); one
    no entry holds is the person's own ("typed": typed, or changed). Kept with every edited revision,
    so "where each sentence came from" follows the text, not the last version Fondly wrote."""
    from llm.grounding import sentences

    known: dict[str, dict] = {}
    for para in provenance:
        for s in para.get("sentences") or []:
            known.setdefault(s.get("text", ""), s)
    out = []
    for para_text in (p.strip() for p in re.split(r"\n\s*\n", text)):
        if not para_text:
            continue
        found = [known.get(s) or {"text": s, "origin": TYPED} for s in sentences(para_text)]
        ids = sorted({s["memory_id"] for s in found if s.get("memory_id") is not None})
        out.append(
            {
                "section": "typed" if all(s.get("origin") == TYPED for s in found) else "edited",
                "text": para_text,
                "memory_ids": ids,
                "sentences": found,
            }
        )
    return out
