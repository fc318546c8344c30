"""The process's heap: how glibc's allocator is told to behave in a long-running Fondly.

Why this exists: a 30-minute import peaks about 2 GB above idle (Whisper's features for the
whole file), and glibc's defaults turned that into a desktop app that stayed hundreds of MB
larger after an import and grew with each long one. Two settings fix it, both measured in
tests/bench/test_app_paths.py (three repeated 30-minute imports):

- `cap_mmap_threshold`: glibc raises its mmap threshold each time a large mmapped block is freed
  (up to 32 MB), after which every buffer Whisper and CTranslate2 make per 30-second window
  (1–4 MB) lands in the heap, between small long-lived objects, and the heap fragments. Resident
  size after each of three imports: 509, 529, 530 MB in one run and 512, 562, 582 MB in another;
  with the threshold held at 4 MB: 491, 491, 492 MB. Held at 1 MB it was as flat but transcribed
  1.5–2× slower (a fresh mapping for every decoder step). Setting the threshold also pins the
  trim threshold at 128 KB, which alone cost ~10 % (2 min of speech: 11.4 vs 10.3 s): the top of
  the heap was given back and taken again all the time. So the trim threshold is raised to 64 MB
  — the runner trims after every operation anyway — and transcription is within ~4 % of the
  default (interleaved runs of 2 min of speech: 10.7, 10.8, 11.6 s against 10.3, 10.3, 11.5 s).
- `give_back_freed_memory` (malloc_trim) after an operation: without it the freed heap stays
  resident (762 MB after an import instead of 512 MB).

Not glibc (macOS, musl): both do nothing; those allocators behave differently.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD = 4 * 1024 * 1024
TRIM_THRESHOLD = 64 * 1024 * 1024


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018 — musl's libc has neither
        return libc
    except (OSError, AttributeError):
        return None


def cap_mmap_threshold(size: int = MMAP_THRESHOLD) -> bool:
    """Hold the mmap threshold at `size` (setting it also turns glibc's raising of it off), so
    buffers above it are mapped and unmapped whole instead of fragmenting the heap. Call once,
    early, in a process that will transcribe long audio. The trim threshold goes up with it (see
    the module's note on speed). True when it took effect."""
    libc = _glibc()
    return bool(
        libc and libc.mallopt(M_MMAP_THRESHOLD, size) == 1 and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    )


def give_back_freed_memory() -> None:
    """Hand the memory an operation freed back to the system (glibc's malloc_trim): glibc keeps
    freed heap for reuse, and after a long import that is hundreds of MB of nothing."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
