"""A backup from someone else, and copies left behind (issue 24, points 1, 4 and 5): a restore is a
trust boundary — it never brings a server or a model silently, and refuses a database that is not
this Fondly's before anything moves —; settings Fondly did not write are ignored until confirmed;
temporary copies live in the data folder's scratch and go at the next start; every file Fondly
writes is private; audio the database names but the folder lacks is reported."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import threading
import time
import zipfile
from pathlib import Path
from typing import ClassVar

import pytest

from app.version import VERSION, parse
from tests.conditions import record
from tests.helpers import DAD, FISHING, Fondly, db_dump
from tests.test_backup import files

BACKUP = "a backup from someone else"
LEFT = "copies left behind"


def fill(store) -> None:
    """A small data folder: a project, a typed memory, an imported one with its audio, a draft."""
    from app.paths import audio_dir

    project = store.create_project("Dad's eulogy", subject="Frank")
    store.add_memory(project.id, "text", "dad.txt", text=DAD)
    m = store.add_memory(project.id, "audio", "fishing.flac", text=FISHING)
    flac = audio_dir() / f"memory-{m.id}.flac"
    flac.write_bytes(b"fLaC" + os.urandom(20_000))
    store.update_memory(m.id, audio_path=str(flac))
    store.create_draft(project.id, "Speech", DAD)


def good_backup(store, tmp_path: Path) -> Path:
    from app.backup import create_backup

    fill(store)
    path = tmp_path / "good.zip"
    create_backup(store, path)
    return path


def rezip(good: Path, out: Path, **replace: bytes) -> Path:
    """`good` with some files' bytes replaced ("fondly_db" for fondly.db, "settings_json"), its
    manifest agreeing: a backup someone made by hand, whole and well formed."""
    names = {k.replace("_", "."): v for k, v in replace.items()}
    with zipfile.ZipFile(good) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(entries.pop("fondly-backup.json"))
    entries.update(names)
    manifest["files"] = {n: len(b) for n, b in entries.items()}
    with zipfile.ZipFile(out, "w") as zf:
        for n, b in entries.items():
            zf.writestr(n, b)
        zf.writestr("fondly-backup.json", json.dumps(manifest))
    return out


class Listener:
    """A real server on 127.0.0.1: counts the connections that reach it, answers each with a 500."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 500 Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def not_a_model(tmp_path: Path) -> str:
    """This computer's own model setting, confirmed: a file that is no GGUF, so `fondly write`
    fails at once with its own message if it writes locally — and a server would be reached first."""
    from app import settings
    from app.paths import data_dir

    path = tmp_path / "mine.gguf"
    path.write_text("not a model")
    settings.write(data_dir() / "settings.json", {"model": str(path)}, confirm=["model"])
    return str(path)


# --- a restore keeps this computer's servers and models ----------------------------------------


def test_a_backups_server_and_models_are_left_out_and_write_sends_nothing(store, tmp_path, listener, monkeypatch):
    good = good_backup(store, tmp_path)
    store.close()
    hostile = {
        "server": listener.url,
        "trusted_servers": [listener.url],
        "model": "/elsewhere/evil.gguf",
        "models": [{"name": "evil", "kind": "text", "path": "/elsewhere/evil.gguf"}],
        "model_folders": ["/elsewhere"],
        "pace": 150,
        "threads": 99999,
    }
    archive = rezip(good, tmp_path / "from-a-stranger.zip", settings_json=json.dumps(hostile).encode())

    home = tmp_path / "new-computer"
    monkeypatch.setenv("FONDLY_HOME", str(home))
    home.mkdir(mode=0o700)
    mine = not_a_model(tmp_path)
    proc = Fondly(home)("restore", archive, "--force")
    said = proc.stderr.strip().splitlines()[-1]
    for name in ("server", "trusted_servers", "model", "models", "model_folders", "--with-settings"):
        assert name in said, (name, said)
    assert listener.url in said and "Traceback" not in proc.stderr

    kept = json.loads((home / "settings.json").read_text())
    assert kept["pace"] == 150 and "threads" not in kept  # a sound setting comes, an impossible one doesn't
    config = json.loads(Fondly(home)("config", "get").stdout)
    assert (
        config["server"],
        config["trusted_servers"],
        config["model"],
        config["models"],
        config["model_folders"],
    ) == (None, [], mine, [], [])
    wrote = Fondly(home)("write", "1", "Write a eulogy using dad.txt", ok=False)
    assert wrote.returncode == 1 and "Traceback" not in wrote.stderr and "mine.gguf" in wrote.stderr
    assert listener.connections == 0  # nothing left this process for the backup's server
    assert db_dump(home).count("Lake Travis") >= 1  # the memories came

    # the control: taken on purpose, the same server is reached (so the listener would have seen it)
    again = Fondly(tmp_path / "took-them")
    took = again("restore", archive, "--with-settings").stderr
    assert "Took the backup's settings" in took and listener.url in took and "Left out" not in took
    again("write", "1", "Write a eulogy using dad.txt", ok=False)
    assert listener.connections >= 1
    record(
        BACKUP,
        "a zip whose settings.json sets server and trusted_servers to a live listener, and models "
        "outside the data folder",
        said.split(": ", 1)[0] + ": server = …; this computer's are kept …",
        "memories restored; this computer's server and models kept; `fondly write` made 0 connections "
        "(with --with-settings: it connects)",
    )


