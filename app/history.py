"""A draft's history as a person reads it: sittings of editing and named points, not rows of autosaves.

The store keeps every version (app.store: the history is never rewritten), and the editor keeps
the text every 2–4 s while typing goes on (app.ui.editor_panel AUTOSAVE_MS/AUTOSAVE_MAX_MS), so
four minutes of light editing leave a dozen revisions. A word processor's version history shows
them as one "Edited 14:02–14:06"; this module folds them so, and names the points that matter on
their own: a generation, a restore, a snapshot, an import, a draft cut off while it was written,
and any version the person named. Pure functions of the stored revisions, free of Qt, so the
rule is tested without a window and the drafts panel only shows what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from app import speaking
from app.store import Revision

# Autosaves and edits this close together are one sitting. Typing keeps a revision every 2–4 s, and
# a person reading back, looking something up or fetching a tea pauses for minutes without
# ending the sitting; after ten minutes away, coming back is what people recall as another go at
# the speech ("before lunch", "after the phone call"). Shorter gaps split one sitting into
# several rows (the complaint: eleven rows in four minutes); much longer ones would fold a
# morning and an evening into one, hiding the version a person wants back.
SESSION_GAP = timedelta(minutes=10)

EDITING = ("autosave", "edited")  # origins that fold into a sitting
# fmt: off
NAMES = {"generated": "Generated", "restored": "Restored", "snapshot": "Snapshot", "imported": "Imported",
         "autosave": "Edited", "edited": "Edited"}
# fmt: on


@dataclass(frozen=True)
class Entry:
    """One row of a draft's history: a sitting of edits, or a named point.

    `revision_id` is the version the row stands for (a sitting: its last revision, the text as it was
    left); `revision_ids` are all it folds, oldest first, `first_id` the first of them."""

    kind: str  # "session", or the origin of a named point: generated, restored, snapshot, imported, edited
    revision_id: int
    revision_ids: tuple[int, ...]
    name: str  # what the row is called: the person's label, else `automatic`
    automatic: str  # the name Fondly gives it ("Edited 14:02–14:06", "Generated 14:01 (stopped)")
    label: str | None  # the person's name for this point, if any
    started: datetime
    ended: datetime
    words: int
    note: str = ""  # "stopped", "interrupted", "cut off", "being written", "" (said in `automatic` too)

    @property
    def first_id(self) -> int:
        return self.revision_ids[0]

    def row(self, pace: int = speaking.DEFAULT_PACE) -> str:
        """The line the drafts panel shows: "Edited 14:02–14:06 · 120 words · 0:55"."""
        spoken = speaking.format_duration(speaking.speaking_seconds(self.words, pace))
        return f"{self.name} · {self.words} words · {spoken}"


def parse_time(stamp: str, tz: tzinfo | None = None) -> datetime:
    """A stored stamp (UTC ISO, app.migrations.now) in the person's time zone (`tz`; None: this machine's)."""
    when = datetime.fromisoformat(stamp)
    return when.astimezone(tz) if when.tzinfo else when


def clock(when: datetime, today: date | None = None) -> str:
    """ "14:02" today, "5 Dec 14:02" another day, "5 Dec 2025 14:02" another year."""
    today = today or datetime.now(when.tzinfo).date()
    if when.date() == today:
        return when.strftime("%H:%M")
    day = f"{when.day} {when.strftime('%b')}"
    return (
        f"{day} {when.strftime('%H:%M')}" if when.year == today.year else f"{day} {when.year} {when.strftime('%H:%M')}"
    )


def span(start: datetime, end: datetime, today: date | None = None) -> str:
    """ "14:02–14:06"; one time when they are the same minute; the day once when it is one day."""
    first, last = clock(start, today), clock(end, today)
    if first == last:
        return first
    if start.date() == end.date():
        return f"{first}–{end.strftime('%H:%M')}"
    return f"{first}–{last}"


def note_of(revision: Revision) -> str:
    """What the checks say about how a generated version ended (app.writing, app.recovery)."""
    checks = revision.checks or {}
    if checks.get("writing"):
        return "being written"  # a writer is at it now (or died and recovery has not run yet)
    if checks.get("interrupted"):
        return "interrupted"  # Fondly was killed while writing it (app.recovery.settle_interrupted)
    if checks.get("error"):
        return "cut off"  # the model failed part-way; the paragraphs before are kept
    if checks.get("stopped"):
        return "stopped"  # the person pressed Stop
    return ""


def _is_editing(revision: Revision) -> bool:
    return revision.origin in EDITING and not revision.label


def automatic_name(revision: Revision, when: str) -> str:
    """Fondly's name for a point in the history, e.g. "Generated 14:01 (stopped)", "Rewritten (warmer) 14:03"."""
    checks = revision.checks or {}
    if revision.origin == "generated" and checks.get("rewrite"):
        base = f"Rewritten ({checks['rewrite']})"
    elif revision.origin == "generated" and checks.get("inserted"):
        base = "Piece written"
    else:
        base = NAMES.get(revision.origin, revision.origin.capitalize())
    note = note_of(revision)
    return f"{base} {when}" + (f" ({note})" if note else "")


