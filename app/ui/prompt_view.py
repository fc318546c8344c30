"""The teleprompter's page (app/ui/teleprompter.py is the window around it): the speech painted in
very large type, a band on the current line, that line kept a third of the way down, optionally
mirrored for the glass of a prompter.

Everything is drawn by hand rather than in a text widget: the view has to scroll by fractions of a
line, draw a highlight band, and be mirrored, which is one painter transform. The text is set as
plain text so that every character keeps the offset app.alignment gives the script's words;
Markdown's marks are hidden in place rather than taken out (`quiet_markdown`).
"""

from __future__ import annotations

import bisect
import re

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QWidget

# (name, text, background, highlight band)
SCHEMES = (
    ("White on black", "#f4f4f4", "#000000", "#3b3420"),
    ("Yellow on black", "#ffe26a", "#000000", "#2e2e4e"),
    ("Black on white", "#111111", "#ffffff", "#ffeaa0"),
    ("White on blue", "#ffffff", "#0d2340", "#27507d"),
)
SIZES = (28, 36, 44, 56, 68, 80, 96, 112, 128)
SPACINGS = (100, 125, 150, 175, 200, 250)

_MARKS = (  # (pattern, the groups that are marks, the weight or italic the words between get)
    (re.compile(r"^[ \t]{0,3}(#{1,6}[ \t]+)", re.MULTILINE), (1,), None),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)(\1)"), (1, 3), "bold"),
    (re.compile(r"(?<![\w*])([*_])(?![\s*])(.+?)(?<![\s*])(\1)(?![\w*])"), (1, 3), "italic"),
)


def quiet_markdown(doc: QTextDocument) -> None:
    """Markdown's marks (a heading's #, the * and _ of emphasis) made invisible and next to no width,
    and what they mark shown bold or italic — in place, so every character keeps its offset and
    the view's lines still map to the script's words (app.alignment skips the marks too)."""
    text = doc.toPlainText()
    hidden = QTextCharFormat()
    hidden.setForeground(QColor(0, 0, 0, 0))
    hidden.setFontPointSize(1)
    for pattern, marks, look in _MARKS:
        for m in pattern.finditer(text):
            cursor = QTextCursor(doc)
            if look is not None:
                shown = QTextCharFormat()
                if look == "bold":
                    shown.setFontWeight(QFont.Weight.Bold)
                else:
                    shown.setFontItalic(True)
                cursor.setPosition(m.start(2))
                cursor.setPosition(m.end(2), QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(shown)
            for g in marks:
                cursor.setPosition(m.start(g))
                cursor.setPosition(m.end(g), QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(hidden)


class PromptView(QWidget):
    """The text, painted: large type, a band on the current line, that line kept a third of the
    way down, and optionally mirrored left to right for the glass of a prompter."""

    MARGIN = 0.06  # of the width, each side

    def __init__(self, text: str) -> None:
        super().__init__()
        self.doc = QTextDocument()
        self.doc.setDocumentMargin(0)
        self.doc.setPlainText(text)  # plain: character offsets are the script's (app.alignment's)
        quiet_markdown(self.doc)
        self.mirrored = False
        self.spacing = 150
        self.colours = SCHEMES[0]
        self.current = 0  # line index
        self.offset = 0.0  # document y at the top of the view
        self.lines: list[tuple[float, float, int]] = []  # (top, height, first character)
        self._starts: list[int] = []
        self._tops: list[float] = []
        self._images: dict[int, QImage] = {}  # line index: its text, drawn
        self.setMinimumSize(200, 150)

    def set_look(self, size: int, spacing: int, scheme: int, mirrored: bool) -> None:
        font = QFont(self.font())
        font.setPointSize(size)
        self.doc.setDefaultFont(font)
        self.spacing, self.colours, self.mirrored = spacing, SCHEMES[scheme % len(SCHEMES)], mirrored
        cursor = QTextCursor(self.doc)
        cursor.select(QTextCursor.SelectionType.Document)
        fmt = QTextBlockFormat()
        fmt.setLineHeight(spacing, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cursor.mergeBlockFormat(fmt)
        self._relayout()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        margin = self.width() * self.MARGIN
        self.doc.setTextWidth(max(100.0, self.width() - 2 * margin))
        layout = self.doc.documentLayout()
        lines = []
        block = self.doc.begin()
        while block.isValid():
            top = layout.blockBoundingRect(block).top()
            text_layout = block.layout()
            for i in range(text_layout.lineCount()):
                line = text_layout.lineAt(i)
                lines.append((top + line.y(), line.height(), block.position() + line.textStart()))
            block = block.next()
        self.lines = lines or [(0.0, 10.0, 0)]
        self._starts = [start for _, _, start in self.lines]
        self._tops = [top for top, _, _ in self.lines]
        self._images.clear()
        self.current = min(self.current, len(self.lines) - 1)
        self.offset = self.target_offset()
        self.update()

    def line_of(self, position: int) -> int:
        """The visual line a character of the text is on."""
        return max(0, bisect.bisect_right(self._starts, position) - 1)

    def target_offset(self) -> float:
        top, height, _ = self.lines[self.current]
        return top + height / 2 - self.height() / 3

    def set_current(self, line: int) -> None:
        line = max(0, min(line, len(self.lines) - 1))
        if line != self.current:
            self.current = line
            self.update()

    def step(self, dt: float) -> None:
        """Glide toward the current line's place (a jump of a paragraph is a quick scroll, not a cut)."""
        target = self.target_offset()
        if abs(target - self.offset) < 0.5:
            return
        self.offset += (target - self.offset) * min(1.0, dt * 8)
        self.update()

    def paintEvent(self, event) -> None:
        """Background, the band, and the visible lines, each drawn once into an image and then only
        copied: drawing the text of 56-point paragraphs took 45 ms a frame, on the thread that also
        reads the microphone (whose buffer is one second), so a busy machine lost audio."""
        _name, fg, bg, band = self.colours
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(bg))
        if self.mirrored:
            p.translate(self.width(), 0)
            p.scale(-1, 1)
        margin = self.width() * self.MARGIN
        top, height, _ = self.lines[self.current]
        gap = height * (self.spacing - 100) / 100
        p.fillRect(QRectF(0, top - gap / 2 - self.offset, self.width(), height + gap), QColor(band))
        first = max(0, bisect.bisect_right(self._tops, self.offset) - 1)
        last = bisect.bisect_left(self._tops, self.offset + self.height())
        for i in range(first, min(last + 1, len(self.lines))):
            p.drawImage(QPointF(margin, self.lines[i][0] - self.offset), self._line_image(i, fg))
        p.end()

    def _line_image(self, i: int, fg: str) -> QImage:
        image = self._images.get(i)
        if image is None:
            if len(self._images) > 80:
                self._images.clear()
            _top, height, start = self.lines[i]
            block = self.doc.findBlock(start)
            line = block.layout().lineForTextPosition(start - block.position())
            image = QImage(int(self.doc.textWidth()) + 4, int(height) + 4, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.setPen(QColor(fg))
            if line.isValid():
                line.draw(painter, -line.position())
            painter.end()
            self._images[i] = image
        return image
