"""Helpers shared by tests: running the real CLI, comparing transcripts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

# Memories about Frank ("Dad"), used by the writing tests
DAD = (
    "Dad fished at Lake Travis every summer. He named every catfish he caught Gerald, and we never found out why.\n"
    "He worked for thirty years as a mail carrier in Austin and knew every dog on his route by name.\n"
    "He taught me to change a tyre and to always say thank you."
)
GARDEN = (
    "Frank grew tomatoes in the back garden and gave them away to the neighbours. He sang Johnny Cash songs "
    "badly while he weeded, and he laughed at himself every time he forgot the words."
)
HOSPITAL = "The last weeks in the hospital were hard. Siobhan and Tadhg visited every day."
FISHING = (
    "On the fishing trip to Galveston the boat's motor died and Dad rowed us back for two hours, "
    "singing the whole way so we would not be scared."
)


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
            check=False,
        )
        if ok:
            assert proc.returncode == 0, f"fondly {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}"
        return proc


def make_project(window, qtbot, title="Dad's eulogy") -> None:
    """A project made through the New project dialog, as a person would."""
    from PySide6.QtCore import Qt

    dialog = window.projects.new_project()
    dialog.title.setText(title)
    dialog.subject.setText("Frank")
    dialog.people.setText("Siobhan (shiv-AWN), Tadhg")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.project is not None and window.project.title == title)
    window.activateWindow()  # a window manager would hand focus back from the dialog
    qtbot.waitActive(window)


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

    def __init__(
        self, replies: list[str], parameters: int | None = 7_000_000_000, context: int = 4096, delay: float = 0.0
    ):
        """`delay`: seconds per word, for tests that must stop a draft while it streams."""
        self.replies = list(replies)
        self.delay = delay
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
            if self.delay:
                time.sleep(self.delay)
            yield word + " "


def row_counts(home) -> dict[str, int]:
    """Rows per table of a data folder's database, read directly (for "nothing was half-written")."""
    from app.database import connect

    db = connect(Path(home) / "fondly.db", readonly=True)  # the app's own way in, changing nothing
    try:
        return {
            t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("projects", "memories", "segments", "drafts", "revisions")
        }
    finally:
        db.close()


def db_dump(home) -> str:
    """A data folder's whole database as SQL (sqlite3's iterdump): every row of every table, for
    "nothing changed" checks that a count would miss (an edited title, a blanked field)."""
    from app.database import connect

    db = connect(Path(home) / "fondly.db", readonly=True)
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def long_speech(jfk: Path, path: Path, times: int, pause: float = 1.0) -> Path:
    """jfk.flac said `times` times with `pause` seconds between, as a 16 kHz WAV: audio long enough
    to stop, kill or time part-way through."""
    import wave

    import numpy as np

    from speech import audio

    one = audio.decode(jfk)
    pcm = np.concatenate([np.concatenate([one, np.zeros(int(16000 * pause), np.float32)]) for _ in range(times)])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((pcm * 32767).astype("<i2").tobytes())
    return path
