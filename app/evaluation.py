"""`fondly eval`: cases run through the whole path — Brief, grounding, writing, checks.

A case is a folder with `case.json`: the project (occasion, subject, people), its
memories, and the shorthand. Each runs in a throwaway database, never the person's.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Iterable

from app.store import Person, Store
from app.writing import write
from llm.engine import Engine


def find_cases(paths: Iterable[str | Path]) -> list[Path]:
    found = []
    for p in map(Path, paths):
        if (p / "case.json").exists():
            found.append(p)
        elif p.is_dir():
            found += sorted(c.parent for c in p.glob("*/case.json"))
    return found


def run_case(folder: Path, engine: Engine, seed: int = 1) -> dict:
    case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "eval.db")
        try:
            project = store.create_project(
                folder.name, case.get("occasion", "funeral"), case.get("subject", ""), case.get("speaker", ""),
                [Person(n) for n in case.get("people", [])], case.get("pace", 120),
            )
            for m in case["memories"]:
                store.add_memory(project.id, "text", m["title"], text=m["text"])
            started = time.perf_counter()
            result = write(store, project, case["shorthand"], engine, seed=seed)
            seconds = time.perf_counter() - started
        finally:
            store.close()
    check = result.composition.check
    paragraphs = result.composition.paragraphs
    return {
        "case": folder.name,
        "shorthand": case["shorthand"],
        "invented": len(check.invented_names),
        "invented_names": check.invented_names,
        "length_error": check.length_error,
        "words": check.words,
        "target": check.target_words,
        "must_haves": check.must_haves_met,
        "jokes": f"{check.light_moments}/{check.jokes_wanted}",
        "sources": f"{len(check.sources_named) - len(check.sources_unused)}/{len(check.sources_named)}",
        "avoided": check.avoided,
        "repetition": check.repetition,
        "fallbacks": f"{check.fallbacks}/{len(paragraphs)}",
        "seconds": round(seconds, 1),
        "text": result.composition.text,
    }


def report_markdown(rows: list[dict], model: str) -> str:
    lines = [
        f"# Fondly quality report — {model}",
        "",
        "Produced by `fondly eval tests/data/eval` (also run by `make bench`). Each case runs the whole",
        "path: the Brief, grounding, section-by-section writing, the checks, retries and fallbacks.",
        "",
        "| case | invented names | length error | must-haves met | named sources used | repetition | paragraphs from memory words | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['case']} | {r['invented']} | {r['length_error']:+.0%} ({r['words']}/{r['target']} words) | "
                     f"{'yes' if r['must_haves'] else 'no'} (jokes {r['jokes']}) | {r['sources']} | "
                     f"{'yes' if r['repetition'] else 'no'} | {r['fallbacks']} | {r['seconds']} |")
    invented = sum(r["invented"] for r in rows)
    met = sum(1 for r in rows if r["must_haves"])
    within = sum(1 for r in rows if abs(r["length_error"]) <= 0.2)
    lines += ["", "## Drafts", ""]
    for r in rows:
        lines += [f"### {r['case']}", "", f"> {r['shorthand']}", "", r["text"], ""]
    lines.append(f"Total: {len(rows)} cases, {invented} invented names, must-haves met in {met}/{len(rows)}, "
                 f"length within 20% in {within}/{len(rows)}, {sum(r['seconds'] for r in rows):.0f} s.")
    return "\n".join(lines) + "\n"
