"""The download (`make dist`, which `make bench` builds first): how big it is, how long it takes to
unpack, and how long the unpacked bundle takes to show its window — against the checkout's own
`fondly` in the same run, so the figure says what bundling costs, not how busy the machine was.
The bundle starts as a person's would: a fresh HOME, PATH only /usr/bin:/bin, nothing else."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from app.desktop.bundle import name, tarball
from tests.bench.test_launch import display, launch_times  # noqa: F401 (display is a fixture)


def test_the_bundle_size_and_start(display, tmp_path, figure):  # noqa: F811
    packed = tarball()
    assert packed.is_file(), f"{packed} is missing: `make bench` runs `make dist` first"
    started = time.perf_counter()
    subprocess.run(["/bin/tar", "-xzf", str(packed), "-C", str(tmp_path)], check=True, timeout=600)
    unpack = time.perf_counter() - started
    folder = tmp_path / name()
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    ok_size = figure(
        "The download: tarball, unpacked, time to unpack",
        "< 500 MB packed",
        f"{packed.stat().st_size / 1e6:.0f} MB packed, {size / 1e6:.0f} MB unpacked; unpacked in {unpack:.1f} s",
        met=packed.stat().st_size < 500e6,
        note="`make dist`'s tarball, unpacked by the system's tar. Most of it is the models (SmolLM2 94 MB, "
        "tiny.en 75 MB), Qt (with FFmpeg, for playback) and CTranslate2.",
    )
    home, runtime = tmp_path / "home", tmp_path / "run"
    home.mkdir(), runtime.mkdir(mode=0o700)
    clean = {"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    if "PULSE_SERVER" in os.environ:
        clean["PULSE_SERVER"] = os.environ["PULSE_SERVER"]
    bundle = launch_times(folder / "fondly", display, tmp_path / "bundle", clean)
    checkout = launch_times(os.path.join(os.path.dirname(sys.executable), "fondly"), display, tmp_path / "checkout")
    warm, base = statistics.median(bundle[1:]), statistics.median(checkout[1:])
    ok_start = figure(
        "Launch of the unpacked bundle on a real X server (Xvfb, xcb)",
        "< 1.5 s, ≤ 1.3× the checkout",
        f"{warm:.2f} s (first start {bundle[0]:.2f} s); the checkout's `fondly` {base:.2f} s",
        ratio=f"{warm / base:.2f}× the checkout",
        met=warm < 1.5 and warm <= 1.3 * base,
        note="As the launch figure, for `./fondly` in the unpacked tarball with a fresh HOME and PATH "
        "/usr/bin:/bin, against the checkout's .venv/bin/fondly measured right after it.",
    )
    assert ok_size and ok_start
