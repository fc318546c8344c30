"""Deleting and bringing back, for the CLI and the window alike: what a person deletes goes to the bin
(app.store.to_bin), stays there BIN_DAYS and can come back, then goes for good at a start
(app.recovery.settle_at_start). Nothing a person deletes is lost at once.

What can't be deleted is said plainly, and nothing changes: a memory still being recorded or
transcribed (its text is still arriving), a draft still being written.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.errors import FondlyError
from app.store import BIN_DAYS, Draft, Memory, Store

KINDS = ("draft", "memory")


def kind_of(item: Draft | Memory) -> str:
    return "draft" if isinstance(item, Draft) else "memory"


def days_left(deleted: str, today: datetime | None = None) -> int:
    """Whole days before something deleted at `deleted` (the store's UTC stamp) leaves the bin for good."""
    gone = datetime.fromisoformat(deleted) + timedelta(days=BIN_DAYS)
    left = (gone - (today or datetime.now(timezone.utc))).total_seconds() / 86400
    return max(0, int(left + 0.999))  # 29.2 days is "30 days left": the whole of the last day counts


def to_bin(store: Store, kind: str, ident: int, busy: bool = False) -> Draft | Memory:
    """Move a draft or memory to the bin; returns it as it was. `busy`: the window knows it is being
    recorded or transcribed there (the store's status says so for every other process)."""
    item = _item(store, kind, ident)
    if item.deleted is not None:
        raise FondlyError(f"“{item.title}” is already in the bin.")
    if isinstance(item, Memory) and (busy or item.status in ("recording", "transcribing")):
        doing = "recorded" if item.status == "recording" else "transcribed"
        raise FondlyError(
            f"“{item.title}” is still being {doing}, so it can't be deleted yet; stop it first, then delete it."
        )
    if isinstance(item, Draft) and any(r.draft_id == item.id for r in store.revisions_being_written()):
        raise FondlyError(f"“{item.title}” is still being written, so it can't be deleted yet; stop it first (Esc).")
    store.to_bin(kind, item.id)
    return item


def from_bin(store: Store, kind: str, ident: int) -> Draft | Memory:
    """Bring a draft or memory back from the bin; returns it."""
    item = binned(store, kind, ident)
    store.from_bin(kind, item.id)
    return item


def delete_for_good(store: Store, kind: str, ident: int) -> Draft | Memory:
    """Delete something in the bin for good, now; returns it as it was."""
    item = binned(store, kind, ident)
    store.purge(kind, item.id)
    return item


def moved(item: Draft | Memory, back: str = "File → Bin…") -> str:
    """What a person is told: where it went, and how to get it back (`back`: the window's or the CLI's way)."""
    return f"Moved “{item.title}” to the bin — {back} brings it back for {BIN_DAYS} days."


def _item(store: Store, kind: str, ident: int) -> Draft | Memory:
    if kind not in KINDS:
        raise FondlyError(f"{kind!r} is not something in the bin: say draft or memory.")
    return store.draft(ident) if kind == "draft" else store.memory(ident)


def binned(store: Store, kind: str, ident: int) -> Draft | Memory:
    item = _item(store, kind, ident)
    if item.deleted is None:
        raise FondlyError(f"“{item.title}” ({kind} {item.id}) is not in the bin.")
    return item
