"""The schema, as sqlite-utils Migrations: each applied once, in order, in its own transaction,
and recorded in `_sqlite_migrations` — so a database of any earlier version opens.

A new column or table is a new function here, named with the next number (m004_…); never
edit one that has shipped. Databases made before Fondly used sqlite-utils' Migrations
recorded versions in a `migrations` table of their own; `migrate` carries those over once.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlite_utils
from sqlite_utils import Migrations

from llm.brief import DEFAULT_PACE


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


MIGRATIONS = Migrations("fondly")
# the names the first, hand-rolled scheme recorded by number in its own `migrations` table
_NUMBERED = {1: "m001_initial_schema", 2: "m002_full_text_search", 3: "m003_vocabulary"}


@MIGRATIONS()
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    db.table("projects").create(
        {
            "id": int,
            "title": str,
            "occasion": str,
            "subject": str,
            "speaker": str,
            "people": str,  # JSON list of {"name", "say"}
            "pace": int,
            "created": str,
            "updated": str,
        },
        pk="id",
        not_null={"title", "occasion", "pace"},
        defaults={"occasion": "funeral", "pace": DEFAULT_PACE, "subject": "", "speaker": "", "people": "[]"},
    )
    db.table("memories").create(
        {
            "id": int,
            "project_id": int,
            "kind": str,
            "title": str,
            "text": str,
            "source_path": str,
            "audio_path": str,
            "duration": float,
            "language": str,
            "status": str,
            "error": str,
            "created": str,
            "updated": str,
        },
        pk="id",
        foreign_keys=[("project_id", "projects", "id")],
        not_null={"project_id", "kind", "title", "status"},
        defaults={"text": "", "status": "ready"},
    )
    db.table("memories").create_index(["project_id"])
    db.table("segments").create(
        {"id": int, "memory_id": int, "idx": int, "start": float, "end": float, "text": str, "confidence": float},
        pk="id",
        foreign_keys=[("memory_id", "memories", "id")],
        not_null={"memory_id", "idx", "start", "end", "text"},
    )
    db.table("segments").create_index(["memory_id", "idx"], unique=True)
    db.table("drafts").create(
        {
            "id": int,
            "project_id": int,
            "title": str,
            "kind": str,
            "brief": str,  # JSON
            "current_revision_id": int,
            "created": str,
            "updated": str,
        },
        pk="id",
        foreign_keys=[("project_id", "projects", "id")],
        not_null={"project_id", "title", "kind"},
        defaults={"brief": "{}"},
    )
    db.table("drafts").create_index(["project_id"])
    db.table("revisions").create(
        {
            "id": int,
            "draft_id": int,
            "created": str,
            "origin": str,
            "text": str,
            "model": str,
            "prompt": str,
            "seed": int,
            "provenance": str,  # JSON list, one entry per paragraph
            "checks": str,  # JSON
            "parent_id": int,
        },
        pk="id",
        foreign_keys=[("draft_id", "drafts", "id"), ("parent_id", "revisions", "id")],
        not_null={"draft_id", "created", "origin", "text"},
        defaults={"provenance": "[]", "checks": "{}"},
    )
    db.table("revisions").create_index(["draft_id"])


@MIGRATIONS()
def m002_full_text_search(db: sqlite_utils.Database) -> None:
    db.table("memories").enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    db.table("revisions").enable_fts(["text"], create_triggers=True, tokenize="porter")


@MIGRATIONS()
def m003_vocabulary(db: sqlite_utils.Database) -> None:
    db.table("projects").add_column("vocabulary", str, not_null_default="[]")


@MIGRATIONS()
def m004_rehearsals(db: sqlite_utils.Database) -> None:
    """A rehearsal: a recording of the speech read aloud, aligned to the revision it read. The
    report (JSON) is kept whole, so an old rehearsal reads the same after the draft changes."""
    db.table("rehearsals").create(
        {
            "id": int,
            "draft_id": int,
            "revision_id": int,
            "audio_path": str,
            "created": str,
            "duration": float,  # seconds of the recording
            "report": str,  # JSON: app.rehearsal.Report
        },
        pk="id",
        foreign_keys=[("draft_id", "drafts", "id"), ("revision_id", "revisions", "id")],
        not_null={"draft_id", "revision_id", "created"},
        defaults={"report": "{}"},
    )
    db.table("rehearsals").create_index(["draft_id"])


@MIGRATIONS()
def m005_questions(db: sqlite_utils.Database) -> None:
    """The interview (llm.questions): a memory may answer a question (its id, e.g. "follow:palais"),
    so an answered question does not come back; a skipped one is remembered per project, with when,
    so it goes to the end of the list. Skips go with their project (ON DELETE CASCADE, which
    sqlite-utils' create can't say, hence the SQL)."""
    db.table("memories").add_column("question", str)
    db.execute(
        "CREATE TABLE skipped_questions ("
        " project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
        " question_id TEXT NOT NULL,"
        " skipped TEXT NOT NULL,"
        " PRIMARY KEY (project_id, question_id))"
    )


@MIGRATIONS()
def m006_names_and_bin(db: sqlite_utils.Database) -> None:
    """Drafts and memories a person deletes go to a bin (`deleted`: when) for 30 days before they
    are gone, so a slip loses nothing; a revision may carry a name the person gave it (`label`)."""
    db.table("drafts").add_column("deleted", str)
    db.table("memories").add_column("deleted", str)
    db.table("revisions").add_column("label", str)


@MIGRATIONS()
def m007_opened_by(db: sqlite_utils.Database) -> None:
    """Which Fondly last opened this data folder (one row): an older Fondly refuses a folder a newer
    one has opened, even when the newer one changed no table, since it may have stored things in a
    way the older one would misread (app.store.Store)."""
    db.table("opened_by").create({"id": int, "version": str, "opened": str}, pk="id")


def _adopt_numbered(db: sqlite_utils.Database) -> None:
    """Record, in sqlite-utils' table, what the old numbered scheme had already applied."""
    if "migrations" not in db.table_names() or MIGRATIONS.applied(db):
        return
    MIGRATIONS.ensure_migrations_table(db)
    with db.atomic():
        for row in db.table("migrations").rows_where(order_by="version"):
            if row["version"] in _NUMBERED:
                MIGRATIONS._record_applied(db, _NUMBERED[row["version"]])
        db.table("migrations").drop()


