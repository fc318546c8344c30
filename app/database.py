"""How Fondly connects to its SQLite database: `connect`, the one way, used by every Store (the
window's, each lane's, the live transcript's, every `fondly` command's, every child process's),
by backups and by `fondly doctor`.

Many connections share the file at once, in this process and in others: the window, a command
in a terminal, a backup, a helper child (a second window on the folder is sent to the first:
app.ui.single_window). Two rules make that safe.

1. **Only SQLite opens the database file (or its -wal and -shm).** SQLite's locks are POSIX
   advisory locks, which belong to a process, not to a descriptor: closing *any* descriptor of
   the file in a process — `os.close(os.open(...))` to set its mode, `open(path, 'rb')` to read a
   header, `shutil.copy`, hashing it — silently drops every lock that process's connections hold
   on it. The next process to close its connection then believes it is the last, checkpoints,
   and deletes the WAL the first is still writing into: an edit the person saw saved is gone
   after a crash (issue 21). So SQLite makes the file; its mode is set by path (`chmod` takes no
   descriptor); a backup is SQLite's online backup API (`Store.backup_to`), never a file copy.
2. **A transaction that may write takes the write lock as it begins** (`BEGIN IMMEDIATE`). In WAL
   mode a deferred transaction that read, and then finds another process wrote since, fails at
   once with "database is locked" (SQLITE_BUSY_SNAPSHOT), without waiting out the busy timeout:
   12 processes adding revisions at once lost half their adds. Taken up front, the lock waits
   its turn (`BUSY_TIMEOUT`). Two things undo that, measured: a query left half-read on the
   connection (a cursor or generator stopped after its first rows keeps a read open, and then
   even `BEGIN IMMEDIATE` fails at once while another process writes), so every read is read
   to its end; and a decision made on what was read *before* the transaction began (another
   process may have changed it since), so whatever decides a write is read again inside it
   (app.recovery.settle_interrupted: a finished draft was marked "interrupted" from a stale list).

Who has the folder open at all — for a restore, which must be alone, and for the one window a
folder may have — is app.folder_lock's, on a lock file beside the database, never on it.

When the file can't be written — a full disk, a read-only file, folder or filesystem — SQLite
can't even read a WAL database the usual way, since a reader needs the -shm index beside it
(with 0 bytes free every command failed, reads and backup included). `connect` then opens it
`immutable`: no -shm, no locks, the main file alone. That is exact only when the -wal holds
nothing (the last connection to close checkpoints and empties it), so it is used only then;
otherwise the person is told what is wrong. Such a connection reads; a write on it fails, and
`translate` says why in one line.

`translate` is the one place that turns SQLite's errors about the file itself into one line a
person can act on: damaged ("malformed"), made by a newer Fondly, read-only, disk full. The CLI
(app.cli.base) and the window's operation runner (app.ui.operations) call it for every error.
A damaged database, once seen, is marked (`fondly.db-damaged` beside it, naming the file's
inode, so a restored or repaired file is not taken for it): every Store then opens it read-only
so nothing more is written into it until `fondly doctor --repair` rebuilds it (app.salvage).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Generator
from pathlib import Path
from typing import cast

import sqlite_utils

from app.errors import FondlyError
from app.paths import private

BUSY_TIMEOUT = 30  # seconds a connection waits for another's write lock before giving up


def _companions(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def connect(path: str | Path, *, readonly: bool = False, wal: bool = True) -> sqlite3.Connection:
    """A connection to the SQLite database at `path`, with Fondly's settings: WAL, foreign keys,
    a busy timeout, and implicit transactions that begin IMMEDIATE.

    SQLite creates a missing file itself; it is then made private (0600) by path before WAL
    makes its -wal and -shm, which SQLite gives the database's mode (and the folder is 0700, so
    no one else could reach the file in between). Existing looser files are tightened the same way.
    `readonly` (`fondly doctor`, checking a copy) changes nothing, mode included, and makes
    nothing. `wal=False` is for a one-file copy that is not the database (a backup's)."""
    path = Path(path)
    if readonly:
        conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA schema_version").fetchone()  # SQLite opens lazily: find out now
        except sqlite3.OperationalError:
            conn.close()
            if not path.exists() or unwritable(path) is None:
                raise
            return _immutable(path)
        return conn
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level="IMMEDIATE")
    except sqlite3.OperationalError:  # a missing file in a folder that can't be written
        if path.exists() or unwritable(path) is None:
            raise
        # a file that can't be made in its folder: translate always has a line for that, never None
        error = translate(sqlite3.OperationalError("attempt to write a readonly database"), path)
        raise cast(FondlyError, error) from None
    try:
        private(path)
        conn.execute("PRAGMA foreign_keys = ON")
        if wal:
            _to_wal(conn)
        for companion in _companions(path):
            if companion.exists():
                private(companion)
    except sqlite3.OperationalError:
        conn.close()
        if not path.exists() or unwritable(path) is None:
            raise
        return _immutable(path)
    except BaseException:
        conn.close()
        raise
    return conn


