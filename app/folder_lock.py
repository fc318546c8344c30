"""Who has a data folder open: a lock file, `fondly.lock`, beside the database, never the database.

Many Fondly processes share one data folder (the window, each `fondly` command, a backup), and
SQLite lets them (app.database). Two things it can't say are answered here:

* **A restore must be alone.** `fondly restore --force` moves the folder's content aside; a
  process that still had the old database open would go on writing into the moved-away
  `before-restore-…/fondly.db`, where nothing shows it again. So every process that opens the
  folder's Store holds a shared lock on byte 0 of the lock file for as long as a Store is open,
  and a restore takes it exclusively, without waiting: held by anyone, the restore is refused,
  naming who (`alone`). A process starting while a restore runs waits for it (`open_folder`).
* **One window per folder.** The window holds byte 1 exclusively (`own_window`); a second
  window learns the first one's PID and asks it to come to the front (app.ui.single_window).

They are POSIX record locks (`fcntl`), for two reasons: the kernel drops them when their process
ends, however it ends (a SIGKILLed window blocks no one), and `F_GETLK` names the process holding
one, so a refusal can say which. Such locks belong to the process, and closing *any* descriptor of
the file drops them all (the trap app.database's rule 1 describes for fondly.db): so this module
alone opens the lock file, once per process and folder, and keeps the descriptor while anything
here is held. Within one process they never conflict, so the state is counted here instead.
Never on fondly.db itself: SQLite's own locks live there.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import os
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from app.errors import FondlyError
from app.paths import FILE_MODE

LOCK_FILE = "fondly.lock"
SOCKET_FILE = "fondly.sock"  # where the window listens for a second start (app.ui.single_window)
NOT_DATA = (LOCK_FILE, SOCKET_FILE)  # left in place by a restore: they belong to the running processes
OPEN, WINDOW = 0, 1  # the bytes locked: "has it open" (shared) and "the window" (exclusive)
WAIT = 30  # seconds a starting process waits for a restore to finish (app.database.BUSY_TIMEOUT's length)

_guard = threading.RLock()


@dataclass
class _Held:
    fd: int
    pid: int  # the process that took it: POSIX locks are not inherited by a forked child
    opens: int = 0  # Stores open on the folder in this process
    alone: bool = False  # a restore, in this process
    window: bool = False  # this process is the folder's window


_held: dict[str, _Held] = {}


def _key(folder: Path) -> str:
    return os.path.realpath(folder)


def _entry(folder: Path) -> _Held:
    key = _key(folder)
    held = _held.get(key)
    if held is None or held.pid != os.getpid():
        path = os.path.join(key, LOCK_FILE)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)  # close-on-exec, as Python opens all
        except PermissionError:  # a folder or lock file that can't be written: a shared lock still can be
            fd = os.open(path, os.O_RDONLY)
        held = _held[key] = _Held(fd, os.getpid())
    return held


def _lock(held: _Held, byte: int, kind: int) -> None:
    """Set one byte's lock without waiting; raises BlockingIOError/PermissionError when another has it."""
    fcntl.lockf(held.fd, kind | (fcntl.LOCK_NB if kind != fcntl.LOCK_UN else 0), 1, byte, os.SEEK_SET)


def _settle(folder: Path, held: _Held) -> None:
    """Byte 0 as this process's state asks (exclusive while alone, shared while a Store is open),
    and the descriptor closed once nothing is held (which drops every lock at once)."""
    if held.alone:
        return
    if held.opens:
        _lock(held, OPEN, fcntl.LOCK_SH)  # from exclusive to shared: always granted
    elif held.window:
        _lock(held, OPEN, fcntl.LOCK_UN)
    else:
        os.close(held.fd)
        _held.pop(_key(folder), None)


def holder(folder: str | Path, byte: int = OPEN) -> int | None:
    """The PID of another process holding `byte` of the folder's lock file, or None."""
    path = Path(folder) / LOCK_FILE
    if not path.exists():
        return None
    with _guard:
        held = _entry(Path(folder))
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, byte, 1, 0)  # struct flock (Linux)
        kind, _, _, _, pid = struct.unpack("hhqqi4x", fcntl.fcntl(held.fd, fcntl.F_GETLK, query))
        if not (held.opens or held.alone or held.window):
            _settle(Path(folder), held)
    return None if kind == fcntl.F_UNLCK else pid


