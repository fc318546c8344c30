"""The drafts column: every draft with its revisions, Compare and Restore, where each sentence
came from, and the checks line.

It shows; the window decides. Choosing a revision, asking to compare or restore, and
activating a sentence are signals; what the panel is told to show comes from the store's
records through app.ui.provenance, so it says exactly what was measured.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from app import speaking
from app.store import Project, Store
from app.ui.provenance import checks_line, sentence_rows

FLAGGED = QColor("#d9480f")


class DraftsPanel(QWidget):
    chosen = Signal(int, object)  # draft id, revision id (None: the current text)
    compare_requested = Signal()
    restore_requested = Signal()
    sentence_activated = Signal(str)  # the sentence to find and select in the editor

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.tree = QTreeWidget(headerHidden=True)
        self.tree.setAccessibleName("Drafts")
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.currentItemChanged.connect(self._chosen)
        self.compare_btn = QPushButton("Compare", toolTip="Compare the selected revision with the current text, "
                                                          "or two selected revisions, word by word")
        self.compare_btn.clicked.connect(self.compare_requested)
        self.restore_btn = QPushButton("Restore", toolTip="Make the selected revision current again "
                                                          "(the current text stays in the history)")
        self.restore_btn.clicked.connect(self.restore_requested)
        self.sentences = QListWidget(wordWrap=True)
        self.sentences.setAccessibleName("Sentence sources")
        self.sentences.itemActivated.connect(lambda item: self.sentence_activated.emit(item.toolTip()))
        self.checks = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Drafts and revisions"))
        layout.addWidget(self.tree, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compare_btn)
        buttons.addWidget(self.restore_btn)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Where each sentence came from"))
        layout.addWidget(self.sentences, 1)
        layout.addWidget(self.checks)

    # --- the drafts and their revisions ---------------------------------------------------------

    def reload(self, project: Project | None, open_draft: int | None) -> None:
        """Every draft of `project`, newest first, each with its revisions; `open_draft` selected."""
        self.tree.blockSignals(True)
        self.tree.clear()
        if project:
            for d in reversed(self.store.drafts(project.id)):
                top = QTreeWidgetItem([d.title])
                top.setData(0, Qt.ItemDataRole.UserRole, ("draft", d.id, None))
                top.setToolTip(0, d.title)
                for r in reversed(self.store.revisions(d.id)):
                    words = speaking.word_count(r.text)
                    spoken = speaking.format_duration(speaking.speaking_seconds(words, project.pace))
                    child = QTreeWidgetItem([f"{r.created[11:16]} {r.origin} · {words} words · {spoken}"])
                    child.setData(0, Qt.ItemDataRole.UserRole, ("revision", d.id, r.id))
                    top.addChild(child)
                self.tree.addTopLevelItem(top)
                if open_draft == d.id:
                    self.tree.setCurrentItem(top)
                    top.setExpanded(True)
        self.tree.blockSignals(False)

    def _chosen(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            _kind, draft_id, revision_id = item.data(0, Qt.ItemDataRole.UserRole)
            self.chosen.emit(draft_id, revision_id)

    def selected_revisions(self) -> list[tuple[int, int]]:
        """(draft id, revision id) of each selected revision (drafts themselves are not revisions)."""
        out = []
        for item in self.tree.selectedItems():
            kind, draft_id, revision_id = item.data(0, Qt.ItemDataRole.UserRole)
            if kind == "revision":
                out.append((draft_id, revision_id))
        return out

    def filter(self, draft_ids: set[int] | None) -> None:
        """Show only these drafts (None: all), for the search box."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            item.setHidden(draft_ids is not None and item.data(0, Qt.ItemDataRole.UserRole)[1] not in draft_ids)

    # --- where each sentence came from, and the checks ------------------------------------------

    def add_rows(self, provenance: list[dict], titles: dict[int, str]) -> None:
        for label, text, flagged in sentence_rows(provenance, titles):
            item = QListWidgetItem(label)
            item.setToolTip(text)
            if flagged:
                item.setForeground(FLAGGED)
            self.sentences.addItem(item)

    def show_revision(self, revision, titles: dict[int, str]) -> None:
        self.sentences.clear()
        self.add_rows(revision.provenance if revision else [], titles)
        self.show_checks(revision.checks if revision else {})

    def show_checks(self, checks: dict) -> None:
        self.checks.setText(checks_line(checks))
