"""Backups and moving house (issue 12, point 6): `fondly backup`, `fondly restore`, the rolling daily
backup, File → Back up…, and the data folder's permissions."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import DAD, FISHING, GARDEN, Fondly, ScriptedEngine


def fill(store, home: Path) -> dict[str, int]:
    """A data folder a person might have: a project, typed and spoken memories with their audio and
    segments (one answering a question, another question skipped), a draft with two revisions,
    settings, the window's layout and an owner file."""
    from app import settings
    from app.paths import audio_dir
    from app.store import Person

    project = store.create_project(
        "Dad's eulogy", subject="Frank", people=[Person("Siobhan", "shiv-AWN")], vocabulary=["Gerald"]
    )
    store.add_memory(
        project.id, "text", "dad.txt", text=DAD, source_path="/somewhere/dad.txt", question="follow:lake-travis"
    )  # an answer to the interview's question
    store.skip_question(project.id, "section:taught")
    voice = store.add_memory(project.id, "voice", "Recording", status="ready")
    wav = audio_dir() / f"memory-{voice.id}.wav"
    wav.write_bytes(b"RIFF" + os.urandom(60_000))
    store.update_memory(voice.id, audio_path=str(wav), duration=3.5)
    for i, words in enumerate(["Dad rowed us back", "singing the whole way"]):
        store.add_segment(voice.id, i, i * 2.0, i * 2.0 + 2, words, 0.9)
    imported = store.add_memory(project.id, "audio", "fishing.flac", source_path="/elsewhere/fishing.flac")
    flac = audio_dir() / f"memory-{imported.id}.flac"
    flac.write_bytes(b"fLaC" + os.urandom(40_000))
    store.update_memory(imported.id, audio_path=str(flac), text=FISHING)
    (audio_dir() / f"memory-{imported.id}.owner").write_text("4242")  # a pid: means nothing elsewhere
    draft, _ = store.create_draft(
        project.id, "Speech", GARDEN, brief={"occasion": "funeral"}, provenance=[{"memory_id": 1}]
    )
    store.add_revision(draft.id, GARDEN + "\n\n" + FISHING, "edited")
    settings.set_value("pace", 150)
    (home / "ui.ini").write_text("[window]\ngeometry=@ByteArray(x)\n")
    return {"project": project.id, "voice": voice.id, "imported": imported.id}


def dump(path: Path, rebuild_search: bool = False) -> list[str]:
    """A full `iterdump()` of a database (read through SQLite's backup, so a live WAL is included).
    `rebuild_search` rebuilds the full-text indexes from their tables first: after a move to another
    folder the restore rewrites audio paths, and SQLite's FTS triggers then re-index those rows —
    the same words, stored in a different layout."""
    src, mem = sqlite3.connect(path), sqlite3.connect(":memory:")
    try:
        src.backup(mem)
        if rebuild_search:
            for table in ("memories_fts", "revisions_fts"):
                mem.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
            mem.commit()
        return list(mem.iterdump())
    finally:
        src.close()
        mem.close()


def files(folder: Path) -> dict[str, str]:
    """Every file under `folder` and a hash of its bytes; folders as "dir". A database is hashed by
    its content read through SQLite (`dump`), and its -wal and -shm are SQLite's own: only SQLite
    opens a database file (app.database says why)."""

    def digest(p: Path) -> str:
        data = "\n".join(dump(p)).encode() if p.name == "fondly.db" else p.read_bytes()
        return hashlib.sha256(data).hexdigest()

    return {
        p.relative_to(folder).as_posix(): "dir" if p.is_dir() else digest(p)
        for p in sorted(folder.rglob("*"))
        if p.name not in ("fondly.db-wal", "fondly.db-shm") and ".scratch" not in p.relative_to(folder).parts
    }  # Fondly's temporary copies, made and removed by each run


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fondly: error: "), proc.stderr
    return lines[0]


# --- backup and restore -------------------------------------------------------------------------