def describe(pid: int) -> str:
    """ "`fondly write`, PID 1234": what another Fondly process is, as far as this system says."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return f"PID {pid}"
    for i, arg in enumerate(argv[:-1]):
        if os.path.basename(arg) == "fondly" and argv[i + 1] and not argv[i + 1].startswith("-"):
            return f"`fondly {argv[i + 1]}`, PID {pid}"
    return f"PID {pid}"


def open_folder(folder: str | Path, wait: float = WAIT) -> bool:
    """Note that this process has the folder's database open (a Store), until `close_folder`.
    While a restore runs in the folder this waits for it, up to `wait` seconds. False if there
    is no lock file to hold and none can be made (a missing or read-only folder: no restore can
    change it either; opening the database then says what is wrong)."""
    folder = Path(folder)
    deadline = time.monotonic() + wait
    while True:
        with _guard:
            try:
                held = _entry(folder)
            except OSError:
                return False
            if held.opens or held.alone:
                held.opens += 1
                return True
            try:
                _lock(held, OPEN, fcntl.LOCK_SH)
                held.opens += 1
                return True
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                _settle(folder, held)
        if time.monotonic() > deadline:
            raise FondlyError(
                f"A backup is being restored into {folder}, and it has taken more than {wait:.0f} s. "
                "Try again once `fondly restore` has finished."
            )
        time.sleep(0.05)


def close_folder(folder: str | Path) -> None:
    with _guard:
        held = _held.get(_key(Path(folder)))
        if held is None or held.pid != os.getpid() or not held.opens:
            return
        held.opens -= 1
        _settle(Path(folder), held)


def alone(folder: str | Path, what: str = "restore") -> _Alone:
    """A context in which no other Fondly process has the folder open: `with alone(home): …`.
    Refused at once, in one line naming the process (the window first) and `what` to run again, if any has."""
    return _Alone(Path(folder), what)


class _Alone:
    def __init__(self, folder: Path, what: str = "restore"):
        self.folder, self.what = folder, what

    def __enter__(self) -> None:
        with _guard:
            held = _entry(self.folder)
            try:
                _lock(held, OPEN, fcntl.LOCK_EX)
            except OSError as e:
                if e.errno == errno.EBADF:  # a read-only lock file: no other process can be writing either
                    held.alone = True
                    return
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                _settle(self.folder, held)
                window = holder(self.folder, WINDOW)
                who = f"window, PID {window}" if window else describe(holder(self.folder, OPEN) or 0)
                raise FondlyError(
                    f"Fondly is open ({who}) on {self.folder}: "
                    f"{'close it' if window else 'let it finish'} and run {self.what} again. "
                    "Nothing was changed."
                ) from None
            held.alone = True

    def __exit__(self, *exc) -> None:
        with _guard:
            held = _entry(self.folder)
            held.alone = False
            _settle(self.folder, held)


F = TypeVar("F", bound=Callable)


def alone_in(folder_of: Callable[[], Path]) -> Callable[[F], F]:
    """Decorator: the function runs `alone` in the folder `folder_of()` names, if it exists
    (a folder not made yet can have no one in it)."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            folder = folder_of()
            if not folder.is_dir():
                return fn(*args, **kwargs)
            with alone(folder):
                return fn(*args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap


def own_window(folder: str | Path) -> int | None:
    """Make this process the folder's window, for as long as it runs. Returns None if it now is,
    or the PID of the process whose window already has it."""
    folder = Path(folder)
    with _guard:
        held = _entry(folder)
        if held.window:
            return None
        try:
            _lock(held, WINDOW, fcntl.LOCK_EX)
        except OSError as e:
            if e.errno == errno.EBADF:  # a read-only lock file can't be owned; the window says what else is wrong
                _settle(folder, held)
                return None
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            _settle(folder, held)
            return holder(folder, WINDOW) or 0
        held.window = True
        return None
