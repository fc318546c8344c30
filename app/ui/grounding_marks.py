"""Words not found in the person's memories, underlined in the draft like a spelling mistake.

The same grounding check that writing uses (llm.grounding) runs over the open draft, a
paragraph at a time as Qt repaints it, so what Fondly could not trace stays visible
after writing — and so does a fact the person types that no memory holds. A mark goes
when the sentence changes, or when the person accepts the word as true (it then joins the
project's vocabulary, which is also what transcription spells by, and counts as a fact).
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from llm.grounding import Facts, Grounding, SentenceCheck, sentences

ONLY_A_QUESTION = re.compile(r"^\s*\[[^\]]*\]\s*$")  # a scaffold's "[A story only you could tell]"


class FlagMarks(QSyntaxHighlighter):
    """Underlines each unsupported word of each paragraph; knows which word is under a position."""

    def __init__(self, document: QTextDocument):
        super().__init__(document)
        self.grounding: Grounding | None = None
        self._cache: dict[str, list[SentenceCheck]] = {}
        self.flag_format = QTextCharFormat()
        self.flag_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self.flag_format.setUnderlineColor(QColor("#d9480f"))
        self.flag_format.setToolTip("Not found in your memories")

    def set_facts(self, facts: Facts | None) -> None:
        """What the open draft may draw on (None: mark nothing, e.g. while a memory is open)."""
        self.grounding = Grounding(facts) if facts is not None else None
        self._cache.clear()
        self.rehighlight()

    def checks(self, text: str) -> list[SentenceCheck]:
        if self.grounding is None:
            return []
        if text not in self._cache:
            if len(self._cache) > 2000:
                self._cache.clear()
            self._cache[text] = [self.grounding.check(s) for s in sentences(text) if not ONLY_A_QUESTION.match(s)]
        return self._cache[text]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, length, word) of every flagged word or phrase in one paragraph."""
        out = []
        for check in self.checks(text):
            if check.supported:
                continue
            at = text.find(check.text)
            base, end = (at, at + len(check.text)) if at >= 0 else (0, len(text))
            for word in check.unsupported:
                word = word.strip("“”")
                for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text[base:end]):
                    out.append((base + m.start(), len(word), word))
        return out

    def highlightBlock(self, text: str) -> None:
        for start, length, _ in self.spans(text):
            self.setFormat(start, length, self.flag_format)

    def word_at(self, block_text: str, position_in_block: int) -> str | None:
        for start, length, word in self.spans(block_text):
            if start <= position_in_block <= start + length:
                return word
        return None
