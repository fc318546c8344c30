"""Where a piece goes at the cursor, and which paragraphs it must not repeat (app.placement): tables."""

from __future__ import annotations

import pytest

from app.placement import REPEAT_SHARE, fit, in_text_order, overlap, paragraphs_of, place, repeats
from tests.helpers import DAD, FISHING, GARDEN

P = ["She always said there was nothing a pot of tea could not fix.", "Second paragraph."]
PIECE = "\n\n".join(P)
ROCKS = "Gran rocks. Everyone knew it."

# (text, cursor, expected text after the piece goes in) — `|` marks the cursor in the ids
# fmt: off
TABLE = [
    # the case: right after "rocks." — never glued, after the paragraph's end
    (ROCKS, len("Gran rocks."), f"{ROCKS}\n\n{PIECE}"),
    ("Gran rocks.", len("Gran rocks."), f"Gran rocks.\n\n{PIECE}"),
    ("Gran rocks.\n", len("Gran rocks."), f"Gran rocks.\n\n{PIECE}\n"),
    # mid-word and mid-sentence: after the paragraph, no sentence cut
    (ROCKS, 3, f"{ROCKS}\n\n{PIECE}"),
    (f"{ROCKS}\n\nAfter.", 5, f"{ROCKS}\n\n{PIECE}\n\nAfter."),
    # a paragraph of several lines (single newlines): after the whole paragraph
    ("Line one,\nline two.\n\nNext.", 4, f"Line one,\nline two.\n\n{PIECE}\n\nNext."),
    # at the end of a paragraph followed by others
    ("One.\n\nTwo.\n", len("One."), f"One.\n\n{PIECE}\n\nTwo.\n"),
    ("One.\n\nTwo.\n", len("One.\n\nTwo."), f"One.\n\nTwo.\n\n{PIECE}\n"),
    # at the start of a paragraph: before it
    ("One.\n\nTwo.\n", len("One.\n\n"), f"One.\n\n{PIECE}\n\nTwo.\n"),
    ("One.\n\nTwo.\n", 0, f"{PIECE}\n\nOne.\n\nTwo.\n"),
    ("   Indented.", 2, f"{PIECE}\n\n   Indented."),
    # at the start of a line inside a paragraph: split there, cleanly
    ("Line one,\nline two.", len("Line one,\n"), f"Line one,\n\n{PIECE}\n\nline two."),
    # on an empty line: fills it (its stray spaces go), the person's other blank lines stay
    ("One.\n\nTwo.", len("One.\n"), f"One.\n\n{PIECE}\n\nTwo."),
    ("One.\n\n\n\nTwo.", len("One.\n\n"), f"One.\n\n{PIECE}\n\nTwo."),
    ("One.\n\n\n\nTwo.", len("One.\n"), f"One.\n\n{PIECE}\n\n\nTwo."),
    ("One.\n   \nTwo.", len("One.\n "), f"One.\n\n{PIECE}\n\nTwo."),
    ("One.\n", len("One.\n"), f"One.\n\n{PIECE}\n"),
    ("One.\n\n", len("One.\n\n"), f"One.\n\n{PIECE}\n"),
    # an empty draft, and a cursor out of range
    ("", 0, PIECE),
    ("\n\n", 1, f"\n{PIECE}\n"),  # the blank lines around stay
    ("One.", 99, f"One.\n\n{PIECE}"),
    ("One.", -3, f"{PIECE}\n\nOne."),
]
# fmt: on


def _id(case) -> str:
    text, cursor, _ = case
    c = max(0, min(cursor, len(text)))
    return repr(text[:c] + "|" + text[c:])


@pytest.mark.parametrize("text, cursor, expected", TABLE, ids=[_id(c) for c in TABLE])
def test_a_piece_goes_in_whole_paragraphs_a_blank_line_apart(text, cursor, expected):
    out = place(text, cursor, P)
    assert out == expected
    assert paragraphs_of(out).count(P[0]) == 1
    for glued in (".She", ".\nShe", "fix.Second", "fix.\nSecond"):
        assert glued not in out
    # nothing the person wrote is lost or changed, only whitespace is added around the piece
    assert "".join(out.replace(PIECE, "", 1).split()) == "".join(text.split())


