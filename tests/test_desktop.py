"""A desktop that starts: the installed `fondly` opens its window on a real X display (a private
Xvfb, through Qt's xcb plugin, not the offscreen one the rest of the suite uses), and
`make install-desktop` puts a valid menu entry and icon in place."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FONDLY = os.path.join(os.path.dirname(sys.executable), "fondly")
X11_SOCKETS = Path("/tmp/.X11-unix")
# What Qt prints when the xcb plugin cannot load, e.g. for a missing libxcb-cursor0.
PLUGIN_FAILURES = ("Could not load the Qt platform plugin", "xcb-cursor0", "This application failed to start")


def need(tool: str, package: str) -> str:
    exe = shutil.which(tool)
    if not exe:
        pytest.fail(
            f"{tool} is missing: `make test` installs it (Debian package {package}, in the Makefile's APT_PACKAGES)"
        )
    return exe


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def start_xvfb(log: Path) -> tuple[subprocess.Popen, str]:
    """A private X server on the first free display from :90, and its display name."""
    exe = need("Xvfb", "xvfb")
    tried = []
    for n in range(90, 190):
        if (X11_SOCKETS / f"X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
            continue
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [exe, f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.time() + 20
        while proc.poll() is None and not (X11_SOCKETS / f"X{n}").exists() and time.time() < deadline:
            time.sleep(0.02)
        if proc.poll() is None and (X11_SOCKETS / f"X{n}").exists():
            return proc, f":{n}"
        stop(proc)  # taken meanwhile, or it could not start: say why if no display works
        tried.append(f":{n}: {log.read_text(errors='replace').strip()[-300:]}")
        if len(tried) >= 3:
            break
    pytest.fail("Xvfb did not start on a free display: " + " | ".join(tried or ["no free display in :90-:189"]))


def test_fondly_opens_its_window_on_a_real_x_display(fondly_home, pulse, tmp_path):
    xdotool = need("xdotool", "xdotool")
    xvfb, display = start_xvfb(tmp_path / "xvfb.log")
    ready = tmp_path / "ready"
    err_path = tmp_path / "fondly.err"
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",  # the suite's default is offscreen
        "FONDLY_HOME": str(fondly_home),
        "FONDLY_READY_FILE": str(ready),
    }
    env.pop("WAYLAND_DISPLAY", None)
    x_env = {**os.environ, "DISPLAY": display}

    def xdo(*args: str, timeout: float = 30) -> str:
        return subprocess.run(
            [xdotool, *args], env=x_env, capture_output=True, text=True, check=True, timeout=timeout
        ).stdout.strip()

    app = None
    try:
        started = time.time()
        with open(err_path, "w") as err:
            app = subprocess.Popen([FONDLY], env=env, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
        # The real X window: mapped, this process's, titled "Fondly" (or "<speech> — Fondly").
        search = subprocess.Popen(
            [xdotool, "search", "--sync", "--all", "--onlyvisible", "--pid", str(app.pid), "--name", "Fondly$"],
            env=x_env,
            stdout=subprocess.PIPE,
            text=True,
        )
        deadline = time.time() + 60
        while search.poll() is None and app.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        if search.poll() is None:
            stop(search)
            pytest.fail(
                f"no visible Fondly window on {display} after {time.time() - started:.0f} s (fondly "
                f"{'exited with ' + str(app.returncode) if app.poll() is not None else 'still running'}, "
                f"{'had' if ready.exists() else 'had not'} reported its window shown); its stderr:\n"
                + err_path.read_text(errors="replace")[-3000:]
            )
        took = time.time() - started
        found = search.stdout.read().split()
        assert search.returncode == 0 and found, f"xdotool search failed ({search.returncode})"
        window = found[0]
        assert "Fondly" in xdo("getwindowname", window)
        geometry = dict(line.strip().split(": ", 1) for line in xdo("getwindowgeometry", window).splitlines()[1:])
        width, height = map(int, geometry["Geometry"].split("x"))
        assert 400 <= width <= 1280 and 300 <= height <= 800, geometry
        time.sleep(0.5)  # still up a moment later, not opening and dying
        assert app.poll() is None, f"fondly exited ({app.returncode}): {err_path.read_text(errors='replace')}"
        print(f"window on {display} after {took:.2f} s: {width}x{height}")
    finally:
        if app is not None:
            stop(app)
        stop(xvfb)
    stderr = err_path.read_text(errors="replace")
    assert not [m for m in PLUGIN_FAILURES if m in stderr], stderr


def run_make(target: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-C", str(ROOT), "--no-print-directory", target],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # desktop keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


@pytest.mark.parametrize("xdg", [True, False], ids=["XDG_DATA_HOME", "HOME-fallback"])
def test_install_desktop_puts_a_valid_entry_and_icon_in_the_menu(tmp_path, xdg):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    env.pop("XDG_DATA_HOME", None)
    data = home / ".local" / "share"
    if xdg:
        data = tmp_path / "xdg-data"
        env["XDG_DATA_HOME"] = str(data)
    done = run_make("install-desktop", env)
    assert done.returncode == 0, done.stdout + done.stderr
    desktop = data / "applications" / "fondly.desktop"
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / "fondly.svg"

    entry = read_entry(desktop)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Fondly"
    assert entry["Icon"] == "fondly"
    assert "Office" in entry["Categories"].rstrip(";").split(";")
    exe = shlex.split(entry["Exec"])[0]  # quoted, so a checkout path with spaces works
    assert os.path.isabs(exe) and Path(exe) == ROOT / ".venv" / "bin" / "fondly"
    assert os.path.isfile(exe) and os.access(exe, os.X_OK)
    assert entry["TryExec"] == exe
    assert ET.parse(icon).getroot().tag == "{http://www.w3.org/2000/svg}svg"

    done = run_make("uninstall-desktop", env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not desktop.exists() and not icon.exists()


def test_the_window_carries_the_menu_entrys_icon_and_name(qapp):
    from app.ui.app import ICON, make_app

    app = make_app([])
    assert app.desktopFileName() == "fondly" and ICON.exists()
    assert not app.windowIcon().pixmap(48).isNull()  # the SVG was found and renders
