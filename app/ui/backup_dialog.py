"""File → Back up…, and the daily backup at start-up: app.backup on the window's operation runner,
so the window never waits for a zip to be written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app import settings
from app.backup import create_backup, daily_backup, describe, missing_text
from app.errors import USER_ERRORS
from app.ui.operations import Operation, OperationRunner


def back_up_to(
    runner: OperationRunner, path: str, done: Callable[[str], None], failed: Callable[[str], None]
) -> Operation:
    """Write a backup to `path` (".zip" added if it has no extension) on the text lane — the speech
    lane may be busy with a long import. `done(message)` or `failed(message)` says how it went."""
    path += "" if Path(path).suffix else ".zip"
    return runner.run(
        lambda job: create_backup(job.store, path),
        lane="text",
        on_failed=failed,
        on_done=lambda manifest: done(
            f"Backed up {describe(manifest)} to {path}. {missing_text(manifest.get('missing_audio'))}".strip()
        ),
    )


def ask_and_back_up(window) -> QFileDialog:
    """File → Back up…: ask where (non-modal), then back up there off the GUI thread; the window's
    message bar says how it went."""
    dialog = QFileDialog(window, "Back up Fondly", str(Path.home()), "Fondly backup (*.zip)")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("zip")
    dialog.selectFile(f"Fondly backup {date.today().isoformat()}.zip")
    dialog.fileSelected.connect(
        lambda path: back_up_to(window.runner, path, window.message.show_message, window.show_error)
    )
    dialog.open()
    return dialog


def start_daily_backup(window) -> Operation:
    """At start-up: today's rolling backup in the data folder's backups/ (if there is none yet), on
    the speech lane after the start-up work queued there; only a failure is reported."""
    return window.runner.run(
        lambda job: daily_backup(job.store),
        lane="speech",
        on_failed=lambda message: window.show_error(f"Today's automatic backup failed: {message}"),
    )


def ask_about_settings(window) -> QMessageBox | None:
    """At start-up: settings.json names a server or models this Fondly did not set (a restored
    backup, a folder copied from another computer, a hand edit), which are ignored until the
    person agrees (app.settings). Show them and ask, non-modal; No — the default, and Esc — keeps
    ignoring them. Returns the question, or None when there is nothing to ask."""
    try:
        pending = settings.unconfirmed()
    except USER_ERRORS:
        return None  # an unreadable settings file has its own message wherever it is read
    if not pending:
        return None
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Settings Fondly did not set",
        "These settings would send your memories to another computer or load a program, and this "
        "Fondly did not set them (they came with a copied folder or a backup, or were edited by "
        "hand), so they are ignored:\n\n" + "\n".join(f"{k} = {v}" for k, v in pending.items()) + "\n\nUse them?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        window,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)

    def answered(button) -> None:
        if box.standardButton(button) == QMessageBox.StandardButton.Yes:
            settings.confirm(list(pending))
            window.message.show_message("Fondly will use those settings.")

    box.buttonClicked.connect(answered)
    box.open()
    return box
