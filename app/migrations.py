"""The schema, as numbered migrations: each applied once, in order, in its own transaction,
and recorded in the `migrations` table — so a database of any earlier version opens.

A new column or table is a new function here with the next number; never edit one that
has shipped.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import sqlite_utils

from llm.brief import DEFAULT_PACE


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((version, name, fn))
        return fn

    return register


@migration(1, "initial schema")
def _initial(db: sqlite_utils.Database) -> None:
    db["projects"].create(
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
    db["memories"].create(
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
    db["memories"].create_index(["project_id"])
    db["segments"].create(
        {
            "id": int,
            "memory_id": int,
            "idx": int,
            "start": float,
            "end": float,
            "text": str,
            "confidence": float,
        },
        pk="id",
        foreign_keys=[("memory_id", "memories", "id")],
        not_null={"memory_id", "idx", "start", "end", "text"},
    )
    db["segments"].create_index(["memory_id", "idx"], unique=True)
    db["drafts"].create(
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
    db["drafts"].create_index(["project_id"])
    db["revisions"].create(
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
    db["revisions"].create_index(["draft_id"])


@migration(2, "full-text search over memories and revisions")
def _fts(db: sqlite_utils.Database) -> None:
    db["memories"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    db["revisions"].enable_fts(["text"], create_triggers=True, tokenize="porter")


@migration(3, "a vocabulary per project, to bias transcription")
def _vocabulary(db: sqlite_utils.Database) -> None:
    db["projects"].add_column("vocabulary", str, not_null_default="[]")


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply the migrations this database has not had yet; return the versions applied."""
    if "migrations" not in db.table_names():
        db["migrations"].create({"version": int, "name": str, "applied": str}, pk="version")
    done = {row["version"] for row in db["migrations"].rows}
    applied = []
    for version, name, fn in sorted(MIGRATIONS, key=lambda m: m[0]):
        if version in done:
            continue
        with db.conn:
            fn(db)
            db["migrations"].insert({"version": version, "name": name, "applied": now()})
        applied.append(version)
    return applied
