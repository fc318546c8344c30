"""app.history: a draft's revisions folded into sittings and named points, as a person reads them."""

from __future__ import annotations

from datetime import date, timedelta, timezone

from app.history import SESSION_GAP, banner, entry_for, fold, newest_first
from app.store import Revision

TODAY = date(2026, 12, 6)


def rev(rid: int, at: str, origin: str, text: str = "words here", **fields) -> Revision:
    day = fields.pop("day", "2026-12-06")
    return Revision(id=rid, draft_id=1, created=f"{day}T{at}+00:00", origin=origin, text=text, **fields)


def names(revisions, **kw) -> list[str]:
    return [e.name for e in fold(revisions, tz=timezone.utc, today=TODAY, **kw)]


def test_a_sitting_of_autosaves_is_one_entry_pointing_at_its_last_version():
    revisions = [rev(1, "14:01:00", "generated")]
    revisions += [
        rev(2 + i, f"14:{2 + i // 15:02d}:{(i * 4) % 60:02d}", "autosave", text="w " * (10 + i)) for i in range(60)
    ]  # four minutes of typing: an autosave every 4 s
    entries = fold(revisions, tz=timezone.utc, today=TODAY)
    assert [e.name for e in entries] == ["Generated 14:01", "Edited 14:02–14:05"]
    session = entries[1]
    assert session.kind == "session" and session.revision_id == 61 and session.first_id == 2
    assert session.revision_ids == tuple(range(2, 62)) and session.words == 69


def test_a_pause_longer_than_the_gap_starts_another_sitting():
    revisions = [
        rev(1, "09:00:00", "autosave"),
        rev(2, "09:09:59", "edited"),  # 9'59": the same sitting
        rev(3, "09:20:00", "autosave"),
        rev(4, "09:20:04", "autosave"),
    ]
    assert SESSION_GAP == timedelta(minutes=10)
    assert names(revisions) == ["Edited 09:00–09:09", "Edited 09:20"]
    assert names(revisions, gap=timedelta(hours=1)) == ["Edited 09:00–09:20"]


def test_named_points_stand_alone_and_split_sittings():
    revisions = [
        rev(1, "14:01:00", "generated"),
        rev(2, "14:02:00", "autosave"),
        rev(3, "14:03:00", "autosave"),
        rev(4, "14:04:00", "snapshot"),
        rev(5, "14:05:00", "autosave"),
        rev(6, "14:06:00", "edited", label="Read to Mum"),
        rev(7, "14:07:00", "autosave"),
        rev(8, "14:08:00", "imported"),
    ]
    assert names(revisions) == [
        "Generated 14:01",
        "Edited 14:02–14:03",
        "Snapshot 14:04",
        "Edited 14:05",
        "Read to Mum",
        "Edited 14:07",
        "Imported 14:08",
    ]
    labelled = fold(revisions, tz=timezone.utc, today=TODAY)[4]
    assert labelled.automatic == "Edited 14:06" and labelled.label == "Read to Mum"


def test_a_restore_says_what_it_brought_back():
    revisions = [
        rev(1, "14:01:00", "generated"),
        rev(2, "14:02:00", "autosave"),
        rev(3, "14:06:00", "autosave"),
        rev(4, "14:12:00", "edited"),
        rev(5, "14:12:00", "restored", checks={"restored_from": 1}),
        rev(6, "14:13:00", "restored", checks={"restored_from": 2}),
    ]
    assert names(revisions) == [
        "Generated 14:01",
        "Edited 14:02–14:12",
        "Restored 14:12 (from Generated 14:01)",
        "Restored 14:13 (from Edited 14:02)",
    ]
    revisions[0] = rev(1, "14:01:00", "generated", label="First go")
    assert names(revisions)[2] == "Restored 14:12 (from First go)"


def test_how_a_generation_ended_is_in_its_name():
    revisions = [
        rev(1, "14:01:00", "generated", checks={"stopped": True}),
        rev(2, "14:02:00", "generated", checks={"interrupted": True, "paragraphs": 2}),
        rev(3, "14:03:00", "generated", checks={"stopped": True, "error": "server gone"}),
        rev(4, "14:04:00", "generated", checks={"writing": 123, "stopped": True}),
        rev(5, "14:05:00", "generated", checks={"stopped": False, "inserted": True}),
        rev(6, "14:06:00", "generated", checks={"rewrite": "warmer"}),
        rev(7, "14:07:00", "generated", checks={"stopped": False}),
    ]
    assert names(revisions) == [
        "Generated 14:01 (stopped)",
        "Generated 14:02 (interrupted)",
        "Generated 14:03 (cut off)",
        "Generated 14:04 (being written)",
        "Piece written 14:05",
        "Rewritten (warmer) 14:06",
        "Generated 14:07",
    ]
    assert [e.note for e in fold(revisions, tz=timezone.utc, today=TODAY)][:2] == ["stopped", "interrupted"]


def test_other_days_carry_the_date_and_times_are_the_persons():
    revisions = [
        rev(1, "23:50:00", "autosave", day="2026-12-05"),
        rev(2, "23:58:00", "autosave", day="2026-12-05"),
        rev(3, "00:05:00", "autosave"),
        rev(4, "10:00:00", "snapshot", day="2025-03-01"),
    ]
    assert names(revisions) == ["Edited 5 Dec 23:50–00:05", "Snapshot 1 Mar 2025 10:00"]
    plus_one = timezone(timedelta(hours=1))
    assert [e.name for e in fold(revisions[:1], tz=plus_one, today=TODAY)] == ["Edited 00:50"]


def test_newest_first_rows_and_the_banner():
    revisions = [rev(1, "14:01:00", "generated", text="one two three"), rev(2, "14:02:00", "autosave", text="w " * 120)]
    entries = newest_first(revisions, tz=timezone.utc, today=TODAY)
    assert [e.name for e in entries] == ["Edited 14:02", "Generated 14:01"]
    assert entries[0].row(120) == "Edited 14:02 · 120 words · 1 min"
    assert entry_for(entries, 2) is entries[0] and entry_for(entries, 99) is None
    assert banner(entries[1]) == "Previewing Generated 14:01 — your text is unchanged"
    assert banner(entries[1], "Eulogy") == "Previewing Generated 14:01 of “Eulogy” — your text is unchanged"
