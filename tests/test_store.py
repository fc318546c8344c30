"""The database: schema, migrations, WAL, foreign keys, full-text search."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from app.errors import FondlyError
from app.migrations import MIGRATIONS, migrate
from app.store import Person, Store

EXPECTED_COLUMNS = {
    "projects": {"id", "title", "occasion", "subject", "speaker", "people", "pace", "vocabulary", "created", "updated"},
    "memories": {
        "id",
        "project_id",
        "kind",
        "title",
        "text",
        "source_path",
        "audio_path",
        "duration",
        "language",
        "status",
        "error",
        "created",
        "updated",
        "question",
        "deleted",
    },
    "segments": {"id", "memory_id", "idx", "start", "end", "text", "confidence"},
    "drafts": {"id", "project_id", "title", "kind", "brief", "current_revision_id", "created", "updated", "deleted"},
    "revisions": {
        "id",
        "draft_id",
        "created",
        "origin",
        "text",
        "model",
        "prompt",
        "seed",
        "provenance",
        "checks",
        "parent_id",
        "label",
    },
}


def schema(db: sqlite_utils.Database) -> list[tuple]:
    return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_migrations_on_a_blank_database(tmp_path):
    db = sqlite_utils.Database(tmp_path / "blank.db")
    applied = migrate(db)
    assert applied == [
        "m001_initial_schema",
        "m002_full_text_search",
        "m003_vocabulary",
        "m004_rehearsals",
        "m005_questions",
        "m006_names_and_bin",
        "m007_opened_by",
    ]
    for table, columns in EXPECTED_COLUMNS.items():
        assert set(db[table].columns_dict) == columns, table
    assert [m.name for m in MIGRATIONS.applied(db)] == applied
    assert db["memories"].detect_fts() and db["revisions"].detect_fts()


def test_migrations_twice_change_nothing(tmp_path):
    db = sqlite_utils.Database(tmp_path / "twice.db")
    migrate(db)
    before = schema(db)
    assert migrate(db) == []
    assert schema(db) == before
    Store(tmp_path / "twice.db").close()  # opening again migrates again, harmlessly
    assert schema(sqlite_utils.Database(tmp_path / "twice.db")) == before


def test_a_database_from_the_numbered_scheme_is_carried_over(tmp_path):
    """Databases made before sqlite-utils' Migrations recorded versions 1–3 in `migrations`:
    they open with nothing applied twice and nothing lost, and the old table is gone."""
    db = sqlite_utils.Database(tmp_path / "old.db")
    for fn in (m.fn for m in MIGRATIONS._migrations[:2]):  # an old database at version 2
        fn(db)
    db["migrations"].insert_all(
        [
            {"version": 1, "name": "initial schema", "applied": "2026-01-01"},
            {"version": 2, "name": "full-text search", "applied": "2026-01-01"},
        ],
        pk="version",
    )
    db["projects"].insert({"title": "Dad", "occasion": "funeral", "pace": 130})
    assert migrate(db) == [
        "m003_vocabulary",
        "m004_rehearsals",
        "m005_questions",
        "m006_names_and_bin",
        "m007_opened_by",
    ]
    assert "migrations" not in db.table_names()
    assert next(dict(r) for r in db["projects"].rows)["title"] == "Dad"
    assert db["projects"].get(1)["vocabulary"] == "[]"
    assert migrate(db) == []


def test_wal_and_foreign_keys(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        store.add_memory(999, "typed", "orphan")


def test_full_text_search_over_memories(store):
    p = store.create_project("Dad", people=[Person("Siobhan", "shiv-AWN")])
    store.add_memory(p.id, "typed", "fishing", text="He fished at Lake Travis every summer.")
    store.add_memory(p.id, "typed", "garden", text="He grew tomatoes.")
    hits = [r["title"] for r in store.db["memories"].search("travis")]
    assert hits == ["fishing"]
    m = store.add_memory(p.id, "audio", "voice", status="transcribing")
    store.add_segment(m.id, 0, 0.0, 2.0, "the bakery on Elm Street")
    assert [r["title"] for r in store.db["memories"].search("bakery")] == ["voice"]


def test_revisions_chain_and_current_text(store):
    p = store.create_project("Dad")
    d, r1 = store.create_draft(p.id, "Eulogy", "First.", seed=3)
    r2 = store.add_revision(d.id, "Second.", origin="edited")
    assert r2.parent_id == r1.id
    assert store.current_text(d.id) == "Second."
    assert [r.text for r in store.revisions(d.id)] == ["First.", "Second."]


def test_people_parsing():
    assert Person.parse_list(" Siobhan (shiv-AWN), Tadhg ,, ") == [Person("Siobhan", "shiv-AWN"), Person("Tadhg")]


def test_project_lookup(store):
    p = store.create_project("Dad's eulogy")
    assert store.find_project("dad's EULOGY").id == p.id
    assert store.find_project(str(p.id)).id == p.id
    with pytest.raises(FondlyError, match="no project called 'Mum'"):
        store.find_project("Mum")
    with pytest.raises(FondlyError, match="already a project"):
        store.create_project("DAD'S EULOGY")


def test_read_only_data_folder_is_a_clear_error(tmp_path, monkeypatch):
    """A folder nobody may write to. Root ignores permission bits, so it gets /proc, which no one can write."""
    import os

    home = tmp_path / "ro"
    home.mkdir()
    os.chmod(home, 0o555)
    if os.access(home, os.W_OK):
        home = "/proc/self"
    monkeypatch.setenv("FONDLY_HOME", str(home))
    try:
        with pytest.raises(FondlyError, match="can't open its database"):
            Store.open_default()
    finally:
        os.chmod(tmp_path / "ro", 0o755)


def test_what_belongs_together_is_written_together_or_not_at_all(store):
    """A draft and its first revision are one transaction: if the revision can't be written, no draft
    is left without one (sqlite-utils commits each insert on its own unless told otherwise)."""
    p = store.create_project("Dad")
    before = list(store.db.conn.iterdump())
    with pytest.raises(sqlite3.OperationalError):
        store.create_draft(p.id, "Eulogy", "Dad.", no_such_column=1)
    assert list(store.db.conn.iterdump()) == before


def test_the_bin_keeps_what_is_deleted_for_30_days_then_lets_it_go(tmp_path):
    """Renamed and deleted drafts and memories: out of every list and search at once, back from the
    bin whole, and gone for good (with the audio the data folder held) only after BIN_DAYS."""
    store = Store(tmp_path / "fondly.db")
    p = store.create_project("Gran", subject="Gran")
    m = store.add_memory(p.id, "voice", "garden", text="She grew roses by the wall.")
    audio = tmp_path / "audio.wav"
    audio.write_bytes(b"RIFF")
    store.update_memory(m.id, audio_path=str(audio))
    d, r = store.create_draft(p.id, "write a eulogy for gran", "She grew roses.")
    assert store.rename("draft", d.id, "  Eulogy   for Gran ") == "Eulogy for Gran"
    with pytest.raises(FondlyError, match="needs a name"):
        store.rename("memory", m.id, "  \n ")
    assert store.label_revision(r.id, "Read to Mum").label == "Read to Mum"
    before = store.counts()
    store.to_bin("draft", d.id)
    store.to_bin("memory", m.id)
    assert store.drafts(p.id) == [] and store.memories(p.id) == [] and store.search_snippets(p.id, "roses") == []
    assert [x.title for x in store.binned(p.id)] == ["garden", "Eulogy for Gran"] or {
        x.title for x in store.binned(p.id)
    } == {"garden", "Eulogy for Gran"}
    assert store.empty_bin() == 0 and store.counts() == before  # not 30 days yet: nothing goes
    store.from_bin("draft", d.id)
    assert [x.title for x in store.drafts(p.id)] == ["Eulogy for Gran"]
    assert store.current_text(d.id) == "She grew roses." and store.revision(r.id).label == "Read to Mum"
    assert store.empty_bin(days=-1) == 1  # the memory has been in the bin "longer" than -1 days
    assert store.memories(p.id) == [] and store.binned(p.id) == [] and not audio.exists()
    assert store.counts()["drafts"] == 1
