"""A damaged, newer, read-only or full database (issue 24, point 4): each answered in one line, with
the data left as it was — or, for a damaged one, salvaged and counted.

Each test makes the condition for real: a page of the file overwritten while no connection is open,
a schema a newer Fondly would write, a read-only bind mount, a tmpfs filled to a few KB or to 0 B.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests import conditions
from tests.helpers import db_dump

GROUP = "a damaged, newer, read-only or full database"


def _record(condition: str, said: str, outcome: str, tmp_path: Path) -> None:
    """conditions.record, with this run's folder and date taken out so a rerun keeps the row as it is."""

    def plain(text: str) -> str:
        return re.sub(r"fondly\.damaged-[\d-]+\.db", "fondly.damaged-DATE.db", text.replace(str(tmp_path), "…"))

    conditions.record(GROUP, condition, plain(said), plain(outcome))


DAMAGED_LINE = "Fondly's database is damaged"


def _one_line(proc: subprocess.CompletedProcess) -> str:
    """The single error line a command printed (and that it printed nothing else)."""
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fondly: error: "), proc.stderr
    return lines[0].removeprefix("fondly: error: ")


@contextlib.contextmanager
def mounted(where: Path, *options: str, source: str = "tmpfs"):
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", *options, source, str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fill the disk holding `folder` until `leave` bytes are free."""
    import shutil

    free = shutil.disk_usage(folder).free
    with open(folder / "fill", "ab") as f:
        f.write(b"\0" * max(0, free - leave))
    with contextlib.suppress(OSError), open(folder / "fill-more", "ab") as f:
        while shutil.disk_usage(folder).free > leave:
            f.write(b"\0" * 1024)
            f.flush()


def _memories(home: Path) -> dict[int, tuple]:
    """Memories by id, read through SQLite read-only."""
    from app.database import connect

    conn = connect(home / "fondly.db", readonly=True)
    try:
        return {r[0]: r[1:] for r in conn.execute("SELECT id, project_id, kind, title, text, status FROM memories")}
    finally:
        conn.close()


def _a_project(home: Path, memories: int = 3) -> None:
    from app.store import Store

    store = Store(home / "fondly.db")
    try:
        project = store.create_project("Dad", subject="Frank")
        for i in range(memories):
            store.add_memory(project.id, "text", f"memory {i}", text=f"Frank fished at Lake Travis, summer {i}. " * 30)
    finally:
        store.close()


def test_a_newer_database_is_refused_at_open_and_by_doctor(fondly, fondly_home, tmp_path):
    """An extra column and a migration this Fondly does not know: nothing is read, migrated or written,
    and doctor says so (it said "intact")."""
    from app.database import connect
    from app.doctor import _check, _database

    fondly_home.mkdir()
    _a_project(fondly_home)
    conn = connect(fondly_home / "fondly.db")
    with conn:
        conn.execute("ALTER TABLE memories ADD COLUMN mood TEXT")
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('fondly', 'm099_moods', '2027-01-01')"
        )
    conn.close()
    before = db_dump(fondly_home)
    note = tmp_path / "note.txt"
    note.write_text("He sang badly.\n")
    said = [
        _one_line(fondly(*args, ok=False))
        for args in (
            ("memory", "list", "Dad"),
            ("memory", "show", "1"),
            ("memory", "add", "Dad", note),
            ("search", "Dad", "x"),
        )
    ]
    assert all("was made by a newer Fondly (it has m099_moods)" in s and "install that version" in s for s in said)
    assert db_dump(fondly_home) == before
    check = _check("database", _database)
    assert not check["ok"] and "made by a newer Fondly" in check["detail"]
    _record(
        "a database made by a newer Fondly (an extra column, a migration m099 it doesn't know)",
        said[2],
        "data unchanged (compared row by row); doctor: " + check["detail"],
        tmp_path,
    )


