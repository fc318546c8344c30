"""After a kill: what a process that died left unfinished, found and settled on the next start.

Whoever works on something that may be cut off leaves its pid on it (an owner file beside
audio, the "writing" mark on a revision); work whose owner is gone is taken up again
(audio: app.recordings.recover) or marked for the person to see (a draft: interrupted,
with every paragraph finished before the kill).

A full disk cuts work off the same way without a kill: a copy half-written, a memory stored
"transcribing" whose audio never arrived and whose "failed" could not be written either.
`settle_at_start` clears those up on the next start (`leftovers`, `stranded`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from app.paths import process_alive
from app.store import BIN_DAYS, Memory, Revision, Store

INTERRUPTED = "Interrupted: Fondly stopped while writing this; the paragraphs finished before are kept."


def settle_interrupted(store: Store) -> list[Revision]:
    """Revisions left "writing" by a process that is gone (killed, crashed, power cut): they keep
    every paragraph stored, and are marked interrupted so the person sees what happened."""
    settled = []
    for seen in store.revisions_being_written():
        # looked at again under the write lock: its writer may have finished it (and ended) since
        # the list was read, and marking that stale copy interrupted would undo the finished draft
        with store.db.atomic():
            revision = store.revision(seen.id)
            pid = revision.checks.get("writing")
            if pid is None:
                continue  # finished meanwhile
            if isinstance(pid, int) and pid != os.getpid() and process_alive(pid):
                continue  # still being written by another Fondly
            checks = {k: v for k, v in revision.checks.items() if k != "writing"}
            checks["interrupted"] = True
            settled.append(
                store.update_revision(revision.id, revision.text, provenance=revision.provenance, checks=checks)
            )
    return settled


STRANDED = (
    "The import was cut off before its audio reached Fondly's data folder (was the disk full?); please add it again."
)
# what Fondly writes under a temporary name: an audio copy (memory-61.flac.1234.part), settings (settings.1234.tmp)
_TEMPORARY = re.compile(r"^(?:memory-\d+\.\w+|settings|ui)\.(\d+)\.(?:part|tmp)$")


def leftovers(home: Path) -> list[Path]:
    """Remove the temporary files of processes that are gone (a copy a full disk cut short, or a kill):
    each carries its writer's pid in its name. Returns what went."""
    removed = []
    for folder in (home, home / "audio"):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            found = _TEMPORARY.match(entry.name)
            if not found or (int(found.group(1)) != os.getpid() and process_alive(int(found.group(1)))):
                continue
            try:
                entry.unlink()
                removed.append(entry)
            except OSError:
                pass
    return removed


def stranded(store: Store) -> list[Memory]:
    """Imports left "transcribing" with no audio in the data folder and no live process working on
    them (their owner file, memory-ID.owner, names who): there is nothing to transcribe, so they are
    marked failed with the reason, never left "transcribing"."""
    from app.paths import data_dir

    settled = []
    for memory in store.unfinished_audio():
        if memory.audio_path:
            continue  # its audio is here: app.recordings.recover transcribes it again
        owner = data_dir() / "audio" / f"memory-{memory.id}.owner"
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            pid = 0
        if pid and pid != os.getpid() and process_alive(pid):
            continue
        owner.unlink(missing_ok=True)
        settled.append(store.update_memory(memory.id, status="failed", error=STRANDED))
    return settled


class Settled(NamedTuple):
    """What a start found an earlier run had left: for the person to be told."""

    interrupted: list[Revision]  # drafts whose writer was killed, kept and marked interrupted
    stranded: list[Memory]  # imports cut off before their audio arrived, marked failed
    emptied: int = 0  # drafts and memories deleted for good: in the bin longer than store.BIN_DAYS

    def said(self) -> str:
        """The one message for the window's bar ("" when nothing was left)."""
        parts = (
            [f"{len(self.interrupted)} draft(s) were cut off while being written: {INTERRUPTED}"]
            if self.interrupted
            else []
        )
        if self.stranded:
            parts.append(
                f"{len(self.stranded)} import(s) were cut off before their audio arrived and are marked "
                "failed: import those files again."
            )
        if self.emptied:
            parts.append(
                f"The bin was emptied of {self.emptied} draft(s) or memories deleted more than {BIN_DAYS} days ago."
            )
        return " ".join(parts)


def settle_at_start(store: Store) -> Settled:
    """What every start does (a command, the window) before anything else: drafts whose writer is gone
    marked interrupted, imports cut off marked failed, temporary files and scratch copies (a killed
    backup's database copy) of dead processes removed. A database known damaged, or that can't be
    written, is left as it is: it is only read. The bin is emptied of what was deleted more than
    BIN_DAYS ago, so "back for 30 days" holds whichever way Fondly is started."""
    from app.paths import clear_scratch, data_dir

    leftovers(data_dir())
    clear_scratch()
    if store.damaged or store.readonly:
        return Settled([], [])
    return Settled(settle_interrupted(store), stranded(store), store.empty_bin())
