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


class ScriptedEngine:
    """A fake text engine that answers with scripted replies, in order: for plumbing tests.

    It has the Engine's surface (name, context, count_tokens, chat, info) so the writers cannot
    tell it apart; `parameters` decides which way Fondly writes with it.
    """

    class Info:
        def __init__(self, parameters: int | None):
            self.parameters = parameters

    def __init__(self, replies: list[str], parameters: int | None = 7_000_000_000, context: int = 4096):
        self.replies = list(replies)
        self.asked: list[list] = []
        self.info = self.Info(parameters)
        self.context = context

    @property
    def name(self) -> str:
        return "scripted"

    def count_tokens(self, text: str) -> int:
        return len(text.split()) * 2

    def chat(self, messages, max_tokens=512, temperature=0.7, seed=None, stop=None, cancel=None):
        self.asked.append(messages)
        reply = self.replies.pop(0) if self.replies else ""
        for word in reply.split(" "):
            if cancel is not None and cancel.is_set():
                return
            yield word + " "
