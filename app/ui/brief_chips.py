"""The Brief as chips under the prompt bar: what Fondly understood, to check and change
before anything is written — and which memories it will write from. What it did not
understand, or will not use, is a chip too ("Not used: thank the nurses"), as is an ask no
memory serves yet and one the model can't honour, with the way to honour it: nothing asked
disappears without a word."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QMenu,
    QSizePolicy,
    QStyle,
    QStyleOptionToolButton,
    QStylePainter,
    QToolButton,
    QWidget,
)

from app.store import Memory
from app.ui.flow_layout import FlowLayout
from app.ui.popups import keep_on_screen
from llm.brief import DEFAULT_PACE, TASKS, Brief

# (field, label) in the order chips appear; list fields get one chip per item
# fmt: off
FIELDS = [("task", "Task"), ("occasion", "Occasion"), ("target_words", "Length"), ("jokes", "Jokes"),
          ("sources", "Using"), ("search", "About"), ("anecdotes", "Must tell"), ("style", "Style"),
          ("voice", "Voice"), ("tone", "Tone"), ("audience", "For"), ("avoid", "Leave out"),
          ("notes", "Note"), ("speaker", "From"), ("instructions", "Asked")]
# fmt: on
LISTS = {"sources", "search", "anecdotes", "tone", "avoid", "notes", "instructions"}


class Chip(QToolButton):
    """A chip whose text may be longer than the row it is in ("Note: He always said we were the three
    bears…"): narrowed to the row by the FlowLayout, it shows its text elided, and whole as its tooltip."""

    def __init__(self, text: str) -> None:
        super().__init__(text=text, autoRaise=False, objectName="chip")  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

    def paintEvent(self, _event) -> None:
        option = QStyleOptionToolButton()
        self.initStyleOption(option)
        room = (
            self.style()
            .subControlRect(QStyle.ComplexControl.CC_ToolButton, option, QStyle.SubControl.SC_ToolButton, self)
            .width()
            - 16
        )
        option.text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, max(room, 0))
        QStylePainter(self).drawComplexControl(QStyle.ComplexControl.CC_ToolButton, option)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self.toolTip() or self.toolTip() == getattr(self, "_whole", None):
            self._whole = self.text() if self.width() < self.sizeHint().width() else ""
            self.setToolTip(self._whole)


