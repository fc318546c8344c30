"""A calm, non-blocking message above the editor: news and errors stay until read and closed,
never a modal box in the way of someone who is upset already. News of something undoable (a
memory moved to the bin) carries an Undo button, so a slip costs one click."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class MessageBar(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("messageBar")
        self.label = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.undo_btn = QPushButton("Undo", visible=False)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.undo_btn.clicked.connect(self._undo)
        self._undo_action: Callable[[], None] | None = None
        close = QToolButton(text="✕", toolTip="Dismiss", autoRaise=True)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.undo_btn)
        row.addWidget(close)
        self.hide()

    def show_message(self, text: str, error: bool = False) -> None:
        self.setProperty("error", error)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self._undo_action = None
        self.undo_btn.hide()
        self.show()

    def show_error(self, text: str) -> None:
        self.show_message(text, error=True)

    def show_undoable(self, text: str, undo: Callable[[], None]) -> None:
        """News with an Undo button; the button goes with the next message."""
        self.show_message(text)
        self._undo_action = undo
        self.undo_btn.show()

    def _undo(self) -> None:
        undo, self._undo_action = self._undo_action, None
        self.hide()
        if undo is not None:
            undo()
