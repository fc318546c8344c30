"""The set-up's llama.cpp: built for what this processor really runs, proven by a smoke check.

Why: llama-cpp-python has no wheel on PyPI, so pip compiles it, and by default with
`-march=native`: every instruction set the processor *advertises*, AMX included. On an Intel
Xeon VM that advertises AMX but does not run it, that build died at the first token (SIGILL,
`tilezero`), and so did the app and the test suite. pip then keeps the wheel in its shared
cache and serves it to any later install, on any processor.

So the Makefile never lets pip compile llama-cpp-python. It runs, with the venv's Python:

    python -m app.native_build install   # before `pip install -e .`: the wheel for this CPU
    python -m app.native_build check     # after the bundled model is installed: the smoke check

`install` picks the highest *rung* whose instructions the processor advertises — a fixed,
portable baseline (x86-64-v3: AVX2/FMA/F16C/BMI2, no AVX-512, no AMX), never native unless
asked (`LLAMA_BUILD=native`) — and installs its wheel, built once into Fondly's own cache keyed by
llama-cpp-python's version, the rung and (for native only) the processor's flags, never pip's.
`check` loads the bundled model in a child process and writes a few tokens (llm.native). If
the child dies by a signal, it says so in one paragraph, builds the next rung down and checks
again; when no rung is left, it says the processor is too old and fails.

This module runs before Fondly is installed: the `install` half uses the standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llm.native import cpu_flags  # the standard library only, like this module

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "llama-cpp-python"
STATE = Path(sys.prefix) / "fondly-llama-build.json"  # what this venv's llama.cpp was built as


@dataclass(frozen=True)
class Rung:
    """One way to build llama.cpp: its name, the processor flags it needs, its CMake options."""

    name: str
    needs: frozenset[str]
    cmake: str
    why: str


_PORTABLE = "-DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
NATIVE = Rung(
    "native",
    frozenset(),
    "-DGGML_NATIVE=ON",
    "every instruction set this processor advertises (asked for with LLAMA_BUILD=native)",
)
X86_RUNGS = [
    Rung(
        "x86-64-v3",
        frozenset({"avx", "avx2", "fma", "f16c", "bmi2"}),
        f"{_PORTABLE} -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON",
        "AVX2, FMA, F16C and BMI2 (Intel since 2013, AMD since 2015); no AVX-512, no AMX",
    ),
    Rung(
        "x86-64-v2",
        frozenset({"sse4_2"}),
        f"{_PORTABLE} -DGGML_SSE42=ON -DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF -DGGML_BMI2=OFF",
        "SSE4.2 only (any x86-64 processor since 2009)",
    ),
]
OTHER_RUNGS = [Rung("portable", frozenset(), "-DGGML_NATIVE=OFF", "the architecture's baseline")]


def rungs(flags: set[str] | None = None, wanted: str = "") -> list[Rung]:
    """The rungs to try on this processor, best first: those whose flags it advertises (on a
    system without /proc/cpuinfo, all of them: the smoke check decides), native first if wanted."""
    flags = set(cpu_flags()) if flags is None else flags
    ladder = X86_RUNGS if platform.machine().lower() in ("x86_64", "amd64") else OTHER_RUNGS
    chosen = [r for r in ladder if not flags or r.needs <= flags]
    if wanted and wanted != "native":
        chosen = [r for r in chosen if r.name == wanted] or chosen
    return ([NATIVE] if wanted == "native" else []) + chosen


def pinned_version() -> str:
    """The version pyproject.toml pins: the set-up builds exactly what the project was tested with."""
    text = (ROOT / "pyproject.toml").read_text()
    found = re.search(r'"llama-cpp-python==([0-9][^"\s,;\[]*)"', text)
    if not found:
        raise SystemExit("pyproject.toml must pin llama-cpp-python (==VERSION): the set-up builds that version.")
    return found.group(1)


def wheel_dir(version: str, rung: Rung) -> Path:
    """Fondly's own wheel cache: pip's shared cache would hand a native wheel to another CPU."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fondly" / "wheels"
    name = rung.name
    if rung is NATIVE:  # a native build is only good for the processor it was made on
        name += "-" + hashlib.sha256(" ".join(sorted(cpu_flags())).encode()).hexdigest()[:12]
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    return base / f"{PACKAGE}-{version}" / f"{name}-{tag}-{hashlib.sha256(rung.cmake.encode()).hexdigest()[:8]}"


def say(text: str) -> None:
    print(f"[fondly set-up] {text}", flush=True)


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True)


def build_and_install(rung: Rung, version: str) -> Path:
    """The wheel for `rung` (built now if Fondly's cache has none), installed in this venv."""
    wheel = build(rung, version)
    pip("install", "--quiet", "--no-deps", "--force-reinstall", "--no-cache-dir", str(wheel))
    pip("install", "--quiet", str(wheel))  # its own dependencies (numpy, jinja2…), if missing
    failed = read_state().get("failed", []) if read_state().get("version") == version else []
    write_state(
        {
            "version": version,
            "rung": rung.name,
            "cmake": rung.cmake,
            "why": rung.why,
            "wheel": str(wheel),
            "smoke": None,
            "failed": failed,
        }
    )
    return wheel


