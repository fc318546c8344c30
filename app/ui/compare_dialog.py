"""The Compare window: two versions of a speech, word by word, saying which two and which way.

A person comparing versions asks "what changed since then?", so the window always names both
("Your text now ← Generated 14:01": the newer, and the older it changed from), says in words as
well as colour what the marks mean (colour alone fails the colour-blind and a printout), counts
what changed, and closes with a button or Esc like every other dialog.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app import speaking
from app.diff import word_diff
from app.history import compare_title
from app.ui.dialogs import close_buttons

ADDED = "background-color:#c9efd3; color:#0b5d1e; text-decoration:underline"
REMOVED = "background-color:#f8d0d0; color:#8a1c1c; text-decoration:line-through"


def diff_html(old: str, new: str) -> tuple[str, int, int]:
    """The newer text with what was added and removed marked, and how many words each."""
    parts, added, removed = [], 0, 0
    for op, text in word_diff(old, new):
        if op == "-":  # the newer text's own spacing and paragraphs stand; what went is shown inline
            text = " ".join(text.split()) + (" " if text[-1:].isspace() else "")
        t = html.escape(text).replace("\n", "<br>")
        if op == " ":
            parts.append(t)
        elif op == "+":
            added += speaking.word_count(text)
            parts.append(f"<span style='{ADDED}'>{t}</span>")
        else:
            removed += speaking.word_count(text)
            parts.append(f"<span style='{REMOVED}'>{t}</span>")
    return "".join(parts), added, removed


class CompareDialog(QDialog):
    def __init__(self, parent: QWidget | None, newer: str, older: str, new_text: str, old_text: str) -> None:
        """`newer` and `older` are what a person calls them ("Your text now", "Generated 14:01")."""
        super().__init__(parent)
        self.setWindowTitle(f"Compare: {compare_title(newer, older)}")
        self.setAccessibleName("Compare")
        body, added, removed = diff_html(old_text, new_text)
        self.heading = QLabel(f"<b>{html.escape(compare_title(newer, older))}</b>")
        self.heading.setAccessibleName("What is compared")
        self.legend = QLabel(
            f"<span style='{ADDED}'>&nbsp;added&nbsp;</span> green and underlined: in {html.escape(newer)}, not in "
            f"{html.escape(older)}. &nbsp; <span style='{REMOVED}'>&nbsp;removed&nbsp;</span> red and struck "
            f"through: in {html.escape(older)}, gone from {html.escape(newer)}.",
            wordWrap=True,
        )
        self.legend.setAccessibleName("Legend")
        self.summary = QLabel(
            "No differences: the two are the same, word for word."
            if not (added or removed)
            else f"{added} word{'s' if added != 1 else ''} added, {removed} word{'s' if removed != 1 else ''} removed."
        )
        self.view = QTextBrowser()
        self.view.setAccessibleName("Differences")
        self.view.setHtml(body)
        self.buttons = close_buttons(self)
        layout = QVBoxLayout(self)
        for w in (self.heading, self.legend, self.summary):
            layout.addWidget(w)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 520)
