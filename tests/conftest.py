"""Shared fixtures: an isolated data folder, no network, the real bundled models.

The network block lives in tests/netblock/sitecustomize.py and reaches every child
process through PYTHONPATH; importing it here applies it to the test process too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers import Fondly

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
NETBLOCK = ROOT / "tests" / "netblock"

# The suite's temporary files, and those of every process it starts (through TMPDIR), live in the
# checkout's tmp/ (git ignores it), never in the machine's /tmp: a run leaves nothing there, and
# pytest_sessionfinish below fails the run if it did (issue 24). pytest's own tmp_path folders follow.
TMP = ROOT / "tmp"
TMP.mkdir(exist_ok=True)
os.environ["TMPDIR"] = tempfile.tempdir = str(TMP)
SYSTEM_TMP = Path("/tmp")
_TMP_BEFORE: set[str] = set()

os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NETBLOCK), os.environ.get("PYTHONPATH")]))
NET_REPORT = Path(os.environ.setdefault("FONDLY_NET_REPORT", str(TMP / f"fondly-net-{os.getpid()}.log")))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(NETBLOCK))
import sitecustomize  # noqa: F401  (the network block, for this process)


def only_loopback() -> bool:
    """Whether this process is in a network namespace whose only interface is loopback."""
    try:  # /proc/self/net is this process's namespace (/sys/class/net may still show the host's)
        lines = Path("/proc/self/net/dev").read_text().splitlines()[2:]
    except OSError:
        return False
    return sorted(line.split(":")[0].strip() for line in lines) == ["lo"]


def pytest_report_header(config) -> str:
    if only_loopback():
        return "network: a namespace with only loopback (unshare -n), plus the Python block in every process"
    return "network: NOTICE — not in a network namespace; only the Python block (tests/netblock) guards"


def _system_tmp() -> set[str]:
    try:
        return {p.name for p in SYSTEM_TMP.iterdir()}
    except OSError:
        return set()


def pytest_sessionstart(session) -> None:
    _TMP_BEFORE.update(_system_tmp())


def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the run if it left anything new in /tmp. Not counted: X servers' lock files and sockets
    (the X server makes those in /tmp by its own rule and removes them when it stops), and this
    sandbox's shell tool's folders (bash_*), which another program makes while the suite runs."""
    left = sorted(
        n
        for n in _system_tmp() - _TMP_BEFORE
        if not (n.startswith(".X") and n.endswith("-lock"))
        and n not in (".X11-unix", ".ICE-unix")
        and not n.startswith("bash_")
    )
    if left:
        session.config.get_terminal_writer().line(f"LEFT IN /tmp by this run: {', '.join(left)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:
    """How many socket operations the suite's Python processes made, and that none left the machine."""
    lines = NET_REPORT.read_text(encoding="utf-8").splitlines() if NET_REPORT.exists() else []
    blocked = [line for line in lines if line.endswith("BLOCKED")]
    terminalreporter.write_line(
        f"network: {len(lines)} socket operations by the tests' Python processes, {len(lines) - len(blocked)} "
        f"to this machine, {len(blocked)} blocked"
        + (" — " + "; ".join(blocked[:5]) if blocked else "")
        + (" · namespace with only loopback: yes" if only_loopback() else " · namespace: no (Python block only)")
    )
    NET_REPORT.unlink(missing_ok=True)


class Pulse:
    """A private PulseAudio server: a null sink, and a virtual microphone listening to it."""

    sink = "null"
    source = "mic"

    def __init__(self, runtime: Path):
        self.runtime = runtime
        self.socket = runtime / "pulse" / "native"

    def play(self, wav: Path) -> subprocess.CompletedProcess:
        """Speak a file into the virtual microphone, in real time."""
        return subprocess.run(["paplay", f"--device={self.sink}", str(wav)], check=True, timeout=120)

    def play_async(self, wav: Path) -> subprocess.Popen:
        return subprocess.Popen(["paplay", f"--device={self.sink}", str(wav)])

    def pactl(self, *args: str) -> str:
        return subprocess.run(["pactl", *args], check=True, capture_output=True, text=True, timeout=30).stdout


@pytest.fixture(scope="session")
def pulse(tmp_path_factory) -> Pulse:
    """Only for tests that need a microphone or the window (which lists microphones). It must be
    started before anything touches Qt Multimedia, which finds its audio server once.

    As root PulseAudio needs -n (no default script) and its modules spelled out. Qt lists
    no monitor sources, hence the virtual source over the null sink's monitor.
    """
    exe = shutil.which("pulseaudio")
    assert exe and shutil.which("paplay"), "PulseAudio is missing: `make test` installs pulseaudio and pulseaudio-utils"
    runtime = tmp_path_factory.mktemp("pulse-runtime")
    os.chmod(runtime, 0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime)}
    env.pop("PULSE_SERVER", None)
    with open(runtime / "pulse.log", "w") as log:
        proc = subprocess.Popen(
            [
                exe,
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--use-pid-file=no",
                "--log-target=stderr",
                "-L",
                "module-native-protocol-unix",
                "-L",
                f"module-null-sink sink_name={Pulse.sink}",
                "-L",
                f"module-virtual-source source_name={Pulse.source} master={Pulse.sink}.monitor",
            ],
            env=env,
            stdout=log,
            stderr=log,
        )
        server = Pulse(runtime)
        deadline = time.time() + 20
        while not server.socket.exists():
            assert proc.poll() is None, f"PulseAudio did not start: {(runtime / 'pulse.log').read_text()}"
            assert time.time() < deadline, "PulseAudio did not start within 20 s"
            time.sleep(0.05)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
        os.environ["PULSE_SERVER"] = f"unix:{server.socket}"
        # A real microphone is always running; an idle null sink is not: it renders in blocks of up to
        # ~2 s, so a new recording heard nothing for 0.1-1.7 s and then got that stretch late. A quiet
        # low-latency listener keeps the virtual microphone running, so a recording hears a sound the
        # moment it is played (measured: a beep lands within 20 ms of when it was played).
        keep_running = subprocess.Popen(
            ["parecord", f"--device={Pulse.source}", "--latency-msec=20", os.devnull],
            env={**os.environ},
            stdout=log,
            stderr=log,
        )
        yield server
        keep_running.terminate()
        keep_running.wait(timeout=10)
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session", autouse=True)
def native_checks(tmp_path_factory) -> Path:
    """Passed llama.cpp checks (app.native_check) for the whole run, not the person's cache: the
    first test to open the real model checks it once in a child process, the rest reuse that."""
    folder = tmp_path_factory.mktemp("fondly-cache")
    os.environ["FONDLY_CACHE"] = str(folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def settings_key(tmp_path_factory) -> Path:
    """The key that marks settings Fondly wrote (app.settings) for the whole run, not the person's
    config folder: every test and child process shares it, as one install would."""
    folder = tmp_path_factory.mktemp("fondly-config")
    os.environ["FONDLY_CONFIG"] = str(folder)
    return folder


@pytest.fixture(autouse=True)
def fondly_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty data folder."""
    home = tmp_path / "fondly-home"
    monkeypatch.setenv("FONDLY_HOME", str(home))
    return home


@pytest.fixture
def store(fondly_home):
    from app.store import Store

    s = Store.open_default()
    yield s
    s.close()


@pytest.fixture(scope="session")
def engine():
    """The bundled text model, loaded once for the whole run."""
    from llm.engine import Engine

    return Engine(threads=2)


@pytest.fixture(scope="session")
def transcriber():
    """The bundled speech model, loaded once for the whole run."""
    from speech.transcriber import Transcriber

    return Transcriber(threads=2)


@pytest.fixture(scope="session")
def jfk() -> Path:
    path = DATA / "jfk.flac"
    assert path.is_file(), "tests/data/jfk.flac is missing: copy it from ../shared/audio/"
    return path


@pytest.fixture(scope="session")
def jfk_wav(tmp_path_factory, jfk) -> Path:
    """jfk.flac as a 16 kHz WAV, for paplay."""
    import wave

    from speech import audio

    samples = audio.decode(jfk)
    path = tmp_path_factory.mktemp("wav") / "jfk.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture
def fondly(fondly_home) -> Fondly:
    return Fondly(fondly_home)


@pytest.fixture
def make_window(qtbot, qapp, pulse):
    """Builds the real main window as app.ui.app does, shown and active (window shortcuts need
    it active). `make_window(text_engine)` hands the runner a text engine of the test's own —
    a ScriptedEngine for plumbing tests, so they never wait on a real model."""
    from app.engines import Engines, open_text_engine
    from app.store import Store
    from app.ui.app import STYLE
    from app.ui.main_window import MainWindow
    from app.ui.operations import OperationRunner

    qapp.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    made = []

    def make(text_engine=None):
        engines = Engines(open_text=(lambda: text_engine) if text_engine is not None else open_text_engine)
        w = MainWindow(Store.open_default(), OperationRunner(engines))
        qtbot.addWidget(w)
        w.show()
        w.activateWindow()
        qtbot.waitActive(w)  # window shortcuts (Esc, Ctrl+S…) need the window active
        made.append(w)
        return w

    yield make
    for w in made:
        if w.isVisible():
            w.close()


@pytest.fixture
def window(make_window):
    """The main window with the bundled models, as a person gets it."""
    return make_window()
