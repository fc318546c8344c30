"""Writing: the person's own words with the bundled model, checked prose with a capable one,
a scaffold with no memories — and every sentence traced, judged by independent code."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from app.errors import FondlyError
from app.evaluation import frame_words
from app.judge import Judge
from app.store import Person
from app.writing import write
from tests.helpers import DAD, FISHING, GARDEN, HOSPITAL, ScriptedEngine

MEMORIES = (("dad.txt", DAD), ("garden", GARDEN), ("hospital", HOSPITAL), ("fishing trip", FISHING))
EVAL = Path(__file__).resolve().parent / "data" / "eval"


@pytest.fixture
def project(store):
    p = store.create_project("Dad", subject="Frank", speaker="Ann", people=[Person("Siobhan"), Person("Tadhg")])
    for title, text in MEMORIES:
        store.add_memory(p.id, "text", title, text=text)
    return store.project(p.id)


def judge(text: str, checks: dict, **labels) -> dict:
    case = {
        "memories": [{"title": t, "text": x} for t, x in MEMORIES],
        "subject": "Frank",
        "speaker": "Ann",
        "people": ["Siobhan", "Tadhg"],
        "labels": labels,
    }
    return Judge(case, frame_words(EVAL)).score(text, checks, 0, "test").to_dict()


def memory_sentences() -> set[str]:
    return {s.strip() for _, text in MEMORIES for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()}


def test_the_bundled_model_writes_a_eulogy_of_the_persons_own_words(store, project, engine):
    shorthand = (
        "Write a funeral speech using dad.txt and be sure to include at least one joke. "
        "Make it about three minutes. Don't mention the hospital."
    )
    result = write(store, project, shorthand, engine, seed=3)
    checks, text = result.revision.checks, result.revision.text
    assert checks["mode"] == "memory-first" and result.draft.brief["mode"] == "memory-first"
    sentences = [s for p in result.revision.provenance for s in p["sentences"]]
    assert sentences and all(s["supported"] and s["unsupported"] == [] for s in sentences)
    # every sentence is the person's, word for word, or a framing line built from project facts
    own = memory_sentences()
    for s in sentences:
        assert s["origin"] in ("memory", "frame", "edited", "voice"), s
        if s["origin"] == "memory":
            assert s["text"] in own and s["memory_id"] is not None
    assert sum(1 for s in sentences if s["origin"] == "frame") <= 4
    # each memory sentence at most once; nothing from the hospital memory, nor who appears only there
    body = [s["text"] for s in sentences if s["origin"] != "frame"]
    assert len(body) == len(set(body))
    assert not re.search(r"hospital|Siobhan|Tadhg", text)
    dad_id = next(m.id for m in store.memories(project.id) if m.title == "dad.txt")
    assert any(dad_id in p["memory_ids"] for p in result.revision.provenance)
    assert checks["light_moments"] >= 1 and checks["sources_unused"] == []
    # 360 words were asked for, the memories hold fewer: the draft is shorter and says so
    assert len(text.split()) < 0.75 * 360 and re.match(
        r"\d\.\d of 3\.0 min: add (a|another) memory", checks["shortfall"]
    )
    assert checks["all_supported"] and checks["unsupported_words"] == []
    scored = judge(
        text,
        checks,
        target_words=360,
        relation=["father"],
        must_not=["hospital", "Siobhan", "Tadhg"],
        must_have=[{"what": "light", "any_of": ["named every catfish he caught Gerald", "laughed at himself"]}],
    )
    assert scored["failures"] == [] and scored["supported_share"] == 1.0


def test_the_speakers_own_name_becomes_i(store, engine):
    p = store.create_project("Gran", subject="Eileen", speaker="Rory")
    store.add_memory(
        p.id,
        "text",
        "market",
        text="Rory still meets people from her old choir at the market. Rory is proud of her roses.",
    )
    result = write(store, store.project(p.id), "A eulogy for my grandmother", engine, seed=1)
    assert "I still meet people from her old choir at the market." in result.revision.text
    assert "I am proud of her roses." in result.revision.text
    voiced = [s for para in result.revision.provenance for s in para["sentences"] if s["origin"] == "voice"]
    assert len(voiced) == 2 and all(s["supported"] for s in voiced)


def test_with_no_memories_a_scaffold_never_prose(store, engine):
    p = store.create_project("Dad", subject="Frank", speaker="Ann")
    result = write(store, store.project(p.id), "Write a funeral speech for my dad with a joke", engine, seed=1)
    text, checks = result.revision.text, result.revision.checks
    assert checks["scaffold"] is True and checks["ok"] is False and checks["sentences"] == 0
    paragraphs = [x for x in text.split("\n\n") if x.strip()]
    assert len(paragraphs) >= 4 and all(re.fullmatch(r"\[[^\]]+\]", x.strip()) for x in paragraphs)
    assert "[A story only you could tell about Frank]" in text
    assert "record or import a memory" in " ".join(checks["notes"])


def test_the_cli_says_a_scaffold_is_a_scaffold(fondly):
    fondly("project", "new", "Dad", "--subject", "Frank")
    proc = fondly("write", "Dad", "Write a funeral speech for my dad with a joke")
    assert proc.stdout.startswith("[") and "scaffold" in proc.stderr


def test_a_named_memory_that_does_not_exist_is_a_clear_error(store, project, engine):
    before = store.counts()
    with pytest.raises(FondlyError, match="no memory called 'mum.txt'"):
        write(store, project, "Write a eulogy using mum.txt", engine)
    assert store.counts() == before


# --- free prose, with a scripted capable model: what is kept, dropped and recorded ----------------


def test_prose_keeps_only_supported_sentences_and_records_the_rest(store, project):
    invented = (
        "Sure, here is the paragraph. Dad fished at Lake Travis every summer. He was a volunteer at a local "
        "nursery in Dallas. I've added a Texas inflection. Every catfish he caught, he named Gerald."
    )
    engine = ScriptedEngine([invented] * 20)
    result = write(store, project, "Write a short eulogy using dad.txt. Don't mention the hospital.", engine, seed=1)
    checks = result.revision.checks
    assert checks["mode"] == "prose"
    text = result.revision.text
    assert "Dad fished at Lake Travis every summer." in text
    for leak in ("volunteer", "Dallas", "Texas", "Sure", "here is"):
        assert leak not in text
    sentences = [s for p in result.revision.provenance for s in p["sentences"]]
    assert all(s["supported"] for s in sentences)
    assert len(sentences) == len({s["text"] for s in sentences})  # the same sentence is never said twice
    dropped = [d for p in result.revision.provenance for d in p["dropped"]]
    assert any("volunteer" in d["unsupported"] for d in dropped) and any("meta" in d["reasons"] for d in dropped)
    assert checks["dropped"] == len(dropped) and checks["all_supported"]
    # a section with nothing left falls back to the memories' own sentences: never a stock line
    own = memory_sentences()
    for s in sentences:
        assert s["origin"] in ("model", "memory")
        if s["origin"] == "memory":
            assert s["text"] in own
    assert "One memory still makes me smile" not in text and "Thank you." not in text.split("\n")


def test_prose_that_says_nothing_true_falls_back_to_the_memories(store, project):
    engine = ScriptedEngine(["They were a happy couple with two children, married for 40 years."] * 20)
    result = write(store, project, "Write a short eulogy using dad.txt", engine, seed=1)
    sentences = [s for p in result.revision.provenance for s in p["sentences"]]
    assert sentences and {s["origin"] for s in sentences} == {"memory"}
    assert result.revision.checks["fallbacks"] >= 1 and "married" not in result.revision.text


def test_a_rewrite_that_adds_anything_keeps_the_passage(store, project):
    from app.writing import rewrite
    from llm.brief import Brief

    passage = "Dad fished at Lake Travis every summer."
    engine = ScriptedEngine(
        ["Dad fished at Lake Travis with his brother Michael.", "Dad, a proud Texan, fished at Lake Travis."]
    )
    rw = rewrite(store, project, passage, "warmer", Brief(subject="Frank"), engine)
    assert rw.text == passage and "in no memory" in rw.problems[0]
    same = ScriptedEngine([passage, passage])  # a "rewrite" that changes nothing is not one
    assert rewrite(store, project, passage, "warmer", Brief(subject="Frank"), same).problems == ["came back unchanged"]
    good = ScriptedEngine(["Every summer, Dad fished at Lake Travis."])
    rw = rewrite(store, project, passage, "warmer", Brief(subject="Frank"), good, seed=5)
    assert rw.text == "Every summer, Dad fished at Lake Travis." and rw.problems == []
    assert (rw.model, rw.seed, rw.how) == ("scripted", 5, "warmer")


# --- the evaluation -----------------------------------------------------------------------------


def test_the_judge_is_not_fooled_by_an_invented_draft():
    """Scored by app.judge alone: a draft that invents fails, whatever the filter thought of it."""
    draft = (
        "Thank you all for being here today. Dad fished at Lake Travis every summer. "
        "He served in the military for 40 years with his brother. Here it goes: he was a volunteer at a nursery. "
        "Dad fished at Lake Travis every summer."
    )
    scored = judge(draft, {"target_words": 60}, target_words=60)
    failures = " ".join(scored["failures"])
    assert [u["sentence"] for u in scored["unsupported"]] == [
        "He served in the military for 40 years with his brother.",
        "Here it goes: he was a volunteer at a nursery.",
    ]
    assert "invented numbers: 40" in failures and "invented kin: brother" in failures
    assert "meta-text" in failures and "repeated sentences" in failures


def test_fondly_eval_check_fails_a_case_below_the_thresholds(fondly, tmp_path):
    case = json.loads((EVAL / "toast-sister" / "case.json").read_text())
    case["labels"]["must_have"].append({"what": "a story about a horse", "any_of": ["rode a horse to school"]})
    shutil.copy(EVAL / "frame-words.txt", tmp_path / "frame-words.txt")
    (tmp_path / "impossible").mkdir()
    (tmp_path / "impossible" / "case.json").write_text(json.dumps(case))
    proc = fondly("eval", tmp_path, "--check", ok=False)
    assert proc.returncode == 1 and "must-have not met: a story about a horse" in proc.stdout
    assert fondly("eval", tmp_path, ok=False).returncode == 0  # without --check it reports and exits 0


def test_fondly_eval_check_passes_on_a_small_case_set(fondly):
    proc = fondly(
        "eval", EVAL / "eulogy-dad-joke", EVAL / "eulogy-irish-names", EVAL / "empty-project", "--check", "--json"
    )
    out = json.loads(proc.stdout)
    assert out["summary"]["failed"] == [] and out["summary"]["supported_share"] >= 0.95
    irish = next(c for c in out["cases"] if c["case"] == "eulogy-irish-names")
    assert "Siobhán" in irish["text"] and irish["invented_names"] == []


def test_a_malformed_case_is_one_clear_line(fondly, tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "case.json").write_text("{not json")
    proc = fondly("eval", tmp_path, ok=False)
    assert proc.returncode == 1 and "can't be read" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_write_json_carries_brief_provenance_and_checks(fondly, tmp_path):
    fondly("project", "new", "Dad", "--subject", "Frank")
    (tmp_path / "dad.txt").write_text(DAD)
    fondly("memory", "add", "Dad", tmp_path / "dad.txt")
    out = json.loads(
        fondly("write", "Dad", "Write a short eulogy using dad.txt with a joke", "--seed", "4", "--json").stdout
    )
    assert out["brief"]["sources"] == ["dad.txt"] and out["brief"]["jokes"] == 1
    body = [p for p in out["paragraphs"] if p["origin"] != "frame"]
    assert body and all(p["memory_ids"] == [1] for p in body)
    assert out["checks"]["unsupported_words"] == [] and "length_error" in out["checks"]
    brief = json.loads(fondly("brief", "Dad", "Make it about four minutes. Don't mention the hospital.").stdout)
    assert brief["minutes"] == 4 and brief["target_words"] == 480 and brief["avoid"] == ["the hospital"]


def test_pieces_and_rewrites_are_stored_with_model_seed_and_prompt(store, project):
    """Every generated revision records what made it — also an anecdote at the cursor and a rewrite."""
    from app.writing import Rewrite, compose_piece, keep_piece, keep_rewrite
    from llm.brief import Brief

    draft, first = store.create_draft(project.id, "Eulogy", "Opening.\n\nClosing.\n", provenance=[])
    piece = compose_piece(
        store,
        project,
        Brief(task="anecdote", subject="Frank", search=["fishing trip"], target_words=60, occasion="funeral"),
        ScriptedEngine([], parameters=135_000_000),
        seed=11,
    )
    assert piece.composition.paragraphs and (piece.model, piece.seed) == ("scripted", 11)
    text = "Opening.\n\n" + piece.composition.text + "\n\nClosing.\n"
    kept = keep_piece(store, draft.id, text, piece)
    assert (kept.model, kept.seed, kept.origin, kept.text) == ("scripted", 11, "generated", text)
    assert kept.provenance[-1]["sentences"] and kept.checks["inserted"] is True
    rw = Rewrite("Opening.", "Welcome.", [], "warmer", "scripted", 12)
    again = keep_rewrite(store, draft.id, text.replace("Opening.", "Welcome."), rw)
    assert (again.model, again.seed) == ("scripted", 12) and "Opening." in again.prompt
    assert [r.id for r in store.revisions(draft.id)] == [first.id, kept.id, again.id]
