"""`fondly write`, `brief`, `eval`, `search`, `draft …` and `export`: writing and what is written."""

from __future__ import annotations

import re
import sys
import threading

import click

from app import speaking
from app.cli.base import (
    NAME_MAX,
    TEXT_MAX,
    FondlyGroup,
    _check_length,
    _check_output,
    _check_path,
    _json,
    _load_transcriber,
    _not_blank,
    _short,
    _store,
    cli,
)
from app.errors import FondlyError
from app.recovery import INTERRUPTED
from app.store import Store

SEED = click.IntRange(0, 2**32 - 1)  # what llama.cpp takes, and what a revision stores
QUERY_MAX = 500  # characters in a search


# --- writing and drafts -------------------------------------------------------------------


@cli.command()
@click.argument("project_ref", metavar="PROJECT")
@click.argument("shorthand")
@click.option(
    "--model", default=None, callback=_not_blank, help="A .gguf model file to write with (default: the bundled one)."
)
@click.option("--seed", type=SEED, default=None, help="Seed, to get the same draft again.")
@click.option(
    "--server", default=None, callback=_not_blank, help="An OpenAI-compatible model server URL to write with instead."
)
@click.option(
    "--use", "use", multiple=True, callback=_not_blank, help="Write only from these memories (title or id); repeatable."
)
@click.option("--json", "as_json", is_flag=True, help="Print the draft, its Brief, provenance and checks as JSON.")
@click.pass_context
def write(ctx, project_ref, shorthand, model, seed, server, use, as_json) -> None:
    """Write from SHORTHAND, streaming each checked paragraph; print the new draft's id to stderr."""
    from app.engines import open_text_engine
    from app.writing import write as write_speech

    _check_shorthand(shorthand)
    if server:
        _check_length(server, "A server address", TEXT_MAX)
    store = _store(ctx)
    proj = store.find_project(project_ref)
    memory_ids = _memory_ids(store, proj, use) if use else None
    engine = open_text_engine(model, server)

    def out(paragraph) -> None:
        if not as_json:
            sys.stdout.write(paragraph.text + "\n\n")
            sys.stdout.flush()

    result = write_speech(
        store, proj, shorthand, engine, seed=seed, memory_ids=memory_ids, on_paragraph=out, cancel=threading.Event()
    )
    if as_json:
        rev = result.revision
        _json(
            {
                "draft_id": result.draft.id,
                "revision_id": rev.id,
                "text": rev.text,
                "seed": rev.seed,
                "model": rev.model,
                "brief": result.draft.brief,
                "paragraphs": rev.provenance,
                "checks": rev.checks,
            }
        )
    elif result.revision.checks.get("scaffold"):
        sys.stdout.write(result.revision.text)
    for line in _honest_lines(result.revision.checks):
        click.echo(line, err=True)
    click.echo(result.draft.id, err=True)
    if result.stopped:
        click.echo("Stopped; what was written is saved.", err=True)
        ctx.exit(130)


def _check_shorthand(shorthand: str) -> None:
    if not shorthand.strip():
        raise FondlyError('Say what to write, for example "Write a funeral speech using dad.txt".')
    _check_length(shorthand, "What to write", TEXT_MAX)


def _honest_lines(checks: dict) -> list[str]:
    """What the person should know about a draft, said plainly: a scaffold, a shortfall, words not traced."""
    out = []
    if checks.get("scaffold"):
        out.append("This is a scaffold, not a speech: " + " ".join(checks.get("notes", [])))
        return out
    if checks.get("interrupted"):
        out.append(INTERRUPTED)
    if checks.get("unsupported_words"):
        out.append("Not found in your memories: " + ", ".join(checks["unsupported_words"]))
    if checks.get("shortfall"):
        out.append(f"Shorter than asked: {checks['shortfall']}.")
    out += checks.get("notes", [])
    return out


def _memory_ids(store: Store, proj, refs) -> list[int]:
    memories = store.memories(proj.id)
    ids = []
    for ref in refs:
        found = [m.id for m in memories if m.title.lower() == ref.lower() or str(m.id) == ref]
        if not found:
            raise FondlyError(f"This project has no memory {ref!r}. `fondly memory list {proj.id}` shows them.")
        ids += found
    return ids


@cli.command()
@click.argument("project_ref", metavar="PROJECT")
@click.argument("shorthand")
@click.option("--text", "as_text", is_flag=True, help="Print it as lines to read, as the chips show it, not JSON.")
@click.pass_context
def brief(ctx, project_ref, shorthand, as_text) -> None:
    """Show how SHORTHAND is understood (the Brief), without writing anything: its fields, what the
    writer will not use, and what no memory tells of yet."""
    from app.writing import make_brief, model_status, read_brief

    _check_shorthand(shorthand)
    store = _store(ctx)
    project = store.find_project(project_ref)
    b = make_brief(store, project, shorthand)
    reading = read_brief(store, project, b, model_status()["mode"])
    if not as_text:
        _json(
            {
                **b.to_dict(),
                "not_used": reading.not_used,
                "untold": reading.untold,
                "needs_larger_model": reading.needs_larger_model,
            }
        )
        return
    for key, value in b.to_dict().items():
        if key not in ("shorthand", "instructions", "rewrite") and value not in ("", [], None, 0):
            click.echo(
                f"{key.replace('_', ' ').capitalize()}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
            )
    for line in reading.lines():
        click.echo(line)


