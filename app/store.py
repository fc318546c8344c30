"""Fondly's SQLite database through sqlite-utils: every query (the values are app/records.py; the schema's
migrations are in app/migrations.py, on sqlite-utils' Migrations).

Every write that belongs together happens in one transaction, so a crash leaves either
the old state or the new one. WAL mode keeps readers (the GUI) and a writer (a worker)
out of each other's way; foreign keys keep segments and revisions tied to their owners.
Connections come from app.database alone, which says how processes share the file safely.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from app import folder_lock
from app.database import Database, connect, damaged, translate, unwritable
from app.errors import FondlyError
from app.inspection import SALVAGED, readable_rows
from app.migrations import migrate, newer, now, opened_by
from app.names import NAME_MAX, item_name, project_names, project_title
from app.records import Draft, Memory, Person, Project, Rehearsal, Revision, StoredSegment
from app.version import VERSION, is_newer
from llm.brief import DEFAULT_PACE
from llm.occasions import OCCASIONS

MEMORY_KINDS = ("voice", "audio", "text", "typed")
MEMORY_STATUSES = ("recording", "transcribing", "ready", "failed")
BIN_DAYS = 30  # how long a deleted draft or memory can be brought back
_TABLES = {"draft": "drafts", "memory": "memories"}


# --- the store ----------------------------------------------------------------------------


class Store:
    """All of Fondly's reads and writes. One per thread; SQLite's WAL lets them, and other
    processes' Stores, share a file. Every transaction takes the write lock as it begins."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._holds_folder = folder_lock.open_folder(self.path.parent)  # no restore meanwhile (app.folder_lock)
        self.damaged = damaged(self.path)  # known damaged: read, never written (app.database)
        conn = None
        try:
            self.db = Database(connect(self.path, readonly=bool(self.damaged)))  # the one way in: app.database says why
            conn = self.db.conn
            ahead = newer(self.db)  # before anything is migrated, read or written
            if ahead:
                raise FondlyError(
                    f"Fondly's database {self.path} was made by a newer Fondly (it has "
                    f"{', '.join(ahead)}); install that version, or restore an older backup."
                )
            last = None if self.damaged else opened_by(self.db)  # a damaged file is only read, as it is
            if last and is_newer(last):
                raise FondlyError(
                    f"This data folder ({self.path.parent}) was last opened by Fondly {last}, which is newer than "
                    f"this Fondly ({VERSION}) and may have stored things this one would misread. Open it with "
                    f"Fondly {last} or later, or set FONDLY_HOME to another folder."
                )
            if not self.damaged:
                migrate(self.db)
            self.readonly = bool(self.damaged) or unwritable(self.path) is not None  # writes will be refused
            if not self.readonly and last != VERSION:
                with self.db.atomic():  # once per new version: an up-to-date folder takes no write lock
                    self.db.table("opened_by").upsert({"id": 1, "version": VERSION, "opened": now()}, pk="id")
        except (sqlite3.DatabaseError, FondlyError) as e:
            if conn is not None:
                conn.close()
            if self._holds_folder:
                self._holds_folder = False
                folder_lock.close_folder(self.path.parent)
            if isinstance(e, FondlyError):
                raise
            raise translate(e, self.path) or FondlyError(
                f"Fondly can't open its database {self.path} ({e}). "
                "Check that its folder can be written to, or set FONDLY_HOME to one that can."
            ) from None

    @classmethod
    def open_default(cls) -> Store:
        from app.paths import database_path

        return cls(database_path(create=True))

    def close(self) -> None:
        self.db.conn.close()
        if self._holds_folder:  # once, however often close is called
            self._holds_folder = False
            folder_lock.close_folder(self.path.parent)

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row; return its id. sqlite-utils types `last_pk` as maybe None, but after an
        insert into one of these tables (keyed by an integer `id`) it is always the new row's id."""
        pk = self.db.table(table).insert(row).last_pk
        assert pk is not None, table
        return pk

    def counts(self) -> dict[str, int]:
        """Rows per table, to show an error left the data as it was."""
        return {t: self.db.table(t).count for t in ("projects", "memories", "segments", "drafts", "revisions")}

    # backups (app.backup)

    def backup_to(self, path: str | Path) -> None:
        """The whole database copied to `path` through SQLite's online backup API, in one step: one
        consistent moment even while other connections or processes keep writing (WAL lets them).
        The copy is a single file (its journal mode set back to DELETE) for a zip to hold."""
        dest = connect(path, wal=False)
        try:
            self.db.conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()

    def salvage_from(self, source: str | Path) -> dict[str, list[int]]:
        """Copy into this (new, empty) database every row SQLite can still read of the damaged one
        at `source`, table by table in rowid order: a scan, and where it meets damage, a look-up
        rowid by rowid past it (each one that fails is a row lost), then the scan again. Rows whose
        owner was lost (a memory's project) are lost too; full-text indexes refill by their
        triggers. Returns {table: [rows kept, rows found]} (app.salvage)."""
        try:
            src = connect(source, readonly=True)
        except sqlite3.DatabaseError:
            return {t: [0, 0] for t in SALVAGED}
        try:
            report = {}
            for table in SALVAGED:
                columns = set(self.db.table(table).columns_dict)
                kept = lost = 0
                with self.db.atomic():
                    for row in readable_rows(src, table):
                        if row is None:
                            lost += 1
                            continue
                        try:
                            with self.db.atomic():
                                self.db.table(table).insert({k: v for k, v in row.items() if k in columns})
                            kept += 1
                        except sqlite3.DatabaseError:  # its owner was lost, or the row itself is garbled
                            lost += 1
                report[table] = [kept, kept + lost]
            return report
        finally:
            src.close()

    def move_audio(self, old_folder: str | Path, new_folder: str | Path) -> int:
        """After a restore into another data folder (a new computer): audio paths under `old_folder`
        point under `new_folder` instead, in one transaction. Returns how many memories moved."""
        old, new = os.path.join(str(old_folder), ""), os.path.join(str(new_folder), "")
        if old == new:
            return 0
        with self.db.atomic():
            moved = 0
            for table in ("memories", "rehearsals"):
                moved += self.db.execute(
                    f"UPDATE {table} SET audio_path = ? || substr(audio_path, ?) WHERE substr(audio_path, 1, ?) = ?",
                    [new, len(old) + 1, len(old), old],
                ).rowcount
            return moved

    # projects

    def create_project(
        self,
        title: str,
        occasion: str = "funeral",
        subject: str = "",
        speaker: str = "",
        people: Iterable[Person] = (),
        pace: int = DEFAULT_PACE,
        vocabulary: Iterable[str] = (),
    ) -> Project:
        with self.db.atomic():  # the title checked under the write lock: no other process takes it meanwhile
            title = self._check_title(title)
            if occasion not in OCCASIONS:
                raise FondlyError(f"Unknown occasion {occasion!r}; choose one of {', '.join(OCCASIONS)}.")
            people, vocabulary = list(people), list(vocabulary)
            project_names(subject=subject, speaker=speaker, people=people, vocabulary=vocabulary)
            stamp = now()
            pid = self._insert(
                "projects",
                {
                    "title": title,
                    "occasion": occasion,
                    "subject": subject,
                    "speaker": speaker,
                    "people": json.dumps([asdict(p) for p in people]),
                    "pace": pace,
                    "vocabulary": json.dumps([w.strip() for w in vocabulary if w.strip()]),
                    "created": stamp,
                    "updated": stamp,
                },
            )
        return self.project(pid)

    def update_project(self, project_id: int, **fields: Any) -> Project:
        """Change a project's details; people and vocabulary are given as lists."""
        with self.db.atomic():  # as in create_project: the title checked under the write lock
            pid = self.project(project_id).id
            if "title" in fields:
                fields["title"] = self._check_title(fields["title"], project_id)
            project_names(**{k: v for k, v in fields.items() if k in ("subject", "speaker", "people", "vocabulary")})
            if "people" in fields:
                fields["people"] = json.dumps([asdict(p) for p in fields["people"]])
            if "vocabulary" in fields:
                fields["vocabulary"] = json.dumps([w.strip() for w in fields["vocabulary"] if w.strip()])
            if "occasion" in fields and fields["occasion"] not in OCCASIONS:
                raise FondlyError(f"Unknown occasion {fields['occasion']!r}; choose one of {', '.join(OCCASIONS)}.")
            self.db.table("projects").update(pid, {**fields, "updated": now()})
        return self.project(project_id)

    def _project_row_by_title(self, title: str) -> dict | None:
        """Titles match whatever their case (any alphabet's, not only ASCII's) and surrounding spaces."""
        key = title.strip().casefold()
        rows = list(self.db.table("projects").rows_where(order_by="id"))  # read to the end: no statement left open
        return next((r for r in rows if r["title"].strip().casefold() == key), None)

    def _check_title(self, title: str, project_id: int | None = None) -> str:
        """A project's title, checked: not blank, one line, not too long, not a bare number (a number
        names a project by its id), and no other project's title in any case."""
        title = project_title(title)
        other = self._project_row_by_title(title)
        if other and other["id"] != project_id:
            raise FondlyError(f"There is already a project called {other['title']!r}; choose another title.")
        return title

    @staticmethod
    def _project(row: dict) -> Project:
        row = dict(row)
        row["people"] = [Person(**p) for p in json.loads(row.get("people") or "[]")]
        row["vocabulary"] = json.loads(row.get("vocabulary") or "[]")
        return Project(**row)

    def project(self, project_id: int) -> Project:
        return self._one(
            "projects",
            project_id,
            self._project,
            f"There is no project {project_id}. `fondly project list` shows them.",
        )

    def find_project(self, ref: str | int) -> Project:
        """A project by id or by title (titles match without regard to case)."""
        text = str(ref).strip()
        row = self._project_row_by_title(text)
        if row:
            return self._project(row)
        if text.isdecimal() and int(text) < 2**63:
            rows = list(self.db.table("projects").rows_where("id = ?", [int(text)]))
            if rows:
                return self._project(rows[0])
        raise FondlyError(f"There is no project called {text!r}. `fondly project list` shows them.")

    def projects(self) -> list[Project]:
        return [self._project(r) for r in self.db.table("projects").rows_where(order_by="id")]

    # memories

    def add_memory(self, project_id: int, kind: str, title: str, question: str | None = None, **fields: Any) -> Memory:
        """A new memory; `question` is the id of the question it answers (the interview)."""
        assert kind in MEMORY_KINDS, kind
        stamp = now()
        with self.db.atomic():
            mid = self._insert(
                "memories",
                {
                    "project_id": project_id,
                    "kind": kind,
                    "title": title,
                    "created": stamp,
                    "updated": stamp,
                    "text": "",
                    "status": "ready",
                    "question": question,
                    **fields,
                },
            )
        return self.memory(mid)

    def update_memory(self, memory_id: int, **fields: Any) -> Memory:
        with self.db.atomic():
            self.db.table("memories").update(memory_id, {**fields, "updated": now()})
        return self.memory(memory_id)

    def delete_memory(self, memory_id: int) -> None:
        """Only for a memory that never held anything (a recording whose device would not open)."""
        with self.db.atomic():
            self.db.execute("DELETE FROM segments WHERE memory_id = ?", [memory_id])
            self.db.table("memories").delete(memory_id)

    def memory(self, memory_id: int) -> Memory:
        return self._one(
            "memories",
            memory_id,
            lambda row: Memory(**row),
            f"There is no memory {memory_id}. `fondly memory list PROJECT` shows them.",
        )

    def unfinished_audio(self) -> list[Memory]:
        """Recordings and imported audio of every project still marked as being recorded or transcribed."""
        return [
            Memory(**row)
            for row in self.db.table("memories").rows_where(
                "kind IN ('voice', 'audio') AND status IN ('recording', 'transcribing')", order_by="id"
            )
        ]

    def memories(self, project_id: int) -> list[Memory]:
        """The project's memories, not those in the bin."""
        return [
            Memory(**r)
            for r in self.db.table("memories").rows_where(
                "project_id = ? AND deleted IS NULL", [project_id], order_by="id"
            )
        ]

    # the interview's questions (llm.questions, app.interview)

    def answered_questions(self, project_id: int) -> set[str]:
        """The ids of the questions a memory of the project answers."""
        rows = self.db.execute(
            "SELECT DISTINCT question FROM memories WHERE project_id = ? AND question IS NOT NULL AND deleted IS NULL",
            [project_id],
        ).fetchall()
        return {r[0] for r in rows}

    def skip_question(self, project_id: int, question_id: str) -> None:
        """Remember that a question was skipped; skipped again, it moves to the very end."""
        with self.db.atomic():
            self.project(project_id)
            # deleted and inserted again, not updated: a new row comes last in the order of skipping
            self.db.execute(
                "DELETE FROM skipped_questions WHERE project_id = ? AND question_id = ?", [project_id, question_id]
            )
            self.db.execute(
                "INSERT INTO skipped_questions (project_id, question_id, skipped) VALUES (?, ?, ?)",
                [project_id, question_id, now()],
            )

    def skipped_questions(self, project_id: int) -> list[str]:
        """The ids of the project's skipped questions, in the order they were (last) skipped."""
        rows = self.db.execute(
            "SELECT question_id FROM skipped_questions WHERE project_id = ? ORDER BY rowid", [project_id]
        ).fetchall()
        return [r[0] for r in rows]

    def add_segment(
        self, memory_id: int, idx: int, start: float, end: float, text: str, confidence: float | None = None
    ) -> None:
        """Store one transcribed segment and extend the memory's text, in one transaction."""
        with self.db.atomic():
            self.db.table("segments").insert(
                {
                    "memory_id": memory_id,
                    "idx": idx,
                    "start": start,
                    "end": end,
                    "text": text,
                    "confidence": confidence,
                },
                replace=False,
            )
            self.db.execute(
                "UPDATE memories SET text = TRIM(text || ' ' || ?), updated = ? WHERE id = ?",
                [text.strip(), now(), memory_id],
            )

    def replace_segments(
        self, memory_id: int, segments: Iterable[tuple[float, float, str, float | None]], **fields: Any
    ) -> Memory:
        """A whole new transcript (start, end, text, confidence) in place of the old, in one go."""
        rows: list[dict[str, Any]] = [
            {"memory_id": memory_id, "idx": i, "start": a, "end": b, "text": t, "confidence": c}
            for i, (a, b, t, c) in enumerate(segments)
        ]
        with self.db.atomic():
            self.db.execute("DELETE FROM segments WHERE memory_id = ?", [memory_id])
            if rows:
                self.db.table("segments").insert_all(rows)
            text = " ".join(r["text"].strip() for r in rows)
            self.db.table("memories").update(memory_id, {"text": text, "updated": now(), **fields})
        return self.memory(memory_id)

    def segments(self, memory_id: int) -> list[StoredSegment]:
        return [
            StoredSegment(**r)
            for r in self.db.table("segments").rows_where("memory_id = ?", [memory_id], order_by="idx")
        ]

    def rank_memories(self, project_id: int, text: str) -> list[int]:
        """The project's memories ordered by how well they match any word of `text` (best first)."""
        words = [w for w in re.findall(r"\w{3,}", text.lower())][:40]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
        rows = self.db.execute(
            "SELECT m.id FROM memories m JOIN memories_fts f ON f.rowid = m.rowid "
            "WHERE memories_fts MATCH ? AND m.project_id = ? AND m.deleted IS NULL ORDER BY f.rank",
            [match, project_id],
        ).fetchall()
        return [r[0] for r in rows]

    # drafts and revisions

    def create_draft(
        self, project_id: int, title: str, text: str, kind: str = "speech", brief: dict | None = None, **revision: Any
    ) -> tuple[Draft, Revision]:
        """A new draft and its first revision, together."""
        stamp = now()
        with self.db.atomic():
            did = self._insert(
                "drafts",
                {
                    "project_id": project_id,
                    "title": title,
                    "kind": kind,
                    "brief": json.dumps(brief or {}),
                    "created": stamp,
                    "updated": stamp,
                },
            )
            rid = self._insert_revision(did, text, stamp=stamp, **revision)
        return self.draft(did), self.revision(rid)

    def update_revision(
        self, revision_id: int, text: str, provenance: list | None = None, checks: dict | None = None, **fields: Any
    ) -> Revision:
        """Grow a revision that is still being written (its checks say "writing"), in one transaction.
        Only writing in progress is updated in place; every finished version is a new revision."""
        with self.db.atomic():
            self.db.table("revisions").update(
                revision_id,
                {
                    "text": text,
                    "provenance": json.dumps(provenance or []),
                    "checks": json.dumps(checks or {}),
                    **fields,
                },
            )
        return self.revision(revision_id)

    def revisions_being_written(self) -> list[Revision]:
        """Revisions whose writing has not finished (a live writer, or one that died)."""
        return [
            self._revision(r)
            for r in self.db.table("revisions").rows_where(
                "json_extract(checks, '$.writing') IS NOT NULL", order_by="id"
            )
        ]

    def add_revision(self, draft_id: int, text: str, origin: str, **revision: Any) -> Revision:
        with self.db.atomic():
            rid = self._insert_revision(draft_id, text, origin=origin, **revision)
        return self.revision(rid)

    def _insert_revision(
        self,
        draft_id: int,
        text: str,
        origin: str = "generated",
        stamp: str | None = None,
        provenance: list | None = None,
        checks: dict | None = None,
        **fields: Any,
    ) -> int:
        stamp = stamp or now()
        parent = self.db.execute("SELECT current_revision_id FROM drafts WHERE id = ?", [draft_id]).fetchone()
        rid = self._insert(
            "revisions",
            {
                "draft_id": draft_id,
                "created": stamp,
                "origin": origin,
                "text": text,
                "provenance": json.dumps(provenance or []),
                "checks": json.dumps(checks or {}),
                "parent_id": parent[0] if parent else None,
                **fields,
            },
        )
        self.db.table("drafts").update(draft_id, {"current_revision_id": rid, "updated": stamp})
        return rid

    @staticmethod
    def _draft(row: dict) -> Draft:
        row = dict(row)
        row["brief"] = json.loads(row.get("brief") or "{}")
        return Draft(**row)

    @staticmethod
    def _revision(row: dict) -> Revision:
        row = dict(row)
        row["provenance"] = json.loads(row.get("provenance") or "[]")
        row["checks"] = json.loads(row.get("checks") or "{}")
        return Revision(**row)

    def _one(self, table: str, key: int | str, convert: Callable[[dict], Any], missing: str) -> Any:
        """A row by its id, as its dataclass; an id that names nothing (as typed) is `missing`."""
        try:
            return convert(self.db.table(table).get(int(key)))
        except (sqlite_utils.db.NotFoundError, ValueError, OverflowError):
            raise FondlyError(missing) from None

    def draft(self, draft_id: int | str) -> Draft:
        return self._one(
            "drafts", draft_id, self._draft, f"There is no draft {draft_id}. `fondly draft list PROJECT` shows them."
        )

    def drafts(self, project_id: int) -> list[Draft]:
        """The project's drafts, not those in the bin."""
        return [
            self._draft(r)
            for r in self.db.table("drafts").rows_where(
                "project_id = ? AND deleted IS NULL", [project_id], order_by="id"
            )
        ]

    def revision(self, revision_id: int) -> Revision:
        return self._one(
            "revisions",
            revision_id,
            self._revision,
            f"There is no revision {revision_id}. `fondly draft history DRAFT` shows them.",
        )

    def revisions(self, draft_id: int) -> list[Revision]:
        return [
            self._revision(r) for r in self.db.table("revisions").rows_where("draft_id = ?", [draft_id], order_by="id")
        ]

    def restore(self, draft_id: int, revision_id: int, current_text: str | None = None) -> Revision:
        """Bring back an old revision. The text it replaces is kept first, so nothing is lost."""
        self.draft(draft_id)
        old = self.revision(revision_id)
        if old.draft_id != int(draft_id):
            raise FondlyError(f"Revision {revision_id} belongs to another draft.")
        with self.db.atomic():
            now_text = self.current_text(draft_id)
            if current_text is not None and current_text != now_text:
                self._insert_revision(draft_id, current_text, origin="edited")
            rid = self._insert_revision(
                draft_id,
                old.text,
                origin="restored",
                provenance=old.provenance,
                checks={**old.checks, "restored_from": old.id},
                model=old.model,
                seed=old.seed,
            )
        return self.revision(rid)

    def search_snippets(self, project_id: int, query: str, limit: int = -1) -> list[dict[str, Any]]:
        """Memories and drafts (their current text) matching every word of `query` as a prefix,
        best first, each with a snippet that marks the matches as [word]."""
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " ".join(f'"{w}"*' for w in words)
        rows = self.db.execute(
            "SELECT 'memory', m.id, m.title, snippet(memories_fts, 1, '[', ']', '…', 12), f.rank "
            "FROM memories m JOIN memories_fts f ON f.rowid = m.rowid "
            "WHERE memories_fts MATCH ? AND m.project_id = ? AND m.deleted IS NULL "
            "UNION ALL "
            "SELECT 'draft', d.id, d.title, snippet(revisions_fts, 0, '[', ']', '…', 12), f.rank "
            "FROM drafts d JOIN revisions_fts f ON f.rowid = d.current_revision_id "
            "WHERE revisions_fts MATCH ? AND d.project_id = ? AND d.deleted IS NULL ORDER BY 5 LIMIT ?",
            [match, project_id, match, project_id, limit],
        ).fetchall()
        return [{"kind": k, "id": i, "title": t, "snippet": snip} for k, i, t, snip, _ in rows]

    # names, and the bin: what a person deletes stays BIN_DAYS, and can come back

    def rename(self, kind: str, ident: int, title: str) -> str:
        """A draft's or a memory's new name (the lists, the reading copy and the export's file name
        carry it); one line, not blank. Returns the name as kept."""
        title = item_name(kind, title)
        self._binnable(kind, ident)
        with self.db.atomic():
            self.db.table(_TABLES[kind]).update(ident, {"title": title, "updated": now()})
        return title

    def _binnable(self, kind: str, ident: int) -> Draft | Memory:
        assert kind in ("draft", "memory"), kind
        return self.draft(ident) if kind == "draft" else self.memory(ident)

    def to_bin(self, kind: str, ident: int) -> None:
        """Put a draft (with its revisions and rehearsals) or a memory in the bin: out of every list,
        search and draft, and back with `from_bin` for BIN_DAYS."""
        self._binnable(kind, ident)
        with self.db.atomic():
            self.db.table(_TABLES[kind]).update(ident, {"deleted": now()})

    def from_bin(self, kind: str, ident: int) -> None:
        self._binnable(kind, ident)
        with self.db.atomic():
            self.db.table(_TABLES[kind]).update(ident, {"deleted": None})

    def binned(self, project_id: int) -> list[Draft | Memory]:
        """What is in the project's bin, the most recently deleted first."""
        where = "project_id = ? AND deleted IS NOT NULL"
        out = [self._draft(r) for r in self.db.table("drafts").rows_where(where, [project_id])]
        return sorted(
            out + [Memory(**r) for r in self.db.table("memories").rows_where(where, [project_id])],
            key=lambda x: x.deleted or "",
            reverse=True,
        )

    def empty_bin(self, days: int = BIN_DAYS) -> int:
        """Delete for good what has been in the bin longer than `days` (with its audio in the data
        folder); run at every start. Returns how many drafts and memories went."""
        cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
        due = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM drafts WHERE deleted < ?1) OR EXISTS "
            "(SELECT 1 FROM memories WHERE deleted < ?1)",
            [cutoff],
        ).fetchone()[0]
        return self._purge("deleted < ?", "deleted < ?", cutoff) if due else 0  # no write lock at every start

    def purge(self, kind: str, ident: int) -> None:
        """Delete one draft or memory in the bin for good, now (the Bin's "Delete for good")."""
        item = self._binnable(kind, ident)
        if item.deleted is None:
            raise FondlyError(f"{item.title!r} is not in the bin, so it can't be deleted for good.")
        chosen = "id = ? AND deleted IS NOT NULL"
        self._purge(chosen if kind == "draft" else "0 AND ?", chosen if kind == "memory" else "0 AND ?", ident)

    def _purge(self, drafts: str, memories: str, value: Any) -> int:
        """Delete the drafts and memories the two conditions (each with one `?`, given `value`) choose,
        with everything that hangs off them, and their audio in the data folder."""
        q = self.db.execute
        d, m = f"SELECT id FROM drafts WHERE {drafts}", f"SELECT id FROM memories WHERE {memories}"
        with self.db.atomic():
            files = [
                r[0]
                for r in q(
                    f"SELECT audio_path FROM rehearsals WHERE draft_id IN ({d}) UNION ALL "
                    f"SELECT audio_path FROM memories WHERE id IN ({m})",
                    [value, value],
                ).fetchall()
                if r[0]
            ]
            gone = q(f"SELECT (SELECT count(*) FROM ({d})) + (SELECT count(*) FROM ({m}))", [value, value]).fetchone()[
                0
            ]
            for sql in (
                f"DELETE FROM rehearsals WHERE draft_id IN ({d})",
                f"UPDATE revisions SET parent_id = NULL WHERE draft_id IN ({d})",
                f"DELETE FROM revisions WHERE draft_id IN ({d})",
                f"DELETE FROM drafts WHERE id IN ({d})",
                f"DELETE FROM segments WHERE memory_id IN ({m})",
                f"DELETE FROM memories WHERE id IN ({m})",
            ):
                q(sql, [value])
        folder = self.path.parent.resolve()
        for f in files:  # only Fondly's own copies: a file elsewhere is the person's
            if Path(f).resolve().is_relative_to(folder):
                Path(f).unlink(missing_ok=True)
        return gone

    def label_revision(self, revision_id: int, label: str) -> Revision:
        """Name a point in a draft's history ("Read to Mum"); "" takes the name away."""
        label = " ".join(label.split())[:NAME_MAX]
        self.revision(revision_id)
        with self.db.atomic():
            self.db.table("revisions").update(revision_id, {"label": label or None})
        return self.revision(revision_id)

    # rehearsals

    def add_rehearsal(
        self, draft_id: int, revision_id: int, duration: float, report: dict[str, Any], keep_audio=None
    ) -> Rehearsal:
        """Store a rehearsal; `keep_audio(rehearsal_id) -> path` copies its recording into the data
        folder inside the same transaction, so a failed copy leaves no rehearsal without its audio."""
        rev = self.revision(revision_id)
        if rev.draft_id != int(draft_id):
            raise FondlyError(f"Revision {revision_id} belongs to another draft.")
        with self.db.atomic():
            rid = self._insert(
                "rehearsals",
                {
                    "draft_id": draft_id,
                    "revision_id": revision_id,
                    "created": now(),
                    "duration": duration,
                    "report": json.dumps(report),
                },
            )
            if keep_audio is not None:
                self.db.table("rehearsals").update(rid, {"audio_path": str(keep_audio(rid))})
        return self.rehearsal(rid)

    @staticmethod
    def _rehearsal(row: dict) -> Rehearsal:
        row = dict(row)
        row["report"] = json.loads(row.get("report") or "{}")
        return Rehearsal(**row)

    def rehearsal(self, rehearsal_id: int) -> Rehearsal:
        return self._one(
            "rehearsals",
            rehearsal_id,
            self._rehearsal,
            f"There is no rehearsal {rehearsal_id}. `fondly rehearsals DRAFT` lists them.",
        )

    def rehearsals(self, draft_id: int) -> list[Rehearsal]:
        """A draft's rehearsals, oldest first."""
        return [
            self._rehearsal(r)
            for r in self.db.table("rehearsals").rows_where("draft_id = ?", [draft_id], order_by="id")
        ]

    def last_rehearsal(self, draft_id: int) -> Rehearsal | None:
        rows = list(self.db.table("rehearsals").rows_where("draft_id = ?", [draft_id], order_by="id desc", limit=1))
        return self._rehearsal(rows[0]) if rows else None

    def current_text(self, draft_id: int) -> str:
        draft = self.draft(draft_id)
        return self.revision(draft.current_revision_id).text if draft.current_revision_id else ""
