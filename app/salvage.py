"""A damaged database: save what can be read, then rebuild from it.

A page overwritten on disk (a failing drive, a power cut on a disk that lies about writes) makes
SQLite answer "database disk image is malformed" for whatever touches it. The person's first
need is to keep what is left, so `fondly backup` still works: the database is copied through
SQLite's online backup as always, and when that copy fails its check, what SQLite can still read
is salvaged row by row (Store.salvage_from) into a fresh database of this Fondly's schema, which
goes into the zip, and the backup says how much came back. `fondly doctor --repair` rebuilds the
data folder's database the same way and keeps the damaged file beside it (fondly.damaged-DATE.db),
never deleting it. Everything reads the damaged file through SQLite, never as a file
(app.database says why), and the fresh copy is made in the scratch folder first.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from app import folder_lock
from app.database import check, clear_damaged, damaged, found_damaged, mark_damaged, translate
from app.errors import FondlyError
from app.paths import database_path, scratch
from app.store import Store


def salvage(source: str | Path, dest: str | Path) -> dict[str, list[int]]:
    """A fresh one-file database at `dest` (which must not exist) holding every row SQLite can still
    read of `source`; returns {table: [rows kept, rows found]}."""
    work = scratch("salvage")
    try:
        fresh = Store(work / "fondly.db")
        try:
            report = fresh.salvage_from(source)
            fresh.backup_to(dest)  # one file, journal DELETE: for a zip, or to move into place
        finally:
            fresh.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def describe(report: dict[str, list[int]]) -> str:
    """ "salvaged 41 of 44 rows (memories 12 of 14, segments 20 of 21)": the tables that lost rows named."""
    kept, found = sum(k for k, _ in report.values()), sum(f for _, f in report.values())
    if not found:
        return "salvaged nothing: SQLite could read none of its tables"
    short = [f"{t} {k} of {f}" for t, (k, f) in report.items() if k != f]
    return f"salvaged {kept} of {found} rows" + (f" ({', '.join(short)})" if short else "")


def copy_for_backup(store: Store | None, copy: Path) -> dict[str, list[int]] | None:
    """The database copied to `copy` for a backup (app.backup): SQLite's online backup when the
    database is sound; when it is damaged, a salvage of it instead, whose report is returned.
    No `store`: the database is too damaged to open at all (app.cli.backup)."""
    if store is None:
        return salvage(database_path(), copy)
    if not store.damaged:
        try:
            store.backup_to(copy)
            if check(copy) == "ok":
                return None
        except Exception as e:  # the backup API read a damaged page
            if translate(e, store.path) is None and "malformed" not in str(e):
                raise
        found = found_damaged(store.path)
        if not found:  # the copy, not the database: no salvage would do better
            raise FondlyError(
                f"Fondly's copy of its database for the backup failed its check ({check(copy)}). "
                "Try again; `fondly doctor` says more."
            )
        mark_damaged(store.path, found)
    for leftover in (copy, copy.with_name(copy.name + "-journal")):
        leftover.unlink(missing_ok=True)
    return salvage(store.path, copy)


def repair() -> str:
    """Rebuild the data folder's damaged database from what can be read of it; the damaged file is
    kept beside it as fondly.damaged-DATE.db. Returns the line to show."""
    path = database_path()
    if not path.exists():
        raise FondlyError("There is no database to repair yet (it is made on first use).")
    if not damaged(path) and not found_damaged(path):
        return f"The database is intact ({path}); there is nothing to repair."
    with folder_lock.alone(path.parent, "`fondly doctor --repair`"):  # no one may be writing into the file it replaces
        return _rebuild(path)


def _rebuild(path: Path) -> str:
    work = scratch("repair")
    try:
        rebuilt = work / "fondly.db"
        report = salvage(path, rebuilt)
        stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
        aside = path.with_name(f"fondly.damaged-{stamp}.db")
        # renamed, never opened or copied (app.database): the damaged file and its companions, then the new one
        for suffix in ("", "-wal", "-shm"):
            old = path.with_name(path.name + suffix)
            if old.exists():
                os.replace(old, aside.with_name(aside.name + suffix))
        os.replace(rebuilt, path)
        clear_damaged(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return (
        f"Repaired the database: {describe(report)}. The damaged file is kept as {aside.name}; "
        "a backup made before is worth keeping too."
    )