def _damage_a_memories_page(db: Path) -> int:
    """Overwrite one leaf page of the memories table with random bytes, with no connection open.
    Returns the page number."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    pages = [
        r[0]
        for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'memories' AND pagetype = 'leaf' ORDER BY pageno")
    ]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    page = pages[len(pages) // 2]
    with open(db, "r+b") as f:  # allowed here: no SQLite connection of any process holds the file
        f.seek((page - 1) * size)
        f.write(os.urandom(size))
    return page


def test_a_damaged_page_is_one_line_then_backed_up_and_repaired_with_what_can_be_read(fondly, fondly_home, tmp_path):
    """One 4 KB page of memories overwritten: list, search and add answer one line and write nothing;
    backup salvages every readable row into the zip and counts them; doctor --repair rebuilds the
    database from that, keeping the damaged file."""
    import hashlib

    fondly_home.mkdir()
    _a_project(fondly_home, memories=200)
    original = _memories(fondly_home)
    _damage_a_memories_page(fondly_home / "fondly.db")
    digest = hashlib.sha256((fondly_home / "fondly.db").read_bytes()).hexdigest()

    said = _one_line(fondly("memory", "list", "Dad", ok=False))
    assert said.startswith(DAMAGED_LINE) and "fondly backup" in said and "fondly doctor --repair" in said
    assert _one_line(fondly("search", "Dad", "Travis", ok=False)).startswith(DAMAGED_LINE)
    note = tmp_path / "note.txt"
    note.write_text("He sang badly.\n")
    refused = _one_line(fondly("memory", "add", "Dad", note, ok=False))
    assert refused.startswith(DAMAGED_LINE) and "only read" in refused
    assert hashlib.sha256((fondly_home / "fondly.db").read_bytes()).hexdigest() == digest  # nothing written
    assert not (fondly_home / "fondly.db-wal").exists() or (fondly_home / "fondly.db-wal").stat().st_size == 0

    zip_path = tmp_path / "saved.zip"
    out = fondly("backup", "-o", zip_path)
    kept, found = map(int, re.search(r"salvaged (\d+) of (\d+) rows", out.stderr).groups())
    with zipfile.ZipFile(zip_path) as zf:
        zf.extract("fondly.db", tmp_path / "unzipped")
    saved = _memories(tmp_path / "unzipped")
    assert found == 1 + len(original) and kept == 1 + len(saved) and 150 < len(saved) < len(original)
    assert all(original[i] == row for i, row in saved.items())  # every salvaged memory whole, as it was

    from app import folder_lock

    assert folder_lock.open_folder(fondly_home)  # another Fondly has the folder open (as every Store does)
    try:
        busy = _one_line(fondly("doctor", "--repair", ok=False))
    finally:
        folder_lock.close_folder(fondly_home)
    assert busy.startswith("Fondly is open") and "run `fondly doctor --repair` again" in busy
    assert hashlib.sha256((fondly_home / "fondly.db").read_bytes()).hexdigest() == digest  # not replaced meanwhile
    repaired = fondly("doctor", "--repair")
    assert f"salvaged {kept} of {found} rows" in repaired.stderr and "Traceback" not in repaired.stderr
    [aside] = fondly_home.glob("fondly.damaged-*.db")
    assert hashlib.sha256(aside.read_bytes()).hexdigest() == digest  # the damaged file kept as it was
    assert _memories(fondly_home) == saved
    assert len(fondly("memory", "list", "Dad").stdout.splitlines()) == len(saved)
    fondly("memory", "add", "Dad", note)  # writes again
    assert "intact" in fondly("doctor", "--repair").stderr
    _record(
        "one 4 KB page of the memories table overwritten with random bytes",
        f'{said} (memory add: refused, the file unchanged; backup: "{out.stderr.strip().splitlines()[-1]}")',
        f"salvaged {kept} of {found} rows into the backup; doctor --repair rebuilt the database "
        f"from them, the damaged file kept as {aside.name}",
        tmp_path,
    )


def test_a_read_only_database_reads_and_refuses_writes_in_one_line(fondly, fondly_home, tmp_path):
    """The data folder on a read-only mount (root ignores chmod): reads and a backup to another disk
    work, writes are one line, and doctor says it can't be written (it said "all ok")."""
    fondly_home.mkdir()
    _a_project(fondly_home)
    before = db_dump(fondly_home)
    listed = fondly("memory", "list", "Dad").stdout
    found = fondly("search", "Dad", "Travis").stdout
    ro = tmp_path / "ro"
    with mounted(ro, "--bind", source=str(fondly_home)):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], check=True)
        fondly.home = ro
        assert fondly("memory", "list", "Dad").stdout == listed
        assert fondly("search", "Dad", "Travis").stdout == found
        note = tmp_path / "note.txt"
        note.write_text("He sang badly.\n")
        said = _one_line(fondly("memory", "add", "Dad", note, ok=False))
        assert "can't be written (read-only filesystem)" in said and "reading still works" in said
        assert "can't be written" in _one_line(fondly("project", "new", "Mum", ok=False))
        fondly("backup", "-o", tmp_path / "b.zip")
        os.environ["FONDLY_HOME"], home = str(ro), os.environ["FONDLY_HOME"]
        try:
            from app.doctor import _check, _database

            check = _check("database", _database)
        finally:
            os.environ["FONDLY_HOME"] = home
        assert not check["ok"] and "can't be written (read-only filesystem)" in check["detail"]
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        zf.extract("fondly.db", tmp_path / "unzipped")
    assert db_dump(tmp_path / "unzipped") == before == db_dump(fondly_home)
    _record(
        "the database on a read-only filesystem (a read-only bind mount)",
        said + f" (memory list, search and backup to another disk work; doctor: {check['detail']})",
        "data unchanged (compared row by row, the backup's too)",
        tmp_path,
    )


