"""Issue 21: the database shared between processes. Typing the app had saved was lost because a
second Store in the app's process opened the file with a raw descriptor (dropping the process's
SQLite locks), so a `fondly` command closing beside it deleted the WAL the app was writing into.

Real processes, real SIGKILLs, a real file: what a process committed (and said so) must be in the
database afterwards, word for word, and `PRAGMA integrity_check` must say ok. app.database says
how the sharing is made safe.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path


def read(path: Path) -> tuple[str, dict[str, list[str]]]:
    """A database's integrity check and its revisions' and memories' texts, through SQLite."""
    from app.database import connect

    db = connect(path, readonly=True)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0], {
            "revisions": [r[0] for r in db.execute("SELECT text FROM revisions ORDER BY id")],
            "memories": [r[0] for r in db.execute("SELECT text FROM memories ORDER BY id")],
        }
    finally:
        db.close()


def env(home: Path) -> dict[str, str]:
    return {**os.environ, "FONDLY_HOME": str(home)}


# --- the repro --------------------------------------------------------------------------

SECOND_STORE = r"""
import json, os, subprocess, sys
from app.store import Store

window = Store.open_default()
window.create_project("one")
lane = Store.open_default()  # a second Store in this process, as each lane opens one
subprocess.run([sys.executable, "-c", "from app.store import Store; Store.open_default().close()"],
               check=True, timeout=60)  # another process opens and closes the database
window.create_project("two")
links = []
for fd in os.listdir("/proc/self/fd"):
    try:
        links.append(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        pass
print(json.dumps([link for link in links if "fondly.db" in link]), flush=True)
os._exit(0)  # dies: nothing closed, nothing checkpointed
"""


