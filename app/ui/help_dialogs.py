"""Help → Keyboard shortcuts and Help → Read the guide: what Fondly's keys are, and its README.

The shortcuts are read from the window's own menu actions (and the teleprompter's own list of
keys) each time the dialog opens, so the list can't drift from what the keys do. The guide is
the README that ships with Fondly, rendered here from the local file by the same Markdown
renderer as the preview — nothing is fetched, and a missing README is said plainly.
"""

from __future__ import annotations

import html
import json
import re
from email.message import Message
from importlib import metadata
from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlparse

import markdown
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout

from app.ui.dialogs import close_buttons

GUIDE_WIDTH = 680  # pictures wider than this are shown at this width (the dialog opens 760 wide)
# fmt: off
HARDWARE_KEYS = {Qt.Key.Key_Undo, Qt.Key.Key_Redo, Qt.Key.Key_Cut, Qt.Key.Key_Copy, Qt.Key.Key_Paste, Qt.Key.Key_Help,
                 *(getattr(Qt.Key, f"Key_F{n}") for n in range(13, 36))}  # X11 binds Sun's F14 Undo, F20 Cut…
# fmt: on
NO_GUIDE = (
    "<h3>The guide is not here</h3><p>Fondly's README.md was not found beside this installation "
    "(looked in: {where}). It is the README.md at the top of Fondly's source folder.</p>"
)


def menu_shortcuts(window) -> list[tuple[str, str, str]]:
    """(menu path, command, keys) for every menu command that has a shortcut, in menu order."""
    out: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for act in menu.actions():
            if act.menu():
                walk(cast(QMenu, act.menu()), f"{path} → {_plain(act.text())}")
            elif act.shortcuts():
                out.append((path, _plain(act.text()), keys_text(act.shortcuts())))

    for top in window.menuBar().actions():
        if top.menu():
            walk(top.menu(), _plain(top.text()))
    return out


def keys_text(keys: list[QKeySequence]) -> str:
    """ "Ctrl+Z (also Alt+Backspace)": the first key, then the others a keyboard may have, less the
    dedicated Undo/Copy/Help keys and the F13–F35 few keyboards have."""
    shown = [
        k.toString(QKeySequence.SequenceFormat.NativeText)
        for k in keys
        if k.count() and k[0].key() not in HARDWARE_KEYS  # type: ignore[index]  # PySide6 has Qt's operator[]; the stubs omit it
    ]
    return shown[0] + (f" (also {', '.join(shown[1:])})" if shown[1:] else "") if shown else ""


def guide_html(text: str, folder: Path | None) -> str:
    """The README as HTML: Markdown with its code blocks and tables, headings that links can reach,
    and pictures (from beside the README) no wider than the dialog. It is Fondly's own file, read
    from this computer; QTextBrowser loads nothing from the network."""
    body = markdown.markdown(text, extensions=["fenced_code", "tables", "toc", "sane_lists"], output_format="html")

    def fit(m: re.Match) -> str:
        image = QImage(str(folder / m.group(2))) if folder else QImage()
        width = min(image.width(), GUIDE_WIDTH) if not image.isNull() else GUIDE_WIDTH
        return f'{m.group(1)} width="{width}"'

    return re.sub(r'(<img[^>]*?src="([^"]+)")', fit, body)


def teleprompter_keys() -> list[tuple[str, str]]:
    """(command, key) as the teleprompter's own table says (read from its class, never copied)."""
    from app.ui.teleprompter import Teleprompter

    class _Anyone:  # its table names bound commands; only the labels and keys are read here
        def __getattr__(self, _name):
            return None

    return [(label, key) for label, key, _command in Teleprompter._commands(cast(Teleprompter, _Anyone()))]


def _plain(text: str) -> str:
    """A menu label as read: "&Undo" → "Undo", "&&" → "&", no trailing "…"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


class ShortcutsDialog(QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(f"{path}: {name}", keys) for path, name, keys in menu_shortcuts(window)]
        rows += [(f"Deliver (teleprompter): {label}", key) for label, key in teleprompter_keys()]
        self.table = QTableWidget(len(rows), 2)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Command", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, (command, keys) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(command))
            self.table.setItem(i, 1, QTableWidgetItem(keys))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = close_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(720, 560)

    def rows(self) -> list[tuple[str, str]]:
        def text(row: int, column: int) -> str:
            item = self.table.item(row, column)
            assert item is not None  # every cell was given an item above
            return item.text()

        return [(text(i, 0), text(i, 1)) for i in range(self.table.rowCount())]


def readme_candidates() -> list[Path]:
    """Where README.md may be: the source checkout Fondly runs from (the folder above the `app`
    package), then the folder an installed copy was built from, as its metadata records it."""
    here = Path(__file__).resolve().parents[2] / "README.md"
    places = [here]
    try:
        dist = metadata.distribution("fondly")
        url = json.loads(dist.read_text("direct_url.json") or "{}").get("url", "")  # an editable or local install
        if url.startswith("file://"):
            places.append(Path(unquote(urlparse(url).path)) / "README.md")
    except (metadata.PackageNotFoundError, ValueError):
        pass
    return list(dict.fromkeys(places))


def readme() -> tuple[str, Path | None]:
    """The README's text and its folder (for its pictures); or ("", None) when there is none here,
    in which case the installed package's own description (the README, built into its metadata)
    is the text, if it has one."""
    for path in readme_candidates():
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace"), path.parent
    try:
        # the metadata is an email Message, its body the description (typeshed's protocol omits get_payload)
        payload = cast(Message, metadata.metadata("fondly")).get_payload()
        description = payload if isinstance(payload, str) else ""
    except metadata.PackageNotFoundError:
        description = ""
    return description, None


class GuideDialog(QDialog):
    """The README, rendered; links to its own sections and local files work, nothing online is opened."""

    def __init__(self, parent, text: str | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fondly — the guide (README)")
        if text is None:
            text, folder = readme()
        self.browser = QTextBrowser(openExternalLinks=False, openLinks=False)
        self.browser.setAccessibleName("Guide")
        self.folder = folder
        self.found = bool(text.strip())
        if folder is not None:
            self.browser.setSearchPaths([str(folder)])  # its pictures, from beside it
        if self.found:
            self.browser.setHtml(guide_html(text, folder))
        else:
            where = "; ".join(html.escape(str(p)) for p in readme_candidates())
            self.browser.setHtml(NO_GUIDE.format(where=where))
        self.browser.anchorClicked.connect(self._link)
        buttons = close_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(760, 640)

    def _link(self, url) -> None:
        """Another local Markdown file of Fondly's (docs/…) is shown here; a web address is only named,
        never opened — the guide reaches nothing online."""
        if url.scheme() in ("http", "https", "mailto"):
            self.browser.setToolTip(f"Web address (not opened from here): {url.toString()}")
            return
        path = (self.folder / url.path()) if self.folder and url.path() else None
        if path and path.suffix.lower() in (".md", ".markdown") and path.is_file():
            self.folder = path.parent
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setHtml(guide_html(path.read_text(encoding="utf-8", errors="replace"), path.parent))
        elif url.hasFragment():
            self.browser.scrollToAnchor(url.fragment())


def show_shortcuts(window) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.open()
    return dialog


def show_guide(window) -> GuideDialog:
    dialog = GuideDialog(window)
    dialog.open()
    return dialog