class BriefChips(QWidget):
    changed = Signal()
    get_model = Signal(str)  # the catalog id of the model that would honour a style or voice
    add_memory = Signal(str)  # "No memory of the leeks yet": "record" or "import" one

    def __init__(self) -> None:
        super().__init__()
        self.brief: Brief | None = None
        self.pace = DEFAULT_PACE
        self.memories: list[Memory] = []
        self.selected: set[int] | None = None  # None: let Fondly choose
        self.mode = ""  # which way the current model writes, said first
        self.writing_mode = ""  # memory-first or prose: what the writer will use of the Brief
        # (brief, writing mode) → app.writing.Reading: what will not be used, what no memory tells of
        self.reader: Callable | None = None
        self.row = FlowLayout(self)  # chips wrap onto more lines: every one is seen, at any width
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setStyleSheet('QToolButton[warning="true"] { border: 1px dashed palette(dark); font-style: italic; }')
        self.buttons: list[QToolButton] = []

    def show_brief(self, brief: Brief | None, memories: list[Memory], pace: int) -> None:
        self.brief, self.memories, self.pace = brief, memories, pace
        if self.selected is not None:
            self.selected &= {m.id for m in memories}
        self._rebuild()

    def set_mode(self, text: str, writing_mode: str = "") -> None:
        self.mode = text
        self.writing_mode = writing_mode or self.writing_mode
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
        button = Chip(text)
        menu = QMenu(button)
        menu.addAction("Change…", lambda: self._ask(field, index, current))
        if field in LISTS or field in ("style", "voice", "audience", "jokes"):
            menu.addAction("Remove", lambda: self.set_value(field, index, ""))
        button.setMenu(keep_on_screen(menu, button))
        return button

    def _rebuild(self) -> None:
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        while self.row.count():
            item = self.row.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        b = self.brief
        if self.mode:
            self.mode_label = QLabel(self.mode)
            self.mode_label.setAccessibleName("Writing mode")
            self.row.addWidget(self.mode_label)
        if b is None:
            self.row.addWidget(QLabel("Type what you want; Fondly shows what it understood here."))
            return
        reading = self.reader(b, self.writing_mode) if self.reader else None
        if reading is not None:  # first: what needs the person's attention
            self.buttons += self._reading_chips(b, reading)
        for field, label in FIELDS:
            value = getattr(b, field)
            if field == "instructions" and reading is not None:  # asked and used: the model reads them
                value = [x for x in value if x not in reading.not_used]
            if field in LISTS:
                for i, item in enumerate(value):
                    self.buttons.append(self._chip(f"{label}: {item}", field, i, item))
            elif field == "target_words":
                minutes = b.target_words / max(self.pace, 1)
                self.buttons.append(
                    self._chip(f"{label}: {minutes:.1f} min · {b.target_words} words", field, None, f"{minutes:.1f}")
                )
            elif field == "jokes":
                if value:
                    self.buttons.append(self._chip(f"{label}: {value}", field, None, str(value)))
            elif value:
                self.buttons.append(self._chip(f"{label}: {value}", field, None, str(value)))
        self.buttons.append(self._memory_chip())
        for button in self.buttons:
            self.row.addWidget(button)

    def _reading_chips(self, brief: Brief, reading) -> list[QToolButton]:
        """What will not be used, what no memory tells of, and what needs a larger model, each with
        what the person can do about it."""
        out = []
        for i, item in enumerate(brief.instructions):
            if item in reading.not_used:
                chip = self._chip(f"Not used: {item}", "instructions", i, item)
                chip.setProperty("warning", True)
                chip.setToolTip(
                    "Fondly can't do this with the current model: rephrase it, or do it by hand in the editor."
                )
                out.append(chip)
        for topic in reading.untold:
            chip = Chip(f"No memory of {topic} yet")
            chip.setProperty("warning", True)
            chip.setToolTip(f"What happened with {topic}? Tell it as a memory, and Fondly can use it.")
            menu = QMenu(chip)
            menu.addAction("Record it as a memory…", lambda: self.add_memory.emit("record"))
            menu.addAction("Import a memory…", lambda: self.add_memory.emit("import"))
            chip.setMenu(keep_on_screen(menu, chip))
            out.append(chip)
        if reading.needs_larger_model:
            from app.writing import larger_model_choice

            entry = larger_model_choice()
            chip = Chip(f"Needs a larger model: {'; '.join(reading.needs_larger_model)}")
            chip.setProperty("warning", True)
            menu = QMenu(chip)
            if entry is not None:
                size = f"{entry.size_bytes / 1e9:.1f} GB" if entry.size_bytes else "size unknown"
                chip.setToolTip(
                    f"The bundled model writes in your own words. {entry.name} can write in a style or "
                    f"voice: a {size} download from Hugging Face. Only the model file is fetched; "
                    f"nothing of yours leaves this computer."
                )
                menu.addAction(f"Get {entry.name} ({size})…", lambda: self.get_model.emit(entry.id))
            else:
                chip.setToolTip("No catalog model fits this computer well; the bundled one writes in your own words.")
            chip.setMenu(keep_on_screen(menu, chip))
            out.append(chip)
        return out

    def _memory_chip(self) -> QToolButton:
        chosen = self.selected
        usable = [m for m in self.memories if m.text.strip()]
        label = (
            f"Memories: Fondly chooses ({len(usable)})"
            if chosen is None
            else f"Memories: {len(chosen)} of {len(usable)}"
        )
        button = Chip(label)
        menu = QMenu(button)
        auto = menu.addAction("Let Fondly choose")
        auto.triggered.connect(lambda: self.choose(None))
        menu.addSeparator()
        for m in usable:
            action = QAction(m.title, menu, checkable=True)
            action.setChecked(chosen is None or m.id in chosen)
            action.toggled.connect(lambda on, mid=m.id: self.toggle_memory(mid, on))
            menu.addAction(action)
        button.setMenu(keep_on_screen(menu, button))
        return button

    def choose(self, ids: set[int] | None) -> None:
        self.selected = None if ids is None else set(ids)
        self._rebuild()
        self.changed.emit()

    def toggle_memory(self, memory_id: int, on: bool) -> None:
        ids = set(self.selected) if self.selected is not None else {m.id for m in self.memories if m.text.strip()}
        (ids.add if on else ids.discard)(memory_id)
        self.choose(ids)
