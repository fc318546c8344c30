"""The memory-first arranger on its own (no model): choosing, ordering, length, framing."""

from __future__ import annotations

from llm.arrange import arrange, in_speakers_voice, scaffold
from llm.brief import parse
from llm.composition import Source

# fmt: off
WALTER = [
    Source(1, "workshop", "Walter repaired clocks in a workshop behind the house for fifty years. Every clock told "
                          "a different time, and he said that way he was never late for anything."),
    Source(2, "allotment", "He grew leeks the size of rolling pins. He won second prize nine years running and "
                           "blamed the judges every time."),
    Source(3, "dance", "He met Gwen at a dance in 1962. He trod on her feet all night, and she married him anyway."),
    Source(4, "choir", "Walter sang bass in the male voice choir for forty years."),
    Source(5, "accident", "The accident on the coast road changed everything.\nDylan drove him to every appointment."),
    Source(6, "boat", "One summer he took us out in a rowing boat on the lake and lost both oars within ten minutes."),
]
# fmt: on


def brief(shorthand: str, **kw):
    return parse(shorthand, occasion="funeral", subject="Walter", memory_titles=[s.title for s in WALTER], **kw)


def words(comp) -> int:
    return len(comp.text.split())


def test_the_length_is_met_with_whole_stories_or_the_shortfall_is_said():
    short = arrange(brief("A eulogy for my grandad, about one minute."), WALTER, ["Gwen"], speaker="Nia")
    assert abs(words(short) - 120) <= 0.25 * 120 and short.check.shortfall == ""
    long = arrange(brief("A eulogy for my grandad, about five minutes."), WALTER, ["Gwen"], speaker="Nia")
    assert words(long) < 0.75 * 600
    assert long.check.shortfall.startswith(f"{words(long) / 120:.1f} of 5.0 min: add")
    for comp in (short, long):  # never a half story: every body paragraph is one memory's run of sentences
        for p in comp.paragraphs:
            assert len({s.memory_id for s in p.sentences if s.origin != "frame"}) <= 1


def test_what_to_leave_out_takes_its_whole_memory_line_with_it():
    comp = arrange(
        brief("A eulogy for my grandad, about five minutes. Don't mention the accident."), WALTER, [], speaker="Nia"
    )
    assert "accident" not in comp.text and "coast road" not in comp.text
    assert "Dylan" in "".join(s.text for s in WALTER)  # …but he appears only beside the accident


def test_a_light_moment_comes_from_a_memory_and_framing_only_from_facts():
    comp = arrange(brief("A eulogy for my grandad with a joke, about two minutes."), WALTER, [], speaker="Nia")
    light = [p for p in comp.paragraphs if p.section == "light"]
    assert light and all(s.origin == "memory" for p in light for s in p.sentences)
    frames = [s.text for p in comp.paragraphs for s in p.sentences if s.origin == "frame"]
    assert frames[:2] == ["Thank you all for being here today.", "I'm Nia, and Walter was my grandfather."]
    assert frames[-1] == "Goodbye, Walter."
    assert all(s.supported for p in comp.paragraphs for s in p.sentences)


def test_a_lead_in_comes_only_before_a_story():
    comp = arrange(brief("A eulogy for my grandad, about five minutes."), WALTER, [], speaker="Nia")
    led = [
        p.sentences[1].text for p in comp.paragraphs if p.sentences[0].text == "There is one story I want to tell you."
    ]
    assert led == ["One summer he took us out in a rowing boat on the lake and lost both oars within ten minutes."]


def test_the_same_sentence_in_two_memories_is_said_once():
    twice = WALTER + [Source(7, "copy", "Walter sang bass in the male voice choir for forty years!")]
    comp = arrange(brief("A eulogy for my grandad, about five minutes."), twice, [], speaker="Nia")
    assert comp.text.count("sang bass") == 1


def test_the_speakers_voice():
    assert in_speakers_voice("Rory still meets people from her choir.", "Rory") == "I still meet people from her choir."
    assert in_speakers_voice("Rory is proud of Rory's roses.", "Rory") == "I am proud of my roses."
    assert in_speakers_voice("Rory was seven when Gran taught her.", "Rory") == "I was seven when Gran taught her."
    assert in_speakers_voice("Roryan went home.", "Rory") == "Roryan went home."


def test_a_scaffold_asks_the_questions_of_the_occasion():
    text = scaffold(parse("A toast", occasion="wedding", subject="Anna"))
    assert text.splitlines()[0] == "[Who are you to Anna?]" and "[What do you wish the couple?]" in text