def opened_by(db: sqlite_utils.Database) -> str | None:
    """The version that last opened this database (m007_opened_by), or None before any did. Read-only:
    the store refuses a newer one at open, a restore before anything is moved."""
    if "opened_by" not in db.table_names():
        return None
    row = db.execute("SELECT version FROM opened_by WHERE id = 1").fetchone()
    return row[0] if row else None


def newer(db: sqlite_utils.Database) -> list[str]:
    """Migrations this database records that this Fondly does not know: it was opened by a newer
    Fondly, whose tables this one would misread (or write half of). Callers refuse such a database
    ("made by a newer Fondly") rather than migrate, read or restore it. Read-only."""
    known = {m.name for m in MIGRATIONS._migrations}
    return [m.name for m in MIGRATIONS.applied(db) if m.name not in known]


def _behind(db: sqlite_utils.Database) -> bool:
    """Whether `migrate` has anything to do, looked at without a lock."""
    return bool("migrations" in db.table_names() and not MIGRATIONS.applied(db) or MIGRATIONS.pending(db))


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this database has not had yet; return their names.

    Processes often open a new (or older) database at the same moment — the window and a
    `fondly` command, a lane and the live transcript. So the look is made again inside one
    transaction that holds the write lock (app.database begins IMMEDIATE): the first migrates,
    the others wait and find nothing left to do. An up-to-date database takes no lock at all."""
    if not _behind(db):
        return []
    with db.atomic():
        _adopt_numbered(db)
        pending = [m.name for m in MIGRATIONS.pending(db)]
        MIGRATIONS.apply(db)
    return pending
