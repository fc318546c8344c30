"""Spoken memories in a speech: read as sentences a person can say at a funeral, still traced to what
was said; and the subject called what the memories call them, never the project's field pasted whole."""

from __future__ import annotations

import re

from app.store import Person
from app.writing import draft_title, write
from llm.arrange import arrange
from llm.brief import parse
from llm.composition import Source, address_of, name_in, relation_in
from tests.helpers import ScriptedEngine

FILLERS = re.compile(
    r"\b(?:um|uh|erm|er|hmm)\b|\b(\w+'?\w*), \1\b|isn't it|\bI mean\b|\bhonestly\b|^(?:So|Oh, and)\b", re.IGNORECASE
)
# a granddaughter's three memories of Grandad, as a transcript reads (the symptom in issue 23)
GRANDAD = [
    (
        "allotment",
        (
            "So Grandad, um, he had this allotment up by the railway line, and he'd, he'd go up there every "
            "single morning, rain or shine, like six o'clock. And he grew these massive leeks, I mean massive, "
            "and he won the village show with them one year and he was honestly really proud of it. Which, I "
            "mean, that's Grandad, isn't it."
        ),
    ),
    (
        "navy",
        (
            "Erm, he was in the navy, you know, when he was young. He used to tell us about the, the storms, and how "
            "he was sick the whole first week, which, I mean, he laughed about it after."
        ),
    ),
    (
        "dancing",
        (
            "Oh, and every Friday him and Nan would go dancing at the Palais. Like, every single Friday, for forty "
            "years, basically. He'd put on his good shoes and, you know, polish them the night before."
        ),
    ),
]
# a grandson's memories of Gran; the project's subject field reads "Eileen, my gran"
GRAN = [
    ("strand", "Erm, we went to the strand at Ballycotton every summer, me and Gran and the dog."),
    (
        "funny",
        (
            "The funny one, um, is the time Gran drove the Fiat into the harbour. Gran laughed the whole way home, "
            "soaking wet, and my gran never drove again."
        ),
    ),
]


def sources(memories) -> list[Source]:
    return [Source(i, title, text) for i, (title, text) in enumerate(memories, 1)]


def test_a_spoken_eulogy_reads_without_fillers_and_every_sentence_is_still_traced(store):
    project = store.create_project("Grandad", subject="Wilf", speaker="Priya")
    for title, text in GRANDAD:
        store.add_memory(project.id, "text", title, text=text)
    engine = ScriptedEngine([], parameters=135_000_000)  # the bundled model's size: memory-first
    result = write(
        store,
        store.project(project.id),
        "Write a eulogy for Grandad from me, Priya, about three minutes, with a bit of humour",
        engine,
    )
    text, provenance = result.revision.text, result.revision.provenance
    assert not FILLERS.search(text), text
    assert "Grandad had this allotment up by the railway line" in text
    assert "He was in the navy when he was young." in text  # an "Erm, …" sentence is cleaned, not dropped
    assert result.revision.checks["all_supported"] and result.revision.checks["dropped"] == 0
    sentences = [s for p in provenance for s in p["sentences"]]
    spoken = [s for s in sentences if "spoken" in s]
    assert spoken and all(s["origin"] == "memory" and s["supported"] for s in spoken)
    said = {s.strip() for _, t in GRANDAD for s in re.split(r"(?<=[.?!])\s+", t)}
    assert all(s["spoken"] in said for s in spoken)  # the provenance keeps each sentence as it was said
    assert all("spoken" not in s for s in sentences if s["origin"] == "frame")
    assert text.rstrip().endswith("Goodbye, Grandad.") and "Wilf" not in text.split("\n\n")[-1]
    assert result.draft.title == "Eulogy for Grandad"
    memories = [m.text for m in store.memories(project.id)]
    assert memories == [t for _, t in GRANDAD]  # the memories are never changed


def test_the_subject_is_called_what_the_memories_call_them():
    # every memory says "Grandad"; the project's field says "Wilf"
    brief = parse(
        "Write a eulogy for Grandad from me, Priya, about three minutes, with a bit of humour",
        occasion="funeral",
        subject="Wilf",
    )
    comp = arrange(brief, sources(GRANDAD), [], speaker="Priya")
    frames = [s.text for p in comp.paragraphs for s in p.sentences if s.origin == "frame"]
    assert frames[-1] == "Goodbye, Grandad." and "I'm Priya, and Wilf was my grandfather." in frames

    # the grandson's: "Eileen, my gran" is a note in the subject field, not a name to paste
    brief = parse("A eulogy for Gran from me, Cian, two minutes", occasion="funeral", subject="Eileen, my gran")
    comp = arrange(brief, sources(GRAN), ["Eileen, my gran"], speaker="Cian")
    frames = [s.text for p in comp.paragraphs for s in p.sentences if s.origin == "frame"]
    assert frames[-1] == "Goodbye, Gran." and not re.search(r"\bmy gran\b", " ".join(frames))
    assert "I'm Cian, and Eileen was my grandmother." in frames
    assert "The funny one is the time Gran drove the Fiat into the harbour." in comp.text
    assert all(s.supported for p in comp.paragraphs for s in p.sentences)

    # memories that use her first name: the speech does too
    eileen = [
        Source(
            1,
            "post office",
            "Eileen ran the post office in Cloyne for thirty years. Eileen knew every parcel by its string.",
        ),
        Source(2, "sea", "She swam in the sea at Ballycotton every morning, even in January."),
    ]
    brief = parse("A eulogy for my gran, two minutes", occasion="funeral", subject="Eileen, my gran")
    comp = arrange(brief, eileen, ["Eileen, my gran"], speaker="Cian")
    assert comp.paragraphs[-1].sentences[-1].text == "Goodbye, Eileen."


