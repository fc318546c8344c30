"""The values Fondly stores — a project, a memory, a draft, a revision, a rehearsal — as plain
dataclasses the CLI, the app and the evaluation pass around. Kept apart from app/store.py, which
holds every query: these carry no SQL and open nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from llm.brief import DEFAULT_PACE


@dataclass
class Person:
    name: str
    say: str = ""  # how to say it, e.g. "shiv-AWN"

    @staticmethod
    def parse_list(text: str) -> list[Person]:
        """People from "Siobhan (shiv-AWN), Tadhg, Frank": names, each with an optional "(how to say it)"."""
        people = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            name, _, say = part.partition("(")
            people.append(Person(name.strip(), say.rstrip(")").strip()))
        return people


@dataclass
class Project:
    id: int
    title: str
    occasion: str = "funeral"
    subject: str = ""
    speaker: str = ""
    people: list[Person] = field(default_factory=list)
    pace: int = DEFAULT_PACE
    vocabulary: list[str] = field(default_factory=list)  # words to spell the family's way
    created: str = ""
    updated: str = ""

    @property
    def hotwords(self) -> list[str]:
        """What biases transcription: every name, then the project's own words."""
        return self.names + [w for w in self.vocabulary if w not in self.names]

    @property
    def names(self) -> list[str]:
        """Every name the project knows: the subject, the speaker and the people."""
        out = [p.name for p in self.people]
        for name in (self.subject, self.speaker):
            if name and name not in out:
                out.append(name)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Memory:
    id: int
    project_id: int
    kind: str
    title: str
    text: str = ""
    source_path: str | None = None
    audio_path: str | None = None
    duration: float | None = None
    language: str | None = None
    status: str = "ready"
    error: str | None = None
    created: str = ""
    updated: str = ""
    question: str | None = None  # the id of the question this memory answers (llm.questions), if any
    deleted: str | None = None  # when it went to the bin (app.store's bin), else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StoredSegment:
    id: int
    memory_id: int
    idx: int
    start: float
    end: float
    text: str
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Revision:
    id: int
    draft_id: int
    created: str
    origin: str  # generated, edited, restored, snapshot, imported
    text: str
    model: str | None = None
    prompt: str | None = None
    seed: int | None = None
    provenance: list[dict[str, Any]] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    parent_id: int | None = None
    label: str | None = None  # a name the person gave this point in the history

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Draft:
    id: int
    project_id: int
    title: str
    kind: str
    brief: dict[str, Any] = field(default_factory=dict)
    current_revision_id: int | None = None
    created: str = ""
    updated: str = ""
    deleted: str | None = None  # when it went to the bin, else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Rehearsal:
    """A recorded read of a draft's revision, and its report (app.rehearsal.Report as a dict)."""

    id: int
    draft_id: int
    revision_id: int
    created: str
    duration: float | None = None
    audio_path: str | None = None
    report: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
