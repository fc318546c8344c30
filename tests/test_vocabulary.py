"""What Whisper is told to expect (app.vocabulary), and the final pass that is never worse than
the live transcript (app.final_pass, app.recordings.finish)."""

from __future__ import annotations

import subprocess
import wave

import numpy as np

from app import final_pass, recordings, vocabulary
from app.store import Person

# --- the vocabulary -------------------------------------------------------------------------------


def test_people_are_said_with_their_relation():
    texts = [
        "Grandma Siobhan took us to the sea.",
        "We called round to Uncle Tadhg's on Sundays.",
        "Gran Siobhan, as the cousins said, never sat still. Grandma Siobhan laughed.",
    ]
    said = vocabulary.people_as_said(["Siobhan", "Uncle Tadhg", "Frank"], texts)
    assert said == ["Grandma Siobhan", "Gran Siobhan", "Uncle Tadhg", "Frank"]


def test_a_relation_is_taken_only_before_a_known_name():
    said = vocabulary.people_as_said(["Siobhan"], ["My Gran lived by the sea.", "Uncle Frank drove."])
    assert said == ["Siobhan"]


def test_places_the_memories_name():
    texts = [
        "We walked up Mam Tor every Boxing Day. Then Grandad Wilf bought chips in Castleton.",
        "The strand at Ballycotton was his favourite. She said Ballycotton was too windy.",
        "Ballycotton again! He ran the shop on Cowley Road, and I went to Mass on Sunday.",
    ]
    found = vocabulary.places(texts, known=["Grandad Wilf", "Wilf"])
    assert found[0] == "Ballycotton"  # the most named first, even as a sentence's first word
    assert {"Mam Tor", "Castleton", "Cowley Road"} <= set(found)
    assert not {"Then", "She", "He", "Wilf", "Grandad", "Grandad Wilf", "Mass", "Sunday"} & set(found)


def test_vocabulary_puts_people_first_and_stays_short():
    many = [f"We drove through Placename{chr(65 + i)}{chr(97 + i)} at last." for i in range(26)] * 3
    vocab = vocabulary.build(["Siobhan", "Tadhg"], ["Lough Derg"], ["Grandma Siobhan and Uncle Tadhg."] + many)
    assert vocab[:3] == ["Grandma Siobhan", "Uncle Tadhg", "Lough Derg"]
    assert len(vocab) <= vocabulary.MAX_PHRASES and sum(len(v) + 2 for v in vocab) <= vocabulary.MAX_CHARS + 2


def test_for_project_learns_from_the_memories(store):
    project = store.create_project(
        "Gran", subject="Siobhan", people=[Person("Tadhg"), Person("Aunt Rose")], vocabulary=["Lough Derg"]
    )
    store.add_memory(project.id, "text", "Summers", text="Grandma Siobhan and Uncle Tadhg took us to Ballycotton.")
    spoken = store.add_memory(project.id, "voice", "Told", status="ready")
    store.add_segment(spoken.id, 0, 0.0, 3.0, "Nana Siobhan drove us to Malikot.", 0.5)
    vocab = vocabulary.for_project(store, project)
    assert vocab == ["Uncle Tadhg", "Aunt Rose", "Grandma Siobhan", "Nana Siobhan", "Lough Derg", "Ballycotton"]
    assert "Malikot" not in vocab  # a transcript's place may be a mishearing: places come from typed memories
    assert "Nana Siobhan" not in vocabulary.for_project(store, project, leave_out=spoken.id)
    assert vocabulary.for_project(None, project) == ["Tadhg", "Aunt Rose", "Siobhan", "Lough Derg"]
    assert vocabulary.for_project(store, None) == []


# --- never worse than the live transcript ---------------------------------------------------------

VOCAB = ["Grandma Siobhan", "Uncle Tadhg", "Ballycotton"]
LIVE = [
    (0.0, 4.0, "Grandma Siobhan took us down to the strand at Ballycotton.", 0.6),
    (4.5, 8.0, "Uncle Tadhg carried the basket.", 0.7),
    (9.0, 12.0, "He complained about the sand all the way home", 0.5),
]


def test_the_final_pass_replaces_the_live_one_where_it_keeps_what_was_heard():
    final = [
        (0.0, 8.1, "Grandma Siobhan took us down to the strand at Ballycotton. Uncle Tadhg carried the basket.", 0.8),
        (9.0, 12.0, "He complained about the sand all the way home.", 0.8),
    ]
    merged, kept = final_pass.merge(LIVE, final, VOCAB)
    assert merged == final and kept == 0


