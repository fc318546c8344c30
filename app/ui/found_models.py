"""Settings' "Found on this computer": the GGUF models other apps already downloaded, each one
click from being Fondly's, registered in place through the model manager (nothing is copied).

Finding reads only GGUF headers (and remembers them), so it runs as the dialog opens. Adding
checks the file in full — a real load and a few words in a child process, seconds on a busy
machine (app.native_check) — so it runs on the window's runner, never on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app import model_finder, model_manager
from app.errors import USER_ERRORS
from app.ui.operations import off_the_window

PATH_ROLE = Qt.ItemDataRole.UserRole
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class FoundModels(QWidget):
    added = Signal(str)  # the name the model was added under
    failed = Signal(str)  # one line saying why

    def __init__(self, parent=None, runner=None) -> None:
        """`runner`: the window's OperationRunner, which the full check of an added model runs on."""
        super().__init__(parent)
        self.runner = runner
        self.list = QListWidget()
        self.list.setAccessibleName("Found on this computer")
        self.list.itemDoubleClicked.connect(lambda _item: self.add_selected())
        self.add_btn = QPushButton("Add selected", toolTip="Use this file where it is; nothing is copied")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.add_btn.clicked.connect(self.add_selected)
        self.note = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.add_btn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Found on this computer (Ollama, LM Studio, GPT4All, Jan, Hugging Face, your folders)"))
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        try:
            found = model_finder.find()
        except USER_ERRORS as e:  # the settings file can't be read: say so, list nothing
            found = []
            self.failed.emit(str(e))
        for f in found:
            item = QListWidgetItem(
                f"{'✓ ' if f.added else ''}{f.name} — {model_finder.summary(f)}{' (added)' if f.added else ''}"
            )
            item.setToolTip(f.path)
            item.setData(PATH_ROLE, f.path)
            item.setData(NAME_ROLE, None if f.added else f.name)
            self.list.addItem(item)
        self.note.setText(
            ""
            if found
            else "No GGUF models found in the usual places. `fondly models folder add PATH` adds a folder to search."
        )
        self.add_btn.setEnabled(bool(found))

    def add_selected(self) -> bool:
        item = self.list.currentItem()
        if item is None:
            return False
        if item.data(NAME_ROLE) is None:
            self.failed.emit(f"{item.toolTip()} is already one of your models.")
            return False
        path, name = item.data(PATH_ROLE), item.data(NAME_ROLE)
        self.add_btn.setEnabled(False)
        self.note.setText(f"Checking {item.text().split(' — ')[0]}: loading it and writing a few words…")
        off_the_window(self.runner, lambda: model_manager.add(path, name), self._added, self._not_added)
        return True

    def _added(self, row: dict) -> None:
        self.note.setText("")
        self.refresh()
        self.added.emit(row["name"])

    def _not_added(self, message: str) -> None:
        self.note.setText("")
        self.add_btn.setEnabled(self.list.count() > 0)
        self.failed.emit(message)
