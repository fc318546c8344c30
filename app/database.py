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
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Generator

import sqlite_utils

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
        return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level="IMMEDIATE")
    try:
        private(path)
        conn.execute("PRAGMA foreign_keys = ON")
        if wal:
            _to_wal(conn)
        for companion in _companions(path):
            if companion.exists():
                private(companion)
    except BaseException:
        conn.close()
        raise
    return conn


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
    above); nested blocks are savepoints inside it, as in sqlite-utils."""

    @contextlib.contextmanager
    def atomic(self) -> Generator["Database", None, None]:
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