def fold(
    revisions: list[Revision], gap: timedelta = SESSION_GAP, tz: tzinfo | None = None, today: date | None = None
) -> list[Entry]:
    """A draft's revisions (oldest first, as app.store.Store.revisions gives them) as history entries,
    oldest first. Runs of autosaves and edits less than `gap` apart are one sitting; every other
    revision, and any the person named, is a point of its own. A restore is named after the entry
    it brought back: "Restored 14:12 (from Generated 14:01)"."""
    groups: list[list[Revision]] = []
    for r in revisions:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and _is_editing(r)
            and _is_editing(last)
            and parse_time(r.created, tz) - parse_time(last.created, tz) <= gap
        ):
            groups[-1].append(r)
        else:
            groups.append([r])
    entries: list[Entry] = []
    by_revision: dict[int, Entry] = {}
    for group in groups:
        first, last = group[0], group[-1]
        start, end = parse_time(first.created, tz), parse_time(last.created, tz)
        if _is_editing(last):
            kind, automatic, note = "session", f"Edited {span(start, end, today)}", ""
        else:
            kind, automatic, note = last.origin, automatic_name(last, clock(end, today)), note_of(last)
            source = (last.checks or {}).get("restored_from") if last.origin == "restored" else None
            if source is not None:
                automatic += f" (from {_name_of(source, by_revision, revisions, tz, today)})"
        entry = Entry(
            kind,
            last.id,
            tuple(r.id for r in group),
            last.label or automatic,
            automatic,
            last.label,
            start,
            end,
            speaking.word_count(last.text),
            note,
        )
        entries.append(entry)
        by_revision.update({r.id: entry for r in group})
    return entries


def _name_of(revision_id: int, by_revision: dict[int, Entry], revisions: list[Revision], tz, today) -> str:
    """How a restore names what it brought back: the entry it is, or (a version from the middle of a
    sitting, which older Fondly let a person pick) "Edited" and that version's own time."""
    entry = by_revision.get(revision_id)
    if entry is None:
        return f"version {revision_id}"
    if entry.revision_id == revision_id:
        return entry.name
    revision = next(r for r in revisions if r.id == revision_id)
    return f"Edited {clock(parse_time(revision.created, tz), today)}"


def newest_first(revisions: list[Revision], **kwargs) -> list[Entry]:
    """What the drafts panel lists under a draft: its history, the newest entry first."""
    return list(reversed(fold(revisions, **kwargs)))


def entry_for(entries: list[Entry], revision_id: int) -> Entry | None:
    """The entry that holds a revision (a sitting holds all its autosaves)."""
    return next((e for e in entries if revision_id in e.revision_ids), None)


def banner(entry: Entry, draft_title: str | None = None) -> str:
    """What the editor says while it shows an old version beside the person's text."""
    of = f" of “{draft_title}”" if draft_title else ""
    return f"Previewing {entry.name}{of} — your text is unchanged"


def compare_title(newer: str, older: str) -> str:
    """Compare says which two it compares, and which way: "Your text now ← Generated 14:01"."""
    return f"{newer} ← {older}"