def test_backup_then_restore_into_a_fresh_folder_gives_identical_content(fondly, store, fondly_home, tmp_path):
    fill(store, fondly_home)
    archive = tmp_path / "dad.zip"
    fondly("backup", "-o", archive)
    store.close()

    new_home = tmp_path / "new-computer" / "Fondly"
    proc = Fondly(new_home)("restore", archive)
    assert "Restored 1 speech, 3 memories, 1 draft, 2 audio files" in proc.stderr

    old_audio, new_audio = f"{fondly_home / 'audio'}/", f"{new_home / 'audio'}/"
    before = [line.replace(old_audio, new_audio) for line in dump(fondly_home / "fondly.db", rebuild_search=True)]
    after = dump(new_home / "fondly.db", rebuild_search=True)
    assert len(after) > 50 and after == before
    assert any(new_audio in line for line in after)  # the audio paths point into the new folder

    old_files, new_files = files(fondly_home), files(new_home)
    audio = {name for name in old_files if name.startswith("audio/") and not name.endswith(".owner")}
    assert len(audio) == 2 and {n for n in new_files if n.startswith("audio/")} == audio  # no owner file
    for name in (*audio, "settings.json", "ui.ini"):
        assert new_files[name] == old_files[name], name  # byte for byte

    from app.store import Store

    restored = Store(new_home / "fondly.db")  # searching works on the restored indexes, and so does the audio
    try:
        [hit] = restored.search_snippets(1, "catfish")
        assert hit["kind"] == "memory" and all(
            Path(m.audio_path).is_file() for m in restored.memories(1) if m.audio_path
        )
        assert restored.answered_questions(1) == {"follow:lake-travis"}  # the interview goes on where it was
        assert restored.skipped_questions(1) == ["section:taught"]
    finally:
        restored.close()


def test_restore_into_the_same_folder_after_losing_it_is_identical_unchanged(fondly, store, fondly_home, tmp_path):
    """The disaster case: the folder is gone and comes back at the same place — nothing rewritten at all."""
    fill(store, fondly_home)
    archive = tmp_path / "dad.zip"
    fondly("backup", "-o", archive)
    store.close()
    before, before_files = dump(fondly_home / "fondly.db"), files(fondly_home)
    lost = fondly_home.rename(tmp_path / "lost")

    fondly("restore", archive)
    assert dump(fondly_home / "fondly.db") == before
    assert dump(lost / "fondly.db") == before
    after_files = files(fondly_home)
    for name, digest in before_files.items():
        if name.startswith("audio/memory-") and not name.endswith(".owner") or name in ("settings.json", "ui.ini"):
            assert after_files[name] == digest, name


WRITER = """
from app.store import Store
store = Store.open_default()
project = store.create_project("Live")
memory = store.add_memory(project.id, "text", "growing")
i = 0
while True:
    with store.db.atomic():  # two tables in one transaction: a consistent copy has both writes or neither
        store.db.execute('INSERT INTO segments (memory_id, idx, "start", "end", text) VALUES (?, ?, ?, ?, ?)',
                         [memory.id, i, float(i), i + 1.0, f"word{i}"])
        store.db.execute("UPDATE memories SET text = TRIM(text || ' ' || ?) WHERE id = ?", [f"word{i}", memory.id])
    if i % 5 == 0:
        store.add_memory(project.id, "typed", f"note {i}", text=f"note number {i}")
    i += 1
"""
# (Not Store.add_segment: sqlite-utils' insert commits on its own, so that one is two transactions.)