def test_a_settings_file_fondly_did_not_write_is_ignored_until_set_again(fondly_home, tmp_path, listener, monkeypatch):
    from app import settings

    fondly = Fondly(fondly_home)
    fondly("config", "set", "pace", "140")
    by_hand = json.loads((fondly_home / "settings.json").read_text())
    by_hand.update(server=listener.url, trusted_servers=[listener.url])
    (fondly_home / "settings.json").write_text(json.dumps(by_hand))  # edited by hand, or copied in

    got = fondly("config", "get", "server")
    warnings = [line for line in got.stderr.splitlines() if "warning" in line]
    assert got.stdout.strip() == "" and len(warnings) == 1, got.stderr
    assert "server, trusted_servers" in warnings[0] and "fondly config set server URL" in warnings[0]
    assert fondly("config", "get", "pace").stdout.strip() == "140"  # the rest of the file is read

    fondly("config", "set", "server", listener.url)  # the person sets it: confirmed
    got = fondly("config", "get", "server")
    assert got.stdout.strip() == listener.url and got.stderr.count("warning") == 1  # trusted_servers still waits
    fondly("config", "trust", listener.url)
    assert "warning" not in fondly("config", "get").stderr

    # the same file on another computer (another key): not this Fondly's, so ignored again
    monkeypatch.setenv("FONDLY_CONFIG", str(tmp_path / "another-computer"))
    other = fondly("config", "get", "server")
    assert other.stdout.strip() == "" and "server" in other.stderr, other.stderr
    assert listener.connections == 0
    assert settings.key_path().parent == tmp_path / "another-computer" and not settings.key_path().exists()
    record(
        BACKUP,
        "a settings.json edited by hand (or copied from another computer) that sets server and trusted_servers",
        warnings[0].split(" (")[0] + " … ignored … To use them, set them again",
        "ignored until `fondly config set server` / `config trust`; other settings read",
    )


def test_the_window_asks_about_settings_it_did_not_set_default_no(qtbot, fondly_home, listener):
    from PySide6.QtWidgets import QMessageBox, QWidget

    from app import settings
    from app.ui.backup_dialog import ask_about_settings

    fondly_home.mkdir(mode=0o700)
    (fondly_home / "settings.json").write_text(json.dumps({"server": listener.url}))

    class Window(QWidget):
        class message:
            shown: ClassVar[list[str]] = []

            @classmethod
            def show_message(cls, text):
                cls.shown.append(text)

    window = Window()
    qtbot.addWidget(window)
    box = ask_about_settings(window)
    assert listener.url in box.text() and box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.No).click()
    assert settings.get("server") is None and settings.unconfirmed() == {"server": listener.url}
    box = ask_about_settings(window)
    box.button(QMessageBox.StandardButton.Yes).click()
    assert settings.get("server") == listener.url and ask_about_settings(window) is None
    assert listener.connections == 0
    record(
        BACKUP,
        "the window starts on a settings.json whose server Fondly did not set",
        'a question listing server = …, "Use them?", default No',
        "ignored unless Yes; then confirmed",
    )


# --- a restore refuses a database that is not this Fondly's -----------------------------------


