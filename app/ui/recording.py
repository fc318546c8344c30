"""Recording a memory and dictating at the cursor, with a device picker and a level meter.

The microphone is read on the GUI thread (each block is only written and converted);
the live transcript runs on its own thread, and the final pass on the speech worker.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from app import recordings, speaking
from app.errors import USER_ERRORS, FondlyError
from app.recorder import Recorder, find_input, inputs
from app.store import Project, Store
from app.ui.workers import SpeechWorker


class RecordingPanel(QWidget):
    """Record, Pause, Stop; which microphone; how loud; how long."""

    started = Signal(int)  # memory id
    stopping = Signal(int)  # memory id: the final pass has been asked for
    error = Signal(str)
    request_finish = Signal(int, object, object)
    request_dictate = Signal(object, object)

    def __init__(self, store: Store, worker: SpeechWorker) -> None:
        super().__init__()
        self.store, self.worker = store, worker
        self.project: Project | None = None
        self.recorder: Recorder | None = None
        self.memory_id: int | None = None
        self.live = None
        self.dictation: list[np.ndarray] | None = None
        self.request_finish.connect(worker.finish_recording)
        self.request_dictate.connect(worker.dictate)

        self.devices = QComboBox(toolTip="Which microphone to record from")
        self.devices.setAccessibleName("Microphone")
        self.record_btn = QPushButton("Record", toolTip="Record a spoken memory (Ctrl+R)")
        self.record_btn.clicked.connect(self.toggle_record)
        self.pause_btn = QPushButton("Pause", enabled=False)
        self.pause_btn.clicked.connect(self.toggle_pause)
        self.meter = QProgressBar(maximum=100, textVisible=False, maximumHeight=8)
        self.meter.setAccessibleName("Input level")
        self.clock = QLabel("")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.devices, 0, 0, 1, 3)
        grid.addWidget(self.record_btn, 1, 0)
        grid.addWidget(self.pause_btn, 1, 1)
        grid.addWidget(self.clock, 1, 2)
        grid.addWidget(self.meter, 2, 0, 1, 3)
        self._tick = QTimer(self, interval=250)
        self._tick.timeout.connect(self._show_time)
        self._media = QMediaDevices(self)
        self._media.audioInputsChanged.connect(self.refresh_devices)
        self.refresh_devices()

    @Slot()
    def refresh_devices(self) -> None:
        current = self.devices.currentText()
        self.devices.clear()
        found = inputs()
        for d in found:
            self.devices.addItem(d.description())
        if not found:
            self.devices.addItem("No microphone found")
        index = self.devices.findText(current)
        self.devices.setCurrentIndex(max(index, 0))
        self.devices.setEnabled(bool(found) and self.recorder is None)

    @property
    def busy(self) -> bool:
        return self.recorder is not None

    def _open(self, sink, wav) -> Recorder:
        device = find_input(self.devices.currentText() if self.devices.isEnabled() else None)
        recorder = Recorder(device, wav, sink)
        recorder.level.connect(lambda v: self.meter.setValue(int(v * 100)))
        recorder.failed.connect(self._device_failed)
        return recorder

    def _need_model(self) -> None:
        if self.worker.transcriber is None:
            raise FondlyError("The speech model is still loading; try again in a moment.")

    # --- recording a memory -------------------------------------------------------------------

    def toggle_record(self) -> None:
        if self.recorder is not None and self.dictation is None:
            self.stop()
        elif self.recorder is None:
            self.start()

    def start(self) -> None:
        if self.project is None:
            self.error.emit("Start a speech first: File → New speech (Ctrl+N).")
            return
        try:
            self._need_model()
            find_input(self.devices.currentText() if self.devices.isEnabled() else None)  # before storing
            memory, wav = recordings.begin(self.store, self.project)
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.memory_id = memory.id
        self.live = self.worker.live(memory.id, self.project.hotwords)
        try:
            self.recorder = self._open(self.live.feed, wav)
            self.recorder.start()
        except USER_ERRORS as e:
            self.live.finish()
            self.live.store.close()
            recordings.abandon(self.store, memory.id, wav)
            self.recorder, self.memory_id, self.live = None, None, None
            self.error.emit(str(e))
            return
        self._running("Stop")
        self.started.emit(memory.id)

    def stop(self) -> None:
        if self.recorder is None or self.memory_id is None:
            return
        self._release()
        memory_id, live = self.memory_id, self.live
        self.memory_id, self.live = None, None
        self._idle()
        self.request_finish.emit(memory_id, live, list(self.project.hotwords if self.project else []))
        self.stopping.emit(memory_id)

    def close_recording(self) -> None:
        """The app is closing mid-recording: keep the audio and the live transcript now, and
        leave the final pass to the next start (it would hold the window open for minutes)."""
        if self.dictation is not None:
            self._release()
            self.dictation = None
        if self.recorder is None or self.memory_id is None:
            return
        self._release()
        self.live.finish()
        self.live.store.close()
        recordings.leave_for_later(self.store, self.memory_id)
        self.memory_id, self.live = None, None

    def _release(self) -> None:
        """Stop the device and let Qt delete it here, on the GUI thread, where it was made."""
        self.recorder.stop()
        self.recorder.deleteLater()
        self.recorder = None

    def toggle_pause(self) -> None:
        if self.recorder is None:
            return
        if self.recorder.paused:
            self.recorder.resume()
            self.pause_btn.setText("Pause")
        else:
            self.recorder.pause()
            self.pause_btn.setText("Resume")

    # --- dictation ---------------------------------------------------------------------------

    def start_dictation(self) -> bool:
        if self.recorder is not None:
            return False
        try:
            self._need_model()
            self.dictation = []
            self.recorder = self._open(self.dictation.append, None)
            self.recorder.start()
        except USER_ERRORS as e:
            self.recorder, self.dictation = None, None
            self.error.emit(str(e))
            return False
        self._running("Record", record_enabled=False)
        return True

    def stop_dictation(self) -> None:
        if self.recorder is None or self.dictation is None:
            return
        self._release()
        audio = np.concatenate(self.dictation) if self.dictation else np.zeros(0, np.float32)
        self.dictation = None
        self._idle()
        self.request_dictate.emit(audio, list(self.project.hotwords if self.project else []))

    # --- state -------------------------------------------------------------------------------

    def _running(self, record_text: str, record_enabled: bool = True) -> None:
        self.record_btn.setText(record_text)
        self.record_btn.setEnabled(record_enabled)
        self.pause_btn.setEnabled(record_enabled)
        self.devices.setEnabled(False)
        self._tick.start()

    def _idle(self) -> None:
        self.record_btn.setText("Record")
        self.record_btn.setEnabled(True)
        self.pause_btn.setText("Pause")
        self.pause_btn.setEnabled(False)
        self.meter.setValue(0)
        self.clock.setText("")
        self._tick.stop()
        self.refresh_devices()

    def _show_time(self) -> None:
        if self.recorder is not None:
            self.clock.setText(speaking.clock(self.recorder.seconds) + (" paused" if self.recorder.paused else ""))

    @Slot(str)
    def _device_failed(self, message: str) -> None:
        if self.dictation is not None:
            self.stop_dictation()
        else:
            self.stop()
        self.error.emit(message)
