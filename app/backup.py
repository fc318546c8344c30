"""Backups and moving house: the whole data folder in one zip, and back.

A backup holds the database (copied through SQLite's online backup API, so it is one
consistent moment even while the app is writing), the audio folder and the settings
files, and a manifest (`fondly-backup.json`: format, Fondly's version, date, counts and
every file's size). It is written under a temporary name beside the final one and renamed
only when complete: a backup that fails or is killed never leaves a half-written zip under
the name asked for.

Restoring checks the whole zip first (a manifest, only names Fondly writes — nothing that
climbs out of the folder —, every file's CRC), unpacks it into the data folder's scratch and
checks the database there, read-only (SQLite, intact, Fondly's, not a newer Fondly's), before
anything is moved, so a bad zip changes nothing — and a refused restore into a new folder leaves
no folder. A backup may come from someone else: it brings memories, never a server or a model
(app.settings.from_backup), unless the person asks for them. It restores
into an empty data folder; with `force`, what is there is moved aside into
`before-restore-…/`, never deleted. Audio paths are stored whole, so a restore into another
folder (a new computer) points them at the new one.

The app also keeps a rolling daily backup, the last `KEEP`, in `backups/`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app import folder_lock
from app.database import unwritable
from app.errors import FondlyError
from app.inspection import inspect, missing_audio, refuse_reason
from app.migrations import now
from app.paths import FILE_MODE, FOLDER_MODE, audio_dir, backups_dir, data_dir, note_elsewhere, private, scratch
from app.salvage import copy_for_backup
from app.store import Store
from app.version import VERSION

FORMAT = 1  # the manifest's format; a newer one is refused rather than half-understood
MANIFEST = "fondly-backup.json"
DATABASE = "fondly.db"
SETTINGS_FILES = ("settings.json", "ui.ini")
AUDIO = "audio"
SCRATCH = ".scratch"  # app.paths.scratch_dir's folder: this run's own, never data to restore over
KEEP = 7  # daily backups kept
DAILY = re.compile(r"^fondly-(\d{4}-\d{2}-\d{2})\.zip$")
# audio that is already compressed is stored as it is: deflating it again costs time for nothing
COMPRESSED = {".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wma", ".webm", ".mp4"}
# fmt: off
_BAD_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, UnicodeDecodeError, NotImplementedError,
            OSError, RuntimeError)
# fmt: on


def _audio_files(home: Path) -> list[tuple[Path, str]]:
    """Regular files under audio/ (no links, no owner files: a pid means nothing elsewhere)."""
    folder = home / AUDIO
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.suffix == ".owner" or path.is_symlink() or not path.is_file():
                continue
            found.append((path, path.relative_to(home).as_posix()))
    return found


def _add(zf: zipfile.ZipFile, path: Path, name: str, files: dict[str, int]) -> None:
    """One file into the zip; one that vanished meanwhile (an abandoned recording) is left out."""
    compress = zipfile.ZIP_STORED if path.suffix.lower() in COMPRESSED else zipfile.ZIP_DEFLATED
    try:
        zf.write(path, name, compress_type=compress)
    except FileNotFoundError:
        return
    files[name] = zf.getinfo(name).file_size


def create_backup(store: Store | None, dest: str | Path) -> dict[str, Any]:
    """Write the data folder to the zip `dest`; returns its manifest. The database comes from
    `store`'s connection (any Store on the data folder's database)."""
    dest = Path(dest).expanduser().absolute()
    if dest.is_dir():
        raise FondlyError(f"{dest} is a folder; give the backup a file name, for example fondly-backup.zip.")
    if not dest.parent.is_dir():
        raise FondlyError(f"There is no folder {dest.parent} to write the backup to.")
    home = data_dir()
    # the copy is made in the data folder's scratch (0700), never in /tmp: a backup killed part-way
    # must not leave a copy of someone's memories outside their own folder, and the next start
    # removes what it left (app.paths.clear_scratch). A full or read-only data disk can't hold it:
    # then it goes beside the zip, in a private folder removed when done.
    beside = unwritable(home / DATABASE) is not None
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=dest.parent)) if beside else scratch("backup")
    try:
        copy = work / DATABASE
        try:
            salvaged = copy_for_backup(store, copy)  # a damaged database: what can still be read (app.salvage)
        except OSError as e:
            raise FondlyError(f"Fondly can't copy its database for the backup ({e}).") from None
        result, counts = inspect(copy)
        if result != "ok":
            raise FondlyError(
                f"The database failed SQLite's integrity check ({result}), so no backup was "
                "written. `fondly doctor` says more."
            )
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)  # 0600
        except OSError as e:
            raise FondlyError(f"Fondly can't write a backup in {dest.parent} ({e.strerror}).") from None
        try:
            with os.fdopen(fd, "wb") as raw:
                note_elsewhere(work, tmp)  # killed while writing: the next start removes the part-written zip
                with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                    files: dict[str, int] = {}
                    _add(zf, copy, DATABASE, files)  # first: audio copied after it is at least as long
                    for name in SETTINGS_FILES:
                        if (home / name).is_file():
                            _add(zf, home / name, name, files)
                    for path, name in _audio_files(home):
                        _add(zf, path, name, files)
                    manifest = {
                        "app": "Fondly",
                        "format": FORMAT,
                        "version": VERSION,
                        "created": now(),
                        "data_folder": str(home),
                        "counts": {**counts, "audio": sum(1 for n in files if n.startswith(AUDIO + "/"))},
                        "files": files,
                        "missing_audio": missing_audio(copy),
                    }
                    if salvaged is not None:
                        manifest["salvaged"] = salvaged
                    zf.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, dest)
        except BaseException as e:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(e, OSError):
                raise FondlyError(
                    f"Fondly can't write the backup {dest} ({e.strerror or e}); nothing was left under that name."
                ) from None
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def missing_text(gone: list[str] | None) -> str:
    """ "2 audio files the database names are missing: …" (a backup's "missing_audio", the doctor's
    check), or "" when none is."""
    if not gone:
        return ""
    shown = ", ".join(gone[:5]) + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
    return (
        f"{len(gone)} audio file{'s' if len(gone) != 1 else ''} the database names "
        f"{'are' if len(gone) != 1 else 'is'} missing: {shown}."
    )


def describe(manifest: dict[str, Any]) -> str:
    """ "2 speeches, 14 memories, 3 drafts, 5 audio files": what a backup holds."""
    c = manifest.get("counts", {})
    words = (
        ("projects", "speech", "speeches"),
        ("memories", "memory", "memories"),
        ("drafts", "draft", "drafts"),
        ("audio", "audio file", "audio files"),
    )
    return ", ".join(f"{c.get(key, 0)} {one if c.get(key, 0) == 1 else many}" for key, one, many in words)


# --- restoring ----------------------------------------------------------------------------------


def _allowed(name: str) -> bool:
    """Only names a backup is made of: the manifest, database and settings, and files under audio/.
    Nothing absolute, no "..", no backslashes or drive letters: nothing can land outside the folder."""
    if name in (MANIFEST, DATABASE, *SETTINGS_FILES):
        return True
    parts = name.split("/")
    return (
        len(parts) >= 2
        and parts[0] == AUDIO
        and all(p not in ("", ".", "..") for p in parts[1:])
        and not any(c in name for c in "\\:\0")
    )


def check_backup(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    """The manifest of a whole, untouched Fondly backup; anything else raises one FondlyError."""

    def refuse(why: str) -> FondlyError:
        return FondlyError(f"{path} can't be restored: {why}. Nothing was changed.")

    try:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        escaping = [n for n in names if not _allowed(n)]
        if escaping:
            raise refuse(
                f"it holds {escaping[0]!r}, a file Fondly's backups never hold (it could land outside the data folder)"
            )
        links = [i.filename for i in infos if stat.S_ISLNK(i.external_attr >> 16)]
        if links:
            raise refuse(f"it holds a link, {links[0]!r}, which Fondly's backups never hold")
        if len(set(names)) != len(names) or MANIFEST not in names or DATABASE not in names:
            raise refuse("it is not a Fondly backup (it has no manifest or no database)")
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("app") != "Fondly":
            raise refuse("it is not a Fondly backup")
        if not isinstance(manifest.get("format"), int) or manifest["format"] > FORMAT:
            raise refuse("it was made by a newer Fondly; update Fondly and restore it again")
        listed = manifest.get("files")
        sizes = {i.filename: i.file_size for i in infos if i.filename != MANIFEST}
        if listed != sizes:
            raise refuse("its files are not the ones its manifest lists (it is incomplete or was changed)")
        bad = zf.testzip()  # reads every file: its CRC
        if bad is not None:
            raise refuse(f"it is damaged ({bad} fails its check)")
    except FondlyError:
        raise
    except _BAD_ZIP as e:
        raise refuse(f"it is damaged or cut short ({e})") from None
    return manifest


def _free_room(home: Path, zf: zipfile.ZipFile, path: Path) -> None:
    need = sum(i.file_size for i in zf.infolist())
    free = shutil.disk_usage(home).free
    if need > free:
        raise FondlyError(
            f"{path} needs {need / 2**20:.0f} MB and {home} has only {free / 2**20:.0f} MB free. Nothing was changed."
        )


def _unpack(zf: zipfile.ZipFile, into: Path) -> None:
    for info in zf.infolist():
        if info.filename == MANIFEST:
            continue
        target = into.joinpath(*info.filename.split("/"))
        if not target.resolve().is_relative_to(into.resolve()):  # _allowed already refused these
            raise FondlyError(f"{info.filename!r} would land outside the data folder. Nothing was changed.")
        target.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        with (
            zf.open(info) as src,
            os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb") as out,
        ):
            shutil.copyfileobj(src, out, 1 << 20)


def _aside(home: Path) -> Path:
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    aside, n = home / f"before-restore-{stamp}", 1
    while aside.exists():
        n += 1
        aside = home / f"before-restore-{stamp}-{n}"
    return aside


def _settings(staging: Path, home: Path, take: bool) -> dict[str, Any]:
    """The restored settings.json, written into `staging`: the backup's, but with this machine's
    servers and models unless `take` (app.settings.from_backup says why). Returns the backup's
    guarded settings that were left out (or taken)."""
    from app import settings

    def read(path: Path) -> Any:
        try:
            return settings.read_file(path)
        except FondlyError:  # unreadable: nothing of it is taken (and a restore does not fail for it)
            return {}

    theirs = read(staging / "settings.json")
    (staging / "settings.json").unlink(missing_ok=True)
    content, confirm, different = settings.from_backup(theirs, read(home / "settings.json"), home, take)
    settings.write(staging / "settings.json", content, confirm)
    return different


@folder_lock.alone_in(lambda: data_dir(create=False))  # refused while another Fondly process has the folder open
def restore_backup(archive: str | Path, force: bool = False, with_settings: bool = False) -> dict[str, Any]:
    """Restore a backup into the data folder, which must be empty unless `force` (then what is
    there is moved aside first). Returns the manifest, with "aside" (where the old content went,
    or None), "audio_moved" (memories whose audio paths now point into this folder) and
    "settings_left_out" (the backup's servers and models, kept out unless `with_settings`; then
    "settings_taken").

    A backup is a trust boundary: it may come from someone else. Its zip is checked, then its
    database — read-only, in the scratch folder, before anything is moved: SQLite, intact,
    Fondly's tables, not from a newer Fondly —, and its settings never bring a server or a
    model silently. A refused backup leaves the data folder exactly as it was, and no folder
    behind where there was none."""
    path = Path(archive).expanduser().absolute()
    if not path.is_file():
        raise FondlyError(f"There is no backup at {path}.")
    home = data_dir(create=False)  # made only once the zip has passed its checks
    made_home = not home.exists()
    try:
        zf = zipfile.ZipFile(path)
    except _BAD_ZIP as e:
        raise FondlyError(
            f"{path} can't be restored: it is not a zip file, or it is damaged or cut short ({e}). Nothing was changed."
        ) from None
    staging = None
    try:
        with zf:
            manifest = check_backup(zf, path)
            existing = (
                sorted(p for p in home.iterdir() if p.name != SCRATCH and p.name not in folder_lock.NOT_DATA)
                if home.is_dir()
                else []
            )
            if existing and not force:
                raise FondlyError(
                    f"{home} already holds Fondly's data, so the backup was not restored. Restore "
                    "into an empty folder (set FONDLY_HOME), or add --force to move what is there "
                    "aside first (nothing is deleted)."
                )
            home = data_dir()
            _free_room(home, zf, path)
            staging = scratch("restore")
            try:
                _unpack(zf, staging)
            except OSError as e:
                raise FondlyError(
                    f"Fondly can't unpack {path} into {home} ({e.strerror or e}). Nothing was changed."
                ) from None
        why = refuse_reason(staging / DATABASE)
        if why:
            raise FondlyError(f"{path} can't be restored: {why}. Nothing was changed.")
        different = _settings(staging, home, with_settings)
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if made_home:  # only what this restore made, and only if empty: never what another process put there
            for folder in (home / SCRATCH, home):
                try:
                    folder.rmdir()
                except OSError:
                    pass
        raise
    aside = None
    if existing:
        aside = _aside(home)
        aside.mkdir(mode=FOLDER_MODE)
        for p in existing:
            os.replace(p, aside / p.name)
    for p in sorted(staging.iterdir()):
        os.replace(p, home / p.name)
    staging.rmdir()
    store = Store.open_default()  # an older backup's database is migrated here
    try:
        old = manifest.get("data_folder")
        moved = store.move_audio(Path(old) / AUDIO, audio_dir()) if isinstance(old, str) and old else 0
    finally:
        store.close()
    key = "settings_taken" if with_settings else "settings_left_out"
    return {
        **manifest,
        "aside": str(aside) if aside else None,
        "audio_moved": moved,
        "settings_left_out": {},
        key: different,
    }


# --- the rolling daily backup -------------------------------------------------------------------


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest `keep` daily backups (only files named as they are); returns them."""
    daily = sorted(p for p in folder.iterdir() if DAILY.match(p.name) and p.is_file())
    gone = daily[:-keep] if keep > 0 else daily
    for p in gone:
        p.unlink(missing_ok=True)
    return gone


def daily_backup(store: Store, today: date | None = None, keep: int = KEEP) -> Path | None:
    """Today's backup in backups/, unless there is one already (or nothing to back up yet); the
    oldest beyond `keep` are deleted. Returns the zip made, or None. Run it off the GUI thread."""
    folder = backups_dir()
    for p in folder.glob(".fondly-*.part"):  # one a killed backup left (over an hour old: not another's)
        try:
            if time.time() - p.stat().st_mtime > 3600:
                p.unlink()
        except OSError:
            pass
    target = folder / f"fondly-{(today or date.today()).isoformat()}.zip"
    made = None
    counts = store.counts()
    if not target.exists() and (counts["projects"] or counts["memories"]):
        create_backup(store, target)
        made = private(target)
    prune(folder, keep)
    return made