@pytest.mark.parametrize("text, cursor, _", TABLE, ids=[_id(c) for c in TABLE])
def test_the_fit_streams_to_the_same_text(text, cursor, _):
    """The editor streams before + paragraphs + after into [at, cut): the same text as `place`."""
    f = fit(text, cursor)
    assert 0 <= f.at <= f.cut <= len(text) and not text[f.at : f.cut].strip()
    assert text[: f.at] + f.before + PIECE + f.after + text[f.cut :] == place(text, cursor, P)


def test_nothing_to_place_leaves_the_text():
    assert place(ROCKS, 3, ["", "  "]) == ROCKS


RETOLD = (
    "When the motor died on the boat at Galveston, Dad rowed us back for two hours singing so we would not be scared."
)


@pytest.mark.parametrize(
    "paragraph, draft, repeated",
    [
        (FISHING, f"Opening.\n\n{FISHING}\n\nClosing.", FISHING),  # word for word
        (RETOLD, f"Opening.\n\n{FISHING}", FISHING),  # the same story in other words
        ("Dad named every catfish he caught Gerald.", DAD, DAD),  # a part of a paragraph told again
        (GARDEN, f"{DAD}\n\n{FISHING}", None),  # a new story
        ("Every summer Dad took us fishing, and he always sang.", FISHING, None),  # adds to a story, shares words
        (DAD, FISHING, None),  # same person, same pastime, another story
        ("Thank you, Frank.", "Thank you, Frank.", None),  # too short to be a story told twice
        (FISHING, "", None),
    ],
)
def test_a_paragraph_that_mostly_repeats_one_in_the_draft_is_found(paragraph, draft, repeated):
    assert repeats(paragraph, draft) == repeated


def test_the_threshold_sits_between_retellings_and_new_stories():
    assert (
        overlap(RETOLD, FISHING)
        >= REPEAT_SHARE
        > overlap("Every summer Dad took us fishing, and he always sang.", FISHING)
        > overlap(DAD, FISHING)
    )


def test_provenance_reads_in_the_texts_order():
    def para(text):
        return {"sentences": [{"text": text}]}

    a, b, piece, edited = para("One."), para("Two."), para("Piece."), para("Changed since.")
    assert in_text_order([a, b, piece], "One.\n\nPiece.\n\nTwo.\n") == [a, piece, b]
    assert in_text_order([a, edited, b, piece], "Piece.\n\nOne.\n\nChanged.\n\nTwo.") == [piece, a, edited, b]
    assert in_text_order([edited, a], "One.") == [edited, a]


def test_sources_follow_the_text_sentence_by_sentence():
    from app.placement import TYPED, follow_text

    def said(text, memory_id):
        return {"text": text, "origin": "memory", "memory_id": memory_id, "supported": True}

    provenance = [
        {"section": "who", "text": "A b. C d.", "sentences": [said("He fished.", 1), said("He sang.", 2)]},
        {"section": "end", "text": "Goodbye.", "sentences": [said("Goodbye, Dad.", None)]},
    ]
    out = follow_text(provenance, "He sang. He fished at dawn.\n\n\n  Goodbye, Dad.  \n\nNew one! And two?")
    assert [[(s["text"], s.get("memory_id"), s["origin"]) for s in p["sentences"]] for p in out] == [
        [("He sang.", 2, "memory"), ("He fished at dawn.", None, TYPED)],
        [("Goodbye, Dad.", None, "memory")],
        [("New one!", None, TYPED), ("And two?", None, TYPED)],
    ]
    assert [p["section"] for p in out] == ["edited", "edited", "typed"] and out[0]["memory_ids"] == [2]
    assert follow_text(provenance, "") == [] and follow_text([], "Hi.")[0]["sentences"][0]["origin"] == TYPED
