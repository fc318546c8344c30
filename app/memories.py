"""Turning files into memories: read or decode everything first, then store, then transcribe.

Every file is checked before anything is written, so a bad file in a batch leaves the
database as it was. Audio is copied into the data folder (the original may move) and
its transcript is stored segment by segment, so a crash keeps what was already heard.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from app import recordings, textfile, vocabulary
from app.errors import FondlyError
from app.paths import audio_dir, copy_private
from app.store import Memory, Project, Store
from speech import audio as speech_audio
from speech.transcriber import Segment


class Transcribes(Protocol):
    name: str

    def transcribe(
        self, audio: np.ndarray, hotwords: Iterable[str] = (), cancel: threading.Event | None = None
    ) -> Iterable[Segment]: ...


@dataclass
class Prepared:
    """A file that has been read and checked, ready to become a memory."""

    path: Path
    kind: str  # "text" or "audio"
    text: str = ""
    audio: np.ndarray | None = None


def prepare(path: str | Path) -> Prepared:
    """Read a text file or decode an audio file; raise a clear error for anything else."""
    path = Path(path).expanduser()
    if not path.exists():
        raise FondlyError(f"There is no file at {path}. Check the name and try again.")
    if path.is_dir():
        raise FondlyError(f"{path} is a folder; choose the files inside it.")
    if textfile.is_text(path):  # at most textfile.MAX_BYTES of it is ever read
        return Prepared(path, "text", text=textfile.read_text(path))
    if speech_audio.is_audio(path):
        return Prepared(path, "audio", audio=speech_audio.decode(path))
    kinds = ", ".join(textfile.TEXT_EXTENSIONS + speech_audio.AUDIO_EXTENSIONS)
    raise FondlyError(
        f"Fondly can't import {path.suffix + ' files' if path.suffix else 'files without an extension'} ({path.name}). "
        f"It reads text and audio: {kinds}. Save the memory in one of those and import it again."
    )


def _keep_audio(src: Path, memory_id: int) -> Path:
    """Copy the source audio into the data folder, whole or not at all: a copy cut short (a full
    disk) is removed, and one a kill left carries its pid for the next start to remove (app.recovery)."""
    dest = audio_dir() / f"memory-{memory_id}{src.suffix.lower()}"
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.part")
    try:
        copy_private(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def store_prepared(
    store: Store, project: Project, item: Prepared, title: str | None = None, question: str | None = None
) -> Memory:
    """Store a prepared file as a memory; audio is copied in and left "transcribing". `question`: the
    id of the question it answers (the interview)."""
    name = title or item.path.name
    if item.kind == "text":
        return store.add_memory(project.id, "text", name, text=item.text, source_path=str(item.path), question=question)
    assert item.audio is not None  # an audio file is prepared with its samples (prepare)
    memory = store.add_memory(
        project.id,
        "audio",
        name,
        source_path=str(item.path),
        status="transcribing",
        question=question,
        duration=speech_audio.duration(item.audio),
    )
    owner = audio_dir() / f"memory-{memory.id}.wav"  # its owner file, memory-ID.owner, says who copies it
    try:
        recordings.claim(owner)
        return store.update_memory(memory.id, audio_path=str(_keep_audio(item.path, memory.id)))
    except OSError as e:
        recordings.release(owner)
        store.update_memory(memory.id, status="failed", error=f"The audio could not be copied ({e.strerror}).")
        if e.errno == errno.ENOSPC:
            from app.database import disk_full

            raise disk_full(audio_dir(), f"{item.path.name} was not added") from None
        raise FondlyError(
            f"Fondly could not keep a copy of {item.path.name} in its data folder ({e.strerror})."
        ) from None


def add_files(
    store: Store,
    project: Project,
    paths: Iterable[str | Path],
    title: str | None = None,
    transcriber: Callable[[], Transcribes] | None = None,
    on_segment: Callable[[Memory, Segment], None] | None = None,
    cancel: threading.Event | None = None,
    question: str | None = None,
) -> list[Memory]:
    """Add each file as a memory of `project`; audio is transcribed with `transcriber()`.

    `transcriber` is a factory so the speech model loads only when there is audio. `question`: the
    id of the question the memory answers (one file only).
    """
    prepared = [prepare(p) for p in paths]
    if not prepared:
        raise FondlyError("Choose at least one file to import.")
    has_audio = any(p.kind == "audio" for p in prepared)
    if has_audio and transcriber is None:
        raise FondlyError("Audio needs a speech model to be transcribed, and none was given.")
    model = transcriber() if has_audio and transcriber is not None else None  # loads before anything is written
    memories = []
    for item in prepared:
        memory = store_prepared(store, project, item, title, question)
        if item.kind == "audio":
            assert item.audio is not None and model is not None  # prepared with its samples; loaded above
            memory = transcribe_memory(
                store, memory.id, item.audio, model, vocabulary.for_project(store, project), on_segment, cancel
            )
        memories.append(memory)
    return memories


def transcribe_memory(
    store: Store,
    memory_id: int,
    audio: np.ndarray,
    transcriber: Transcribes,
    hotwords: Iterable[str] = (),
    on_segment: Callable[[Memory, Segment], None] | None = None,
    cancel: threading.Event | None = None,
) -> Memory:
    """Transcribe into an existing memory, storing each segment the moment it arrives."""
    memory = store.update_memory(memory_id, status="transcribing", error=None)
    recordings.claim(memory.audio_path)  # if this process dies, the next start transcribes it again
    try:
        for idx, seg in enumerate(transcriber.transcribe(audio, hotwords=hotwords, cancel=cancel)):
            store.add_segment(memory_id, idx, seg.start, seg.end, seg.text, seg.confidence)
            if on_segment:
                on_segment(memory, seg)
    except BaseException as e:  # a Ctrl+C or a crash still leaves the segments stored so far
        store.update_memory(memory_id, status="failed", error=f"Transcription stopped: {e or type(e).__name__}")
        raise
    finally:
        recordings.release(memory.audio_path)
    if cancel is not None and cancel.is_set():
        return store.update_memory(memory_id, status="failed", error="Transcription was stopped before the end.")
    return store.update_memory(memory_id, status="ready")
