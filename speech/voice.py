"""Where a recording has a voice in it, decided from the audio itself, not from what Whisper wrote.

Why: Whisper writes words where nobody spoke. On silence or room noise it invents text, often a
loop ("she was my gran she was my gran she was"), and with its VAD filter on a hallucination in
the zero padding after the last piece of speech is timed back into the silence that follows it.
A rehearsal report that counted those words would say the speaker added a passage during 18 s of
silence (issue 25). So the words are checked against the audio: the voiced spans come from the
Silero VAD model faster-whisper ships (`faster_whisper.vad`), run again here with tighter
settings than the transcriber's own pass (which keeps silences under 2 s inside a piece and pads
each piece by 0.4 s, so Whisper hears whole sentences): a silence of 0.3 s is a gap, and each span
is padded by 0.3 s, the most a word's time is off near a silence once app.rehearsal.timed_words
has cut it back. When the VAD cannot run (no onnxruntime), an energy gate stands in: frames
clearly louder than the recording's quietest tenth.

Qt-free; numpy only, faster-whisper imported when called.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from speech.audio import SAMPLE_RATE

MIN_SILENCE_MS = 300  # a quieter stretch at least this long separates two voiced spans
PAD_MS = 300  # added either side of each voiced span: how far off a word's time may be
FRAME = 0.03  # seconds per frame of the energy gate
ABOVE_FLOOR = 4.0  # a voiced frame's RMS is this many times the quietest tenth's (+12 dB)...
QUIETEST_VOICE = 10 ** (-50 / 20)  # ...and at least -50 dBFS, so digital silence is never voice
DIGITAL_SILENCE = 10 ** (-90 / 20)  # frames this quiet are not the room's noise floor, but no signal at all

Span = tuple[float, float]


def voiced_spans(samples: np.ndarray, rate: int = SAMPLE_RATE) -> list[Span]:
    """(start, end) seconds of the stretches with a voice in them, in order, not overlapping."""
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    if samples.size == 0:
        return []
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        found = get_speech_timestamps(
            samples, VadOptions(min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=PAD_MS), sampling_rate=rate
        )
        spans = [(c["start"] / rate, c["end"] / rate) for c in found]
    except (ImportError, RuntimeError):  # faster-whisper's VAD wants onnxruntime
        spans = energy_spans(samples, rate)
    return _merged(spans)


def energy_spans(samples: np.ndarray, rate: int = SAMPLE_RATE) -> list[Span]:
    """The energy gate: frames whose RMS is ABOVE_FLOOR times the quietest tenth's (of the frames
    with any signal) and above QUIETEST_VOICE, joined across gaps under MIN_SILENCE_MS and padded
    by PAD_MS. Coarser than the VAD (a fan louder than the pauses counts as voice), so only its
    stand-in."""
    step = max(1, int(FRAME * rate))
    n = samples.size // step
    if n == 0:
        return []
    rms = np.sqrt(np.mean(np.square(samples[: n * step].reshape(n, step), dtype=np.float64), axis=1))
    sound = rms[rms > DIGITAL_SILENCE]  # a floor of exact zeros (a pasted gap) would make any hiss voice
    floor = float(np.percentile(sound, 10)) if sound.size else 0.0
    loud = rms > max(ABOVE_FLOOR * floor, QUIETEST_VOICE)
    spans: list[Span] = []
    pad, gap = PAD_MS / 1000, MIN_SILENCE_MS / 1000
    for k in np.flatnonzero(loud):
        start, end = k * step / rate, (k + 1) * step / rate
        if spans and start - spans[-1][1] < gap:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    length = samples.size / rate
    return [(max(0.0, s - pad), min(length, e + pad)) for s, e in spans]


def voiced_share(spans: Sequence[Span], start: float, end: float) -> float:
    """0..1: how much of [start, end] lies in voiced spans (for an instant, 1 or 0)."""
    if end <= start:
        return 1.0 if any(s <= start <= e for s, e in spans) else 0.0
    inside = sum(max(0.0, min(end, e) - max(start, s)) for s, e in spans)
    return min(1.0, inside / (end - start))


def _merged(spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return [(round(s, 3), round(e, 3)) for s, e in out]
