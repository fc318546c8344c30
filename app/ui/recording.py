"""Recording a memory and dictating at the cursor, with a device picker and a level meter.

A recording is an app.recording_session.RecordingSession, the same service the CLI
drives; a dictation is an app.listening.Listening that keeps what it hears (the one way to the
microphone, which the rehearsals panel and the teleprompter use as well, with the device chosen
here: `microphone`). The microphone is read on the GUI thread (each block is only written and
converted); the live transcript runs on its own thread, and the final pass on the
speech lane of the operation runner.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from app import speaking, vocabulary
from app.errors import USER_ERRORS, FondlyError
from app.listening import Listening
from app.microphone import inputs
from app.recording_session import RecordingSession
from app.store import Project, Store
from app.ui.operations import OperationRunner


class RecordingPanel(QWidget):
    """Record, Pause, Stop; which microphone; how loud; how long."""

    started = Signal(int)  # memory id
    stopping = Signal(int)  # memory id: the final pass has begun
    finished = Signal(int)  # memory id: ready (or failed, with its error stored on it)
    live_segment = Signal(int, str)  # memory id, text: emitted from the live transcript's thread
    dictated = Signal(str)  # the words a dictation heard ("" if none)
    dictation_failed = Signal(str)  # a dictation's words could not be heard: why (also said as an error)
    error = Signal(str)

    def __init__(self, store: Store, runner: OperationRunner) -> None:
        super().__init__()
        self.store, self.runner = store, runner
        self.project: Project | None = None
        self.session: RecordingSession | None = None  # a memory being recorded
        self.dictation: Listening | None = None  # or words being dictated
        self.devices = QComboBox(toolTip="Which microphone to record from")  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.devices.setAccessibleName("Microphone")
        self.record_btn = QPushButton("Record", toolTip="Record a spoken memory (Ctrl+R)")  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.record_btn.clicked.connect(self.toggle_record)
        self.pause_btn = QPushButton("Pause", enabled=False)  # type: ignore[call-overload]  # stubs lack inherited property kwargs
        self.pause_btn.clicked.connect(self.toggle_pause)
        self.meter = QProgressBar(maximum=100, textVisible=False, maximumHeight=8)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
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
        self.devices.setEnabled(bool(found) and not self.busy)

    @property
    def microphone(self) -> str | None:
        """The microphone chosen here (None: the system's default), for every use of it."""
        return self.devices.currentText() if self.devices.isEnabled() else None

    @property
    def busy(self) -> bool:
        return self.session is not None or self.dictation is not None

    def _watch(self, device: RecordingSession | Listening) -> None:
        device.level.connect(self._show_level)
        device.failed.connect(self._device_failed)

    @Slot(float)
    def _show_level(self, level: float) -> None:
        self.meter.setValue(int(level * 100))

    def _transcriber(self):
        transcriber = self.runner.engines.loaded("speech")
        if transcriber is None:
            raise FondlyError("The speech model is still loading; try again in a moment.")
        return transcriber

    # --- recording a memory -------------------------------------------------------------------

    def toggle_record(self) -> None:
        if self.session is not None:
            self.stop()
        elif not self.busy:
            self.start()

    def start(self) -> None:
        if self.project is None:
            self.error.emit("Start a speech first: File → New speech (Ctrl+N).")
            return
        try:
            session = RecordingSession(
                self.store,
                self.project,
                self._transcriber(),
                device=self.microphone,
                on_segment=lambda memory_id, seg: self.live_segment.emit(memory_id, seg.text),
            )
            memory = session.start()
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.session = session
        self._watch(session)
        self._running("Stop")
        self.started.emit(memory.id)

    def stop(self) -> None:
        """Stop the microphone now; the final pass over the whole recording runs on the speech lane."""
        if self.session is None:
            return
        session, self.session = self.session, None
        memory_id = session.stop()
        self._idle()
        self.runner.run(
            lambda job: session.finish(job.store),
            lane="speech",
            on_done=lambda _memory: self.finished.emit(memory_id),
            on_failed=lambda message: self._final_pass_failed(memory_id, message),
        )
        self.stopping.emit(memory_id)

    def _final_pass_failed(self, memory_id: int, message: str) -> None:
        self.store.update_memory(memory_id, status="failed", error=message)
        self.finished.emit(memory_id)

    def close_recording(self) -> None:
        """The app is closing mid-recording or mid-dictation: keep what was recorded."""
        if self.dictation is not None:
            self.dictation.stop()
            self.dictation = None
        if self.session is not None:
            self.session.close_for_later()
            self.session = None

    def toggle_pause(self) -> None:
        if self.session is None:
            return
        if self.session.paused:
            self.session.resume()
            self.pause_btn.setText("Pause")
        else:
            self.session.pause()
            self.pause_btn.setText("Resume")

    # --- dictation ---------------------------------------------------------------------------

    def start_dictation(self) -> bool:
        if self.busy:
            return False
        try:
            self._transcriber()
            dictation = Listening(self.microphone, collect=True)
            dictation.start()
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return False
        self.dictation = dictation
        self._watch(dictation)
        self._running("Record", record_enabled=False)
        return True

    def stop_dictation(self) -> None:
        if self.dictation is None:
            return
        dictation, self.dictation = self.dictation, None
        dictation.stop()
        audio = dictation.audio()
        self._idle()
        hotwords = vocabulary.for_project(self.store, self.project)
        self.runner.run(
            lambda job: " ".join(s.text for s in job.transcriber().transcribe(audio, hotwords)),
            lane="speech",
            on_done=self.dictated.emit,
            on_failed=self._dictation_failed,
        )

    def _dictation_failed(self, message: str) -> None:
        """Said as an error, and told apart: whoever began the dictation stops waiting for its words."""
        self.dictation_failed.emit(message)
        self.error.emit(f"Dictation failed: {message}")

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
        device = self.session or self.dictation
        if device is not None:
            self.clock.setText(speaking.clock(device.seconds) + (" paused" if device.paused else ""))

    @Slot(str)
    def _device_failed(self, message: str) -> None:
        if self.dictation is not None:
            self.stop_dictation()
        else:
            self.stop()
        self.error.emit(message)
