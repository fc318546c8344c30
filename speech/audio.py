"""Audio files in, 16 kHz mono float32 out — the only form the transcriber takes.

Decoding goes through PyAV (faster-whisper's own dependency, with its own FFmpeg), so no
system ffmpeg is needed and every common format reads the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from speech.errors import SpeechError

SAMPLE_RATE = 16_000
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".aac", ".webm")


def is_audio(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


def decode(path: str | Path) -> np.ndarray:
    """The whole file as 16 kHz mono float32; a SpeechError if it is not usable audio."""
    path = Path(path)
    if not path.is_file():
        raise SpeechError(f"There is no audio file at {path}. Check the name and try again.")
    if path.stat().st_size == 0:
        raise SpeechError(f"{path.name} is empty (0 bytes). Choose the recording itself, not a placeholder.")
    _refuse_a_cut_off_wav(path)
    try:
        audio = _decode(path)
    except Exception as e:  # noqa: BLE001 — PyAV raises many types for a damaged file; all mean the same here
        raise SpeechError(
            f"{path.name} can't be read as audio ({type(e).__name__}: {e}). "
            "The file may be damaged or not really audio; try exporting it again as WAV or MP3."
        ) from None
    if audio.size == 0:
        raise SpeechError(f"{path.name} holds no sound. Check it plays, then import it again.")
    return np.ascontiguousarray(audio, dtype=np.float32)


GROUP = 16_384  # samples resampled per call


def _decode(path: Path) -> np.ndarray:
    """faster_whisper.audio.decode_audio's steps (PyAV: decode, skip bad frames, resample to 16 kHz
    mono s16) in small groups and without its closing gc.collect(). Why: PyAV holds Python's lock
    while it works, and faster-whisper resamples 500,000 samples at a time and then collects all
    garbage — each stalled the window for 60-90 ms while an import ran on a worker. The samples are
    the same (a test compares them with faster-whisper's)."""
    import av  # heavy import, only when decoding

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    fifo = av.audio.fifo.AudioFifo()
    pieces: list[np.ndarray] = []

    def resample(frame) -> None:
        for out in resampler.resample(frame):
            pieces.append(out.to_ndarray().reshape(-1))

    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        frames = container.decode(audio=0)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError:
                continue
            frame.pts = None  # as faster-whisper: no timestamp checks
            fifo.write(frame)
            while fifo.samples >= GROUP:
                resample(fifo.read(GROUP))
        if fifo.samples:
            resample(fifo.read())
        resample(None)  # flush
    pcm = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
    return pcm.astype(np.float32) / 32768.0


def _refuse_a_cut_off_wav(path: Path) -> None:
    """A WAV whose data chunk promises more than the file holds was cut off (a copy that did not
    finish): decoders read what is there without a word, so say so rather than keep half a story.
    A length of 0 or 0xFFFFFFFF means "unknown" (some recorders stream) and is accepted."""
    if path.suffix.lower() != ".wav":
        return
    import struct

    size = path.stat().st_size
    with open(path, "rb") as f:
        if f.read(12)[8:12] != b"WAVE":
            return
        offset = 12
        while offset + 8 <= size:
            f.seek(offset)
            chunk, length = struct.unpack("<4sI", f.read(8))
            if chunk == b"data":
                if length not in (0, 0xFFFFFFFF) and offset + 8 + length > size + 1:  # one pad byte is allowed
                    held = max(size - offset - 8, 0)
                    raise SpeechError(
                        f"{path.name} is cut off: it holds {held:,} of the {length:,} bytes of sound its "
                        "header promises. Import a complete copy of the recording."
                    )
                return
            offset += 8 + length + (length & 1)


def duration(audio: np.ndarray) -> float:
    return round(len(audio) / SAMPLE_RATE, 3)