@cli.command("eval")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--model", default=None, callback=_not_blank, help="A .gguf model file to evaluate (default: the bundled one)."
)
@click.option(
    "--server",
    default=None,
    callback=_not_blank,
    help="An OpenAI-compatible server to evaluate instead of a local model.",
)
@click.option("--seed", type=SEED, default=1, show_default=True)
@click.option("--check", "check", is_flag=True, help="Exit 1 when a case falls below the thresholds.")
@click.option("--json", "as_json", is_flag=True, help="Print every case's scores as JSON.")
@click.option(
    "--markdown",
    "md",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the report, with every draft in full, here.",
)
def evaluate(paths, model, server, seed, check, as_json, md) -> None:
    """Run evaluation cases (folders with case.json) through the whole path; an independent judge scores them."""
    from app.engines import open_text_engine
    from app.evaluation import (
        SpeedLog,
        find_cases,
        line,
        load_case,
        model_report,
        passed,
        report_markdown,
        run_case,
        summary,
    )

    cases = find_cases(paths)
    if not cases:
        raise FondlyError(f"No evaluation cases (folders with case.json) in {', '.join(paths)}.")
    for case in cases:  # every case readable before the model loads
        _check_path(str(case / "case.json"))
        load_case(case)
    if model:  # a file llama.cpp can't open is refused in a child process, not by aborting this one
        _check_path(model, "model file")  # open_text_engine checks the file in a child before loading it
    engine = open_text_engine(model, server)
    speeds = SpeedLog(engine)
    rows = []
    for case in cases:
        row = run_case(case, engine, seed)
        rows.append(row)
        if not as_json:
            click.echo(line(row))
    total = summary(rows)
    if as_json:
        _json({"model": model_report(engine, speeds), "cases": rows, "summary": total})
    else:
        click.echo(
            f"{total['supported_share']:.0%} of {total['sentences']} sentences supported; "
            f"{len(total['failed'])} of {total['cases']} cases below the thresholds; {total['seconds']:.0f} s"
        )
    if md:
        from pathlib import Path

        Path(md).write_text(report_markdown(rows, model_report(engine, speeds)), encoding="utf-8")
    if check and not passed(rows):
        raise SystemExit(1)


@cli.command()
@click.argument("project_ref", metavar="PROJECT")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def search(ctx, project_ref, query, as_json) -> None:
    """Search a project's memories and drafts; matches are shown [like this]."""
    if not re.search(r"\w", query):
        raise FondlyError(f'Search for a word or two, for example "garden"; {_short(query, 60)!r} has none.')
    _check_length(query, "A search", QUERY_MAX)
    store = _store(ctx)
    hits = store.search_snippets(store.find_project(project_ref).id, query)
    if not hits:
        click.echo(f"Nothing in this project matches {_short(query, 60)!r}.", err=True)
    if as_json:
        return _json(hits)
    for h in hits:
        click.echo(f"{h['kind']} {h['id']}\t{h['title']}\t{h['snippet']}")


@cli.command()
@click.argument("project_ref", metavar="PROJECT")
@click.argument("audio_path", metavar="AUDIO", type=click.Path())
@click.option(
    "--whisper-model", default=None, callback=_not_blank, help="A CTranslate2 Whisper model folder to transcribe with."
)
@click.pass_context
def pace(ctx, project_ref, audio_path, whisper_model) -> None:
    """Measure your speaking pace from a practice read, and use it for speaking times."""
    from app.pace import measure

    _check_path(audio_path, "recording")
    store = _store(ctx)
    proj = store.find_project(project_ref)
    wpm, words, seconds = measure(_Deferred(lambda: _load_transcriber(whisper_model)), audio_path, proj.hotwords)
    store.update_project(proj.id, pace=wpm)
    click.echo(f"{wpm} words a minute ({words} words in {seconds:.0f} s). Speaking times now use this pace.")


class _Deferred:
    """A transcriber that loads on first use: `measure` reads the recording first, so a file that
    is not usable audio is refused before the speech model spends a second loading."""

    def __init__(self, load):
        self._load, self._transcriber = load, None

    def transcribe(self, *args, **kwargs):
        if self._transcriber is None:
            self._transcriber = self._load()
        return self._transcriber.transcribe(*args, **kwargs)


@cli.group(cls=FondlyGroup)
def draft() -> None:
    """List, read, compare and restore drafts and their revisions."""