def test_a_nearly_full_disk_fails_writes_in_one_line_and_leaves_nothing_half_done(fondly, fondly_home, tmp_path, jfk):
    """A tmpfs data folder with ~100 KB free, then none: a text memory bigger than that, an audio
    import and a setting each fail in one line; nothing half-written is left (no .part, no
    settings.PID.tmp, no memory "transcribing")."""
    with mounted(fondly_home, "-t", "tmpfs", "-o", "size=700k"):
        _a_project(fondly_home)
        fondly("config", "set", "pace", "140")
        before, settings = db_dump(fondly_home), (fondly_home / "settings.json").read_text()
        big = tmp_path / "big.txt"
        big.write_text("Frank fished at Lake Travis every summer and named every catfish Gerald. " * 3000)
        _fill(fondly_home, 100 * 1024)
        said = _one_line(fondly("memory", "add", "Dad", big, ok=False))
        assert re.match(r"The disk holding .* is full \(\d+ KB free\); nothing was saved\. Free some space", said)
        assert db_dump(fondly_home) == before
        audio = _one_line(fondly("memory", "add", "Dad", jfk, ok=False))
        assert "is full" in audio and "jfk.flac was not added" in audio
        [(status, _error)] = [(m[4], m[3]) for m in _memories(fondly_home).values() if m[1] == "audio"]
        assert status == "failed"
        _fill(fondly_home, 0)
        setting = _one_line(fondly("config", "set", "pace", "150", ok=False))
        assert "is full" in setting and "the setting was not saved" in setting
        assert (fondly_home / "settings.json").read_text() == settings
        left = sorted(p.name for p in fondly_home.rglob("*") if p.suffix in (".part", ".tmp"))
        assert left == []
    _record(
        "a full disk, 100 KB then 0 B free (tmpfs): a 220 KB text memory, an audio import, a setting",
        f"{said} / {audio} / {setting}",
        'data unchanged (compared row by row); the audio memory marked failed, not "transcribing"; '
        "no .part or settings.PID.tmp left",
        tmp_path,
    )


def test_with_0_bytes_free_reads_and_a_backup_to_another_disk_still_work(fondly, fondly_home, tmp_path):
    """0 B free: SQLite can't make the WAL's index, so Fondly reads the file immutable: list, search and
    a backup to another disk work; a write is one line."""
    with mounted(fondly_home, "-t", "tmpfs", "-o", "size=400k"):
        _a_project(fondly_home)
        before = db_dump(fondly_home)
        listed = fondly("memory", "list", "Dad").stdout
        found = fondly("search", "Dad", "Travis").stdout
        _fill(fondly_home, 0)
        assert fondly("memory", "list", "Dad").stdout == listed
        assert fondly("search", "Dad", "Travis").stdout == found
        out = fondly("backup", "-o", tmp_path / "b.zip")
        said = _one_line(fondly("project", "new", "Mum", ok=False))
        assert re.match(r"The disk holding .* is full \(0 KB free\)", said)
        assert db_dump(fondly_home) == before
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        zf.extract("fondly.db", tmp_path / "unzipped")
    assert db_dump(tmp_path / "unzipped") == before
    _record(
        "a full disk, 0 bytes free (tmpfs)",
        f'memory list and search answer as before; "{out.stderr.strip()}"; a write: {said}',
        "data unchanged (compared row by row, the backup's too)",
        tmp_path,
    )


