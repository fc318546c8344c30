"""The search box: as the person types, the memories and drafts that match, with their
snippets (the matched words highlighted); a click opens one.

The store answers (full-text search); the window filters its lists by what is found.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from app.store import Project, Store


class SearchPanel(QWidget):
    found = Signal(object)  # {(kind, id), …} of what matches, or None: show everything
    open_requested = Signal(str, int)  # "memory" | "draft", id

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.project: Project | None = None
        self.line = QLineEdit(placeholderText="Search memories and drafts (Ctrl+F)", clearButtonEnabled=True)
        self.line.textChanged.connect(lambda: self._timer.start())
        self._timer: QTimer = QTimer(self, singleShot=True, interval=200, timeout=self.apply)  # type: ignore[call-arg]  # stubs lack signal kwargs
        self.results = QTextBrowser(openLinks=False, maximumHeight=160)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.results.setAccessibleName("Search results")
        self.results.anchorClicked.connect(self._open)
        self.results.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        layout.addWidget(self.results)

    def focus(self) -> None:
        self.line.setFocus()
        self.line.selectAll()

    def apply(self) -> None:
        """Search again (the words typed, or what the project now holds)."""
        query = self.line.text().strip()
        hits = self.store.search_snippets(self.project.id, query) if (self.project and query) else None
        self._show(hits)
        self.found.emit(None if hits is None else {(h["kind"], h["id"]) for h in hits})

    def _show(self, hits: list[dict] | None) -> None:
        if hits is None:
            self.results.hide()
            return
        rows = []
        for hit in hits:
            snippet = html.escape(hit["snippet"]).replace("[", "<b style='background:#fbe7a1'>").replace("]", "</b>")
            rows.append(
                f"<p><a href='{hit['kind']}:{hit['id']}'>{html.escape(hit['title'])}</a> "
                f"<small>({hit['kind']})</small><br>{snippet}</p>"
            )
        self.results.setHtml("".join(rows) or "<p><i>Nothing found.</i></p>")
        self.results.show()

    def _open(self, url) -> None:
        kind, _, ident = url.toString().partition(":")
        self.open_requested.emit(kind, int(ident))
