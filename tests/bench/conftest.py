"""Benchmarks: each figure is measured from where a person feels it, against a baseline in the
same run where one exists (the bare library doing the same work), and fails when its goal is
missed. `make bench` writes every figure to docs/performance.md, failed ones included.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPORT = Path(os.environ.get("FONDLY_BENCH_REPORT", "")) if os.environ.get("FONDLY_BENCH_REPORT") else None


@dataclass
class Figure:
    name: str
    goal: str
    measured: str
    ratio: str  # against the baseline in the same run, or "—"
    met: bool | None  # None: reported, no goal
    note: str = ""


FIGURES: list[Figure] = []


@pytest.fixture(scope="session")
def figure():
    """figure(name, goal, measured, ratio="—", met=None, note="") -> met; the test asserts it."""

    def add(name: str, goal: str, measured: str, ratio: str = "—", met: bool | None = None, note: str = "") -> bool:
        FIGURES.append(Figure(name, goal, measured, ratio, met, note))
        print(
            f"\n[bench] {name}: {measured} (ratio {ratio}; goal {goal}) "
            f"{'' if met is None else 'MET' if met else 'NOT MET'} {note}"
        )
        return met is not False

    return add


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({model or platform.machine()}){mem}, {platform.system()} {platform.release()}"


def pytest_sessionfinish(session, exitstatus) -> None:
    if REPORT is None or not FIGURES:
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (tests/bench/); do not edit by hand. Each figure is measured from",
        "where a person feels it, and, where one exists, as a ratio against the bare library doing",
        "the same work in the same run. `make bench` fails when a goal is missed.",
        "",
        f"Machine: {machine()}. Run: {time.strftime('%Y-%m-%d %H:%M %Z')}, load average at the end {load:.2f}.",
        "",
        "| Figure | Goal | Measured | Ratio | Met |",
        "|---|---|---|---|---|",
    ]
    for f in FIGURES:
        met = "report" if f.met is None else ("yes" if f.met else "**NO**")
        lines.append(f"| {f.name} | {f.goal} | {f.measured} | {f.ratio} | {met} |")
    notes = [f"- **{f.name}**: {f.note}" for f in FIGURES if f.note]
    if notes:
        lines += ["", "## How each was measured", "", *notes]
    REPORT.write_text("\n".join(lines) + "\n")