def _immutable(path: Path) -> sqlite3.Connection:
    """The main file alone, read-only, for a database that can't be written (the docstring above):
    only when its -wal holds nothing, which is the only time the main file is the whole truth."""
    wal = _companions(path)[0]
    if wal.exists() and wal.stat().st_size > 0:
        error = translate(sqlite3.OperationalError("database or disk is full"), path)  # never None: a full disk
        raise cast(FondlyError, error) from None
    conn = sqlite3.connect(
        f"{path.absolute().as_uri()}?mode=ro&immutable=1",
        uri=True,
        timeout=BUSY_TIMEOUT,
        check_same_thread=False,
        isolation_level="IMMEDIATE",
    )
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def unwritable(path: Path) -> str | None:
    """Why the database at `path` can't be written, or None: "full" (a few KB or less free),
    "read-only filesystem", "read-only folder", "read-only file"."""
    folder = path.parent
    try:
        fs = os.statvfs(folder)  # POSIX (Linux, macOS)
        if fs.f_flag & os.ST_RDONLY:
            return "read-only filesystem"
        if fs.f_blocks and fs.f_bavail * fs.f_frsize < 64 * 1024:  # (/proc and the like have no blocks at all)
            return "full"
    except AttributeError:
        with contextlib.suppress(OSError):
            if shutil.disk_usage(folder).free < 64 * 1024:
                return "full"
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return "read-only folder"
    if path.exists() and not os.access(path, os.W_OK):
        return "read-only file"
    return None


# --- what SQLite's errors about the file mean to a person -----------------------------------

MARK_SUFFIX = "-damaged"


def _mark_path(path: Path) -> Path:
    return path.with_name(path.name + MARK_SUFFIX)


def damaged(path: str | Path) -> str | None:
    """The reason recorded when this database (this very file: its inode) was found damaged, or None."""
    path = Path(path)
    try:
        mark = json.loads(_mark_path(path).read_text(encoding="utf-8"))
        return mark["reason"] if mark.get("inode") == path.stat().st_ino else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def mark_damaged(path: str | Path, reason: str) -> None:
    """Remember that this file is damaged, so no Store writes into it (the docstring above)."""
    path = Path(path)
    try:
        _mark_path(path).write_text(json.dumps({"inode": path.stat().st_ino, "reason": reason}), encoding="utf-8")
        private(_mark_path(path))
    except OSError:
        pass  # a full or read-only disk: the error itself still says it is damaged


def clear_damaged(path: str | Path) -> None:
    _mark_path(Path(path)).unlink(missing_ok=True)


