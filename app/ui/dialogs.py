"""Small dialogs: a new project, and what Fondly runs and where your words go."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from app.speaking import DEFAULT_PACE
from app.store import Person
from app.version import VERSION
from llm.brief import PACE_RANGE
from llm.occasions import LABELS, OCCASIONS

OCCASION_LABELS = LABELS


def ask_name(parent: QWidget, title: str, label: str, value: str, done) -> QInputDialog:
    """Ask for a name without blocking the window (a drafts', a point's or a memory's), wide enough to
    see a whole name, not its last half; `done(text)` when the person says OK."""
    dialog = QInputDialog(parent, windowTitle=title, labelText=label)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
    dialog.setTextValue(value)
    dialog.setMinimumWidth(420)
    dialog.textValueSelected.connect(done)
    dialog.open()
    return dialog


def close_buttons(dialog: QDialog) -> QDialogButtonBox:
    """A Close button for a window that only shows something (Compare, a report, the guide): a way out in
    the window itself, not only the title bar's — Esc does the same (QDialog's own reject)."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    box.rejected.connect(dialog.reject)
    return box


class NewProjectDialog(QDialog):
    """Title, occasion, who it is about, who speaks, and the names that matter."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New speech")
        self.title = QLineEdit(placeholderText="Dad's eulogy")
        self.occasion = QComboBox()
        for key in OCCASIONS:
            self.occasion.addItem(OCCASION_LABELS[key], key)
        self.subject = QLineEdit(placeholderText="Who it is about, e.g. Dad or Frank")
        self.speaker = QLineEdit(placeholderText="Who will give it")
        self.people = QLineEdit(placeholderText="Siobhan (shiv-AWN), Tadhg")
        self.people.setToolTip(
            "Names in the story, with how to say them in brackets. They help the transcriber spell them your way."
        )
        self.pace = QSpinBox(minimum=PACE_RANGE[0], maximum=PACE_RANGE[1], value=DEFAULT_PACE, suffix=" words a minute")
        form = QFormLayout(self)
        form.addRow("&Title", self.title)
        form.addRow("&Occasion", self.occasion)
        form.addRow("&About", self.subject)
        form.addRow("&Speaker", self.speaker)
        form.addRow("&People", self.people)
        form.addRow("Pa&ce", self.pace)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def values(self) -> dict:
        return {
            "title": self.title.text().strip(),
            "occasion": self.occasion.currentData(),
            "subject": self.subject.text().strip(),
            "speaker": self.speaker.text().strip(),
            "people": Person.parse_list(self.people.text()),
            "pace": self.pace.value(),
        }


ABOUT = """<h3>Fondly {version}</h3>
<p>A quiet place to write the speeches that matter most, from your own memories.</p>
<p><b>Everything runs on this computer.</b> Your recordings are transcribed here, by
{speech}. Your speech is drafted here, by {text}. Memories, drafts and settings are kept
in one folder on this computer:<br><code>{folder}</code></p>
<p><b>Nothing is sent anywhere.</b> Fondly has no account, no cloud and no telemetry,
and opens no network connection.</p>
<p>The bundled text model is small: it is quick, but it can make things up. Fondly checks
its drafts against your memories, and you should read every draft before you use it.</p>"""


def about_box(parent: QWidget, speech_model: str, text_model: str, folder: str) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle("About Fondly")
    box.setTextFormat(box.textFormat().RichText)
    box.setText(ABOUT.format(version=VERSION, speech=speech_model, text=text_model, folder=folder))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box
