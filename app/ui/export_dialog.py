"""File → Export: the draft open in the editor, saved for delivery in the format the person picks.

The dialog proposes what a person would type anyway: the draft's name as the file's ("Eulogy for
Gran.pdf", app.names.file_name), in the format and the folder of the last export (ui.ini, beside the
window's layout). The first time it is the large-print reading copy, in Documents (or home)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from app.errors import USER_ERRORS
from app.names import file_name
from app.paths import private
from app.store import Store
from app.ui.uisettings import ui_settings

# the reading copy first: it is what most people print
# fmt: off
EXPORT_FILTERS = {
    "pdf": "Large-print reading copy (*.pdf)", "cards": "Cue cards (*.pdf)", "docx": "Word document (*.docx)",
    "html": "Web page, for printing (*.html)", "txt": "Plain text (*.txt)", "md": "Markdown (*.md)",
}
# fmt: on
FIRST_FORMAT = "pdf"
SUFFIXES = {"cards": " — cue cards"}  # so the cards don't take the reading copy's file name


def export_to(store: Store, draft_id: int, path: str, name_filter: str) -> str:
    """Export the draft to `path` in the format the filter names (its extension added if missing);
    returns the path written. A person's mistake (a folder that can't be written) raises."""
    from app.export import FORMATS, export_draft

    fmt = format_of(name_filter)
    path += "" if Path(path).suffix else FORMATS[fmt][0]
    export_draft(store, draft_id, fmt, path)
    return path


def format_of(name_filter: str) -> str:
    return next((k for k, v in EXPORT_FILTERS.items() if v == name_filter), FIRST_FORMAT)


def proposed_name(title: str, fmt: str) -> str:
    """The file name the dialog offers for a draft called `title` in format `fmt`."""
    from app.export import FORMATS

    return file_name(title + SUFFIXES.get(fmt, ""), FORMATS[fmt][0])


def remembered() -> tuple[str, Path]:
    """The last export's format and folder; the first time, the reading copy in Documents (else home)."""
    s = ui_settings()
    fmt = str(s.value("export/format", FIRST_FORMAT))
    folder = Path(str(s.value("export/folder", "")))
    if fmt not in EXPORT_FILTERS:
        fmt = FIRST_FORMAT
    if not str(s.value("export/folder", "")) or not folder.is_dir():  # never chosen, or gone since
        documents = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or "")
        folder = documents if str(documents) not in ("", ".") and documents.is_dir() else Path.home()
    return fmt, folder


def remember(fmt: str, folder: Path) -> None:
    s = ui_settings()
    s.setValue("export/format", fmt)
    s.setValue("export/folder", str(folder))
    s.sync()
    private(Path(s.fileName()))  # Qt writes it with the umask's mode


def ask_and_export(
    parent: QWidget, store: Store, draft_id: int, done: Callable[[str], None], failed: Callable[[str], None]
) -> QFileDialog:
    """Ask where (non-modal), then export; `done(message)` or `failed(message)` says how it went."""
    title = store.draft(draft_id).title
    fmt, folder = remembered()
    dialog = QFileDialog(parent, "Export the speech", str(folder), ";;".join(EXPORT_FILTERS.values()))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.selectNameFilter(EXPORT_FILTERS[fmt])
    dialog.selectFile(proposed_name(title, fmt))

    def format_changed(name_filter: str) -> None:
        """Another format: the proposed name takes its extension (and keeps a name the person typed)."""
        typed = [p for p in dialog.selectedFiles() if not Path(p).is_dir()]
        stem = Path(typed[0]).stem.removesuffix(SUFFIXES["cards"]) if typed else ""
        dialog.selectFile(proposed_name(stem or title, format_of(name_filter)))

    def chosen(path: str) -> None:
        name_filter = dialog.selectedNameFilter()
        try:
            written = export_to(store, draft_id, path, name_filter)
        except USER_ERRORS as e:
            failed(str(e))
            return
        except OSError as e:  # a name too long for the folder, a disk that is full
            failed(
                f"The speech could not be saved as {Path(path).name!r}: {e.strerror or e}. Nothing was written there."
            )
            return
        remember(format_of(name_filter), Path(written).parent)
        done(f"Exported to {written}.")

    dialog.filterSelected.connect(format_changed)
    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog
