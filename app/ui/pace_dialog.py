"""File → Measure my pace: a recording of the person reading, transcribed on the speech lane;
their words a minute become the project's pace, so speaking times are theirs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.store import Project
from app.ui.memories_panel import IMPORT_FILTER
from app.ui.operations import OperationRunner


def measure(
    runner: OperationRunner, project: Project, path: str, done: Callable[[int], None], failed: Callable[[str], None]
) -> None:
    """Measure on the speech lane; `done(words_a_minute)` after it is stored on the project."""
    from app.pace import measure as measure_pace

    def op(job) -> int:
        wpm, _words, _seconds = measure_pace(job.transcriber(), path, job.store.project(project.id).hotwords)
        job.store.update_project(project.id, pace=wpm)
        return wpm

    runner.run(op, lane="speech", on_done=done, on_failed=lambda message: failed(f"{Path(path).name}: {message}"))


def ask_and_measure(
    parent: QWidget,
    runner: OperationRunner,
    project: Project,
    done: Callable[[int], None],
    failed: Callable[[str], None],
) -> QFileDialog:
    dialog = QFileDialog(parent, "A recording of you reading the speech", str(Path.home()), IMPORT_FILTER)
    dialog.fileSelected.connect(lambda path: measure(runner, project, path, done, failed))
    dialog.open()
    return dialog
