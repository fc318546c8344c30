"""The GUI's remembered state (window layout, text size), kept in the data folder.

QSettings would otherwise write to a per-user location shared by every test run;
keeping it beside the database makes FONDLY_HOME isolate it too.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from app.paths import data_dir

TEXT_SIZES = (11, 12, 13, 14, 16, 18, 20, 24, 28)
DEFAULT_TEXT_SIZE = 14


def ui_settings() -> QSettings:
    return QSettings(str(data_dir() / "ui.ini"), QSettings.Format.IniFormat)


def text_size() -> int:
    try:
        size = int(ui_settings().value("text_size", DEFAULT_TEXT_SIZE))
    except (TypeError, ValueError):
        size = DEFAULT_TEXT_SIZE
    return size if size in TEXT_SIZES else DEFAULT_TEXT_SIZE


def step_text_size(direction: int) -> int:
    """One step larger (+1) or smaller (-1); remembered at once."""
    sizes = TEXT_SIZES
    i = sizes.index(text_size())
    size = sizes[max(0, min(len(sizes) - 1, i + direction))]
    s = ui_settings()
    s.setValue("text_size", size)
    s.sync()
    return size
