"""The grounding check, sentence by sentence, on the inventions seen in real drafts."""

from __future__ import annotations

import pytest

from llm.grounding import Facts, Grounding, kin_terms, name_phrases, numbers

DAD = (
    "Dad fished at Lake Travis every summer. He named every catfish he caught Gerald, and we never found out why.\n"
    "He worked for thirty years as a mail carrier in Austin and knew every dog on his route by name.\n"
    "He taught me to change a tyre and to always say thank you."
)
GARDEN = (
    "Frank grew tomatoes in the back garden and gave them away to the neighbours. He sang Johnny Cash songs "
    "badly while he weeded, and he laughed at himself every time he forgot the words."
)
MUM = "Mum ran the bakery on Elm Street for forty years. She always said that bread is better when it is shared."


@pytest.fixture(scope="module")
def dad() -> Grounding:
    return Grounding(
        Facts(
            [DAD, GARDEN],
            ["Siobhan", "Tadhg"],
            subject="Frank",
            speaker="Ann",
            relation="father",
            avoid=["the hospital"],
        )
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Dad fished at Lake Travis every summer.",
        "For thirty years Dad was a mail carrier in Austin, and he knew every dog on his route by name.",
        "Thank you all for being here today.",
        "I'm Ann, and Frank was my father.",
        "Goodbye, Dad.",
        "Dear Frank, thank you.",
        "He sang Johnny Cash songs badly, and he laughed at himself.",
        "Every summer he was fishing at Lake Travis.",  # fished / fishing meet at their lemma
    ],
)
def test_what_the_memories_say_is_supported(dad, sentence):
    check = dad.check(sentence)
    assert check.supported, check


@pytest.mark.parametrize(
    "sentence, words, reason",
    [
        # each from a draft the bundled model wrote before this check existed
        ("He worked as a mail carrier for Austin Mail.", ["Austin Mail"], "name"),
        (
            "They were once a happy couple with their two children, married for 40 years.",
            ["two", "children", "40"],
            None,
        ),
        ("Dear Ann, we miss you.", ["Ann"], "address"),  # the speaker, not the subject
        ("My mums are all over the place.", ["mums"], "kin"),
        ("As I walked down the aisle, I wore a white dress.", ["aisle", "white", "dress"], "word"),
        ("In this case, I've added a Texas inflection by using the apostrophe.", ["Texas"], "meta"),
        ("Here it goes:", [], "meta"),
        ("The notes were filled with his love of fishing.", [], "meta"),
        ("He was a volunteer at a local nursery.", ["volunteer", "nursery"], "word"),
        ("His father served in the military.", ["military"], "word"),
        ("Every Sunday he went to the lake.", ["Sunday"], "date"),
        ('He sang "Ring of Fire" in the kitchen.', ["“Ring of Fire”"], "quote"),
        ("He was in the hospital for weeks.", ["hospital"], "avoid"),
        ("His mother-in-law loved the garden.", ["mother-in-law"], "kin"),
        ("His great-grandmother grew tomatoes.", ["great-grandmother"], "kin"),
        ("Hello, my name is Robert.", ["Robert"], "speaker"),
        ("[Insert a joke about fishing here.]", [], "meta"),
        ("As an AI, I cannot know him.", [], "meta"),
        ("He fished there for twenty-two years.", ["twenty-two"], "number"),
    ],
)
def test_inventions_and_leaks_are_flagged_with_their_words(dad, sentence, words, reason):
    check = dad.check(sentence)
    assert not check.supported
    for w in words:
        assert w in check.unsupported, (w, check)
    if reason:
        assert reason in check.reasons, check


def test_style_and_voice_words_never_ground_a_fact():
    """ "Texas" typed in "with a Texas inflection" is how to write, not something that happened."""
    g = Grounding(Facts([MUM], [], subject="Mary", speaker="Tom"))
    assert not g.check("She moved to Texas.").supported
    assert g.check("Mum ran the bakery on Elm Street for forty years.").supported


def test_names_are_whole_phrases_case_aware_and_unicode():
    g = Grounding(
        Facts(
            ["Siobhán grew up in Dingle. She swam at Myrtleville."],
            ["Áine", "Tadhg"],
            subject="Siobhán",
            speaker="Áine",
        )
    )
    assert g.check("Siobhán swam at Myrtleville.").supported
    assert g.check("Siobhan grew up in Dingle.").supported  # the accent dropped is a spelling, not an invention
    check = g.check("Siobhán moved to Dingle Bay with Zoë.")
    assert not check.supported and "Dingle Bay" in check.unsupported and "Zoë" in check.unsupported
    assert name_phrases("We drove to Lake Travis with Gerald.") == [("Lake Travis", 12), ("Gerald", 29)]


def test_numbers_and_kin_are_normalised():
    assert set(numbers("thirty years, 30 dogs, twenty-two days, the 4th")) == {30.0, 22.0, 4.0}
    assert set(kin_terms("my grandmothers, his step-brother, her mother-in-law, Dad's mum")) == {
        "grandmother",
        "step-brother",
        "mother-in-law",
        "father",
        "mother",
    }
    g = Grounding(Facts(["He had three grandchildren and a stepdaughter."]))
    assert g.check("He had three grandchildren.").supported
    assert not g.check("He had three daughters.").supported
    assert g.check("He had a stepdaughter.").supported and not g.check("He had a daughter.").supported


def test_the_unsupported_words_are_recorded_per_sentence(dad):
    checks = dad.check_text("Dad fished at Lake Travis. He loved cheese from Wisconsin.")
    assert [c.supported for c in checks] == [True, False]
    assert set(checks[1].unsupported) >= {"Wisconsin", "cheese"}
