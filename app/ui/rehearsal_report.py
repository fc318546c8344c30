"""One rehearsal's report, as a person reads it after the speech: how long it took against the
target, each paragraph in the draft's order (its first words, its time, its pace, or "skipped"),
the passages said otherwise than written, and the long pauses. The reading can be heard again:
Play, or a paragraph or a pause activated (double-click, Enter) plays it from there.

Plain on purpose: the pauses are marked where they fall and how long they were, never coloured or
called too long — a pause is often where the feeling lands (docs/DESIGN.md, Rehearse). The numbers
are the stored report's (app.rehearsal), so the app says what `fondly rehearse` says.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import speaking
from app.store import Rehearsal
from app.ui.dialogs import close_buttons
from app.ui.playback import Playback

LEAD_IN = 2.0  # seconds heard before a pause played from the list, so it is heard as a pause

TARGET_FROM = {
    "brief minutes": "the length asked for",
    "brief words": "the words asked for",
    "draft length": "the draft's length at your pace",
}


def when(created: str) -> str:
    """ "27 Nov 06:30" in local time, from the store's UTC timestamp."""
    try:
        return datetime.fromisoformat(created).astimezone().strftime("%d %b %H:%M")
    except ValueError:
        return created


def length(seconds: float) -> str:
    """ "8 s" under a minute, else "1:05": a paragraph's time as a person would say it; "under 1 s"
    rather than a "0 s" that reads as not said at all."""
    if seconds < 0.5:
        return "under 1 s"
    return f"{seconds:.0f} s" if round(seconds) < 60 else speaking.clock(seconds)


def short_line(report: dict) -> str:
    """ "0:16 of 0:24": a rehearsal in the list, beside its date."""
    line = speaking.clock(report.get("total_seconds") or 0)
    return line + (f" of {speaking.clock(report['target_seconds'])}" if report.get("target_seconds") else "")


def total_line(report: dict) -> str:
    """ "Total 2:05 — target 2:00 (the length asked for)": the one line a list and a report share."""
    line = f"Total {speaking.clock(report.get('total_seconds') or 0)}"
    if report.get("target_seconds"):
        source = TARGET_FROM.get(report.get("target_from", ""), "")
        line += f" — target {speaking.clock(report['target_seconds'])}" + (f" ({source})" if source else "")
    return line


def paragraph_rows(report: dict) -> list[tuple[str, str, str, str]]:
    """(¶, first words, time, words a minute) per paragraph in the draft's order; a skipped one
    says so in place of its time (and so does one with no time, from an older report)."""
    rows = []
    for p in report.get("paragraphs", []):
        opening = f"{p.get('opening', '')}…"
        if p.get("skipped") or p.get("seconds") is None:
            rows.append((f"¶{p['index'] + 1}", opening, "skipped", ""))
        else:
            wpm = p.get("words_per_minute")
            rows.append((f"¶{p['index'] + 1}", opening, length(p["seconds"]), f"{wpm}" if wpm else ""))
    return rows


def changed_lines(report: dict) -> list[str]:
    out = []
    for c in report.get("changed", []):
        where = f"¶{c['paragraph'] + 1}" if c.get("paragraph") is not None else f"at {speaking.clock(c.get('at', 0))}"
        out.append(f"{c['kind'].capitalize()} ({where}): “{c['text']}”")
    return out


def unvoiced_line(report: dict) -> str:
    """What the transcriber wrote where the recording is silent, said once and not counted
    (app.rehearsal.in_voice) — so a person who hears a silence there on Play is not puzzled."""
    parts = [f"“{u['text']}” at {speaking.clock(u['at'])}" for u in report.get("unvoiced", [])]
    if not parts:
        return ""
    return "Not counted — the speech model wrote " + "; ".join(parts) + " where the recording has no voice."


def pause_lines(report: dict) -> list[str]:
    """Where each long pause fell and how long it was — and nothing about whether it should have."""
    out = []
    for pause in report.get("pauses", []):
        if pause.get("between_paragraphs") and pause.get("paragraph") is not None:
            where = f"before ¶{pause['paragraph'] + 1}"
        elif pause.get("paragraph") is not None:
            where = f"in ¶{pause['paragraph'] + 1}"
        else:
            where = ""
        out.append(
            f"{speaking.clock(pause['at'])} — {pause['seconds']:.1f} s{', ' + where if where else ''}, "
            f"after “…{pause.get('after', '')}”"
        )
    return out


