"""Microphone samples to what Whisper takes: 16 kHz mono float32, resampled as they stream in.

Many microphones refuse 16 kHz, so recording uses the device's own format and this
module converts. Resampling is libswresample's (through PyAV, which faster-whisper
already brings), fed block by block so its filter state carries across blocks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from speech.audio import SAMPLE_RATE

# sample format name -> numpy dtype and full scale
FORMATS: dict[str, tuple[DTypeLike, float]] = {
    "uint8": (np.uint8, 128.0),
    "int16": (np.dtype("<i2"), 32768.0),
    "int32": (np.dtype("<i4"), 2147483648.0),
    "float32": (np.dtype("<f4"), 1.0),
}


def to_float(data: bytes, sample_format: str, channels: int) -> np.ndarray:
    """Interleaved PCM bytes as float32 samples in [-1, 1], shape (frames, channels)."""
    dtype, scale = FORMATS[sample_format]
    width = np.dtype(dtype).itemsize * channels
    usable = len(data) - len(data) % width
    samples = np.frombuffer(data[:usable], dtype=dtype)
    if sample_format == "uint8":
        out = (samples.astype(np.float32) - 128.0) / scale
    elif sample_format == "float32":
        out = samples.astype(np.float32, copy=True)
    else:
        out = samples.astype(np.float32) / scale
    return np.clip(out, -1.0, 1.0).reshape(-1, channels)


def to_int16(samples: np.ndarray) -> bytes:
    """Float samples (any shape, interleaved order) as 16-bit PCM bytes."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def level(samples: np.ndarray) -> float:
    """Loudness 0..1 for a level meter (RMS on a rough dB scale from -60 dB)."""
    if samples.size == 0:
        return 0.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    if rms <= 1e-6:
        return 0.0
    return float(np.clip((20 * np.log10(rms) + 60) / 60, 0.0, 1.0))


class Resampler:
    """Streams (frames, channels) float32 at any rate into 16 kHz mono float32."""

    def __init__(self, rate: int, channels: int):
        import av

        self.rate, self.channels = rate, channels
        self._av = av
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        if samples.size == 0:
            return np.zeros(0, np.float32)
        mono = samples.mean(axis=1) if samples.ndim == 2 else samples  # an average never clips
        frame = self._av.AudioFrame.from_ndarray(
            np.ascontiguousarray(mono, dtype=np.float32).reshape(1, -1), format="flt", layout="mono"
        )
        frame.sample_rate = self.rate
        return self._collect(self._resampler.resample(frame))

    def flush(self) -> np.ndarray:
        return self._collect(self._resampler.resample(None))

    @staticmethod
    def _collect(frames) -> np.ndarray:
        parts = [f.to_ndarray().reshape(-1) for f in frames]
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
