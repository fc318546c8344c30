"""After a kill: what a process that died left unfinished, found and settled on the next start.

Whoever works on something that may be cut off leaves its pid on it (an owner file beside
audio, the "writing" mark on a revision); work whose owner is gone is taken up again
(audio: app.recordings.recover) or marked for the person to see (a draft: interrupted,
with every paragraph finished before the kill).
"""

from __future__ import annotations

import os

from app.store import Revision, Store


def process_alive(pid: int) -> bool:
    """Whether a process (a Fondly that left an owner mark) is still running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
            settled.append(store.update_revision(revision.id, revision.text, provenance=revision.provenance,
                                                 checks=checks))
    return settled

