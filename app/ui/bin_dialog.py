"""File → Bin…: the speech's deleted drafts and memories, when each was deleted and how many days it
has left, with Restore and Delete for good. Nothing a person deletes is lost at once: it stays
BIN_DAYS, then a start empties it (app.recovery.settle_at_start). The rules are app.deleting's,
which the CLI's `fondly bin` follows too; this dialog only shows them.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import deleting
from app.errors import USER_ERRORS
from app.store import BIN_DAYS, Project, Store
from app.ui.dialogs import close_buttons

KIND_LABELS = {"draft": "Draft", "memory": "Memory"}


def when(stamp: str) -> str:
    """ "6 Dec 15:40" in local time, from the store's UTC stamp."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%-d %b %H:%M")
    except ValueError:
        return stamp


class BinDialog(QDialog):
    changed = Signal()  # something came back: the drafts and memories lists must reload
    error = Signal(str)
    message = Signal(str)

    def __init__(self, store: Store, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.project = store, project
        self.setWindowTitle(f"Bin — {project.title}")
        self.resize(620, 380)
        self.confirm: QMessageBox | None = None
        self.note = QLabel(wordWrap=True)
        self.tree = QTreeWidget(rootIsDecorated=False, alternatingRowColors=True)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.tree.setHeaderLabels(["Name", "What", "Deleted", "Days left"])
        self.tree.setAccessibleName("What is in the bin")
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda *_: self.restore())
        self.restore_btn = QPushButton("Restore", toolTip="Bring it back to its list")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.restore_btn.clicked.connect(self.restore)
        self.delete_btn = QPushButton("Delete for good…", toolTip="Delete it now; this can't be undone")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.delete_btn.clicked.connect(self.delete_for_good)
        buttons = close_buttons(self)
        buttons.addButton(self.restore_btn, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.delete_btn, QDialogButtonBox.ButtonRole.DestructiveRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        """What is in the bin now, the most recently deleted first."""
        self.tree.clear()
        items = self.store.binned(self.project.id)
        for item in items:
            deleted = item.deleted
            assert deleted is not None  # binned() gives only what has its deleted stamp
            kind, left = deleting.kind_of(item), deleting.days_left(deleted)
            row = QTreeWidgetItem(
                [item.title, KIND_LABELS[kind], when(deleted), f"{left} day{'s' if left != 1 else ''}"]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, (kind, item.id))
            row.setToolTip(0, item.title)
            self.tree.addTopLevelItem(row)
        self.note.setText(
            f"Deleted drafts and memories stay here {BIN_DAYS} days, then go for good."
            if items
            else "The bin is empty."
        )
        if (first := self.tree.topLevelItem(0)) is not None:  # the bin has something
            self.tree.setCurrentItem(first)
        self._selection_changed()

    def selected(self) -> tuple[str, int] | None:
        rows = self.tree.selectedItems()
        return rows[0].data(0, Qt.ItemDataRole.UserRole) if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        self.restore_btn.setEnabled(chosen)
        self.delete_btn.setEnabled(chosen)

    def restore(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        try:
            item = deleting.from_bin(self.store, *chosen)
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.reload()
        self.changed.emit()
        self.message.emit(f"“{item.title}” is back in the {'drafts' if chosen[0] == 'draft' else 'memories'}.")

    def delete_for_good(self) -> QMessageBox | None:
        """Ask first (non-modal): this is the one delete that can't be undone."""
        chosen = self.selected()
        if chosen is None:
            return None
        title = self.tree.selectedItems()[0].text(0)
        box = self.confirm = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete for good?",
            f"Delete “{title}” for good? This can't be undone.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.addButton("Delete for good", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: (
                self._delete(chosen) if box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole else None
            )
        )
        box.open()
        return box

    def _delete(self, chosen: tuple[str, int]) -> None:
        try:
            item = deleting.delete_for_good(self.store, *chosen)
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.reload()
        self.message.emit(f"“{item.title}” is deleted for good.")


def show_bin(window) -> BinDialog | None:
    """File → Bin…: the open speech's bin (non-modal); what is restored reappears in the window's lists."""
    if window.project is None:
        window.show_error("Start a speech first: File → New speech (Ctrl+N).")
        return None
    dialog = BinDialog(window.store, window.project, window)
    dialog.changed.connect(window.reload_drafts)
    dialog.changed.connect(lambda: window.memories.reload())
    dialog.error.connect(window.show_error)
    dialog.message.connect(window.message.show_message)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
