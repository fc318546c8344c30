"""House rules: llm/ and speech/ stay free of Qt; nothing reaches the network."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest


def test_llm_and_speech_import_no_qt():
    code = (
        "import pkgutil, importlib, sys, llm, speech\n"
        "for pkg in (llm, speech):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "from llm.engine import Engine; from speech.transcriber import Transcriber\n"
        "Engine(threads=1); Transcriber(threads=1)\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide', 'PyQt', 'shiboken')))\n"
        "print(len([m for m in sys.modules if m.startswith(('llm.', 'speech.'))]), qt)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    assert int(out[0]) >= 8  # every module was really imported
    assert out[1].strip() == "[]"


def test_outbound_network_is_blocked():
    with pytest.raises(OSError, match="block outbound network"):
        socket.create_connection(("93.184.216.34", 80), timeout=2)
    with pytest.raises(OSError, match="block outbound network"):
        socket.create_connection(("example.com", 443), timeout=2)


def test_outbound_network_is_blocked_in_child_processes():
    code = "import socket; socket.create_connection(('1.1.1.1', 53), timeout=2)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "block outbound network" in proc.stderr


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()


ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _sources(*folders: str):
    for folder in folders:
        yield from (ROOT / folder).rglob("*.py")


def test_qt_widgets_only_in_app_ui():
    """Widgets live in app/ui; everything else can run without a screen."""
    import re

    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources("app", "llm", "speech")
        if "ui" not in p.relative_to(ROOT).parts
        and re.search(r"^\s*(?:from|import) PySide6\.QtWidgets", p.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert offenders == []


def test_sql_only_in_the_store():
    """One place knows the schema: SQL and sqlite3 connections are in app/store.py (its migrations,
    app/database.py, which connects, and app/inspection.py, its read-only looks at a file) alone."""
    import re

    sql = re.compile(
        r"\bimport sqlite3\b|sqlite3\.connect|\.execute\(|\.db\[|\b(?:SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b"
    )
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources("app", "llm", "speech")
        if p.name not in ("store.py", "migrations.py", "database.py", "inspection.py")
        and sql.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_one_way_to_connect_to_the_database():
    """Every connection comes from app.database.connect, with the same settings (WAL, foreign keys,
    the busy timeout, transactions that take the write lock first): nothing else calls sqlite3.connect
    or hands sqlite-utils a path, so what issue 21 needed (only SQLite makes and opens the file) is
    decided in one place."""
    import re

    direct = re.compile(r"sqlite3\.connect\(|sqlite_utils\.Database\(|\bDatabase\(\s*(?!connect\()")
    makers = sorted(
        str(p.relative_to(ROOT))
        for p in _sources("app", "llm", "speech")
        if direct.search(p.read_text(encoding="utf-8"))
    )
    assert makers == ["app/database.py"]


def test_every_text_engine_keeps_the_protocol(engine):
    """The writers see one interface: the local engine, a server, and the tests' scripted fake."""
    from llm.engine import TextEngine
    from llm.remote import RemoteEngine
    from tests.helpers import ScriptedEngine

    for e in (engine, RemoteEngine("http://127.0.0.1:9/v1"), ScriptedEngine([])):
        assert isinstance(e, TextEngine) and isinstance(e.context, int) and e.name


def test_one_way_to_run_work_off_the_gui_thread():
    """Threads are made in two places only: the operation runner (the window's work) and the
    live transcript (its own thread, Qt-free). No panel has a QThread or a worker of its own."""
    import re

    thread = re.compile(r"\bQThread\b|threading\.Thread\(|\bQThreadPool\b|\bQRunnable\b")
    makers = sorted(
        str(p.relative_to(ROOT))
        for p in _sources("app", "llm", "speech")
        if thread.search(p.read_text(encoding="utf-8"))
    )
    assert makers == ["app/ui/operations.py", "speech/live.py"]


def test_the_main_window_only_arranges():
    """main_window.py is menus, layout and closing; no UI module grows past 500 lines."""
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in _sources("app")
        if "ui" in p.relative_to(ROOT).parts
    }
    assert sizes["app/ui/main_window.py"] <= 300, sizes["app/ui/main_window.py"]
    assert max(sizes.values()) <= 500, max(sizes.items(), key=lambda kv: kv[1])
    import re

    window = (ROOT / "app/ui/main_window.py").read_text(encoding="utf-8")
    assert len(re.findall(r"self\.store\.\w+\(", window)) <= 3  # it was 17: the panels and services read and write


def test_one_way_to_the_microphone():
    """Every use of the microphone — a memory recorded, dictation, a rehearsal's reading, the
    teleprompter following a voice — goes through app.listening.Listening: a Recorder is made there
    alone (app/microphone.py defines it), so which device, which take, which live transcript, and
    how each ends are decided in one place (issue 23)."""
    import re

    made = re.compile(r"(?<!class )\bRecorder\(")
    makers = sorted(
        str(p.relative_to(ROOT)) for p in _sources("app", "llm", "speech") if made.search(p.read_text(encoding="utf-8"))
    )
    assert makers == ["app/listening.py"]
    users = sorted(
        str(p.relative_to(ROOT)) for p in _sources("app") if re.search(r"\bListening\(", p.read_text(encoding="utf-8"))
    )
    assert users == [
        "app/listening.py",
        "app/recording_session.py",
        "app/ui/recording.py",
        "app/ui/rehearsals_panel.py",
        "app/ui/teleprompter.py",
    ]


def test_the_set_up_imports_app_before_any_dependency_is_installed():
    """`make` runs `python -m app.native_build` in a new venv before pip installs anything, so
    importing `app` (its __init__, the version) and native_build needs the standard library only.
    (A top-level `import packaging` in app/version.py broke a fresh clone's set-up.)"""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import app, app.native_build; print(app.__version__)"
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
