"""A WAV file written as the audio arrives, so a crash keeps everything recorded so far.

Every block goes to the OS as it arrives (a killed process loses nothing), and at least
once a second the header's two length fields are rewritten and the file fsynced onto the
disk (a power cut loses at most the last second); `repair` sets the lengths from the
file's real size after either. Samples
are 16-bit PCM at the device's own rate and channel count: every tool reads that.
"""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path

HEADER_BYTES = 44


def _header(rate: int, channels: int, data_bytes: int) -> bytes:
    block = channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


class WavWriter:
    """Appends 16-bit PCM to `path`; `close()` leaves a complete, standard WAV."""

    def __init__(self, path: str | Path, rate: int, channels: int, header_every: float = 1.0):
        self.path = Path(path)
        self.rate, self.channels = rate, channels
        self.data_bytes = 0
        # private from its first byte (0600), as every file in Fondly's data folder
        self._f = os.fdopen(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        self._f.write(_header(rate, channels, 0))
        self._f.flush()
        os.fsync(self._f.fileno())
        _fsync_folder(self.path.parent)  # the file's name is on the disk too, not only its bytes
        self._header_every = header_every
        self.sync_seconds = 0.0  # time spent in fsync, for the benchmark
        self._last_header = time.monotonic()

    @property
    def seconds(self) -> float:
        return self.data_bytes / (self.rate * self.channels * 2)

    def write(self, pcm16: bytes) -> None:
        self._f.write(pcm16)
        self._f.flush()  # into the OS: survives a killed process
        self.data_bytes += len(pcm16)
        if time.monotonic() - self._last_header >= self._header_every:
            self._write_header()

    def _write_header(self) -> None:
        self._f.seek(0)
        self._f.write(_header(self.rate, self.channels, self.data_bytes))
        self._f.seek(0, os.SEEK_END)
        self._f.flush()
        started = time.monotonic()
        os.fsync(self._f.fileno())  # and onto the disk, at least once a second
        self._last_header = time.monotonic()
        self.sync_seconds += self._last_header - started

    def close(self) -> None:
        if self._f.closed:
            return
        self._write_header()
        self._f.close()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse to sync a folder; the file itself is synced
    finally:
        os.close(fd)


def repair(path: str | Path) -> float:
    """Make an interrupted recording a valid WAV again; return its length in seconds."""
    path = Path(path)
    with open(path, "r+b") as f:
        head = f.read(HEADER_BYTES)
        if len(head) < HEADER_BYTES or head[:4] != b"RIFF" or head[8:12] != b"WAVE" or head[36:40] != b"data":
            raise ValueError(f"{path.name} is not a recording Fondly started")
        channels, rate = struct.unpack("<HI", head[22:28])
        block = channels * 2
        size = path.stat().st_size
        data_bytes = (size - HEADER_BYTES) // block * block
        f.truncate(HEADER_BYTES + data_bytes)  # drop a half-written last frame
        f.seek(0)
        f.write(_header(rate, channels, data_bytes))
        f.flush()
        os.fsync(f.fileno())
    return data_bytes / (rate * block)
