"""Where Fondly keeps its data: one folder, from platformdirs or `FONDLY_HOME`.

The folder holds a person's memories of someone who died: it is theirs alone. It is made
with mode 0700 and the database 0600, and ones made by an earlier Fondly (or copied in
with looser modes) are tightened when Fondly opens them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from app.errors import FondlyError

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private(path: Path) -> Path:
    """Take group and other permissions off `path` (if it has any), adding none: 0755 becomes 0700,
    0644 0600 (and a read-only 0444 stays read-only, 0400). A path Fondly may not chmod (someone
    else's) is left as it is: tightening is a courtesy, never a reason to stop."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & 0o077:
            path.chmod(current & ~0o077)
    except OSError:
        pass
    return path


def open_private(path: Path, mode: str = "wb"):
    """A file Fondly writes in the data folder, opened for writing ("wb", "ab", "w") and private
    from its first byte: made 0600 (an existing one is tightened). Every file Fondly writes there
    goes through this or `copy_private` — recordings, imported audio, rehearsals, settings, models
    — except the database, which only SQLite opens (app.database). Exports go where the person
    chooses and keep the mode their umask gives, as any program's saved file does."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    try:
        current = stat.S_IMODE(os.fstat(fd).st_mode)
        if current & 0o077:
            os.fchmod(fd, current & ~0o077)
        if "b" in mode:
            return os.fdopen(fd, mode)
        return os.fdopen(fd, mode, encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def copy_private(src: Path, dest: Path) -> Path:
    """`src`'s bytes into a new private file `dest` (shutil.copyfile would give it the umask's mode)."""
    import shutil

    with open(src, "rb") as f, open_private(dest) as out:
        shutil.copyfileobj(f, out, 1 << 20)
    return dest


def data_dir(create: bool = True) -> Path:
    """The data folder; `FONDLY_HOME` overrides it (tests always set it)."""
    home = os.environ.get("FONDLY_HOME")
    path = Path(home).expanduser() if home else Path(platformdirs.user_data_dir("Fondly", False))
    if create:
        try:
            path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        except OSError as e:
            raise FondlyError(
                f"Fondly can't create its data folder {path} ({e.strerror}). "
                "Check its permissions, or set FONDLY_HOME to a folder you can write to."
            ) from None
        private(path)
    return path


def database_path(create: bool = False) -> Path:
    """The database file. `create` makes its folder (0700); the file itself is made, and made
    0600, by SQLite in app.database.connect — never opened here, since closing any descriptor of
    the file drops every lock this process's connections hold on it (app.database says more).
    Without it (`fondly doctor`) nothing is made."""
    return data_dir(create) / "fondly.db"


def scratch_dir() -> Path:
    """Where Fondly's temporary copies live (a backup's database copy, a salvage, an unpacked
    restore): inside the private data folder, never /tmp, so a run killed midway leaves nothing
    readable elsewhere; whatever a killed run left here is removed at the next start
    (`clear_scratch`)."""
    path = data_dir() / ".scratch"
    path.mkdir(mode=FOLDER_MODE, exist_ok=True)
    return private(path)


def scratch(purpose: str) -> Path:
    """A new private folder in the scratch folder, named after this process (`PID-purpose-…`) so
    `clear_scratch` knows whether its owner still runs. The caller removes it when done."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-{purpose}-", dir=scratch_dir()))


ELSEWHERE = "elsewhere"  # in a scratch folder: partial files its run writes outside the data folder


def note_elsewhere(folder: Path, partial: str | Path) -> None:
    """Record in the scratch `folder` a partial file its run writes elsewhere (a backup's
    `.NAME.part` beside the zip asked for), so `clear_scratch` removes it too if the run is killed."""
    with open_private(folder / ELSEWHERE, "a") as f:
        f.write(f"{Path(partial).absolute()}\n")


def _forget_elsewhere(entry: Path) -> None:
    """A dead run's partial files outside the folder: only hidden `.part` files, as Fondly names them."""
    try:
        lines = (entry / ELSEWHERE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return
    for line in lines:
        partial = Path(line)
        if partial.is_absolute() and partial.name.startswith(".") and partial.name.endswith(".part"):
            try:
                if partial.is_file() and not partial.is_symlink():
                    partial.unlink()
            except OSError:
                pass


def process_alive(pid: int) -> bool:
    """Whether a process (a Fondly that left an owner mark, or a scratch folder) is still running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_scratch() -> int:
    """Remove what killed runs left in the scratch folder: entries whose owning process (the PID
    their name starts with) no longer runs, and the partial files they noted writing elsewhere
    (`note_elsewhere`). Returns how many entries went."""
    import shutil

    folder = data_dir(create=False) / ".scratch"
    if not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        pid = entry.name.split("-", 1)[0]
        if pid.isdigit() and process_alive(int(pid)) and int(pid) != 0:
            continue
        if entry.is_dir() and not entry.is_symlink():
            _forget_elsewhere(entry)
        try:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def audio_dir() -> Path:
    """Audio a memory was made from is copied here, so it survives the original moving."""
    path = data_dir() / "audio"
    path.mkdir(mode=FOLDER_MODE, exist_ok=True)
    return private(path)


def backups_dir() -> Path:
    """The rolling daily backups (app.backup) live here."""
    path = data_dir() / "backups"
    path.mkdir(mode=FOLDER_MODE, exist_ok=True)
    return private(path)


def models_dir() -> Path:
    """Models Fondly downloaded on the person's request (`fondly models get`): only whole files
    whose checksum matched. A download in progress lives in `.partial/` inside it until then."""
    path = data_dir() / "models"
    path.mkdir(mode=FOLDER_MODE, exist_ok=True)
    return private(path)