class RehearsalReport(QDialog):
    """A window of its own, not modal: it can stay open beside the draft while it is edited."""

    def __init__(self, rehearsal: Rehearsal, draft_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rehearsal = rehearsal
        report = rehearsal.report
        self.setWindowTitle(f"Rehearsal of “{draft_title}”, {when(rehearsal.created)}")
        self.total = QLabel(total_line(report))
        font = self.total.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.total.setFont(font)
        rows = paragraph_rows(report)
        self.table = QTableWidget(len(rows), 4)
        self.table.setAccessibleName("Paragraphs")
        self.table.setHorizontalHeaderLabels(["", "Begins", "Time", "Words a minute"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(1, self.table.horizontalHeader().ResizeMode.Stretch)
        self.changed = self._list(
            "Passages read otherwise than written", changed_lines(report), "Every passage was read as written."
        )
        self.pauses = self._list("Long pauses (2 seconds or more)", pause_lines(report), "No long pauses.")
        for k, pause in enumerate(report.get("pauses", [])):
            self.pauses[1].item(k).setData(Qt.ItemDataRole.UserRole, max(0.0, pause["at"] - LEAD_IN))
        self.play_btn = QPushButton(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            "Play", toolTip="Hear the reading again; double-click a paragraph or a pause to hear it from there"
        )
        self.play_btn.setEnabled(bool(rehearsal.audio_path))
        self.playback = Playback(self.play_btn)
        self.playback.error.connect(self._cannot_play)
        # enabled only with a recording, so there is its path
        self.play_btn.clicked.connect(lambda: self.playback.toggle(cast(str, rehearsal.audio_path)))
        starts = [p.get("start") for p in report.get("paragraphs", [])]
        self.table.cellActivated.connect(lambda r, _c: self.play_from(starts[r]) if starts[r] is not None else None)
        self.pauses[1].itemActivated.connect(
            lambda item: (
                self.play_from(item.data(Qt.ItemDataRole.UserRole))
                if item.data(Qt.ItemDataRole.UserRole) is not None
                else None
            )
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.total)
        self.heard = QLabel(
            f"Recording {speaking.clock(report.get('recording_seconds') or 0)}"
            + (f" · kept in {rehearsal.audio_path}" if rehearsal.audio_path else ""),
            wordWrap=True,
        )
        bar = QHBoxLayout()
        bar.addWidget(self.heard, 1)
        bar.addWidget(self.play_btn)
        layout.addLayout(bar)
        layout.addWidget(self.table, 3)
        for title, widget in (self.changed, self.pauses):
            layout.addWidget(title)
            layout.addWidget(widget, 1)
        self.unvoiced = QLabel(unvoiced_line(report), wordWrap=True)
        self.unvoiced.setVisible(bool(self.unvoiced.text()))
        layout.addWidget(self.unvoiced)
        self.buttons = close_buttons(self)
        layout.addWidget(self.buttons)
        self.resize(640, 560)

    def play_from(self, seconds: float) -> None:
        if self.rehearsal.audio_path:
            self.playback.play(self.rehearsal.audio_path, seconds)

    def _cannot_play(self, message: str) -> None:
        self.play_btn.setEnabled(False)
        self.heard.setText(f"{self.heard.text()}\n{message}")

    def hideEvent(self, event) -> None:
        """Closing the report (Esc, its close button, the main window) stops its sound."""
        if self.playback.player is not None and self.playback.playing:  # playing: there is a player
            self.playback.player.stop()
        super().hideEvent(event)

    def _list(self, title: str, lines: list[str], none: str) -> tuple[QLabel, QListWidget]:
        widget = QListWidget(wordWrap=True)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        widget.setAccessibleName(title)
        widget.addItems(lines or [none])
        return QLabel(title), widget

    def rows(self) -> list[list[str]]:
        """The table's text, row by row (what a person sees; tests read it)."""

        def text(row: int, column: int) -> str:
            item = self.table.item(row, column)
            assert item is not None  # every cell was given an item
            return item.text()

        return [[text(r, c) for c in range(self.table.columnCount())] for r in range(self.table.rowCount())]
