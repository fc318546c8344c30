"""The GUI's remembered state: window layout in a QSettings file, text size in Fondly's settings.

QSettings would otherwise write to a per-user location shared by every test run;
keeping it beside the database makes FONDLY_HOME isolate it too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from app import settings
from app.paths import data_dir, private

TEXT_SIZES = (11, 12, 13, 14, 16, 18, 20, 24, 28)


def ui_settings() -> QSettings:
    return QSettings(str(data_dir() / "ui.ini"), QSettings.Format.IniFormat)


def text_size() -> int:
    return int(settings.get("text_size"))


def step_text_size(direction: int) -> int:
    """One step larger (+1) or smaller (-1) than now; remembered at once."""
    now = text_size()
    if direction > 0:
        size = next((s for s in TEXT_SIZES if s > now), TEXT_SIZES[-1])
    else:
        size = next((s for s in reversed(TEXT_SIZES) if s < now), TEXT_SIZES[0])
    settings.set_value("text_size", size)
    return size


def restore_layout(window, splitters: dict) -> None:
    """The window's size and place, and where each splitter was, as the person left them."""
    from PySide6.QtCore import QByteArray

    s = ui_settings()
    for key, restore in [("geometry", window.restoreGeometry), ("state", window.restoreState)] + [
        (key, splitter.restoreState) for key, splitter in splitters.items()
    ]:
        if isinstance(s.value(key), QByteArray):
            restore(s.value(key))
    if not isinstance(s.value("geometry"), QByteArray):
        window.resize(1280, 800)


def save_layout(window, splitters: dict) -> None:
    s = ui_settings()
    s.setValue("geometry", window.saveGeometry())
    s.setValue("state", window.saveState())
    for key, splitter in splitters.items():
        s.setValue(key, splitter.saveState())
    s.sync()
    private(Path(s.fileName()))  # Qt writes it with the umask's mode


def remember_open(project_id: int | None, draft_id: int | None) -> None:
    """The project and draft open when the window closed (app.ui.closing reopens them)."""
    s = ui_settings()
    for key, value in (("open/project", project_id), ("open/draft", draft_id)):
        if value is None:
            s.remove(key)
        else:
            s.setValue(key, int(value))
    s.sync()
    private(Path(s.fileName()))


def last_open() -> tuple[int | None, int | None]:
    """(project id, draft id) open when the window last closed; None where nothing was."""
    s = ui_settings()

    def number(key: str) -> int | None:
        value = s.value(key)
        return int(value) if value is not None and str(value).isdecimal() else None

    return number("open/project"), number("open/draft")


# The teleprompter's look, as the person last left it (app/ui/teleprompter.py). In ui.ini, with the
# window layout: it is about this screen, not about a speech.
PROMPTER_DEFAULTS = {"size": 56, "spacing": 150, "scheme": 0, "mirror": False, "voice": True, "keep": True}


def prompter_settings() -> dict:
    s = ui_settings()
    out = {}
    for key, default in PROMPTER_DEFAULTS.items():
        value: Any = s.value(f"prompter/{key}", default)  # the default, or what the file holds: int or text
        out[key] = (str(value).lower() == "true") if isinstance(default, bool) else int(value)
    return out


def save_prompter_settings(values: dict) -> None:
    s = ui_settings()
    for key in PROMPTER_DEFAULTS:
        if key in values:
            s.setValue(f"prompter/{key}", values[key])
    s.sync()
    private(Path(s.fileName()))  # Qt writes it with the umask's mode