def _newer(good: Path, tmp_path: Path) -> bytes:
    """The good backup's database as a newer Fondly would leave it: a column and a migration this
    one doesn't know."""
    from app.database import connect

    with zipfile.ZipFile(good) as zf:
        data = zf.read("fondly.db")
    path = tmp_path / "newer.db"
    path.write_bytes(data)
    conn = connect(path, wal=False)
    with conn:
        conn.execute("ALTER TABLE memories ADD COLUMN mood TEXT")
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('fondly', 'm099_moods', '2027-01-01')"
        )
    conn.close()
    return path.read_bytes()


def _opened_by_newer(good: Path, tmp_path: Path) -> bytes:
    """The good backup's database after a newer Fondly opened it, with no table of its own added:
    only its record of the version (app.version) says so."""
    from app.database import connect

    with zipfile.ZipFile(good) as zf:
        data = zf.read("fondly.db")
    path = tmp_path / "opened.db"
    path.write_bytes(data)
    conn = connect(path, wal=False)
    with conn:
        conn.execute("UPDATE opened_by SET version = ?", [NEXT])
    conn.close()
    return path.read_bytes()


def _other_app(tmp_path: Path) -> bytes:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()
    return path.read_bytes()


NEXT = ".".join(str(n + 1) for n in parse(VERSION).release)  # a version after this one
BAD_DATABASES = {
    "random bytes": lambda good, tmp: os.urandom(64 * 1024),
    "text": lambda good, tmp: b"Dad fished at Lake Travis every summer.\n" * 200,
    "0 bytes": lambda good, tmp: b"",
    "another app's SQLite database": lambda good, tmp: _other_app(tmp),
    "a newer Fondly's database": _newer,
    "a database a newer Fondly last opened": _opened_by_newer,
}
EXPECTED = {
    "random bytes": "not a database at all",
    "text": "not a database at all",
    "0 bytes": "not Fondly's database",
    "another app's SQLite database": "not Fondly's database",
    "a newer Fondly's database": "made by a newer Fondly",
    "a database a newer Fondly last opened": f"last opened by Fondly {NEXT}, newer than this Fondly ({VERSION})",
}


