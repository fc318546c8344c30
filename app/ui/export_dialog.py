"""File → Export: the draft open in the editor, saved for delivery in the format the person picks."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog, QWidget

from app.errors import USER_ERRORS
from app.store import Store

EXPORT_FILTERS = {
    "md": "Markdown (*.md)", "txt": "Plain text (*.txt)", "html": "Web page, for printing (*.html)",
    "pdf": "Large-print reading copy (*.pdf)", "cards": "Cue cards (*.pdf)", "docx": "Word document (*.docx)",
}


def export_to(store: Store, draft_id: int, path: str, name_filter: str) -> str:
    """Export the draft to `path` in the format the filter names (its extension added if missing);
    returns the path written. A person's mistake (a folder that can't be written) raises."""
    from app.export import FORMATS, export_draft

    fmt = next((k for k, v in EXPORT_FILTERS.items() if v == name_filter), "pdf")
    path += "" if Path(path).suffix else FORMATS[fmt][0]
    export_draft(store, draft_id, fmt, path)
    return path


def ask_and_export(parent: QWidget, store: Store, draft_id: int, done: Callable[[str], None],
                   failed: Callable[[str], None]) -> QFileDialog:
    """Ask where (non-modal), then export; `done(message)` or `failed(message)` says how it went."""
    dialog = QFileDialog(parent, "Export the speech", str(Path.home()), ";;".join(EXPORT_FILTERS.values()))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)

    def chosen(path: str) -> None:
        try:
            done(f"Exported to {export_to(store, draft_id, path, dialog.selectedNameFilter())}.")
        except USER_ERRORS as e:
            failed(str(e))
        except OSError as e:  # a name too long for the folder, a disk that is full
            failed(f"The speech could not be saved as {Path(path).name!r}: {e.strerror or e}. Nothing was written there.")

    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog
