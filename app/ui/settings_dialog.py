"""Settings: which models write and transcribe (add your own in two clicks, one already on this
computer in one, or download one from Fondly's short list), threads, context, GPU layers, pace,
text size, and an optional model server."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from app import model_manager, settings
from app.engines import trust, trusted
from app.errors import USER_ERRORS
from app.ui.catalog_models import CatalogModels
from app.ui.found_models import FoundModels
from app.ui.operations import off_the_window
from llm.brief import PACE_RANGE


class SettingsDialog(QDialog):
    text_model_changed = Signal()
    speech_model_changed = Signal()

    def __init__(self, parent=None, runner=None) -> None:
        """`runner`: the window's OperationRunner, which downloads run on (the parent's, if not given)."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.models = QListWidget()
        self.models.setAccessibleName("Models")
        self.add_btn = add_btn = QPushButton(  # type: ignore[call-overload]  # stubs lack inherited property kwargs
            "Add a model…", toolTip="A .gguf file to write with, or a Whisper model folder"
        )
        add_btn.clicked.connect(self.add_dialog)
        self.use_btn = QPushButton("Use")
        self.use_btn.clicked.connect(self.use_selected)
        remove_btn = QPushButton("Remove")
        remove_btn.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        for b in (add_btn, self.use_btn, remove_btn):
            buttons.addWidget(b)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #8a3b12")
        runner = runner if runner is not None else getattr(parent, "runner", None)
        self.found = FoundModels(runner=runner)

        def added(_name: str) -> None:
            self.show_error("")
            self.refresh()

        self.found.added.connect(added)
        self.found.failed.connect(self.show_error)
        self.runner = runner
        self.catalog = CatalogModels(runner)
        self.catalog.switched.connect(self._downloaded)
        self.catalog.failed.connect(self.show_error)
        values = settings.load()
        self.threads = QSpinBox(minimum=0, maximum=256, value=values["threads"], specialValueText="automatic")  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.context = QSpinBox(minimum=512, maximum=1_048_576, singleStep=1024, value=values["context"])
        self.gpu_layers = QSpinBox(minimum=-1, maximum=1000, value=values["gpu_layers"], specialValueText="all")  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.pace = QSpinBox(
            minimum=PACE_RANGE[0], maximum=PACE_RANGE[1], value=values["pace"], suffix=" words a minute"
        )
        self.text_size = QSpinBox(minimum=8, maximum=48, value=values["text_size"], suffix=" pt")
        self.server = QLineEdit(values["server"] or "", placeholderText="http://127.0.0.1:8080/v1 (off when empty)")
        form = QFormLayout()
        form.addRow("&Threads", self.threads)
        form.addRow("&Context (tokens)", self.context)
        form.addRow("&GPU layers", self.gpu_layers)
        form.addRow("Pace for new &speeches", self.pace)
        form.addRow("Te&xt size", self.text_size)
        form.addRow("Model se&rver", self.server)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Models (everything runs on this computer unless you set a server)"))
        layout.addWidget(self.models)
        layout.addLayout(buttons)
        layout.addWidget(self.found)
        layout.addWidget(self.catalog)
        layout.addWidget(self.error)
        layout.addLayout(form)
        layout.addWidget(box)
        self.refresh()

    def refresh(self) -> None:
        self.models.clear()
        for row in model_manager.listing():
            mark = "✓ " if row["in_use"] else "   "
            extra = f" — {row['architecture']}, {row['quantization']}" if row.get("architecture") else ""
            item = QListWidgetItem(f"{mark}{row['kind']}: {row['name']}{' (bundled)' if row['bundled'] else ''}{extra}")
            item.setToolTip(row.get("good_for") or row["path"])
            item.setData(256, row["name"])
            self.models.addItem(item)

    def _downloaded(self, _name: str) -> None:
        self.show_error("")
        self.refresh()
        self.found.refresh()
        self.text_model_changed.emit()

    def done(self, result: int) -> None:
        """Closing Settings stops a download in progress: nothing half-fetched is added."""
        self.catalog.cancel()
        super().done(result)

    def show_error(self, text: str) -> None:
        self.error.setText(text)

    def add_dialog(self) -> None:
        dialog = QFileDialog(self, "Add a model", "", "GGUF models (*.gguf);;All files (*)")
        dialog.fileSelected.connect(self.add)
        dialog.open()

    def add(self, path: str) -> None:
        """Add a model file: checked in full first (a real load and a few words, in a child
        process: seconds), on the window's runner so the window stays live meanwhile."""
        self.add_btn.setEnabled(False)
        self.show_error(f"Checking {path.rsplit('/', 1)[-1]}: loading it and writing a few words…")
        off_the_window(self.runner, lambda: model_manager.add(path), self._added, self._not_added)

    def _added(self, _row: dict) -> None:
        self.add_btn.setEnabled(True)
        self.show_error("")
        self.refresh()
        self.found.refresh()  # its "added" marks

    def _not_added(self, message: str) -> None:
        self.add_btn.setEnabled(True)
        self.show_error(message)

    def _selected(self) -> str | None:
        item = self.models.currentItem()
        return item.data(256) if item else None

    def use_selected(self) -> None:
        name = self._selected()
        if not name:
            return
        try:
            row = model_manager.use(name)
        except USER_ERRORS as e:
            self.show_error(str(e))
            return
        self.refresh()
        (self.text_model_changed if row["kind"] == "text" else self.speech_model_changed).emit()

    def remove_selected(self) -> None:
        name = self._selected()
        if not name:
            return
        try:
            row = model_manager.find(name)
            model_manager.remove(name)
        except USER_ERRORS as e:
            self.show_error(str(e))
            return
        self.refresh()
        self.found.refresh()
        if row["in_use"]:
            (self.text_model_changed if row["kind"] == "text" else self.speech_model_changed).emit()

    def save(self) -> None:
        try:
            server = settings.parse("server", self.server.text())
            if server and not trusted(server):
                answer = QMessageBox.question(
                    self,
                    "Send memories to another computer?",
                    f"Writing with {server} sends your memories and drafts to that computer. "
                    "Only agree if it is one you trust, such as your own at home.",
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return
                trust(server)
            old = settings.load()
            for key, widget in (
                ("threads", self.threads),
                ("context", self.context),
                ("gpu_layers", self.gpu_layers),
                ("pace", self.pace),
                ("text_size", self.text_size),
            ):
                settings.set_value(key, widget.value())
            settings.set_value("server", server)
        except USER_ERRORS as e:
            self.show_error(str(e))
            return
        if any(old[k] != settings.get(k) for k in ("threads", "context", "gpu_layers", "server")):
            self.text_model_changed.emit()
        self.accept()