def test_a_backup_taken_while_another_process_writes_is_consistent(fondly, fondly_home, tmp_path):
    from app.backup import create_backup
    from app.store import Store

    Store.open_default().close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER], env={**os.environ, "FONDLY_HOME": str(fondly_home)})

    def segments() -> int:
        db = sqlite3.connect(fondly_home / "fondly.db", timeout=10)
        try:
            return db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            db.close()

    try:
        deadline = time.monotonic() + 30
        while segments() < 30:
            assert writer.poll() is None and time.monotonic() < deadline, "the writer did not get going"
            time.sleep(0.05)
        started = segments()
        archives = [tmp_path / "cli.zip"]
        fondly("backup", "-o", archives[0])  # another process, as a person would run it
        store = Store.open_default()
        try:
            for n in range(6):
                archives.append(tmp_path / f"{n}.zip")
                create_backup(store, archives[-1])
        finally:
            store.close()
        assert writer.poll() is None and segments() > started  # it kept writing all along
    finally:
        writer.kill()
        writer.wait()

    seen = set()
    for archive in archives:
        with zipfile.ZipFile(archive) as zf:
            assert zf.testzip() is None
            manifest = json.loads(zf.read("fondly-backup.json"))
            zf.extract("fondly.db", tmp_path / archive.stem)
        db = sqlite3.connect(tmp_path / archive.stem / "fondly.db")
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            for table in ("memories_fts", "revisions_fts"):
                db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            text = db.execute("SELECT text FROM memories WHERE title = 'growing'").fetchone()[0]
            idx = [r[0] for r in db.execute("SELECT idx FROM segments ORDER BY idx")]
            assert idx == list(range(len(idx))) and len(idx) >= started
            assert text == " ".join(f"word{i}" for i in idx)  # no segment without its words, nor the reverse
            notes = db.execute("SELECT COUNT(*) FROM memories WHERE kind = 'typed'").fetchone()[0]
            n = len(idx)  # a note follows every fifth segment, in a transaction of its own
            assert notes in ((n - 1) // 5 + 1, (n - 1) // 5 + ((n - 1) % 5 != 0))
            assert manifest["counts"]["memories"] == notes + 1  # the manifest counted the same moment
        finally:
            db.close()
        seen.add(len(idx))
    assert len(seen) > 1  # the backups really were taken at different moments of the writing


def test_a_killed_backup_leaves_no_zip_under_its_name(fondly, store, fondly_home, tmp_path):
    from app.paths import audio_dir

    fill(store, fondly_home)
    for n in range(4):  # enough to copy that it can be killed part-way
        (audio_dir() / f"memory-{90 + n}.wav").write_bytes(os.urandom(8 << 20))
    out = tmp_path / "out"
    out.mkdir()
    archive = out / "dad.zip"
    proc = subprocess.Popen(
        [fondly.exe, "backup", "-o", str(archive)],
        stderr=subprocess.PIPE,
        env={**os.environ, "FONDLY_HOME": str(fondly_home)},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            partial = [p for p in out.glob(".dad.zip.*.part") if p.stat().st_size > 0]
        except FileNotFoundError:
            partial = []
        if partial:
            break
        assert proc.poll() is None, f"the backup finished before it could be killed: {proc.stderr.read()}"
        assert not archive.exists(), "the zip was under its final name before it was complete"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert not archive.exists() and partial[0].exists()  # killed mid-way; only the temporary name is there

    fondly("backup", "-o", archive)
    with zipfile.ZipFile(archive) as zf:
        assert zf.testzip() is None and len(json.loads(zf.read("fondly-backup.json"))["files"]) == 9


def test_restore_refuses_a_folder_that_holds_data_and_force_moves_it_aside(fondly, store, fondly_home, tmp_path):
    fill(store, fondly_home)
    archive = tmp_path / "dad.zip"
    fondly("backup", "-o", archive)
    store.add_memory(1, "typed", "written after the backup", text="A later memory")
    store.close()
    before, before_dump = files(fondly_home), dump(fondly_home / "fondly.db")

    line = one_error_line(fondly("restore", archive, ok=False))
    assert "already holds" in line and "--force" in line
    assert files(fondly_home) == before

    proc = fondly("restore", archive, "--force")
    [aside] = fondly_home.glob("before-restore-*")
    assert str(aside) in proc.stderr
    # moved aside whole, nothing deleted; the lock file stays, it belongs to the running processes (app.folder_lock)
    assert files(aside) == {name: h for name, h in before.items() if name != "fondly.lock"}
    assert dump(aside / "fondly.db") == before_dump
    titles = [m["title"] for m in json.loads(fondly("memory", "list", "1", "--json").stdout)]
    assert "written after the backup" not in titles and "dad.txt" in titles


def _bad_zips(good: Path, tmp: Path) -> dict[str, Path]:
    """Zips a restore must refuse: each built from a good backup, so only its one fault stops it."""
    with zipfile.ZipFile(good) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(entries.pop("fondly-backup.json"))

    def zip_with(name: str, extra: dict[str, bytes], link: str | None = None, **changes) -> Path:
        path = tmp / f"{name}.zip"
        listed = {**manifest["files"], **{n: len(b) for n, b in extra.items()}}
        with zipfile.ZipFile(path, "w") as out:
            for n, b in {**entries, **extra}.items():
                info = zipfile.ZipInfo(n)
                if n == link:
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                out.writestr(info, b)
            out.writestr("fondly-backup.json", json.dumps({**manifest, "files": listed, **changes}))
        return path

    tmp.mkdir(exist_ok=True)
    raw = good.read_bytes()
    not_zip = tmp / "not-a-zip.zip"
    not_zip.write_bytes(b"These are not the memories you are looking for.\n" * 50)
    truncated = tmp / "truncated.zip"
    truncated.write_bytes(raw[: len(raw) // 2])
    corrupt = tmp / "corrupt.zip"  # one byte of the stored .flac flipped: its CRC no longer matches
    flac = next(b for n, b in entries.items() if n.endswith(".flac"))
    at = raw.index(flac[1000:1064]) + 10
    corrupt.write_bytes(raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1 :])
    stranger = tmp / "stranger.zip"
    with zipfile.ZipFile(stranger, "w") as zf:
        zf.writestr("notes.txt", "hello")
    outside = str(tmp / "outside-absolute.txt")
    return {
        "not a zip": not_zip,
        "truncated": truncated,
        "corrupt": corrupt,
        "not a Fondly backup": stranger,
        "climbs out": zip_with("climbs", {"../outside.txt": b"gotcha"}),
        "climbs out of audio": zip_with("audio-climbs", {"audio/../../outside.txt": b"gotcha"}),
        "absolute": zip_with("absolute", {outside: b"gotcha"}),
        "a link": zip_with("link", {"audio/memory-99.wav": b"/etc/passwd"}, link="audio/memory-99.wav"),
        "newer": zip_with("newer", {}, format=99),
        "manifest disagrees": zip_with("disagrees", {}, files={"fondly.db": 1}),
    }


def test_restore_refuses_corrupt_and_malicious_zips_without_changing_anything(store, fondly_home, tmp_path):
    from app.backup import create_backup, restore_backup
    from app.errors import FondlyError

    fill(store, fondly_home)
    good = tmp_path / "good.zip"
    create_backup(store, good)
    store.close()
    bad = _bad_zips(good, tmp_path / "bad")  # (made in their own folder, so a stray file shows)
    before = files(fondly_home)
    for fault, archive in bad.items():
        with pytest.raises(FondlyError) as refused:
            restore_backup(archive, force=True)  # even --force changes nothing for a bad zip
        message = str(refused.value)
        assert "\n" not in message and "Nothing was changed" in message, (fault, message)
        assert files(fondly_home) == before, fault
    assert not list(tmp_path.rglob("outside*.txt"))
    assert sorted(p.name for p in (tmp_path / "bad").iterdir()) == sorted(p.name for p in bad.values())
    restore_backup(good, force=True)  # and the good one goes through


def test_the_cli_refuses_a_malicious_zip_in_one_line_into_an_empty_folder(tmp_path, fondly, store, fondly_home):
    from app.backup import create_backup

    fill(store, fondly_home)
    good = tmp_path / "good.zip"
    create_backup(store, good)
    store.close()
    archive = _bad_zips(good, tmp_path / "bad")["climbs out"]
    fresh = tmp_path / "fresh"
    line = one_error_line(Fondly(fresh)("restore", archive, ok=False))
    assert "'../outside.txt'" in line and "Nothing was changed" in line
    assert not fresh.exists() and not (tmp_path / "outside.txt").exists()
    assert "There is no backup at" in one_error_line(Fondly(fresh)("restore", tmp_path / "nowhere.zip", ok=False))
    assert not fresh.exists()


# --- the rolling daily backup -------------------------------------------------------------------


def test_rolling_daily_backups_once_a_day_keeping_the_last_seven(store, fondly_home):
    from app.backup import daily_backup

    assert daily_backup(store, date(2031, 3, 1)) is None  # nothing to back up yet
    fill(store, fondly_home)
    backups = fondly_home / "backups"
    (backups / "my notes.txt").write_text("not Fondly's to delete")
    first = date(2031, 3, 1)
    for n in range(10):
        day = first + timedelta(days=n)
        made = daily_backup(store, day)
        assert made == backups / f"fondly-{day.isoformat()}.zip" and mode(made) == 0o600
        stamp = made.stat().st_mtime_ns
        assert daily_backup(store, day) is None and made.stat().st_mtime_ns == stamp  # at most once a day
    kept = sorted(p.name for p in backups.iterdir())
    assert kept == [f"fondly-{first + timedelta(days=n)}.zip" for n in range(3, 10)] + ["my notes.txt"]
    assert mode(backups) == 0o700
    with zipfile.ZipFile(backups / kept[-2]) as zf:
        assert zf.testzip() is None and "fondly.db" in zf.namelist()


def test_the_window_backs_up_off_the_gui_thread(make_window, qtbot, fondly_home, tmp_path, monkeypatch):
    """At start-up (what app.ui.app.run schedules) and through File → Back up…, on the runner's lanes."""
    from PySide6.QtWidgets import QFileDialog

    from app.ui import backup_dialog

    threads = []
    real = backup_dialog.daily_backup

    def daily(store):
        threads.append(threading.current_thread())
        return real(store)

    monkeypatch.setattr(backup_dialog, "daily_backup", daily)
    window = make_window(ScriptedEngine([]))
    window.store.create_project("Dad's eulogy")
    backup_dialog.start_daily_backup(window)
    today = fondly_home / "backups" / f"fondly-{date.today().isoformat()}.zip"
    qtbot.waitUntil(today.exists, timeout=20_000)
    assert threads and threads[0] is not threading.main_thread()

    [action] = [a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Back up…"]
    action.trigger()
    [dialog] = window.findChildren(QFileDialog)
    chosen = tmp_path / "Fondly backup"
    dialog.fileSelected.emit(str(chosen))  # as choosing a file and pressing Save does
    qtbot.waitUntil(lambda: window.message.isVisible(), timeout=20_000)
    assert window.message.label.text() == f"Backed up 1 speech, 0 memories, 0 drafts, 0 audio files to {chosen}.zip."
    with zipfile.ZipFile(f"{chosen}.zip") as zf:
        assert zf.testzip() is None
    dialog.close()


# --- permissions --------------------------------------------------------------------------------


def test_the_data_folder_is_private(fondly_home, tmp_path):
    from app.backup import create_backup
    from app.paths import audio_dir
    from app.store import Store

    store = Store.open_default()
    store.create_project("Dad's eulogy")
    assert mode(fondly_home) == 0o700 and mode(fondly_home / "fondly.db") == 0o600
    assert all(mode(p) == 0o600 for p in fondly_home.glob("fondly.db-*"))  # the WAL files follow the database
    create_backup(store, tmp_path / "b.zip")
    assert mode(tmp_path / "b.zip") == 0o600
    store.close()

    audio_dir()
    for path, loose in ((fondly_home, 0o755), (fondly_home / "audio", 0o777), (fondly_home / "fondly.db", 0o644)):
        path.chmod(loose)
    Store.open_default().close()  # what opening Fondly does
    assert (mode(fondly_home), mode(fondly_home / "fondly.db")) == (0o700, 0o600)
    audio_dir()
    assert mode(fondly_home / "audio") == 0o700
