"""`make dist`: Fondly as one download — dist/fondly-VERSION-linux-x86_64.tar.gz.

The tarball holds one folder: `fondly` (the program: Python, Qt and its xcb plugin with the X
libraries a desktop may lack, llama.cpp, faster-whisper/CTranslate2, the bundled models, fonts,
templates, icon and menu entry, all under `_internal/`), `install.sh` (the menu entry, no root),
README.md and CHANGELOG.md. PyInstaller builds it from this checkout's set-up (`.venv`), with
app/desktop/fondly.spec; docs/DESIGN.md ("The bundle") says why PyInstaller, and what the bundle
still needs from the system. tests/dist/test_bundle.py runs it where nothing else is.

It refuses a llama.cpp built for this processor (LLAMA_BUILD=native): the bundle runs on other
computers, so it carries the portable build the set-up makes (x86-64-v3, or v2 where that is all
this processor runs — then the bundle is slower everywhere, and says so here).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from app.native_build import read_state
from app.version import VERSION

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "bundle"
DIST = ROOT / "dist"
PORTABLE = {"x86-64-v3", "x86-64-v2"}
# What the bundle still needs from the computer, as Debian packages: OpenGL's dispatch libraries
# (PyInstaller leaves them out on purpose: they must match the computer's graphics driver) and
# libxcb, the X connection itself. Every Linux desktop has them. Measured by tests/dist in a bare
# Debian (debootstrap's minbase): without these, Qt can't load; with them, the window opens. GTK's
# theme and Wayland's libraries are used only on desktops that have them.
SYSTEM_PACKAGES = ("libgl1", "libegl1", "libxcb1")
BARE_DEBIAN = ROOT / "build" / "bare-debian"


def name() -> str:
    """The bundle's folder and file name: what a person downloads and what they report."""
    return f"fondly-{VERSION}-linux-{platform.machine()}"


def tarball() -> Path:
    return DIST / f"{name()}.tar.gz"


def _llama_record() -> Path:
    """The set-up's record of its llama.cpp build, without this computer's paths, for the doctor."""
    state = read_state()
    if state.get("rung") not in PORTABLE:
        raise SystemExit(
            f"make dist: this set-up's llama.cpp is built as {state.get('rung') or 'unknown'}, not a portable "
            f"baseline ({', '.join(sorted(PORTABLE))}), so the bundle would crash on other processors. "
            "Run `make setup` without LLAMA_BUILD=native, then `make dist` again."
        )
    if state["rung"] != "x86-64-v3":
        print(f"make dist: NOTE this set-up's llama.cpp is {state['rung']}: the bundle runs anywhere, but slower.")
    BUILD.mkdir(parents=True, exist_ok=True)
    record = BUILD / "fondly-llama-build.json"
    kept = {k: state[k] for k in ("version", "rung", "cmake", "why") if k in state}
    record.write_text(json.dumps(kept, indent=1))
    return record


def build() -> Path:
    started = time.perf_counter()
    _llama_record()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(BUILD / "out"), "--workpath", str(BUILD / "work"), str(ROOT / "app/desktop/fondly.spec")],
        check=True,
        cwd=ROOT,
    )  # fmt: skip
    folder = DIST / name()
    shutil.rmtree(folder, ignore_errors=True)
    DIST.mkdir(exist_ok=True)
    shutil.move(BUILD / "out" / "fondly", folder)
    for extra in ("README.md", "CHANGELOG.md"):
        shutil.copy2(ROOT / extra, folder / extra)
    shutil.copy2(ROOT / "app/desktop/install.sh", folder / "install.sh")
    os.chmod(folder / "install.sh", 0o755)
    built = time.perf_counter()
    partial = tarball().with_suffix(".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=name())
    partial.replace(tarball())  # a tarball is whole or absent
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    print(
        f"make dist: {tarball().relative_to(ROOT)} — {tarball().stat().st_size / 1e6:.0f} MB packed, "
        f"{size / 1e6:.0f} MB unpacked; built in {built - started:.0f} s, packed in {time.perf_counter() - built:.0f} s"
    )
    return tarball()


def bare_debian(root: Path = BARE_DEBIAN) -> Path:
    """A bare Debian for tests/dist: debootstrap's minbase of this Debian release, with the
    SYSTEM_PACKAGES downloaded but not installed, so the test can show what fails without them and
    install them with no network (it runs with loopback only). Made once; needs root and the network."""
    if (root / "usr" / "bin" / "env").exists():
        return root
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    release = "bookworm"
    subprocess.run(["debootstrap", "--variant=minbase", release, str(partial), "http://deb.debian.org/debian"],
                   check=True)  # fmt: skip
    subprocess.run(["chroot", str(partial), "apt-get", "install", "--download-only", "-y", "-qq", *SYSTEM_PACKAGES],
                   check=True)  # fmt: skip
    partial.rename(root)
    return root


if __name__ == "__main__":
    bare_debian() if sys.argv[1:] == ["bare-debian"] else build()