def test_the_next_start_removes_what_a_full_disk_left_and_fails_a_stranded_import(fondly, fondly_home, store, tmp_path):
    """What a full disk (or a kill) left: an audio copy cut short, a settings file half-written, a
    memory "transcribing" whose audio never arrived. The next command of any kind settles them."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    project = store.create_project("Dad")
    stuck = store.add_memory(project.id, "audio", "story.flac", status="transcribing")
    audio = fondly_home / "audio"
    audio.mkdir(exist_ok=True)
    (audio / f"memory-{stuck.id}.flac.{dead.pid}.part").write_bytes(b"fLaC" + b"\0" * 1000)
    (fondly_home / f"settings.{dead.pid}.tmp").write_text('{"pace": 1')
    out = fondly("memory", "list", "Dad")
    assert "Recovered an interrupted import: story.flac" in out.stderr and "Traceback" not in out.stderr
    memory = store.memory(stuck.id)
    assert memory.status == "failed" and "please add it again" in memory.error
    assert sorted(p.name for p in fondly_home.rglob("*") if p.suffix in (".part", ".tmp")) == []
    _record(
        "the next start after a full disk left a .part audio copy, settings.PID.tmp and a "
        'memory "transcribing" with no audio',
        out.stderr.strip(),
        'the partial files removed; the memory marked failed with the reason, not "transcribing"',
        tmp_path,
    )


def test_power_lost_in_the_middle_of_a_migration_leaves_the_older_database_which_migrates_next_time(
    fondly, fondly_home, tmp_path
):
    """A database of an older Fondly (before m005); the process upgrading it is SIGKILLed inside the
    migration, after its changes and before the commit. The next start finds the older schema whole
    and migrates it: nothing half-applied, no memory lost."""
    import signal
    import sys

    from app.database import Database, connect
    from app.migrations import MIGRATIONS

    fondly_home.mkdir()
    db = Database(connect(fondly_home / "fondly.db"))
    MIGRATIONS.apply(db, stop_before="m005_questions")
    with db.atomic():
        db["projects"].insert({"id": 1, "title": "Dad", "created": "2026-01-01", "updated": "2026-01-01"})
        db["memories"].insert(
            {
                "project_id": 1,
                "kind": "text",
                "title": "lake",
                "text": "Lake Travis.",
                "created": "2026-01-01",
                "updated": "2026-01-01",
            }
        )
    db.conn.close()
    before = db_dump(fondly_home)
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import os, signal\n"
                "from app import migrations\n"
                "[m] = [m for m in migrations.MIGRATIONS._migrations if m.name == 'm005_questions']\n"
                "done = m.fn\n"
                "m.fn = lambda db: (done(db), os.kill(os.getpid(), signal.SIGKILL))\n"
                "from app.store import Store\n"
                "Store.open_default()\n"
            ),
        ],
        env={**os.environ, "FONDLY_HOME": str(fondly_home)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert db_dump(fondly_home) == before  # the killed migration left nothing behind
    out = fondly("memory", "list", "Dad")
    assert out.stdout.split("\t")[1] == "lake" and "Traceback" not in out.stderr
    conn = connect(fondly_home / "fondly.db", readonly=True)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(memories)")]
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY name")]
    conn.close()
    assert "question" in columns and applied[-3:] == ["m005_questions", "m006_names_and_bin", "m007_opened_by"]
    conditions.record(
        "other conditions",
        "power lost (SIGKILL) inside a migration of an older database",
        "nothing at the kill; the next `fondly memory list` migrated and listed as usual",
        "data unchanged by the killed migration (compared row by row); migrated whole the next time",
    )


def test_a_database_whose_first_page_is_gone_is_still_answered_backed_up_and_rebuilt(fondly, fondly_home, tmp_path):
    """The header page overwritten: SQLite can read nothing ("file is not a database"). Every command
    still answers one line; the backup and the repair still run, say that nothing could be read, and
    keep the damaged file; Fondly starts again from an empty database."""
    import hashlib

    fondly_home.mkdir()
    _a_project(fondly_home)
    with open(fondly_home / "fondly.db", "r+b") as f:  # no connection open
        f.write(os.urandom(4096))
    digest = hashlib.sha256((fondly_home / "fondly.db").read_bytes()).hexdigest()
    said = _one_line(fondly("memory", "list", "Dad", ok=False))
    assert said.startswith(DAMAGED_LINE) and "not a database" in said
    out = fondly("backup", "-o", tmp_path / "b.zip")
    assert "salvaged nothing" in out.stderr and "Traceback" not in out.stderr
    repaired = fondly("doctor", "--repair")
    [aside] = fondly_home.glob("fondly.damaged-*.db")
    assert hashlib.sha256(aside.read_bytes()).hexdigest() == digest
    assert "salvaged nothing" in repaired.stderr and fondly("project", "list").stdout == ""
    _record(
        "the database's first (header) page overwritten with random bytes",
        f'{said} (backup: "{out.stderr.strip().splitlines()[-1]}")',
        f"salvaged nothing (SQLite reads no table without its header); the damaged file kept as {aside.name}, "
        "a fresh database in its place",
        tmp_path,
    )


def test_a_store_already_open_writes_nothing_once_another_process_finds_the_damage(fondly, fondly_home, tmp_path):
    """The window's Store was open before the damage was known; a command finds it: the window's next
    write is refused with the same line (it kept writing into the damaged file), and the window's
    operation runner shows SQLite's own errors as the same one lines."""
    import hashlib

    from app.store import Store
    from app.ui.operations import message_for

    fondly_home.mkdir()
    _a_project(fondly_home, memories=200)
    _damage_a_memories_page(fondly_home / "fondly.db")
    window = Store(fondly_home / "fondly.db")
    try:
        assert window.damaged is None  # not known yet
        _one_line(fondly("memory", "list", "Dad", ok=False))  # a command finds the damage and marks it
        digest = hashlib.sha256((fondly_home / "fondly.db").read_bytes()).hexdigest()
        with pytest.raises(Exception) as refused:
            window.create_project("Mum")
        assert message_for(refused.value).startswith(DAMAGED_LINE)
        with pytest.raises(sqlite3.DatabaseError) as read:
            [m.title for m in window.memories(1)]
        assert message_for(read.value).startswith(DAMAGED_LINE)
    finally:
        window.close()
    assert hashlib.sha256((fondly_home / "fondly.db").read_bytes()).hexdigest() == digest
    assert message_for(sqlite3.OperationalError("database or disk is full")).startswith("The disk holding")
    _record(
        "the window's database found damaged by a command while the window has it open",
        f"the window: {message_for(refused.value)}",
        "nothing more written into the damaged file (its bytes compared)",
        tmp_path,
    )


