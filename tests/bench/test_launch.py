"""Launch on a real X server: from running `fondly` to its window mapped on the display (found
by xdotool, from outside the process) with the event loop running (the app's ready file).
Xvfb with Qt's xcb platform, as a person's desktop would load it; not offscreen.

Goal: under 1.5 s, once the operating system has the files cached (the median of three warm
starts after a first one, which is reported too).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.fixture
def display(tmp_path):
    for tool in ("Xvfb", "xdotool"):
        assert shutil.which(tool), f"{tool} is missing: `make bench` installs xvfb and xdotool"
    number = next(
        n
        for n in range(140, 200)
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists()
    )
    # -noreset: Xvfb otherwise resets when its last client leaves and refuses connections meanwhile;
    # a program that starts quicker than the checkout (the bundle) then met "could not connect".
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert server.poll() is None and time.time() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)
    deadline = time.time() + 10  # the next test may take the same number: not before this one's socket is gone
    while Path(f"/tmp/.X11-unix/X{number}").exists() and time.time() < deadline:
        time.sleep(0.05)


def launch_times(exe: str | Path, display: str, tmp_path: Path, base: dict[str, str] | None = None) -> list[float]:
    """Seconds from running `exe` to its window mapped and its event loop running, four starts:
    the first (files not yet cached) and three warm ones. `base`: the environment (default: this
    one, with a data folder of the run's own)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    times = []
    for i in range(4):
        ready = tmp_path / f"ready-{i}"
        env = {
            **(base if base is not None else {**os.environ, "FONDLY_HOME": str(tmp_path / "home")}),
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "FONDLY_READY_FILE": str(ready),
        }
        start = time.time()
        proc = subprocess.Popen([str(exe)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            mapped = None
            deadline = start + 60
            while mapped is None or not (ready.exists() and ready.read_text()):
                assert time.time() < deadline and proc.poll() is None, (
                    f"no window: {proc.stderr.read() if proc.poll() is not None else ''}"
                )
                if mapped is None:
                    found = subprocess.run(
                        ["xdotool", "search", "--onlyvisible", "--name", "Fondly"],
                        env=env,
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if found.stdout.strip():
                        mapped = time.time()
                time.sleep(0.01)
            times.append(max(mapped, float(ready.read_text())) - start)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return times


def test_launch_on_a_real_display(display, tmp_path, figure):
    times = launch_times(os.path.join(os.path.dirname(sys.executable), "fondly"), display, tmp_path)
    warm = statistics.median(times[1:])
    assert figure(
        "Launch on a real X server (Xvfb, xcb) to a window taking input",
        "< 1.5 s",
        f"{warm:.2f} s (first start {times[0]:.2f} s)",
        met=warm < 1.5,
        note="From running `fondly` to its window mapped (xdotool, from outside) and the event loop "
        "running; median of three warm starts.",
    )
