"""Read-only looks at a database file that may not be (or not yet be) a Store's: SQLite's
integrity check for `fondly doctor` and a backup's copy, whether a restore's candidate may become
Fondly's database, which audio it names that is gone, which migrations a newer Fondly recorded, and
the rows a damaged file can still give up (app.salvage). None of these changes, migrates or
locks the file; they connect read-only through app.database, like every connection.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from app.database import Database, connect
from app.migrations import newer, opened_by
from app.version import VERSION, is_newer


def inspect(path: str | Path) -> tuple[str, dict[str, int]]:
    """SQLite's integrity check and a few row counts, read-only: for `fondly doctor`, which must not
    change (or migrate) a database it is only looking at. A file SQLite can't read at all is a result too."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.DatabaseError as e:
        return str(e), {}
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        counts = {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("projects", "memories", "drafts")
        }
    except sqlite3.DatabaseError as e:  # damaged past what the check itself can read
        result, counts = str(e), {}
    finally:
        conn.close()
    return result, counts


def newer_schema(path: str | Path) -> list[str]:
    """The migrations a newer Fondly recorded in the database at `path` (app.migrations.newer), read-only."""
    db = Database(connect(path, readonly=True))
    try:
        return newer(db)
    finally:
        db.conn.close()


SALVAGED = ("projects", "memories", "segments", "drafts", "revisions", "rehearsals", "skipped_questions")


def readable_rows(src: sqlite3.Connection, table: str) -> Iterable[dict | None]:
    """Each row of `table` SQLite can read, in rowid order, and None for each it can't (Store.salvage_from)."""
    try:
        top = src.execute(f"SELECT max(rowid) FROM [{table}]").fetchone()[0] or 0
    except sqlite3.DatabaseError as e:
        if "no such table" in str(e):
            return
        top = None  # the last page is damaged: look on, 100,000 rowids past the last one read
    last = 0
    while True:
        try:  # scan on from the last row read
            cursor = src.execute(f"SELECT rowid, * FROM [{table}] WHERE rowid > ? ORDER BY rowid", [last])
            names = [d[0] for d in cursor.description][1:]
            for row in cursor:
                last = row[0]
                yield dict(zip(names, row[1:]))
            return
        except sqlite3.DatabaseError:
            pass
        end = top if top is not None else last + 100_000
        while last < end:  # damage after `last`: rowid by rowid until one reads again
            last += 1
            try:
                cursor = src.execute(f"SELECT rowid, * FROM [{table}] WHERE rowid = ?", [last])
                row = cursor.fetchone()
            except sqlite3.DatabaseError:
                yield None  # this row sits on a damaged page
                continue
            if row is not None:
                yield dict(zip([d[0] for d in cursor.description][1:], row[1:]))
                break
        else:
            return


FONDLY_TABLES = ("projects", "memories", "segments", "drafts", "revisions")


NOT_A_DATABASE = "its fondly.db is not a database at all (it is some other file, or damaged beyond reading)"


def refuse_reason(path: str | Path) -> str | None:
    """Why the database file at `path` must not become Fondly's (a restore's candidate), or None.
    Read-only, before anything is moved: not SQLite at all, damaged, not Fondly's (0 bytes, another
    app's tables) or made by a newer Fondly, whose tables this one would misread or half-write."""
    from app.migrations import newer

    try:
        db = Database(connect(path, readonly=True))  # SQLite reads the header as it opens (app.database)
    except sqlite3.DatabaseError as e:
        if "not a database" in str(e):
            return NOT_A_DATABASE
        return f"its database can't be opened ({e})"
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            return f"its database is damaged ({result})"
        missing = [t for t in FONDLY_TABLES if t not in db.table_names()]
        if missing:
            return f"its fondly.db is not Fondly's database (it has no {', '.join(missing)} table)"
        ahead = newer(db)
        if ahead:
            return (
                f"its database was made by a newer Fondly (it records {', '.join(ahead)}, which this one "
                "doesn't know); update Fondly and restore it again"
            )
        last = opened_by(db)
        if last and is_newer(last):  # the store would refuse it at the next start (app.version)
            return (
                f"its data was last opened by Fondly {last}, newer than this Fondly ({VERSION}); "
                "update Fondly and restore it again"
            )
    except sqlite3.DatabaseError as e:
        if "not a database" in str(e):
            return NOT_A_DATABASE
        return f"its database is damaged ({e})"
    finally:
        db.conn.close()
    return None


def missing_audio(path: str | Path) -> list[str]:
    """Audio files the database at `path` names (memories' and rehearsals' audio_path) that are not
    there: for `fondly doctor` and `fondly backup`, which say so rather than "all ok". Read-only."""
    conn = connect(path, readonly=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        named = [
            row[0]
            for t in ("memories", "rehearsals")
            if t in tables
            for row in conn.execute(f"SELECT audio_path FROM {t} WHERE coalesce(audio_path, '') != ''")
        ]
    finally:
        conn.close()
    return sorted({p for p in named if not os.path.isfile(p)})
