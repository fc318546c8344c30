"""One data folder, many processes (issue 24, point 3): the audit's mix of parallel writes, adds,
backups and an open window loses nothing; one window per folder; a restore is refused while any
other Fondly process has the folder open. Real `fondly` processes, real windows (offscreen), a
real SIGKILL; the text model is a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conditions import record
from tests.helpers import DAD, db_dump

GROUP = "two processes, one database"
REPLY = (
    "Dad fished at Lake Travis every summer. He named every catfish he caught Gerald, and we never found out "
    "why.\n\nHe worked for thirty years as a mail carrier in Austin and knew every dog on his route by name.\n\n"
)


class ModelServer:
    """Chat completions streamed the way llama.cpp's server streams them, always REPLY. While
    `gate` is clear, answers wait for it (a write that stays open as long as a test needs)."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.asked = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.asked.set()
                server.gate.wait(60)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for word in REPLY.split(" "):
                    piece = {"choices": [{"delta": {"content": word + " "}}]}
                    self.wfile.write(f"data: {json.dumps(piece)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.gate.set()
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def model_server():
    server = ModelServer()
    yield server
    server.close()


def env(home: Path, **more: str) -> dict[str, str]:
    return {**os.environ, "FONDLY_HOME": str(home), **more}


def start(fondly, home: Path, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [str(fondly.exe), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(home)
    )


def finish(procs: dict[str, subprocess.Popen], timeout: float = 120) -> dict[str, tuple[int, str, str]]:
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=timeout)
        out[name] = (proc.returncode, stdout, stderr)
    return out


# --- the audit's mix ------------------------------------------------------------------------------

WINDOW = r"""
import sys, time
from app.recovery import settle_interrupted
from app.store import Store

window, lane = Store.open_default(), Store.open_default()  # the window's Store and a lane's, as the app has
settle_interrupted(lane)  # what the window does at start
project = window.find_project("Dad")
draft, _ = window.create_draft(project.id, "Typed in the window", "Dad.")
print("ready", flush=True)
saves = 0
while sys.stdin.readline():  # one autosave per line the test sends, each read back
    saves += 1
    window.add_revision(draft.id, "Dad." + " And more." * saves, "edited")
    window.projects(), window.memories(project.id), window.drafts(project.id), lane.counts()
print(draft.id, saves, flush=True)
"""


def test_the_audits_mix_of_writes_adds_backups_and_a_window_loses_nothing(fondly, fondly_home, tmp_path, model_server):
    """4 `fondly write`, 20 `memory add` and 10 `backup` at once, beside a window autosaving: every
    command ends well, every add is there, every draft is finished with its checks (none marked
    interrupted by another process's start-up), every backup is whole, nothing says "locked"."""
    fondly("project", "new", "Dad", "--subject", "Frank")
    (tmp_path / "dad.txt").write_text(DAD + "\n")
    fondly("memory", "add", "Dad", tmp_path / "dad.txt")
    window = subprocess.Popen(
        [sys.executable, "-c", WINDOW],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(fondly_home),
    )
    assert window.stdout.readline().strip() == "ready", window.stderr.read()
    started = time.monotonic()
    procs = {}
    for i in range(4):
        procs[f"write {i}"] = start(
            fondly, fondly_home, "write", "Dad", "Write a eulogy using dad.txt", "--server", model_server.url, "--json"
        )
    for i in range(20):
        (tmp_path / f"memory-{i}.txt").write_text(f"Memory number {i}: Dad sang in the car, every time.\n")
        procs[f"add {i}"] = start(fondly, fondly_home, "memory", "add", "Dad", tmp_path / f"memory-{i}.txt")
    for i in range(10):
        procs[f"backup {i}"] = start(fondly, fondly_home, "backup", "-o", tmp_path / f"backup-{i}.zip")
    saves = 0
    while any(p.poll() is None for p in procs.values()):
        window.stdin.write("save\n")
        window.stdin.flush()
        saves += 1
        time.sleep(0.05)
    done = finish(procs)
    window_out, window_err = window.communicate(timeout=60)
    took = time.monotonic() - started

    for name, (code, _, err) in done.items():
        assert code == 0 and "Traceback" not in err and "locked" not in err, f"{name} exited {code}: {err}"
    assert window.returncode == 0 and not window_err, window_err
    draft_id, window_saves = map(int, window_out.split())
    assert window_saves == saves
    from app.store import Store

    store = Store.open_default()
    try:
        assert sorted(m.title for m in store.memories(1)) == sorted(
            ["dad.txt"] + [f"memory-{i}.txt" for i in range(20)]
        )
        for name, (_, out, _) in done.items():
            if name.startswith("write"):
                out = json.loads(out)
                [revision] = store.revisions(out["draft_id"])
                assert revision.text == out["text"] and "Lake Travis" in revision.text
                assert revision.checks == out["checks"] and "writing" not in revision.checks, revision.checks
                assert not revision.checks.get("interrupted") and revision.checks["stopped"] is False
        assert len(store.revisions(draft_id)) == saves + 1  # every autosave of the window kept
    finally:
        store.close()
    from app.backup import check_backup

    for i in range(10):
        with zipfile.ZipFile(tmp_path / f"backup-{i}.zip") as zf:
            assert check_backup(zf, tmp_path / f"backup-{i}.zip")["counts"]["projects"] == 1
    record(
        GROUP,
        "4 `fondly write`, 20 `memory add` and 10 `backup` at once, beside a window autosaving",
        'every command exit 0; no "database is locked", no traceback',
        "nothing lost: 21 of 21 memories, 4 of 4 drafts finished with their checks, every autosave of the "
        "window, 10 whole backups",
    )
    assert took < 120, f"the mix took {took:.0f} s"


def test_a_draft_finished_after_the_list_was_read_is_not_marked_interrupted(store, fondly_home):
    """The lost draft of the audit: a starting process lists the revisions being written, the
    writer finishes one and ends, and only then is its writer found gone. What decides the write
    is read again under the write lock, so the finished draft stays finished."""
    from app.recovery import settle_interrupted
    from app.store import Store

    project = store.create_project("Dad")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=False
    ).stdout.strip()
    _draft, revision = store.create_draft(project.id, "Eulogy", "Half.", checks={"writing": int(gone)})
    starting = Store.open_default()
    stale = starting.revisions_being_written()  # read before the writer finishes
    finished = store.update_revision(revision.id, "Whole.\n", checks={"stopped": False, "supported": 1})
    starting.revisions_being_written = lambda: stale
    assert settle_interrupted(starting) == []
    starting.close()
    assert store.revision(revision.id) == finished
    record(
        GROUP,
        "a `fondly` command starting as a writer finishes its draft and exits",
        "nothing (the draft is not marked interrupted)",
        "the finished draft and its checks kept",
    )


