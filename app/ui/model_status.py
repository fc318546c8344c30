"""The status bar's word on the models: which one writes, in which mode, how fast it was the
last time it wrote, and which one transcribes.

The mode and the speed are asked of app.writing.model_status for the engine that is loaded,
so they follow a switch of model the moment it has loaded, and a speed appears once the model
has written (it is measured as it writes, never estimated): until then, "not measured yet".
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel

from app.errors import USER_ERRORS
from app.writing import model_status, speed_text


class ModelStatus(QLabel):
    mode_changed = Signal(str)  # "memory-first" | "prose": the chips say it too

    def __init__(self, runner) -> None:
        super().__init__()
        self.setAccessibleName("Models")
        self.runner = runner
        self.models = {"text": "loading", "speech": "loading"}
        self.status: dict | None = None  # app.writing.model_status of the loaded text engine
        runner.model_loaded.connect(self.loaded)
        runner.finished.connect(self._finished)
        self.refresh()

    @Slot(str, str)
    def loaded(self, kind: str, name: str) -> None:
        self.models[kind] = name
        self.refresh()

    @Slot(object)
    def _finished(self, op) -> None:
        if op.lane == "text":  # the model may just have written, and been timed
            self.refresh()

    def refresh(self) -> None:
        text, engine = self.models["text"], self.runner.engines.loaded("text")
        if engine is not None and text != "loading":
            mode = self.status["mode"] if self.status else None
            try:
                self.status = model_status(engine)
            except USER_ERRORS:  # the settings file went bad meanwhile: say what is known
                self.status = None
            if self.status:
                text = f"{self.status['name']} · {self.status['mode']} · {speed_text(self.status)}"
                if self.status["mode"] != mode:
                    self.mode_changed.emit(self.status["mode"])
        self.setText(f"Text: {text} · Speech: {self.models['speech']} · on this computer")
