"""The Brief as chips under the prompt bar: what Fondly understood, to check and change
before anything is written — and which memories it will write from."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QMenu, QScrollArea, QSizePolicy, QToolButton,
                               QWidget)

from app.store import Memory
from llm.brief import DEFAULT_PACE, TASKS, Brief

# (field, label) in the order chips appear; list fields get one chip per item
FIELDS = [("task", "Task"), ("occasion", "Occasion"), ("target_words", "Length"), ("jokes", "Jokes"),
          ("sources", "Using"), ("search", "Find"), ("anecdotes", "Must tell"), ("style", "Style"),
          ("voice", "Voice"), ("tone", "Tone"), ("audience", "For"), ("avoid", "Leave out"),
          ("notes", "Note"), ("instructions", "Also")]
LISTS = {"sources", "search", "anecdotes", "tone", "avoid", "notes", "instructions"}


class BriefChips(QWidget):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.brief: Brief | None = None
        self.pace = DEFAULT_PACE
        self.memories: list[Memory] = []
        self.selected: set[int] | None = None  # None: let Fondly choose
        self.mode = ""  # which way the current model writes, said first
        self.inner = QWidget()
        self.row = QHBoxLayout(self.inner)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(4)
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.inner)
        scroll.setVerticalScrollBarPolicy(scroll.verticalScrollBarPolicy().ScrollBarAlwaysOff)
        scroll.setFixedHeight(46)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.buttons: list[QToolButton] = []

    def show_brief(self, brief: Brief | None, memories: list[Memory], pace: int) -> None:
        self.brief, self.memories, self.pace = brief, memories, pace
        if self.selected is not None:
            self.selected &= {m.id for m in memories}
        self._rebuild()

    def set_mode(self, text: str) -> None:
        self.mode = text
        self._rebuild()

    def chip_texts(self) -> list[str]:
        return [b.text() for b in self.buttons]

    # --- editing ------------------------------------------------------------------------------

    def set_value(self, field: str, index: int | None, value: str) -> None:
        """Change one part of the Brief (an empty value removes it), then say so."""
        b = self.brief
        if b is None:
            return
        value = value.strip()
        if field in LISTS:
            items = getattr(b, field)
            if index is None or index >= len(items):
                if value:
                    items.append(value)
            elif value:
                items[index] = value
            else:
                del items[index]
        elif field == "task":
            b.task = value if value in TASKS else "speech"
        elif field == "jokes":
            b.jokes = int(value) if value.isdigit() else 0
        elif field == "target_words":
            minutes = float(value.split()[0]) if value and value.split()[0].replace(".", "", 1).isdigit() else None
            b.minutes, b.words = minutes, None
            b.set_length(self.pace, minutes or 4)
        else:
            setattr(b, field, value)
        self._rebuild()
        self.changed.emit()

    def _ask(self, field: str, index: int | None, current: str) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Change the brief")
        dialog.setLabelText(dict(FIELDS).get(field, field) + (" (minutes)" if field == "target_words" else ""))
        dialog.setTextValue(current)
        dialog.textValueSelected.connect(lambda text: self.set_value(field, index, text))
        dialog.open()

    # --- building -----------------------------------------------------------------------------

    def _chip(self, text: str, field: str, index: int | None, current: str) -> QToolButton:
        button = QToolButton(text=text, autoRaise=False)
        button.setObjectName("chip")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        menu.addAction("Change…", lambda: self._ask(field, index, current))
        if field in LISTS or field in ("style", "voice", "audience", "jokes"):
            menu.addAction("Remove", lambda: self.set_value(field, index, ""))
        button.setMenu(menu)
        return button

    def _rebuild(self) -> None:
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        while self.row.count():
            item = self.row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        b = self.brief
        if self.mode:
            self.mode_label = QLabel(self.mode)
            self.mode_label.setAccessibleName("Writing mode")
            self.row.addWidget(self.mode_label)
        if b is None:
            self.row.addWidget(QLabel("Type what you want; Fondly shows what it understood here."))
            return
        for field, label in FIELDS:
            value = getattr(b, field)
            if field in LISTS:
                for i, item in enumerate(value):
                    self.buttons.append(self._chip(f"{label}: {item}", field, i, item))
            elif field == "target_words":
                minutes = b.target_words / max(self.pace, 1)
                self.buttons.append(self._chip(f"{label}: {minutes:.1f} min · {b.target_words} words", field, None,
                                               f"{minutes:.1f}"))
            elif field == "jokes":
                if value:
                    self.buttons.append(self._chip(f"{label}: {value}", field, None, str(value)))
            elif value:
                self.buttons.append(self._chip(f"{label}: {value}", field, None, str(value)))
        self.buttons.append(self._memory_chip())
        for button in self.buttons:
            self.row.addWidget(button)
        self.row.addStretch(1)

    def _memory_chip(self) -> QToolButton:
        chosen = self.selected
        usable = [m for m in self.memories if m.text.strip()]
        label = (f"Memories: Fondly chooses ({len(usable)})" if chosen is None
                 else f"Memories: {len(chosen)} of {len(usable)}")
        button = QToolButton(text=label)
        button.setObjectName("chip")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        auto = menu.addAction("Let Fondly choose")
        auto.triggered.connect(lambda: self.choose(None))
        menu.addSeparator()
        for m in usable:
            action = QAction(m.title, menu, checkable=True)
            action.setChecked(chosen is None or m.id in chosen)
            action.toggled.connect(lambda on, mid=m.id: self.toggle_memory(mid, on))
            menu.addAction(action)
        button.setMenu(menu)
        return button

    def choose(self, ids: set[int] | None) -> None:
        self.selected = None if ids is None else set(ids)
        self._rebuild()
        self.changed.emit()

    def toggle_memory(self, memory_id: int, on: bool) -> None:
        ids = set(self.selected) if self.selected is not None else {m.id for m in self.memories if m.text.strip()}
        (ids.add if on else ids.discard)(memory_id)
        self.choose(ids)
