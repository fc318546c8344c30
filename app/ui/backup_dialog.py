"""File → Back up…, and the daily backup at start-up: app.backup on the window's operation runner,
so the window never waits for a zip to be written."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog

from app.backup import create_backup, daily_backup, describe
from app.ui.operations import Operation, OperationRunner


def back_up_to(runner: OperationRunner, path: str, done: Callable[[str], None],
               failed: Callable[[str], None]) -> Operation:
    """Write a backup to `path` (".zip" added if it has no extension) on the text lane — the speech
    lane may be busy with a long import. `done(message)` or `failed(message)` says how it went."""
    path += "" if Path(path).suffix else ".zip"
    return runner.run(lambda job: create_backup(job.store, path), lane="text", on_failed=failed,
                      on_done=lambda manifest: done(f"Backed up {describe(manifest)} to {path}."))


def ask_and_back_up(window) -> QFileDialog:
    """File → Back up…: ask where (non-modal), then back up there off the GUI thread; the window's
    message bar says how it went."""
    dialog = QFileDialog(window, "Back up Fondly", str(Path.home()), "Fondly backup (*.zip)")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("zip")
    dialog.selectFile(f"Fondly backup {date.today().isoformat()}.zip")
    dialog.fileSelected.connect(lambda path: back_up_to(window.runner, path, window.message.show_message,
                                                        window.show_error))
    dialog.open()
    return dialog


def start_daily_backup(window) -> Operation:
    """At start-up: today's rolling backup in the data folder's backups/ (if there is none yet), on
    the speech lane after the start-up work queued there; only a failure is reported."""
    return window.runner.run(lambda job: daily_backup(job.store), lane="speech",
                             on_failed=lambda message: window.show_error(f"Today's automatic backup failed: {message}"))
