"""The Edit menu's Undo, Redo, Cut, Copy, Paste and Select All, for whichever text box has the focus.

Each text box already answers these keys itself: QPlainTextEdit and QLineEdit take the standard
shortcuts through Qt's ShortcutOverride before any window action sees them, so Ctrl+Z typed in
the editor is the editor's own undo, once — the window's action never fires on top of it. The menu
entries are for the mouse, and for keys pressed when no text box would take them: they act on the
text box that has the focus (the editor, or the prompt line), else on the editor, and they are
greyed out exactly when that box has nothing to undo, redo or copy, or is read-only because
writing is streaming into it (undoing mid-stream would tear the piece's single undo step apart).
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit

Key = QKeySequence.StandardKey
# (label, slot name on the text box, its standard key, keys added where a desktop lacks them)
# fmt: off
COMMANDS = (("&Undo", "undo", Key.Undo, ()), ("&Redo", "redo", Key.Redo, ("Ctrl+Shift+Z", "Ctrl+Y")),
            None, ("Cu&t", "cut", Key.Cut, ()), ("&Copy", "copy", Key.Copy, ()), ("&Paste", "paste", Key.Paste, ()),
            ("Select &All", "selectAll", Key.SelectAll, ()))
# fmt: on


class EditActions(QObject):
    """The six actions, kept enabled or greyed as the focused text box stands (a child of the window,
    so the application's focusChanged stops reaching it when the window goes)."""

    def __init__(self, window, menu) -> None:
        super().__init__(window)
        self.window, self.editor, self.prompt = window, window.document.editor, window.writing.prompt
        self.actions: dict[str, QAction] = {}
        for command in COMMANDS:
            if command is None:
                menu.addSeparator()
                continue
            label, slot, key, extra = command
            act = QAction(label, window)
            keys = QKeySequence.keyBindings(key)
            keys += [QKeySequence(k) for k in extra if QKeySequence(k) not in keys]
            act.setShortcuts(keys)
            act.triggered.connect(lambda _=False, s=slot: self.run(s))
            menu.addAction(act)
            self.actions[slot] = act
        menu.addSeparator()
        self.editor.undoAvailable.connect(self.update)
        self.editor.redoAvailable.connect(self.update)
        self.editor.copyAvailable.connect(self.update)
        self.editor.textChanged.connect(self.update)  # read-only is set and cleared around a stream
        self.prompt.textChanged.connect(self.update)
        self.prompt.selectionChanged.connect(self.update)
        # widgets exist, so the application does, and it is a QApplication
        cast(QApplication, QApplication.instance()).focusChanged.connect(self.update)
        menu.aboutToShow.connect(self.update)
        self.update()

    def target(self):
        """The text box the commands act on: the focused one, else the editor."""
        focused = QApplication.focusWidget()
        return focused if isinstance(focused, (QLineEdit, QPlainTextEdit, QTextEdit)) else self.editor

    def run(self, slot: str) -> None:
        self.update()
        if self.actions[slot].isEnabled():
            getattr(self.target(), slot)()

    def update(self, *_) -> None:
        box = self.target()
        if isinstance(box, QLineEdit):
            states = {"undo": box.isUndoAvailable(), "redo": box.isRedoAvailable(), "copy": box.hasSelectedText()}
        else:
            doc = box.document()
            states = {
                "undo": doc.isUndoAvailable(),
                "redo": doc.isRedoAvailable(),
                "copy": box.textCursor().hasSelection(),
            }
        editable = not box.isReadOnly()
        states["undo"] &= editable
        states["redo"] &= editable
        states["cut"] = states["copy"] and editable
        states["paste"] = editable
        states["selectAll"] = True
        for slot, act in self.actions.items():
            act.setEnabled(states[slot])


def install(window, menu) -> EditActions:
    window.edit_actions = EditActions(window, menu)
    return window.edit_actions