@pytest.mark.parametrize("free", [0, 48 * 1024])
def test_writing_on_a_full_disk_is_one_line_and_leaves_no_draft_half_done(fondly_home, free):
    """`write` (app.writing, a scripted engine) with 0 B or 48 KB free: SQLite's "full" comes out as the
    one line, and the database is as it was, or holds a draft the next start marks interrupted."""
    from app.database import translate
    from app.recovery import settle_interrupted
    from app.store import Store
    from app.writing import write
    from tests.helpers import DAD, ScriptedEngine

    with mounted(fondly_home, "-t", "tmpfs", "-o", "size=400k"):
        _a_project(fondly_home)
        before = db_dump(fondly_home)
        _fill(fondly_home, free)
        store = Store(fondly_home / "fondly.db")
        try:
            with pytest.raises(Exception) as failed:
                write(store, store.find_project("Dad"), "Write a eulogy", ScriptedEngine([DAD * 20] * 10), seed=1)
        finally:
            store.close()
        said = translate(failed.value)
        assert said is not None and str(said).startswith("The disk holding"), failed.value
        (fondly_home / "fill").unlink()
        (fondly_home / "fill-more").unlink(missing_ok=True)
        store = Store(fondly_home / "fondly.db")
        try:
            settle_interrupted(store)
            drafts = [d for p in store.projects() for d in store.drafts(p.id)]
            unchanged = db_dump(fondly_home) == before
            assert unchanged or all("writing" not in r.checks for d in drafts for r in store.revisions(d.id))
        finally:
            store.close()
    _record(
        f"writing a draft with {free // 1024} KB free (tmpfs; a scripted engine)",
        str(said),
        "data unchanged (compared row by row)"
        if unchanged
        else "the paragraphs stored before the disk filled kept, the draft marked interrupted at the next start",
        fondly_home,
    )
