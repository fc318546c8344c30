"""The drafts column: every draft with its revisions, Compare and Restore, where each sentence
came from, and the checks line.

Choosing a revision and activating a sentence are signals for the window; Compare and
Restore happen here (the history is the store's: restoring adds a revision, it never
deletes one). What the panel shows comes from the store's records through
app.ui.provenance, so it says exactly what was measured.
"""

from __future__ import annotations

import html
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from app import speaking
from app.errors import FondlyError
from app.store import Project, Store
from app.ui.provenance import checks_line, sentence_rows

FLAGGED = QColor("#d9480f")


class DraftsPanel(QWidget):
    chosen = Signal(int, object)  # draft id, revision id (None: the current text)
    restored = Signal(int)  # draft id: a revision is current again
    sentence_activated = Signal(str)  # the sentence to find and select in the editor
    error = Signal(str)

    def __init__(self, store: Store, open_text: Callable[[int], str | None]) -> None:
        """`open_text(draft_id)` is the editor's text when that draft is open in it, else None."""
        super().__init__()
        self.store, self.open_text = store, open_text
        self.project: Project | None = None
        self.diff_view: QTextBrowser | None = None
        self.tree = QTreeWidget(headerHidden=True)
        self.tree.setAccessibleName("Drafts")
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.currentItemChanged.connect(self._chosen)
        self.compare_btn = QPushButton("Compare", toolTip="Compare the selected revision with the current text, "
                                                          "or two selected revisions, word by word")
        self.compare_btn.clicked.connect(self.compare)
        self.restore_btn = QPushButton("Restore", toolTip="Make the selected revision current again "
                                                          "(the current text stays in the history)")
        self.restore_btn.clicked.connect(self.restore)
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
        self.project = project
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

    # --- compare and restore ----------------------------------------------------------------------

    def compare(self) -> QDialog | None:
        """Word-by-word differences: two selected revisions, or one and the text in the editor."""
        from app.diff import word_diff

        chosen = self.selected_revisions()
        current = self.open_text(chosen[0][0]) if len(chosen) == 1 else None
        if not chosen or len(chosen) > 2 or (len(chosen) == 1 and current is None):
            self.error.emit("Select one revision to compare with the current text, or two to compare together.")
            return None
        if len(chosen) == 2:
            first, second = sorted(r for _, r in chosen)
            old, new = self.store.revision(first).text, self.store.revision(second).text
            title = f"Revision {first} → revision {second}"
        else:
            old, new = self.store.revision(chosen[0][1]).text, current
            title = f"Revision {chosen[0][1]} → the current text"
        parts = []
        for op, text in word_diff(old, new):
            t = html.escape(text).replace("\n", "<br>")
            parts.append(t if op == " " else f"<del style='background:#f6d5d5'>{t}</del>" if op == "-"
                         else f"<ins style='background:#d5f0dc'>{t}</ins>")
        dialog = QDialog(self)
        dialog.setWindowTitle(title)
        self.diff_view = QTextBrowser()
        self.diff_view.setHtml("".join(parts))
        QVBoxLayout(dialog).addWidget(self.diff_view)
        dialog.resize(700, 500)
        dialog.open()
        return dialog

    def restore(self) -> None:
        """Make the selected revision current again; the text it replaces stays in the history."""
        chosen = self.selected_revisions()
        if len(chosen) != 1:
            self.error.emit("Select the one revision to restore.")
            return
        draft_id, revision_id = chosen[0]
        self.store.restore(draft_id, revision_id, current_text=self.open_text(draft_id))
        self.restored.emit(draft_id)

    def import_dialog(self) -> QFileDialog | None:
        """File → Import draft: a speech written elsewhere (.txt, .md, .docx) becomes a draft."""
        if self.project is None:
            self.error.emit("Start a speech first: File → New speech (Ctrl+N).")
            return None
        dialog = QFileDialog(self, "Import a speech as a draft", "", "Speeches (*.txt *.md *.markdown *.text *.docx)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.import_path)
        dialog.open()
        return dialog

    def import_path(self, path: str) -> None:
        """Make the draft (a small file, read at once), show it in the tree and open it; a bad file
        is one message and nothing stored (app.speech_import checks it whole first)."""
        from app.speech_import import import_draft

        try:
            draft, _rev = import_draft(self.store, self.project, path)
        except FondlyError as e:
            self.error.emit(str(e))
            return
        self.reload(self.project, draft.id)
        self.chosen.emit(draft.id, None)

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
