"""Where each sentence came from, and what the checks found, in words a person reads.

Pure functions from a revision's stored provenance and checks to display text, so the
pane and the checks line say exactly what was measured — and never more: a draft with
any sentence that could not be traced is never summed up as clean.
"""

from __future__ import annotations

from app.placement import TYPED
from app.recovery import INTERRUPTED

ORIGINS = {
    "memory": "your words",
    "voice": "your words, in your voice",
    "edited": "your words, joined by Fondly (checked)",
    "frame": "Fondly's words (checked)",
    "model": "the model's words (checked)",
}


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def as_read_and_spoken(sentence: dict) -> str:
    """A sentence as it will be read, and — when fillers or restarts were taken out (llm.speakable) —
    as the person said it: the row's full text (its tooltip)."""
    if not sentence.get("spoken"):
        return sentence.get("text", "")
    return f"As it will be read: {sentence.get('text', '')}\nAs you said it: {sentence['spoken']}"


def sentence_rows(provenance: list[dict], titles: dict[int, str]) -> list[tuple[str, str, bool]]:
    """One row per sentence (and per sentence left out): (label, the sentence, flagged). A sentence
    tidied for reading says so, with how it was said: "… ← you said “So Grandad, um, he had…”"."""
    rows: list[tuple[str, str, bool]] = []
    for n, p in enumerate(provenance, 1):
        if "section" not in p:
            continue
        sentences = p.get("sentences")
        if sentences is None:  # written before sentences were checked one by one: claim nothing
            rows.append(
                (
                    f"¶{n} {p.get('section', '')}: not checked sentence by sentence — {_short(p.get('text', ''))}",
                    p.get("text", ""),
                    True,
                )
            )
            continue
        for s in sentences:
            source = titles.get(s.get("memory_id")) if s.get("memory_id") is not None else None
            how = ORIGINS.get(s.get("origin"), s.get("origin", ""))
            if s.get("spoken"):
                how += ", tidied for reading"
            where = f" · {source}" if source else ""
            said = f" ← you said “{_short(s['spoken'], 60)}”" if s.get("spoken") else ""
            if s.get("origin") == TYPED:
                rows.append((f"¶{n} ✎ typed or changed by you: {_short(s['text'])}", s.get("text", ""), False))
            elif s.get("supported", False):
                rows.append((f"¶{n} ✓ {how}{where}: {_short(s['text'])}{said}", as_read_and_spoken(s), False))
            else:
                words = ", ".join(s.get("unsupported", [])) or "?"
                rows.append(
                    (f"¶{n} ⚠ not in your memories: {words} — {_short(s['text'])}{said}", as_read_and_spoken(s), True)
                )
        for d in p.get("dropped", []):
            why = ", ".join(d.get("unsupported") or d.get("reasons") or [])
            rows.append((f"¶{n} ✗ left out ({why}): {_short(d.get('text', ''))}", "", False))
    return rows


def checks_line(checks: dict) -> str:
    """The one-line summary under the drafts: measured figures only."""
    if checks and checks.get("interrupted") and "words" not in checks:
        return f"⚠ {INTERRUPTED} ({checks.get('paragraphs', 0)} paragraphs; not yet checked as a whole)"
    if checks and "after_edits" in checks:  # an edited text: what its sentences are now (app.documents.keep)
        e = checks["after_edits"]
        return (
            f"After your edits: {e['supported']} sentence{'s' if e['supported'] != 1 else ''} still traced to "
            f"your memories · {e['typed']} typed or changed by you"
        )
    if not checks or "words" not in checks:
        return ""
    if checks.get("scaffold"):
        return (
            "A scaffold to fill in, not a speech: there are no memories to write from yet. "
            "Record or import one, then write again."
        )
    parts = []
    if "sentences" in checks:
        total, traced = checks["sentences"], checks.get("supported", 0)
        parts.append(
            f"{traced} of {total} sentences traced to your memories" + (" ✓" if checks.get("all_supported") else "")
        )
        if checks.get("unsupported_words"):
            parts.append("⚠ not in your memories: " + ", ".join(checks["unsupported_words"]))
    else:
        parts.append("⚠ written before sentence checks: not traced")
    parts.append(f"{checks['words']} of {checks['target_words']} words")
    if checks.get("shortfall"):
        parts.append(f"shorter than asked: {checks['shortfall']}")
    if checks.get("jokes_wanted"):
        parts.append(f"light moments {checks.get('light_moments', 0)}/{checks['jokes_wanted']}")
    if checks.get("sources_unused"):
        parts.append("⚠ unused: " + ", ".join(checks["sources_unused"]))
    if checks.get("avoided"):
        parts.append("⚠ mentions " + ", ".join(checks["avoided"]))
    if checks.get("dropped"):
        parts.append(
            f"{checks['dropped']} sentence{'s' if checks['dropped'] != 1 else ''} left out, each listed "
            f"under its paragraph"
        )
    line = "Checks: " + " · ".join(parts)
    notes = [n for n in checks.get("notes", []) if n]
    return line + ("\n" + "\n".join(notes) if notes else "")  # one note a line: each is its own news


def mode_label(mode: str) -> str:
    return {
        "memory-first": "Writes: your own words, arranged (small model)",
        "prose": "Writes: model prose, every sentence checked",
    }.get(mode, "")
