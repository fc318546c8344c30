"""Helpers shared by tests: running the real CLI, comparing transcripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class Fondly:
    """Runs the real `fondly` console script in a child process, as a person would."""

    def __init__(self, home: Path):
        self.home = home
        self.exe = Path(sys.executable).with_name("fondly")
        assert self.exe.exists(), f"{self.exe} is missing: run `make test`, which installs the project"

    def __call__(self, *args: str, ok: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [str(self.exe), *map(str, args)],
            capture_output=True,
            text=True,
            input=input,
            env={**os.environ, "FONDLY_HOME": str(self.home)},
            timeout=600,
        )
        if ok:
            assert proc.returncode == 0, f"fondly {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}"
        return proc


def normalise(text: str) -> str:
    """Lower case, letters and spaces only: for comparing transcripts."""
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())
