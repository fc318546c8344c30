"""Spoken memories: what happens around a recording, free of Qt so the CLI and GUI share it;
and the recovery of any audio whose process died before its transcript was finished.

A recording is a memory from its first moment (status "recording"), its WAV written
as it arrives, live segments stored as they come. Stopping runs a final pass over the
whole file, which replaces the live segments with better ones. Imported audio is copied
into the data folder before it is transcribed. Whoever works on a memory's audio leaves
an owner file (its pid) beside it; a memory left "recording" or "transcribing" by a
process that is gone is found on the next start (or by `fondly memory recover`) and
transcribed again from the stored audio — a memory is never stuck.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from app import final_pass, vocabulary
from app.paths import audio_dir, open_private, process_alive
from app.store import Memory, Project, Store
from speech import audio as speech_audio
from speech import wavfile
from speech.transcriber import Transcriber


def _owner_file(wav: Path) -> Path:
    return wav.with_suffix(".owner")


def claim(audio: str | Path | None) -> None:
    """Mark the audio as being worked on by this process (until `release`, or its death)."""
    if audio:
        with open_private(_owner_file(Path(audio)), "w") as f:
            f.write(str(os.getpid()))


def release(audio: str | Path | None) -> None:
    if audio:
        _owner_file(Path(audio)).unlink(missing_ok=True)


def begin(store: Store, project: Project, title: str | None = None, question: str | None = None) -> tuple[Memory, Path]:
    """A new voice memory, status "recording", and the WAV path its audio goes to; `question` is the
    id of the question it answers (the interview), linked from its first moment."""
    title = title or datetime.now().strftime("Recording %Y-%m-%d %H:%M")
    memory = store.add_memory(project.id, "voice", title, status="recording", question=question)
    wav = audio_dir() / f"memory-{memory.id}.wav"
    claim(wav)
    return store.update_memory(memory.id, audio_path=str(wav)), wav


def finish(store: Store, memory_id: int, transcriber: Transcriber, hotwords: list[str]) -> Memory:
    """The final pass: transcribe the whole recording with full context; mark it ready. `hotwords`
    must be the vocabulary the live transcript heard with (app.vocabulary), and the stored
    transcript is never worse than the live one: where the final pass lost what the live
    transcript heard, the live segments stay (app.final_pass)."""
    memory = store.memory(memory_id)
    assert memory.audio_path is not None  # a stopped recording, or one `recover` found the file of
    wav = Path(memory.audio_path)
    duration = wavfile.repair(wav)
    try:
        audio = speech_audio.decode(wav)
    except Exception:  # noqa: BLE001 — the final pass only improves: if decoding fails, the live transcript stays
        audio = None
    if audio is None or duration < 0.1:
        memory = store.update_memory(memory_id, status="ready", duration=round(duration, 3))
    else:
        segments: list[final_pass.Seg] = [
            (s.start, s.end, s.text, s.confidence) for s in transcriber.transcribe(audio, hotwords)
        ]
        live = [(s.start, s.end, s.text, s.confidence) for s in store.segments(memory_id)]
        segments, _kept = final_pass.merge(live, segments, hotwords)
        if segments == live:  # the final pass heard nothing better: the live transcript stays as it is
            memory = store.update_memory(memory_id, status="ready", duration=speech_audio.duration(audio))
        else:
            memory = store.replace_segments(
                memory_id, segments, status="ready", duration=speech_audio.duration(audio), error=None
            )
    _owner_file(wav).unlink(missing_ok=True)
    return memory


def abandon(store: Store, memory_id: int, wav: Path) -> None:
    """A recording whose microphone never opened: it held nothing, so it leaves no trace."""
    store.delete_memory(memory_id)
    wav.unlink(missing_ok=True)
    _owner_file(wav).unlink(missing_ok=True)


def leave_for_later(store: Store, memory_id: int) -> Memory:
    """Stopped but not yet given its final pass (the app is closing): the next start does it."""
    memory = store.update_memory(memory_id, status="transcribing")
    assert memory.audio_path is not None  # a recording has its file from the start (`begin`)
    _owner_file(Path(memory.audio_path)).unlink(missing_ok=True)
    return memory


def unfinished(store: Store) -> list[Memory]:
    """Recordings and imports left "recording" or "transcribing" by a process that is gone
    (killed, crashed, power cut)."""
    found = []
    for memory in store.unfinished_audio():
        if not memory.audio_path:  # cut off before its audio reached the data folder: recover says so
            found.append(memory)
            continue
        wav = Path(memory.audio_path)
        owner = _owner_file(wav)
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            pid = 0
        if pid and pid != os.getpid() and process_alive(pid):
            continue  # still being recorded by another Fondly
        found.append(memory)
    return found


def recover(store: Store, memory: Memory, transcriber: Transcriber) -> Memory:
    """Transcribe again what was cut off: a recording (repaired first, and said so in its title)
    or an imported file (from the copy in the data folder)."""
    wav = Path(memory.audio_path or "")
    if not wav.is_file():
        what = "recording" if memory.kind == "voice" else "import"
        return store.update_memory(
            memory.id,
            status="failed",
            error=f"The {what} was interrupted before its audio reached Fondly's data folder; please add it again.",
        )
    project = store.project(memory.project_id)
    hotwords = vocabulary.for_project(store, project, leave_out=memory.id)
    if memory.kind == "audio":
        return _transcribe_again(store, memory, transcriber, hotwords)
    if memory.status == "recording" and not memory.title.endswith("(recovered)"):  # it was cut off
        store.update_memory(memory.id, title=f"{memory.title} (recovered)")
    return finish(store, memory.id, transcriber, hotwords)


def _transcribe_again(store: Store, memory: Memory, transcriber: Transcriber, hotwords: list[str]) -> Memory:
    """An import cut off part-way: its whole transcript again, replacing the part that was stored."""
    assert memory.audio_path is not None  # `recover` found its file
    claim(memory.audio_path)
    try:
        audio = speech_audio.decode(memory.audio_path)
        segments = [(s.start, s.end, s.text, s.confidence) for s in transcriber.transcribe(audio, hotwords)]
        return store.replace_segments(
            memory.id, segments, status="ready", duration=speech_audio.duration(audio), error=None
        )
    finally:
        release(memory.audio_path)