def check(path: str | Path) -> str:
    """SQLite's quick check of the file at `path`, read-only: "ok" or what is wrong. ~50 ms per
    100 MB (warm), so it runs when something looked wrong, not at every start."""
    try:
        conn = connect(path, readonly=True)
    except sqlite3.DatabaseError as e:
        return str(e)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        return "; ".join(r[0] for r in rows[:3])
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        conn.close()


def disk_full(folder: Path, what: str = "nothing was saved") -> FondlyError:
    """The one line for a full disk, wherever a write met it (the database, an audio copy, settings)."""
    try:
        free = shutil.disk_usage(folder).free // 1024
    except OSError:
        free = 0
    return FondlyError(f"The disk holding {folder} is full ({free} KB free); {what}. Free some space and try again.")


def found_damaged(path: str | Path) -> str | None:
    """What SQLite's quick check found wrong with the file at `path`, or None: sound, or only busy
    (another process's write lock says nothing about the file)."""
    found = check(path)
    return None if found == "ok" or "locked" in found or "busy" in found else found


DAMAGED = (
    "Fondly's database is damaged ({why}). Run `fondly backup` to save what can be read, then `fondly doctor --repair`."
)


def _damage(e: BaseException) -> bool:
    text = str(e).lower()
    return isinstance(e, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text or "corrupt" in text
    )


def translate(e: BaseException, path: str | Path | None = None) -> FondlyError | None:
    """One line for an SQLite error about the database file itself (the docstring above), or None
    for anything else (a bug, or a lock, which others answer). `path`: the database (default: the
    data folder's)."""
    if not isinstance(e, sqlite3.Error):
        return None
    if path is None:
        from app.paths import database_path

        path = database_path()
    path, text = Path(path), str(e).lower()
    if _damage(e):
        if path.exists() and not found_damaged(path):  # not this file: a copy or a backup being read
            return FondlyError(f"A database Fondly was reading is damaged ({e}); the data folder's is intact.")
        mark_damaged(path, str(e))
        return FondlyError(DAMAGED.format(why=e))
    why = damaged(path)
    if why and ("readonly" in text or "read-only" in text):
        return FondlyError(DAMAGED.format(why=why) + " Until then it is only read.")
    reason = unwritable(path)
    if "full" in text or (reason == "full" and ("readonly" in text or "i/o" in text or "unable to open" in text)):
        return disk_full(path.parent)
    if reason and not path.exists():
        return FondlyError(
            f"Fondly can't open its database {path}: it can't be made there ({reason}). "
            "Make the folder writable, or set FONDLY_HOME to a folder that is."
        )
    if "readonly" in text or "read-only" in text or (reason and "unable to open" in text):
        return FondlyError(
            f"Fondly's database {path} can't be written ({reason or 'read-only'}); nothing was "
            "saved, and reading still works. Make it writable, or set FONDLY_HOME to a folder "
            "that is."
        )
    return None


def _to_wal(conn: sqlite3.Connection) -> None:
    """WAL, waiting its turn. Switching a new database to WAL needs it to itself, and SQLite answers
    "database is locked" at once, without its busy timeout, while another process has it open to
    make the same switch: 8 processes starting on a new database failed here about one run in ten."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Database(sqlite_utils.Database):
    """sqlite-utils' Database over a `connect` connection, whose `atomic()` begins IMMEDIATE (rule 2
    above); nested blocks are savepoints inside it, as in sqlite-utils. A transaction is refused on a
    database marked damaged since this connection opened (the window's Stores, when a command found
    the damage): nothing more is written into it."""

    def __init__(self, conn: sqlite3.Connection, **kwargs) -> None:
        super().__init__(conn, **kwargs)
        row = conn.execute("PRAGMA database_list").fetchone()
        self.file = Path(row[2]) if row and row[2] else None

    @contextlib.contextmanager
    def atomic(self) -> Generator[Database, None, None]:
        if not self.conn.in_transaction and self.file is not None:
            why = damaged(self.file)
            if why:
                raise FondlyError(DAMAGED.format(why=why) + " Until then it is only read.")
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