def test_a_second_store_keeps_the_wal_when_another_process_closes_the_database(fondly_home):
    """The twelve-line repro: commit, open a second Store, another process opens and closes, commit,
    die. Both rows are there, and the process never wrote into a deleted WAL."""
    proc = subprocess.run(
        [sys.executable, "-c", SECOND_STORE],
        env=env(fondly_home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    held = json.loads(proc.stdout)
    assert {Path(p).name for p in held} == {"fondly.db", "fondly.db-wal", "fondly.db-shm"}
    assert not [p for p in held if p.endswith("(deleted)")], held
    from app.store import Store

    store = Store.open_default()
    try:
        assert [p.title for p in store.projects()] == ["one", "two"]
    finally:
        store.close()
    assert read(fondly_home / "fondly.db")[0] == "ok"


# --- the app's store layer killed while commands and backups come and go ----------------------

WRITER = r"""
import sys, time
from app.store import Store

log = open(sys.argv[1], "a", buffering=1)  # a line is the OS's once written: it survives SIGKILL
window = Store.open_default()  # the window's Store
project = window.create_project("Dad")
draft, _ = window.create_draft(project.id, "Eulogy", "rev 0")
lane = Store.open_default()  # a lane's, opened beside it
log.write("ready\n")
n, deadline = 0, time.monotonic() + 60  # bounded, should the test die before killing it
while time.monotonic() < deadline:
    n += 1
    (window if n % 2 else lane).add_revision(draft.id, f"rev {n}", "autosave")
    log.write(f"rev {n}\n")  # committed: add_revision has returned
    if n % 20 == 0:  # a recording's live Store, opened and closed beside the other two
        live = Store.open_default()
        live.add_memory(project.id, "typed", f"note {n}", text=f"note {n}")
        live.close()
        log.write(f"note {n}\n")
    time.sleep(0.005)
"""


def committed(log: Path) -> dict[str, list[str]]:
    lines = log.read_text().splitlines() if log.exists() else []
    return {
        "revisions": [x for x in lines if x.startswith("rev ")],
        "memories": [x for x in lines if x.startswith("note ")],
        "ready": ["ready"] if "ready" in lines else [],
    }


def wait_for(what, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert proc.poll() is None, f"the writer died (exit {proc.returncode})"
        assert time.monotonic() < deadline, "the writer did not get on within its time"
        time.sleep(0.02)


def test_nothing_committed_is_lost_when_the_app_is_killed_beside_commands_and_backups(fondly, fondly_home, tmp_path):
    log = tmp_path / "committed.log"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(log)], env=env(fondly_home))
    backups: list[tuple[Path, list[str]]] = []
    try:
        wait_for(lambda: committed(log)["ready"], 30, writer)
        for i in range(3):
            assert "Eulogy" in fondly("draft", "list", "Dad").stdout
            before = committed(log)["revisions"]  # committed before the backup begins
            archive = tmp_path / f"backup-{i}.zip"
            said = fondly("backup", "-o", archive)
            assert "1 speech" in said.stdout + said.stderr and "1 draft" in said.stdout + said.stderr
            backups.append((archive, before))
        last = len(committed(log)["revisions"])
        wait_for(lambda: len(committed(log)["revisions"]) >= last + 20, 30, writer)  # writing after they left
    finally:
        if writer.poll() is None:
            os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    done = committed(log)
    result, found = read(fondly_home / "fondly.db")
    assert result == "ok"
    assert len(done["revisions"]) >= 40 and len(done["memories"]) >= 2
    for table in ("revisions", "memories"):
        missing = [text for text in done[table] if text not in set(found[table])]
        assert not missing, f"{len(missing)} of {len(done[table])} committed {table} lost: {missing[:5]}"

    for archive, before in backups:  # each holds all that was committed before it began
        with zipfile.ZipFile(archive) as zf:
            zf.extract("fondly.db", tmp_path / archive.stem)
        result, held = read(tmp_path / archive.stem / "fondly.db")
        assert result == "ok" and len(before) >= 1
        assert not [text for text in before if text not in set(held["revisions"])], archive.name


# --- many writers at once -------------------------------------------------------------------------

AT_ONCE = r"""
import os, sys, time
from app.store import Store

n, go = sys.argv[1], sys.argv[2]
while not os.path.exists(go):  # every process ready, then all at once
    time.sleep(0.005)
store = Store.open_default()  # a new database: its migrations race the others'
project = store.create_project(f"Speech {n}")
draft, _ = store.create_draft(project.id, "Eulogy", f"{n}: 0")
for i in range(1, 4):
    store.add_revision(draft.id, f"{n}: {i}", "edited")  # reads the current revision, then writes
store.close()
"""


def test_processes_starting_at_once_on_a_new_database_keep_everything_they_write(fondly_home, tmp_path):
    """Writes that read first take the write lock as they begin, so they wait their turn: a deferred
    transaction failed at once with "database is locked" when another process wrote in between
    (12 processes adding 3 revisions each lost 18 of 36), and a new database's migrations raced."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", AT_ONCE, str(n), str(go)], env=env(fondly_home), stderr=subprocess.PIPE, text=True
        )
        for n in range(8)
    ]
    time.sleep(1.0)  # most are waiting by now; any still importing join a moment later
    go.touch()
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e.strip().splitlines()[-1:] for e in errors]
    result, found = read(fondly_home / "fondly.db")
    assert result == "ok"
    assert sorted(found["revisions"]) == sorted(f"{n}: {i}" for n in range(8) for i in range(4))


# --- the walkthrough: the app open, a command, typing, autosave, kill -----------------------------


def lines_of(proc: subprocess.Popen) -> queue.Queue:
    out: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [out.put(line.strip()) for line in proc.stdout], daemon=True).start()
    return out


def expect(lines: queue.Queue, word: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"the app did not say {word!r} within {timeout:.0f} s"
        try:
            if lines.get(timeout=left) == word:
                return
        except queue.Empty:
            continue


def test_the_walkthrough_keeps_what_autosave_kept(fondly, fondly_home):
    """The person's steps: the app open (its lanes each with a Store), `fondly draft list` in a
    terminal, a sentence typed, "Saved.", the app killed. The sentence is there afterwards."""
    app = subprocess.Popen(
        [sys.executable, "-m", "tests.apps.walkthrough"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env(fondly_home),
    )
    sentence = " He named every catfish Gerald, and we never found out why."
    try:
        lines = lines_of(app)
        expect(lines, "ready", 60)
        assert "Eulogy" in fondly("draft", "list", "Dad").stdout
        app.stdin.write(sentence + "\n")
        app.stdin.flush()
        expect(lines, "saved", 30)
    finally:
        if app.poll() is None:
            os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=30)
    assert app.returncode == -signal.SIGKILL
    assert fondly("draft", "show", "1").stdout.strip().endswith("\n\nDad." + sentence)  # after its title line
    result, found = read(fondly_home / "fondly.db")
    assert result == "ok" and found["revisions"][-1] == "Dad." + sentence


# --- only SQLite opens the database -------------------------------------------------------------

AUDITED = r"""
import json, os, sys
from pathlib import Path

homes = [Path(os.environ["FONDLY_HOME"]), Path(sys.argv[1])]
database = {str(h / f"fondly.db{s}") for h in homes for s in ("", "-wal", "-shm")}
opened, connected = [], []

def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if any(path.startswith(str(h) + os.sep) for h in homes):
            opened.append(path)
    elif event == "sqlite3.connect":
        connected.append(str(args[0]))

sys.addaudithook(hook)

from app.backup import create_backup, daily_backup, restore_backup
from app.cli import cli
from app.paths import database_path
from app.recovery import settle_interrupted
from app.inspection import inspect
from app.store import Store

def fondly(*args):
    assert cli.main(list(args), standalone_mode=False) in (None, 0), args

speech = homes[0] / "speech.txt"
speech.write_text("Dad fished at Lake Travis every summer.\n")
fondly("project", "new", "Dad")
fondly("memory", "add", "Dad", str(speech))
window = Store.open_default()
lane = Store.open_default()
window.create_draft(1, "Eulogy", "Dad.")
settle_interrupted(lane)
fondly("draft", "list", "Dad")
fondly("draft", "new", "Dad", str(speech))
fondly("search", "Dad", "Travis")
fondly("backup", "-o", str(homes[0] / "cli.zip"))
create_backup(lane, homes[0] / "app.zip")
daily_backup(lane)
inspect(database_path())  # what `fondly doctor` reads
window.close(); lane.close()
os.environ["FONDLY_HOME"] = str(homes[1])  # moving house: a restore into another folder
restore_backup(homes[0] / "app.zip")
fondly("draft", "list", "Dad")
print(json.dumps({"opened": sorted(set(opened)), "database": sorted(set(opened) & database),
                  "connected": sorted(set(connected))}))
"""


def test_nothing_but_sqlite_opens_the_database(fondly_home, tmp_path):
    """Every open of a file under the data folder, by Python code, seen by an audit hook while the
    CLI, two Stores, backups, a restore and the doctor's read run: none is of the database."""
    fondly_home.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", AUDITED, str(tmp_path / "new-home")],
        env=env(fondly_home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["database"] == []
    names = {Path(p).name for p in seen["opened"]}
    assert "speech.txt" in names and any(n.endswith(".zip") for n in names)  # the hook does see opens
    assert str(fondly_home / "fondly.db") in seen["connected"]  # and SQLite's