def build(rung: Rung, version: str) -> Path:
    """The wheel for `rung` from Fondly's cache, built into it first if it is not there."""
    folder = wheel_dir(version, rung)
    wheels = sorted(folder.glob("*.whl"))
    if not wheels:
        say(
            f"Building llama-cpp-python {version} for {rung.name}: {rung.why}. "
            f"This takes a few minutes, once for this computer."
        )
        env = {
            **os.environ,
            "CMAKE_ARGS": rung.cmake,
            "FORCE_CMAKE": "1",
            "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2),
        }
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-cache-dir",
                "--no-binary",
                PACKAGE,
                "-w",
                str(folder),
                f"{PACKAGE}=={version}",
            ],
            check=True,
            env=env,
        )
        wheels = sorted(folder.glob("*.whl"))
    else:
        say(f"llama-cpp-python {version} for {rung.name} is in Fondly's cache ({folder}).")
    return wheels[-1]


def read_state() -> dict:
    try:
        return json.loads(STATE.read_text())
    except (OSError, ValueError):
        return {}


def write_state(state: dict) -> None:
    STATE.write_text(json.dumps(state, indent=1))


def install(wanted: str = "") -> Rung:
    """Install the best rung's wheel, unless this venv already has it."""
    version, state = pinned_version(), read_state()
    ladder = rungs(wanted=wanted)
    if not ladder:
        raise SystemExit(
            "This processor has none of the instruction sets llama.cpp needs (SSE4.2 at least); "
            "Fondly's text model can't run on it."
        )
    failed = set(state.get("failed", [])) if state.get("version") == version else set()
    ladder = [r for r in ladder if r.name not in failed] or ladder[-1:]
    rung = ladder[0]
    if state.get("version") == version and state.get("rung") == rung.name and _installed() == version:
        say(f"llama-cpp-python {version} ({rung.name}) is installed.")
        return rung
    build_and_install(rung, version)
    return rung


def _installed() -> str | None:
    from importlib import metadata

    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def check(
    wanted: str = "",
    smoke: Callable | None = None,
    rebuild: Callable[[Rung, str], object] | None = None,
    model: str | None = None,
) -> int:
    """The smoke check, and the fall back to the next rung down while the child dies by a signal.

    `smoke` and `rebuild` are the real ones unless a test hands in stand-ins."""
    from llm import native

    if smoke is None:
        smoke = native.smoke
    rebuild = rebuild or build_and_install
    if model is None:
        from llm.models import bundled_model

        model = str(bundled_model())
    version, state = pinned_version(), read_state()
    ladder = rungs(wanted=wanted)
    current = next((r for r in ladder if r.name == state.get("rung")), ladder[0] if ladder else None)
    while True:
        result = smoke(model)
        if result.ok:
            built = ", ".join(native.built_features(result.system_info)) or "?"
            say(
                f"Smoke check passed: llama.cpp ({current.name if current else '?'}: {built}) loaded "
                f"{Path(model).name} in a child process and wrote {native.SMOKE_TOKENS} tokens "
                f"({result.generation_tps:.0f} tokens/s)."
            )
            write_state({**read_state(), "smoke": native.as_dict(result)})
            _remember(result)
            return 0
        say("Smoke check FAILED. " + result.explain(advice=False))
        if result.signal_name is None:
            say("That is not a processor problem; the output above says more.")
            return 1
        failed = set(read_state().get("failed", [])) | ({current.name} if current else set())
        write_state({**read_state(), "failed": sorted(failed), "smoke": native.as_dict(result)})
        lower = [
            r for r in ladder if r.name not in failed and (current is None or ladder.index(r) > ladder.index(current))
        ]
        if not lower:
            say(
                "This processor is too old for Fondly's text model: no build of llama.cpp that Fondly can make "
                "runs on it (the oldest needs SSE4.2). Writing needs a newer computer, or a model server "
                "(`fondly config set server URL`)."
            )
            return 1
        current = lower[0]
        say(f"Rebuilding llama.cpp for {current.name} ({current.why}) and checking again.")
        rebuild(current, version)


def _remember(result) -> None:
    """The app's own record of passed checks, so its first draft doesn't check again."""
    try:
        from app.native_check import checks

        checks().remember(result)
    except Exception:  # noqa: BLE001, S110 — only spares a check: the app checks for itself without the record
        pass


def main(argv: list[str]) -> int:
    wanted = os.environ.get("LLAMA_BUILD", "").strip()
    if argv[:1] == ["install"]:
        install(wanted)
        return 0
    if argv[:1] == ["wheel"] and len(argv) == 2:  # make test: the x86-64-v2 wheel the emulator test runs
        rung = next((r for r in X86_RUNGS if r.name == argv[1]), None)
        if rung is None or platform.machine().lower() not in ("x86_64", "amd64"):
            say(f"No {argv[1]} wheel on this architecture; nothing to build.")
            return 0
        build(rung, pinned_version())
        return 0
    if argv[:1] == ["check"]:
        install(wanted)  # a no-op when this venv has the right build; after a failed check, the next rung
        return check(wanted)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
