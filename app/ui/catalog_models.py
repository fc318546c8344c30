"""Settings' "Download a better model": Fondly's catalog (app/model_catalog.py) with the one it
recommends for this computer marked, and a Download button that fetches, checks, adds and
switches to the model (app/model_download.py) on the runner's speech lane, with a progress bar
and a Cancel button.

Why the speech lane: on the text lane a download would hold up every draft for its minutes, and
the text lane's CPU-share mark would pause imports too; on the speech lane only an import waits,
and writing goes on with the model in use until the new one is ready.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import model_catalog
from app.errors import USER_ERRORS

ID_ROLE = Qt.ItemDataRole.UserRole
PRIVACY = (
    "Download is the only time Fondly uses the network by itself: it asks the Hugging Face hub "
    "(or HF_ENDPOINT) for the model file only, when you press it, and sends nothing of yours — "
    "no memories, drafts, names or account."
)
STAGES = {"downloading": "Downloading", "checking": "Checking the file", "opening": "Checking that it opens"}


class CatalogModels(QWidget):
    switched = Signal(str)  # the name of the downloaded model, now the one that writes
    failed = Signal(str)  # one line saying why

    def __init__(self, runner=None, parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.operation = None
        self.list = QListWidget()
        self.list.setAccessibleName("Models to download")
        self.privacy = QLabel(PRIVACY, wordWrap=True)
        self.get_btn = QPushButton("Download and use", toolTip="Fetch the selected model, check it, and write with it")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.get_btn.clicked.connect(self.start)
        self.cancel_btn = QPushButton("Cancel", visible=False)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.cancel_btn.clicked.connect(self.cancel)
        self.progress = QProgressBar(visible=False, minimum=0, maximum=1000)  # type: ignore[call-arg]  # stubs lack inherited property kwargs; per mille: sizes pass 2**31
        self.status = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel_btn)
        buttons.addWidget(self.get_btn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Download a better model (Fondly's short list; ★ the one it recommends here)"))
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.privacy)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        try:
            listing = model_catalog.listing()
        except USER_ERRORS as e:
            self.failed.emit(str(e))
            self.get_btn.setEnabled(False)
            return
        for m in listing["models"]:
            cores = min(8, max(2, listing["machine"]["cores"]))
            speed = m["tokens_per_second"].get(str(cores), m["tokens_per_second"]["2"])
            item = QListWidgetItem(
                f"{'★ ' if m['recommended'] else '   '}{m['name']} — "
                f"{(m['size_bytes'] or 0) / 1e9:.1f} GB, needs about "
                f"{m['ram_needed_bytes'] / 1e9:.1f} GB of memory, "
                f"about {speed:.0f} tokens a second (estimate)"
            )
            item.setToolTip(
                f"{m['good_for']}\nLicence: {m['licence']['name']} ({m['licence']['url']})\nFrom {m['repo']}"
            )
            item.setData(ID_ROLE, m["id"])
            self.list.addItem(item)
            if m["recommended"]:
                self.list.setCurrentItem(item)
        why = listing["why"]
        self.status.setText(f"Recommended: {why}." if listing["recommended"] else why[0].upper() + why[1:] + ".")
        self.get_btn.setEnabled(self.runner is not None and self.list.count() > 0)

    def choose(self, model_id: str) -> None:
        """Select a model by its catalog id (a chip's "Get … for the style you asked"), ready to download:
        the person still presses "Download and use", with what leaves the machine said beside it."""
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == model_id:
                self.list.setCurrentRow(i)
                self.get_btn.setFocus()
                return

    # --- a download ----------------------------------------------------------------------------

    def start(self) -> None:
        item = self.list.currentItem()
        if item is None or self.runner is None or self.operation is not None:
            return
        from app import model_download

        model_id = item.data(ID_ROLE)
        self.operation = self.runner.run(
            lambda job: model_download.get(model_id, cancel=job.cancel, on_progress=job.progress),
            on_done=self._done,
            on_failed=self._failed,
            on_progress=self._progress,
            lane="speech",
        )
        self._busy(True, f"Starting the download of {item.text().strip(' ★').split(' — ')[0]}…")

    def cancel(self) -> None:
        if self.operation is not None:
            self.operation.cancel()
            self.status.setText("Stopping…")

    def _busy(self, busy: bool, text: str) -> None:
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_btn.setVisible(busy)
        self.get_btn.setEnabled(not busy)
        self.status.setText(text)

    def _progress(self, p) -> None:
        if not shiboken6.isValid(self):
            return
        if p.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(p.done * 1000 // p.total))
        else:
            self.progress.setRange(0, 0)  # busy, no end known
        self.status.setText(STAGES.get(p.stage, p.stage) + "…")

    def _done(self, row) -> None:
        self.operation = None
        if not shiboken6.isValid(self):
            return
        self._busy(False, f"{row['name']} was downloaded and checked; Fondly now writes with it.")
        self.switched.emit(row["name"])

    def _failed(self, message: str) -> None:
        stopped, self.operation = self.operation is not None and self.operation.cancelled.is_set(), None
        if not shiboken6.isValid(self):
            return
        self._busy(False, message)
        if not stopped:  # a cancel is what the person asked for, not an error
            self.failed.emit(message)
