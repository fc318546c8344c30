"""Writing with the bundled model: grounded, checked, the right length, with provenance."""

from __future__ import annotations

import json

import pytest

from app.errors import FondlyError
from app.store import Person
from app.writing import write
from llm.checks import Grounds, check_paragraph, proper_names
from llm.brief import parse

DAD = ("Dad fished at Lake Travis every summer. He named every catfish he caught Gerald, and we never found out why.\n"
       "He worked for thirty years as a mail carrier in Austin and knew every dog on his route by name.\n"
       "He taught me to change a tyre and to always say thank you.")
GARDEN = ("Frank grew tomatoes in the back garden and gave them away to the neighbours. He sang Johnny Cash songs "
          "badly while he weeded, and he laughed at himself every time he forgot the words.")
HOSPITAL = "The last weeks in the hospital were hard. Siobhan and Tadhg visited every day."
FISHING = ("On the fishing trip to Galveston the boat's motor died and Dad rowed us back for two hours, "
           "singing the whole way so we would not be scared.")


@pytest.fixture
def project(store):
    p = store.create_project("Dad", subject="Frank", speaker="Ann", people=[Person("Siobhan"), Person("Tadhg")])
    for title, text in (("dad.txt", DAD), ("garden", GARDEN), ("hospital", HOSPITAL), ("fishing trip", FISHING)):
        store.add_memory(p.id, "text", title, text=text)
    return store.project(p.id)


def test_a_whole_eulogy_with_a_joke_is_grounded(store, project, engine):
    shorthand = ("Write a funeral speech using dad.txt and be sure to include at least one joke. "
                 "Make it about three minutes. Don't mention the hospital.")
    result = write(store, project, shorthand, engine, seed=3)
    check = result.composition.check
    text = result.revision.text
    assert check.invented_names == []
    grounds = Grounds([DAD, GARDEN, HOSPITAL, FISHING], project.names, result.composition and parse(shorthand), "Ann")
    assert grounds.unknown_names(text) == []  # re-checked independently of the stored result
    assert abs(len(text.split()) - 360) <= 0.2 * 360
    assert check.light_moments >= 1 and check.jokes_wanted == 1
    assert check.sources_unused == [] and check.sources_named == ["dad.txt"]
    dad_id = next(m.id for m in store.memories(project.id) if m.title == "dad.txt")
    assert any(dad_id in p["memory_ids"] for p in result.revision.provenance)
    assert "hospital" not in text.lower()
    assert check.must_haves_met
    # everything is stored with the revision: the Brief, each paragraph's sources and checks
    assert result.draft.brief["jokes"] == 1 and result.draft.brief["avoid"] == ["the hospital"]
    assert len(result.revision.provenance) >= 4
    assert all("memory_ids" in p and "check" in p for p in result.revision.provenance)
    assert result.revision.checks["invented_names"] == [] and result.revision.checks["stopped"] is False


def test_an_anecdote_about_one_memory_comes_from_that_memory(store, project, engine):
    result = write(store, project, "Write me an anecdote about the fishing trip.", engine, seed=5)
    fishing = next(m.id for m in store.memories(project.id) if m.title == "fishing trip")
    paragraphs = result.revision.provenance
    assert result.draft.kind == "anecdote"
    assert paragraphs and all(p["memory_ids"] == [fishing] for p in paragraphs)
    assert result.composition.check.invented_names == []


def test_an_anecdote_from_the_shorthand_itself(store, project, engine):
    result = write(store, project,
                   "He always said we were the three bears and he was Goldilocks. Write me an anecdote about that.",
                   engine, seed=2)
    assert result.composition.check.invented_names == []
    assert "goldilocks" in result.revision.text.lower() or "bears" in result.revision.text.lower()


def test_a_named_memory_that_does_not_exist_is_a_clear_error(store, project, engine):
    before = store.counts()
    with pytest.raises(FondlyError, match="no memory called 'mum.txt'"):
        write(store, project, "Write a eulogy using mum.txt", engine)
    assert store.counts() == before


def test_checks_flag_invented_names_relatives_and_loops():
    brief = parse("Write a eulogy using dad.txt. Don't mention the hospital.", memory_titles=["dad.txt"])
    grounds = Grounds([DAD], ["Frank", "Siobhan"], brief, "Ann")
    bad = check_paragraph("My name is Robert. Dad and his brother Michael drove to Dallas with Gerald.", grounds, [DAD])
    assert "Michael" in bad.invented_names and "Dallas" in bad.invented_names
    assert "the speaker called Robert" in bad.invented_names and bad.invented_relatives == ["brother"]
    frank = check_paragraph("Hello, my name is Frank and I loved Lake Travis.", grounds, [DAD])
    assert frank.invented_names == ["the speaker called Frank"]  # the subject is not the speaker
    assert not bad.ok
    good = check_paragraph("Every summer Dad fished at Lake Travis, and every catfish was called Gerald.", grounds, [DAD])
    assert good.ok, good.problems()
    assert check_paragraph("He was at the hospital a lot, fishing and fishing.", grounds, [DAD]).avoided == ["the hospital"]
    loop = "He loved the lake. He loved the lake. He loved the lake."
    assert check_paragraph(loop, grounds, [DAD]).loop
    assert proper_names("Summer came. We drove to Lake Travis with Gerald.") == ["Lake Travis", "Gerald"]


def test_cli_write_json_carries_brief_provenance_and_checks(fondly, tmp_path):
    fondly("project", "new", "Dad", "--subject", "Frank")
    (tmp_path / "dad.txt").write_text(DAD)
    fondly("memory", "add", "Dad", tmp_path / "dad.txt")
    out = json.loads(fondly("write", "Dad", "Write a short eulogy using dad.txt with a joke", "--seed", "4", "--json").stdout)
    assert out["brief"]["sources"] == ["dad.txt"] and out["brief"]["jokes"] == 1
    assert out["paragraphs"] and all(p["memory_ids"] == [1] for p in out["paragraphs"])
    assert out["checks"]["invented_names"] == [] and "length_error" in out["checks"]
    brief = json.loads(fondly("brief", "Dad", "Make it about four minutes. Don't mention the hospital.").stdout)
    assert brief["minutes"] == 4 and brief["target_words"] == 480 and brief["avoid"] == ["the hospital"]