# --- one window per folder ----------------------------------------------------------------------


class App:
    """The real app (tests/apps/window.py: app.ui.app.run with scripted models), offscreen."""

    def __init__(self, home: Path, ready: Path):
        self.ready = ready
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.apps.window"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(home, FONDLY_READY_FILE=str(ready), QT_QPA_PLATFORM="offscreen"),
        )

    def wait_shown(self, timeout: float = 60) -> App:
        deadline = time.monotonic() + timeout
        while not self.ready.exists():
            assert self.proc.poll() is None, self.proc.communicate()[1]
            assert time.monotonic() < deadline, "the window was not shown"
            time.sleep(0.05)
        return self

    def end(self, sig=signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.communicate(timeout=30)


@pytest.fixture
def apps(fondly_home, tmp_path):
    started: list[App] = []

    def make(name: str) -> App:
        fondly_home.mkdir(exist_ok=True)
        started.append(App(fondly_home, tmp_path / f"{name}.ready"))
        return started[-1]

    yield make
    for app in started:
        os.kill(app.proc.pid, signal.SIGCONT) if app.proc.poll() is None else None
        app.end(signal.SIGKILL)


def test_a_second_window_on_the_folder_brings_the_first_forward_and_a_killed_one_blocks_nothing(apps, fondly_home):
    first = apps("first").wait_shown()
    second = apps("second")
    _, err = second.proc.communicate(timeout=60)
    assert second.proc.returncode == 0 and not second.ready.exists()
    said = err.strip()
    assert (
        said == f"Fondly is already open on {fondly_home} (PID {first.proc.pid}); its window was brought to the front."
    )
    assert first.proc.poll() is None

    first.end(signal.SIGKILL)  # its lock goes with it; its socket file stays behind
    assert (fondly_home / "fondly.sock").exists()
    third = apps("third").wait_shown()  # a new window, not blocked by the killed one
    fourth = apps("fourth")
    _, err = fourth.proc.communicate(timeout=60)
    assert fourth.proc.returncode == 0 and f"(PID {third.proc.pid}); its window was brought to the front" in err
    record(
        GROUP,
        "a second app window started on the same data folder",
        said.replace(str(fondly_home), "HOME").replace(str(first.proc.pid), "N"),
        "the second ends (exit 0), the first is brought to the front; data unchanged",
    )
    record(
        GROUP,
        "the app window SIGKILLed, then started again",
        "nothing: the kernel dropped its lock; the new window starts and takes the stale socket",
        "the next start opens normally",
    )


def test_two_windows_started_at_the_same_moment_make_one(apps, fondly_home):
    """Both start; one owns the folder, the other is answered as soon as that window is shown."""
    both = [apps("one"), apps("two")]
    shown = None
    deadline = time.monotonic() + 60
    while shown is None or any(app.proc.poll() is None and app is not shown for app in both):
        assert time.monotonic() < deadline, "no window, or two"
        shown = shown or next((app for app in both if app.ready.exists()), None)
        time.sleep(0.05)
    [other] = [app for app in both if app is not shown]
    _, err = other.proc.communicate(timeout=30)
    assert other.proc.returncode == 0 and not other.ready.exists() and shown.proc.poll() is None
    assert f"(PID {shown.proc.pid}); its window was brought to the front." in err
    record(
        GROUP,
        "two app windows started on one data folder at the same moment",
        err.strip().replace(str(fondly_home), "HOME").replace(str(shown.proc.pid), "N"),
        "one window; the other ends (exit 0) once the first is shown",
    )


def test_a_window_that_does_not_answer_is_named_by_its_pid(apps, fondly_home, qapp):
    """A first window that can't answer (stopped here with SIGSTOP): the second start says which
    process has the folder, and does not open it."""
    from app.ui.single_window import AlreadyOpen, claim

    first = apps("first").wait_shown()
    os.kill(first.proc.pid, signal.SIGSTOP)
    try:
        with pytest.raises(AlreadyOpen) as refused:
            claim(fondly_home)
    finally:
        os.kill(first.proc.pid, signal.SIGCONT)
    assert not refused.value.brought_forward and refused.value.pid == first.proc.pid
    assert f"(window, PID {first.proc.pid}), and it did not answer" in str(refused.value)
    record(
        GROUP,
        "a second app window while the first one hangs (SIGSTOP)",
        str(refused.value).replace(str(fondly_home), "HOME").replace(str(first.proc.pid), "N"),
        "the second does not open the folder",
    )


# --- restore is alone ---------------------------------------------------------------------------


def one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    return line


def test_restore_is_refused_while_the_window_is_open(fondly, apps, fondly_home, tmp_path):
    fondly("project", "new", "Dad")
    fondly("backup", "-o", tmp_path / "backup.zip")
    fondly("project", "new", "Mum")  # after the backup: what a restore would move aside
    window = apps("window").wait_shown()
    before = db_dump(fondly_home)
    line = one_line(fondly("restore", "--force", tmp_path / "backup.zip", ok=False))
    assert line == (
        f"fondly: error: Fondly is open (window, PID {window.proc.pid}) on {fondly_home}: "
        "close it and run restore again. Nothing was changed."
    )
    assert db_dump(fondly_home) == before and not list(fondly_home.glob("before-restore-*"))

    window.end(signal.SIGKILL)  # gone, however it went: the restore goes ahead
    fondly("restore", "--force", tmp_path / "backup.zip")
    assert [p["title"] for p in json.loads(fondly("project", "list", "--json").stdout)] == ["Dad"]
    assert (fondly_home / "fondly.lock").exists() and not list(fondly_home.glob("before-restore-*/fondly.lock"))
    record(
        GROUP,
        "`restore --force` while the app window has the data folder open",
        line.replace(str(fondly_home), "HOME").replace(str(window.proc.pid), "N"),
        "data unchanged",
    )


def test_restore_is_refused_while_a_command_writes(fondly, fondly_home, tmp_path, model_server):
    """Before, the command's next writes went into the moved-away before-restore-…/fondly.db."""
    fondly("project", "new", "Dad", "--subject", "Frank")
    (tmp_path / "dad.txt").write_text(DAD + "\n")
    fondly("memory", "add", "Dad", tmp_path / "dad.txt")
    fondly("backup", "-o", tmp_path / "backup.zip")
    model_server.gate.clear()  # the write waits on its model
    model_server.asked.clear()
    writer = start(fondly, fondly_home, "write", "Dad", "Write a eulogy using dad.txt", "--server", model_server.url)
    try:
        assert model_server.asked.wait(60)
        before = db_dump(fondly_home)
        line = one_line(fondly("restore", "--force", tmp_path / "backup.zip", ok=False))
        assert db_dump(fondly_home) == before and not list(fondly_home.glob("before-restore-*"))
    finally:
        model_server.gate.set()
    code, _, err = finish({"writer": writer})["writer"]
    assert code == 0, err
    assert line == (
        f"fondly: error: Fondly is open (`fondly write`, PID {writer.pid}) on {fondly_home}: "
        "let it finish and run restore again. Nothing was changed."
    )
    assert len(json.loads(fondly("draft", "list", "Dad", "--json").stdout)) == 1  # its draft is here, not aside
    fondly("restore", "--force", tmp_path / "backup.zip")  # once it has ended
    record(
        GROUP,
        "`restore --force` while `fondly write` is writing",
        line.replace(str(fondly_home), "HOME").replace(str(writer.pid), "N"),
        "data unchanged; the draft written afterwards lands in the data folder",
    )


def test_a_command_started_during_a_restore_waits_for_it(fondly, fondly_home):
    """A restore holds the folder alone while it moves things; a command started meanwhile waits
    (it would otherwise open the database being moved), then runs on the restored folder."""
    from app import folder_lock

    fondly("project", "new", "Dad")
    with folder_lock.alone(fondly_home):  # what restore_backup runs in
        started = time.monotonic()
        command = start(fondly, fondly_home, "project", "list")
        time.sleep(1.5)
        assert command.poll() is None  # still waiting
    code, out, err = finish({"list": command})["list"]
    assert code == 0 and "Dad" in out and not err, err
    assert time.monotonic() - started >= 1.5
    record(
        GROUP,
        "a `fondly` command started while a restore runs",
        "nothing: it waits for the restore (up to 30 s), then runs",
        "the command sees the restored folder",
    )


def test_every_write_of_the_store_is_inside_a_transaction_begun_immediate(store, fondly_home):
    """SQLite's own trace of a Store's connection while every kind of write runs: each INSERT,
    UPDATE and DELETE lies inside a transaction that began IMMEDIATE (a deferred one that read
    first can't wait for the lock, and fails at once), sqlite-utils' own inserts and updates too."""
    from app.recovery import settle_interrupted
    from app.store import Person

    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    project = store.create_project("Dad", people=[Person("Siobhan", "shiv-AWN")])
    store.update_project(project.id, subject="Frank")
    memory = store.add_memory(project.id, "voice", "Recording", status="recording")
    store.add_segment(memory.id, 0, 0.0, 1.0, "Dad fished.")
    store.replace_segments(memory.id, [(0.0, 1.0, "Dad fished at Lake Travis.", 0.9)], status="ready")
    store.update_memory(memory.id, title="Lake Travis")
    store.skip_question(project.id, "section:taught")
    empty = store.add_memory(project.id, "voice", "Nothing")
    store.delete_memory(empty.id)
    draft, revision = store.create_draft(project.id, "Eulogy", "Dad.", checks={"writing": 1})
    store.update_revision(revision.id, "Dad fished.", checks={"writing": 1})
    store.add_revision(draft.id, "Dad fished at Lake Travis.", "edited")
    store.restore(draft.id, revision.id, current_text="Dad fished, and sang.")
    store.add_rehearsal(draft.id, revision.id, 12.0, {"total_seconds": 12.0})
    store.move_audio("/elsewhere/audio", fondly_home / "audio")
    settle_interrupted(store)
    store.db.conn.set_trace_callback(None)

    writes, open_by = 0, None
    for sql in seen:
        word = sql.split(None, 1)[0].upper()
        if word == "BEGIN":
            assert sql.upper().split() == ["BEGIN", "IMMEDIATE"], sql
            open_by = sql
        elif word in ("COMMIT", "ROLLBACK") and not sql.upper().startswith("ROLLBACK TO"):
            open_by = None
        elif word in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
            writes += 1
            assert open_by, f"{sql!r} ran outside a transaction begun IMMEDIATE"
    assert writes >= 20  # the trace did see them (FTS triggers' statements are not traced apart)


def test_a_folder_too_deep_for_a_socket_listens_in_the_login_runtime_folder(tmp_path, monkeypatch, qapp):
    """A Unix socket's path must fit in 108 bytes. A deeper data folder's window listens in
    $XDG_RUNTIME_DIR (private, emptied at logout), not in /tmp, where a killed window's socket
    stayed (seen from make test-dist's bundle, whose folders are deep in pytest's tmp)."""
    from app.ui.single_window import Owner, server_name

    deep = tmp_path / ("d" * 60) / ("e" * 60) / "Fondly"
    deep.mkdir(parents=True)
    runtime = Path(tempfile.mkdtemp(prefix="fondly-run-"))  # short, as /run/user/1000 is
    try:
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        name = server_name(deep)
        assert os.path.dirname(name) == str(runtime) and len(name.encode()) <= 100
        owner = Owner(deep)
        assert owner.listen() and os.path.exists(name)
        owner.server.close()
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / ("r" * 100)))  # one too deep itself
        assert server_name(deep).startswith("fondly-")
    finally:
        shutil.rmtree(runtime)
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert server_name(deep).startswith("fondly-")  # no runtime folder: Qt's temporary folder
    short = tmp_path / "F"
    assert server_name(short) == os.path.join(os.path.realpath(short), "fondly.sock")