def test_a_stretch_where_the_final_pass_lost_a_name_keeps_the_live_segments():
    final = [
        (0.0, 4.0, "Grandma Siobhan took us down to must run that helicopter.", 0.8),
        (4.5, 8.0, "Uncle Tadhg carried the basket.", 0.8),
        (9.0, 12.0, "He complained about the sand all the way home.", 0.8),
    ]
    merged, kept = final_pass.merge(LIVE, final, VOCAB)
    assert merged == [LIVE[0], final[1], final[2]] and kept == 1


def test_a_final_pass_that_copies_the_prompt_keeps_the_live_segments():
    final = [(0.0, 12.0, "Grandma Siobhan, Uncle Tadhg, Ballycotton, Ballycotton, Ballycotton.", 0.4)]
    merged, kept = final_pass.merge(LIVE, final, VOCAB)
    assert merged == LIVE and kept == 1


def test_a_final_pass_that_drops_speech_keeps_the_live_segments():
    final = [(9.0, 12.0, "He complained.", 0.8)]
    merged, _ = final_pass.merge(LIVE, final, VOCAB)
    assert merged == LIVE  # 0-8 s: nothing from the final pass; 9-12 s: two of nine words


def test_without_a_live_transcript_the_final_pass_stands():
    final = [(0.0, 3.0, "Anything at all.", 0.5)]
    assert final_pass.merge([], final, VOCAB) == (final, 0)


def test_stretches_are_cut_where_no_segment_crosses():
    live = [(0.0, 2.0, "a", 1), (2.0, 4.0, "b", 1), (6.0, 7.0, "c", 1)]
    final = [(0.5, 3.0, "x", 1), (3.0, 4.0, "y", 1), (6.1, 7.2, "z", 1)]
    assert final_pass.stretches(live, final) == [([live[0], live[1]], [final[0], final[1]]), ([live[2]], [final[2]])]


class EchoingTranscriber:
    """The final pass as tiny.en did it on a reading of names: the prompt back, not the speech."""

    def __init__(self):
        self.hotwords = None

    def transcribe(self, audio, hotwords=(), cancel=None, guard=False, words=False):
        from speech.transcriber import Segment

        self.hotwords = list(hotwords)
        yield Segment(0.0, 12.0, ", ".join(list(hotwords) * 3), 0.4, 0.1)


def _wav(path, seconds):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        tone = 0.3 * np.sin(np.arange(int(seconds * 16000)) * 2 * np.pi * 220 / 16000)
        w.writeframes((tone * 32767).astype("<i2").tobytes())


def test_finish_stores_the_live_transcript_where_the_final_pass_is_worse(store):
    project = store.create_project("Gran", people=[Person("Siobhan"), Person("Tadhg")])
    memory, wav = recordings.begin(store, project)
    _wav(wav, 12.0)
    for i, (start, end, text, conf) in enumerate(LIVE):
        store.add_segment(memory.id, i, start, end, text, conf)
    fake = EchoingTranscriber()
    done = recordings.finish(store, memory.id, fake, VOCAB)
    assert fake.hotwords == VOCAB
    assert done.status == "ready"
    assert [s.text for s in store.segments(memory.id)] == [s[2] for s in LIVE]


def test_the_vocabulary_spells_grandma_siobhan_through_the_import(store, transcriber, tmp_path):
    """People typed bare ("Siobhan, Tadhg"), the relation learned from a typed memory: an imported
    reading of "Grandma Siobhan" is spelled right."""
    from app.memories import add_files

    project = store.create_project("Gran", people=[Person("Siobhan"), Person("Tadhg")])
    store.add_memory(
        project.id, "text", "Sea", text="Grandma Siobhan loved the sea. Uncle Tadhg drove us to Ballycotton."
    )
    wav = tmp_path / "said.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-gb",
            "-s",
            "150",
            "-w",
            str(wav),
            "Grandma Siobhan took us down to the strand every summer. Uncle Tadhg carried the basket.",
        ],
        check=True,
        timeout=60,
    )
    [memory] = add_files(store, project, [wav], transcriber=lambda: transcriber)
    assert "Grandma Siobhan" in memory.text and "Tadhg" in memory.text, memory.text


def test_a_live_stretch_that_copied_the_prompt_gives_way_to_the_final_pass():
    live = [(0.0, 4.0, "Grandma Siobhan Tadhg Ballycotton Tadhg Ballycotton Tadhg", 0.3)]
    final = [(0.0, 4.0, "Grandma Siobhan took us down to the strand.", 0.7)]
    assert final_pass.merge(live, final, VOCAB) == (final, 0)
