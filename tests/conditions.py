"""The second table of docs/robustness.md: hostile conditions (issue 24), one row per condition,
written by the test that tries it.

A test calls `record(group, condition, said, outcome)` after its assertions passed: the row is
kept in docs/conditions.json (keyed by group and condition, so a rerun replaces it) and the
table after the "## Conditions" heading of docs/robustness.md is rewritten from all rows. The
bad-input sweep (tests/test_robustness.py) writes the part above that heading and keeps this one.
Both files are committed, so a changed answer shows in review.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = ROOT / "docs" / "conditions.json"
DOC = ROOT / "docs" / "robustness.md"
HEADING = "## Conditions: hostile files, shared and damaged databases, a full disk"
# fmt: off
GROUPS = ("a backup from someone else", "a hostile model file", "two processes, one database",
          "a damaged, newer, read-only or full database", "copies left behind", "other conditions")
# fmt: on
_lock = threading.Lock()


def _one_line(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def record(group: str, condition: str, said: str, outcome: str) -> None:
    """Keep the row for `condition` (in one of GROUPS): what Fondly said (its one line, or what the
    window showed) and what became of the data ("data unchanged", "salvaged 41 of 44 rows", …)."""
    assert group in GROUPS, f"unknown group {group!r}; add it to tests/conditions.py GROUPS"
    with _lock:
        rows = json.loads(ROWS.read_text(encoding="utf-8")) if ROWS.exists() else {}
        rows[f"{group} :: {condition}"] = {
            "group": group,
            "condition": _one_line(condition),
            "said": _one_line(said),
            "outcome": _one_line(outcome),
        }
        ROWS.write_text(json.dumps(dict(sorted(rows.items())), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        DOC.write_text(above(text) + table(rows), encoding="utf-8")


def above(text: str) -> str:
    """docs/robustness.md up to (not including) the conditions table."""
    cut = text.find(HEADING)
    return (text[:cut] if cut >= 0 else text).rstrip("\n") + "\n\n"


def table(rows: dict | None = None) -> str:
    if rows is None:
        rows = json.loads(ROWS.read_text(encoding="utf-8")) if ROWS.exists() else {}
    ordered = sorted(
        rows.values(), key=lambda r: (GROUPS.index(r["group"]) if r["group"] in GROUPS else 99, r["condition"])
    )
    out = [
        HEADING,
        "",
        "Written by the tests that try each condition (tests/conditions.py); do not edit by hand. Each row",
        'is a real file, process, filesystem or database state, and "data" is what the test compared.',
        "",
        f"{len(ordered)} conditions.",
        "",
        "| # | group | condition | what Fondly said | data |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {i} | {r['group']} | {r['condition']} | {r['said']} | {r['outcome']} |" for i, r in enumerate(ordered, 1)
    ]
    return "\n".join(out) + "\n"
