"""The microphone, through Qt Multimedia (QtCore only: the CLI records without a window).

The device is opened in its own preferred format — many refuse 16 kHz — and every
block is written to the WAV at once, then converted to 16 kHz mono for the live
transcript. Pause and resume suspend the device; stop flushes and closes the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

# Qt Multimedia narrates its back-end search (PipeWire, VA-API…) on stderr: not for a person
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")

import sys

import numpy as np
from PySide6.QtCore import QIODevice, QObject, QTimer, Signal, Slot, qInstallMessageHandler
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource, QMediaDevices, QtAudio


def _without_audio_server_noise(mode, context, message: str) -> None:
    """With no audio server, Qt says "PulseAudioService: pa_context_connect() failed" in its default
    category, which the rule above can't reach; Fondly says it plainly instead ("can't find a
    microphone"). Every other message goes on as before."""
    if message.startswith("PulseAudioService:"):
        return
    if _previous_handler is not None:
        _previous_handler(mode, context, message)
    else:
        sys.stderr.write(message + "\n")


_previous_handler = qInstallMessageHandler(_without_audio_server_noise)

from app.errors import FondlyError
from speech import pcm
from speech.wavfile import WavWriter

_FORMATS = {
    QAudioFormat.SampleFormat.UInt8: "uint8",
    QAudioFormat.SampleFormat.Int16: "int16",
    QAudioFormat.SampleFormat.Int32: "int32",
    QAudioFormat.SampleFormat.Float: "float32",
}

NO_MICROPHONE = (
    "Fondly can't find a microphone. Plug one in (or allow Fondly to use it in your system's "
    "privacy settings), then try again. You can still import recordings and type memories."
)


def inputs() -> list[QAudioDevice]:
    return list(QMediaDevices.audioInputs())


def find_input(name: str | None = None) -> QAudioDevice:
    """The named input (by description or id, or part of one), else the default; or a clear error."""
    devices = inputs()
    if not devices:
        raise FondlyError(NO_MICROPHONE)
    if not name:
        default = QMediaDevices.defaultAudioInput()
        return default if not default.isNull() else devices[0]
    wanted = name.lower()
    for d in devices:
        if wanted in (d.description().lower(), bytes(d.id().data()).decode(errors="replace").lower()):
            return d
    for d in devices:
        if wanted in d.description().lower():
            return d
    names = "; ".join(d.description() for d in devices)
    raise FondlyError(f"There is no microphone called {name!r}. Available: {names}.")


class Recorder(QObject):
    """Records one device into a WAV file, handing 16 kHz mono blocks to `sink`."""

    level = Signal(float)  # 0..1, for a meter
    failed = Signal(str)

    def __init__(self, device: QAudioDevice, wav_path: Path | None, sink: Callable[[np.ndarray], None]):
        super().__init__()
        fmt = device.preferredFormat()
        if fmt.sampleFormat() not in _FORMATS or fmt.channelCount() < 1 or fmt.sampleRate() < 8000:
            fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        self.device, self.format = device, fmt
        self.sample_format = _FORMATS[fmt.sampleFormat()]
        self.channels, self.rate = fmt.channelCount(), fmt.sampleRate()
        self.sink = sink
        self.wav = WavWriter(wav_path, self.rate, self.channels) if wav_path else None
        self.resampler = pcm.Resampler(self.rate, self.channels)
        self.source = QAudioSource(device, fmt, self)
        # four seconds of slack, so a busy moment on the GUI thread loses no audio (with one second, a
        # loaded machine — load 6 on 2 cores — lost 5 s of every 30 from the virtual microphone)
        self.source.setBufferSize(4 * self.rate * self.channels * fmt.bytesPerSample())
        self._io: QIODevice | None = None
        self.seconds = 0.0
        self._watch = QTimer(self, interval=500)
        self._watch.timeout.connect(self._check)

    def start(self) -> None:
        self._io = self.source.start()
        if self._io is None or self.source.error() != QtAudio.Error.NoError:
            self.close()
            raise FondlyError(
                f"Fondly could not open the microphone {self.device.description()!r}. Check it "
                "is plugged in and not in use by another app, or choose another microphone."
            )
        self._io.readyRead.connect(self._read)
        self._watch.start()

    def _check(self) -> None:
        """Polled: PySide6 cannot deliver stateChanged's QAudio::State argument to Python."""
        error = self.source.error()
        if error not in (QtAudio.Error.NoError, QtAudio.Error.UnderrunError):
            self._watch.stop()
            self.failed.emit(f"The microphone stopped working ({error.name}). What was recorded so far is kept.")

    @property
    def paused(self) -> bool:
        return self.source.state() == QtAudio.State.SuspendedState

    def pause(self) -> None:
        self._read()
        self.source.suspend()

    def resume(self) -> None:
        self.source.resume()

    @Slot()
    def _read(self) -> None:
        if self._io is None:
            return
        data = bytes(self._io.readAll().data())
        if not data:
            return
        samples = pcm.to_float(data, self.sample_format, self.channels)
        if self.wav:
            self.wav.write(pcm.to_int16(samples))
        self.seconds += len(samples) / self.rate
        self.level.emit(pcm.level(samples))
        self.sink(self.resampler(samples))

    def stop(self) -> None:
        """Take the last of the audio, close the file whole, and stop the device."""
        self._read()
        self._watch.stop()
        self.source.stop()
        self._io = None
        self.sink(self.resampler.flush())
        self.close()

    def close(self) -> None:
        if self.wav:
            self.wav.close()