@pytest.mark.parametrize("fault", list(BAD_DATABASES))
def test_restore_refuses_a_bad_database_and_changes_nothing(fault, store, fondly_home, tmp_path):
    good = good_backup(store, tmp_path)
    store.close()
    archive = rezip(good, tmp_path / "bad.zip", fondly_db=BAD_DATABASES[fault](good, tmp_path))
    before, before_dump = files(fondly_home), db_dump(fondly_home)

    proc = Fondly(fondly_home)("restore", archive, "--force", ok=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("fondly: error: "), proc.stderr
    assert EXPECTED[fault] in lines[0] and "Nothing was changed" in lines[0], lines[0]
    assert files(fondly_home) == before and db_dump(fondly_home) == before_dump
    assert not list((fondly_home / ".scratch").iterdir())  # the unpacked copy went too

    fresh = tmp_path / "fresh" / "Fondly"
    again = Fondly(fresh)("restore", archive, ok=False)
    assert again.stderr.strip() == lines[0] and not fresh.exists()  # no empty home left behind
    record(
        BACKUP,
        f"a well-formed backup whose fondly.db is {fault}",
        lines[0].split(": ", 2)[2].split(" can't be restored: ")[-1],
        "data folder unchanged (compared by content); no folder made",
    )


# --- copies left behind ------------------------------------------------------------------------


def test_a_killed_backup_leaves_its_copy_only_in_scratch_and_the_next_start_removes_it(store, fondly_home, tmp_path):
    from tests.helpers import Fondly as Cli

    project = store.create_project("Big")
    for i in range(12):  # ~48 MB of text that does not compress: the zip takes a while to write
        store.add_memory(project.id, "text", f"m{i}", text=os.urandom(3 * 2**20).hex())
    store.close()
    before_tmp = {p.name for p in Path("/tmp").glob("fondly-backup-*")}
    cli = Cli(fondly_home)
    proc = subprocess.Popen(
        [str(cli.exe), "backup", "-o", str(tmp_path / "big.zip")],
        env={**os.environ, "FONDLY_HOME": str(fondly_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    scratch, deadline = fondly_home / ".scratch", time.time() + 60
    part = None  # killed once the zip is being written: its database copy is in scratch, its part beside the zip
    while time.time() < deadline and part is None:
        part = next((p for p in tmp_path.glob(".big.zip.*.part") if p.stat().st_size > 2**20), None)
        time.sleep(0.005)
    assert part is not None and proc.poll() is None, "the backup finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    [copy] = scratch.glob(f"{proc.pid}-backup-*/fondly.db")
    assert copy.stat().st_size > 40 * 2**20 and part.exists()  # left: the copy inside the 0700 folder, and the part
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700 and stat.S_IMODE(part.stat().st_mode) == 0o600
    assert {p.name for p in Path("/tmp").glob("fondly-backup-*")} == before_tmp  # nothing in /tmp
    assert not (tmp_path / "big.zip").exists()

    cli("project", "list")  # the next start
    assert not list(scratch.iterdir()) and not part.exists()
    record(
        LEFT,
        "`fondly backup` killed (SIGKILL) while writing the zip",
        "(nothing: the next command removes what it left)",
        "its database copy stayed inside the 0700 data "
        "folder and its 0600 .part beside the zip asked for; the next start removed both; nothing in /tmp",
    )


def test_every_file_fondly_writes_in_the_data_folder_is_private(store, fondly_home, tmp_path, jfk, request, qapp):
    from app import recordings, settings
    from app.backup import daily_backup
    from app.memories import prepare, store_prepared
    from app.paths import audio_dir
    from app.ui.uisettings import save_prompter_settings
    from speech.wavfile import WavWriter

    old_umask = os.umask(0o022)  # the usual: files 0644 unless Fondly says otherwise
    request.addfinalizer(lambda: os.umask(old_umask))
    project = store.create_project("Dad's eulogy")
    settings.set_value("pace", 150)  # settings save
    save_prompter_settings({"size": 60})  # the window's ui.ini, written by Qt
    _memory, wav = recordings.begin(store, project)  # a recording: its owner file and its WAV
    writer = WavWriter(wav, 16000, 1)
    writer.write(b"\0\0" * 16000)
    writer.close()
    recordings.release(wav)
    imported = store_prepared(store, project, prepare(jfk))  # an imported recording's copy
    draft, _ = store.create_draft(project.id, "Speech", DAD)
    daily_backup(store)  # backups/fondly-DATE.zip
    fondly = Fondly(fondly_home)
    fondly("rehearse", str(draft.id), str(jfk))  # a rehearsal's audio
    store.close()

    loose = [
        (str(p.relative_to(fondly_home)), oct(stat.S_IMODE(p.stat().st_mode)))
        for p in [fondly_home, *fondly_home.rglob("*")]
        if stat.S_IMODE(p.stat().st_mode) & 0o077
    ]
    audio = sorted(p.name for p in audio_dir().iterdir())
    assert loose == [], loose
    assert any(n.startswith("rehearsal-") for n in audio) and f"memory-{imported.id}.flac" in audio, audio
    assert list((fondly_home / "backups").glob("fondly-*.zip")) and (fondly_home / "ui.ini").is_file()
    record(
        LEFT,
        "files Fondly writes in its data folder (settings, ui.ini, a recording, an imported and a "
        "rehearsal copy, the daily backup) with umask 022",
        "(nothing to say)",
        f"`find HOME -perm /077` empty: files 0600, folders 0700 ({len(audio)} audio files checked)",
    )


def test_doctor_and_backup_report_audio_the_database_names_but_the_folder_lacks(store, fondly_home, tmp_path):
    from app.doctor import _audio, _check
    from app.paths import audio_dir

    fill(store)
    gone = next(audio_dir().glob("memory-*.flac"))
    gone.unlink()
    store.close()
    check = _check("audio files", _audio)
    assert not check["ok"] and "1 audio file the database names is missing" in check["detail"]
    assert gone.name in check["detail"]

    before = db_dump(fondly_home)
    proc = Fondly(fondly_home)("backup", "-o", tmp_path / "b.zip")
    assert "Backed up" in proc.stderr and f"1 audio file the database names is missing: {gone}" in proc.stderr
    assert db_dump(fondly_home) == before
    record(
        LEFT,
        "the database names an audio file the data folder lacks",
        "doctor: FAIL audio files: 1 audio file the database names is missing: …; backup: Backed up … "
        "1 audio file the database names is missing: …",
        "data unchanged; the backup is written",
    )
