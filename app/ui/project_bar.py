"""The speech being worked on: a chooser of projects and the New speech button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QWidget

from app.errors import USER_ERRORS
from app.store import Store
from app.ui.dialogs import NewProjectDialog


class ProjectBar(QWidget):
    chosen = Signal(object)  # the Project now chosen, or None when there are none yet
    error = Signal(str)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.box = QComboBox(toolTip="The speech you are working on")  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.box.currentIndexChanged.connect(self._chosen)
        new_btn = QPushButton("New…", toolTip="New speech (Ctrl+N)")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        new_btn.clicked.connect(self.new_project)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.box, 1)
        row.addWidget(new_btn)

    def reload(self, select: int | None = None) -> None:
        """Every project, `select` (or the one chosen now) chosen; says `chosen` either way."""
        current = select if select is not None else self.box.currentData()
        self.box.blockSignals(True)
        self.box.clear()
        for p in self.store.projects():
            self.box.addItem(p.title, p.id)
        self.box.blockSignals(False)
        index = self.box.findData(current) if current is not None else 0
        self.box.setCurrentIndex(max(index, 0))
        self._chosen()

    def _chosen(self) -> None:
        pid = self.box.currentData()
        self.chosen.emit(self.store.project(pid) if pid is not None else None)

    def new_project(self) -> NewProjectDialog:
        """Open the New speech dialog (non-modal for the caller: it returns at once)."""
        dialog = NewProjectDialog(self)

        def create() -> None:
            try:
                project = self.store.create_project(**dialog.values())
            except USER_ERRORS as e:
                self.error.emit(str(e))
                return
            self.reload(select=project.id)

        dialog.accepted.connect(create)
        dialog.open()
        return dialog