@draft.command("list")
@click.argument("project_ref", metavar="PROJECT")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def draft_list(ctx, project_ref, as_json) -> None:
    """List a project's drafts."""
    store = _store(ctx)
    proj = store.find_project(project_ref)
    drafts = store.drafts(proj.id)
    if as_json:
        return _json(
            [
                {**d.to_dict(), "text": store.current_text(d.id), **_timing(store.current_text(d.id), proj.pace)}
                for d in drafts
            ]
        )
    for d in drafts:
        click.echo(f"{d.id}\t{d.title}\t{d.kind}\t{speaking.summary(store.current_text(d.id), proj.pace)}\t{d.updated}")


@draft.command("new")
@click.argument("project_ref", metavar="PROJECT")
@click.argument("path", metavar="FILE", type=click.Path())
@click.option("--title", default=None, callback=_not_blank, help="The draft's title (default: the file's name).")
@click.pass_context
def draft_new(ctx, project_ref, path, title) -> None:
    """Make a draft from a speech written elsewhere (.txt, .md or .docx); print its id."""
    from app.speech_import import import_draft

    _check_path(path, "speech file")
    if title:
        _check_length(title, "A title", NAME_MAX)
    store = _store(ctx)
    d, rev = import_draft(store, store.find_project(project_ref), path, title)
    click.echo(f"{d.title}: {speaking.summary(rev.text, store.project(d.project_id).pace)}", err=True)
    click.echo(d.id)


@draft.command("show")
@click.argument("draft_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def draft_show(ctx, draft_id, as_json) -> None:
    """Show a draft's current text."""
    store = _store(ctx)
    d = store.draft(draft_id)
    revisions = store.revisions(d.id)
    text = store.current_text(d.id)
    pace_ = store.project(d.project_id).pace
    rehearsals = store.rehearsals(d.id)
    if as_json:
        return _json(
            {
                **d.to_dict(),
                "text": text,
                **_timing(text, pace_),
                "revisions": [r.to_dict() for r in revisions],
                "rehearsals": [
                    {
                        "id": r.id,
                        "created": r.created,
                        "revision_id": r.revision_id,
                        "total_seconds": r.report.get("total_seconds"),
                    }
                    for r in rehearsals
                ],
            }
        )
    click.echo(
        f"{d.title} ({d.kind}, {len(revisions)} revision{'s' if len(revisions) != 1 else ''}, "
        f"{speaking.summary(text, pace_)})"
    )
    click.echo()
    click.echo(text.rstrip())
    for line in _honest_lines(revisions[-1].checks if revisions else {}):
        click.echo(line, err=True)
    if rehearsals:
        last = rehearsals[-1]
        click.echo(
            f"Rehearsed {len(rehearsals)} time{'s' if len(rehearsals) != 1 else ''}; the last took "
            f"{speaking.clock(last.report.get('total_seconds') or 0)} ({last.created}). "
            f"`fondly rehearsals {d.id}` lists them.",
            err=True,
        )


def _timing(text: str, pace_: int) -> dict:
    words = speaking.word_count(text)
    return {"words": words, "pace": pace_, "speaking_seconds": speaking.speaking_seconds(words, pace_)}


@draft.command("history")
@click.argument("draft_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def draft_history(ctx, draft_id, as_json) -> None:
    """Every revision of a draft, oldest first: when, how it came about, how long."""
    store = _store(ctx)
    revisions = store.revisions(store.draft(draft_id).id)
    if as_json:
        return _json(
            [
                {
                    "id": r.id,
                    "created": r.created,
                    "origin": r.origin,
                    "words": speaking.word_count(r.text),
                    "text": r.text,
                }
                for r in revisions
            ]
        )
    for r in revisions:
        click.echo(f"{r.id}\t{r.created}\t{r.origin}\t{speaking.word_count(r.text)} words")


@draft.command("compare")
@click.argument("first", type=int)
@click.argument("second", type=int)
@click.pass_context
def draft_compare(ctx, first, second) -> None:
    """Compare two revisions word by word: [-removed-] {+added+}."""
    from app.diff import word_diff

    store = _store(ctx)
    a, b = store.revision(first), store.revision(second)
    click.echo(
        "".join(f"[-{t}-]" if op == "-" else f"{{+{t}+}}" if op == "+" else t for op, t in word_diff(a.text, b.text))
    )


@draft.command("restore")
@click.argument("draft_id", type=int)
@click.argument("revision_id", type=int)
@click.pass_context
def draft_restore(ctx, draft_id, revision_id) -> None:
    """Make an old revision current again (the current text stays in the history)."""
    click.echo(_store(ctx).restore(draft_id, revision_id).id)


@cli.command()
@click.argument("draft_id", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "txt", "html", "pdf", "cards", "docx"]),
    default="md",
    show_default=True,
    help="pdf: large-print reading copy; cards: cue cards.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option(
    "--timings", is_flag=True, help="pdf: print the last rehearsal's timing marks (≈ 1:40) at each paragraph."
)
@click.pass_context
def export(ctx, draft_id, fmt, output, timings) -> None:
    """Export a draft for delivery."""
    from app.export import export_draft

    _check_output(output, f"speech.{fmt}")
    click.echo(export_draft(_store(ctx), draft_id, fmt, output, timings=timings), err=True)