def test_address_forms_and_names_in_the_subject_field():
    assert name_in("Eileen, my gran") == "Eileen" and name_in("my gran") == "Gran"
    assert name_in("Mum (Eileen)") == "Mum" and name_in("Tom and Anna") == "Tom and Anna" and name_in("") == ""
    assert relation_in([], "Eileen, my gran") == "grandmother"
    grandad = sources(GRANDAD)
    assert address_of("Wilf", "grandfather", grandad) == "Grandad"  # "Nan" is his wife, not him
    assert address_of("Wilf", "", grandad) == "Wilf"  # no relation known: no kin word is taken for him
    assert address_of("Eileen, my gran", "", sources(GRAN)) == "Gran"
    assert address_of("Eileen, my gran", "", []) == "Eileen"
    said_of_mum = [Source(1, "m", "my mum loved the garden. Mum said weeds were flowers in the wrong place.")]
    assert address_of("Margaret", "mother", said_of_mum) == "Mum"
    # the memories call her nothing (Whisper heard "Nan" as "I'm"): the word the person typed for her
    misheard = [Source(1, "shop", "I'm worked at the co-op on station road for 30 years.")]
    assert address_of("Dorothy", "grandmother", misheard, "A short eulogy for my nan") == "Nan"
    by_name = [Source(1, "shop", "Dorothy worked at the co-op for thirty years.")]
    assert address_of("Dorothy", "grandmother", by_name, "A short eulogy for my nan") == "Dorothy"
    assert address_of("Wilf", "grandfather", grandad, "a eulogy for my grandpa") == "Grandad"  # memories first


def test_draft_titles_say_what_the_memories_call_them():
    class P:
        subject, title = "Eileen, my gran", "Gran"

    brief = parse("A eulogy", occasion="funeral", subject="Eileen, my gran")
    assert draft_title(brief, P()) == "Eulogy for Eileen"
    assert draft_title(brief, P(), call="Gran") == "Eulogy for Gran"


def test_people_in_the_project_do_not_change_how_the_subject_is_called(store):
    project = store.create_project(
        "Gran", subject="Eileen, my gran", speaker="Cian", people=[Person("Siobhan"), Person("Tadhg")]
    )
    for title, text in GRAN:
        store.add_memory(project.id, "text", title, text=text)
    engine = ScriptedEngine([], parameters=135_000_000)
    result = write(store, store.project(project.id), "A eulogy from me, Cian, about two minutes", engine)
    assert result.revision.text.rstrip().endswith("Goodbye, Gran.")
    assert "Eileen, my gran" not in result.revision.text and result.draft.title == "Eulogy for Gran"


def test_the_provenance_pane_shows_a_sentence_as_spoken_and_as_it_will_be_read(store, qtbot):
    from app.ui.drafts_panel import DraftsPanel

    project = store.create_project("Grandad", subject="Wilf", speaker="Priya")
    memory = store.add_memory(project.id, "text", "navy", text=GRANDAD[1][1])
    comp = arrange(
        parse("A eulogy for Grandad, one minute", occasion="funeral", subject="Wilf"),
        [Source(memory.id, "navy", memory.text)],
        [],
        speaker="Priya",
    )
    provenance = [p.to_dict() for p in comp.paragraphs]
    _, revision = store.create_draft(
        project.id, "Eulogy for Grandad", comp.text, provenance=provenance, checks=comp.check.to_dict()
    )
    panel = DraftsPanel(store, lambda _id: None)
    qtbot.addWidget(panel)
    panel.show_revision(store.revision(revision.id), {memory.id: "navy"})
    items = [panel.sentences.item(i) for i in range(panel.sentences.count())]
    navy = next(i for i in items if "in the navy" in i.text())
    assert navy.text().startswith("¶2 ✓ your words, tidied for reading · navy: He was in the navy when he was young.")
    assert "← you said “Erm, he was in the navy, you know," in navy.text()
    assert navy.toolTip() == (
        "As it will be read: He was in the navy when he was young.\n"
        "As you said it: Erm, he was in the navy, you know, when he was young."
    )
    plain = [i for i in items if "✓ Fondly's words" in i.text()]
    assert plain and all("you said" not in i.text() and "\n" not in i.toolTip() for i in plain)


def test_a_join_of_two_tidied_sentences_keeps_both_as_they_were_said():
    memory = Source(1, "garden", "Erm, he loved his garden. He grew, um, leeks there.")
    engine = ScriptedEngine(["He loved his garden and grew leeks there."], parameters=135_000_000)
    comp = arrange(
        parse("An anecdote about his garden", occasion="funeral", subject="Wilf"), [memory], [], engine=engine
    )
    joined = [s for p in comp.paragraphs for s in p.sentences if s.origin == "edited"]
    assert [s.text for s in joined] == ["He loved his garden and grew leeks there."]
    assert joined[0].spoken == "Erm, he loved his garden. He grew, um, leeks there."


def test_model_prose_is_told_what_he_is_called_and_falls_back_to_tidied_sentences():
    from llm.compose import compose

    brief = parse("A eulogy for Grandad, two minutes", occasion="funeral", subject="Wilf")
    brief.relation = "grandfather"
    engine = ScriptedEngine(["He flew to the moon in a silver rocket."] * 20)  # a capable model that invents
    comp = compose(engine, brief, sources(GRANDAD), [], speaker="Priya")
    assert "The speaker calls Wilf “Grandad”" in engine.asked[0][0].content
    notes = engine.asked[0][1].content
    assert "um," not in notes and "he'd, he'd" not in notes  # the model is shown the memories as they'll be read
    own = [s for p in comp.paragraphs for s in p.sentences]
    assert own and all(s.origin == "memory" and not FILLERS.search(s.text) for s in own)
    assert any(s.spoken and s.spoken != s.text for s in own)
