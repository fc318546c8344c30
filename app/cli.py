"""`fondly`: a thin click CLI over the same services the desktop app uses.

A person's mistake prints one line, `fondly: error: …`, and exits 1; usage errors exit 2
(click's own rule). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import click

from app import settings, speaking
from app.errors import USER_ERRORS, FondlyError
from app.store import Person, Store
from llm.brief import PACE_RANGE
from llm.occasions import OCCASIONS


class FondlyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as e:
            click.echo(f"fondly: error: {e}", err=True)
            ctx.exit(1)


def _store(ctx: click.Context) -> Store:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Store.open_default()
        root.call_on_close(root.obj.close)
    return root.obj


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _fmt_duration(seconds: float | None) -> str:
    return "" if seconds is None else speaking.clock(seconds)


@click.group(cls=FondlyGroup, invoke_without_command=True)
@click.version_option(package_name="fondly")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Fondly: write a eulogy, toast or retirement speech from your memories, on your own computer.

    Run `fondly` alone to open the desktop app.
    """
    if ctx.invoked_subcommand is None:
        from app.ui.app import run

        ctx.exit(run(sys.argv[:1]))


# --- projects -----------------------------------------------------------------------------


@cli.group(cls=FondlyGroup)
def project() -> None:
    """Create and list speech projects."""


@project.command("new")
@click.argument("title")
@click.option("--occasion", type=click.Choice(OCCASIONS), default="funeral", show_default=True)
@click.option("--subject", default="", help='Who the speech is about, e.g. "Dad" or "Frank".')
@click.option("--speaker", default="", help="Who will give the speech.")
@click.option("--people", default="", help='Names in the story, e.g. "Siobhan (shiv-AWN), Tadhg".')
@click.option("--pace", type=click.IntRange(*PACE_RANGE), default=None, help="Speaking pace in words per minute.")
@click.option("--vocabulary", default="", help='Words to spell your way in transcripts, e.g. "Gerald, Lake Travis".')
@click.pass_context
def project_new(ctx, title, occasion, subject, speaker, people, pace, vocabulary) -> None:
    """Create a project and print its id."""
    p = _store(ctx).create_project(
        title, occasion, subject, speaker, Person.parse_list(people), pace or int(settings.get("pace")),
        vocabulary=_words(vocabulary),
    )
    click.echo(p.id)


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


@project.command("edit")
@click.argument("project_ref", metavar="PROJECT")
@click.option("--title", default=None)
@click.option("--occasion", type=click.Choice(OCCASIONS), default=None)
@click.option("--subject", default=None)
@click.option("--speaker", default=None)
@click.option("--people", default=None, help="Replaces the list of people.")
@click.option("--pace", type=click.IntRange(*PACE_RANGE), default=None)
@click.option("--vocabulary", default=None, help="Replaces the vocabulary.")
@click.pass_context
def project_edit(ctx, project_ref, title, occasion, subject, speaker, people, pace, vocabulary) -> None:
    """Change a project's details."""
    store = _store(ctx)
    proj = store.find_project(project_ref)
    fields = {k: v for k, v in dict(title=title, occasion=occasion, subject=subject, speaker=speaker,
                                     pace=pace).items() if v is not None}
    if people is not None:
        fields["people"] = Person.parse_list(people)
    if vocabulary is not None:
        fields["vocabulary"] = _words(vocabulary)
    store.update_project(proj.id, **fields)
    click.echo(proj.id)


@project.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def project_list(ctx, as_json) -> None:
    """List projects."""
    projects = _store(ctx).projects()
    if as_json:
        return _json([p.to_dict() for p in projects])
    for p in projects:
        people = ", ".join(x.name for x in p.people)
        click.echo(f"{p.id}\t{p.title}\t{p.occasion}\t{p.subject}\t{people}")


# --- memories -----------------------------------------------------------------------------


@cli.group(cls=FondlyGroup)
def memory() -> None:
    """Add memories from text and audio files, and read them back."""


@memory.command("add")
@click.argument("project_ref", metavar="PROJECT")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("--title", default=None, help="Title for the memory (one file only); defaults to the file name.")
@click.option("--whisper-model", default=None, help="A CTranslate2 Whisper model folder to transcribe with.")
@click.pass_context
def memory_add(ctx, project_ref, paths, title, whisper_model) -> None:
    """Add files as memories and print their ids; audio is transcribed on this computer."""
    from app.memories import add_files

    if title and len(paths) > 1:
        raise click.UsageError("--title can name only one file; add the files one at a time.")
    store = _store(ctx)
    proj = store.find_project(project_ref)

    def load():
        return _load_transcriber(whisper_model)

    def progress(mem, seg) -> None:
        click.echo(f"  [{mem.title} {_fmt_duration(seg.start)}] {seg.text}", err=True)

    for m in add_files(store, proj, paths, title=title, transcriber=load, on_segment=progress):
        click.echo(m.id)


def _load_transcriber(whisper_model: str | None):
    from app.engines import open_transcriber

    return open_transcriber(whisper_model)


def _recover(store: Store, transcriber) -> None:
    """Finish recordings an earlier Fondly was killed in the middle of."""
    from app import recordings

    for m in recordings.unfinished(store):
        m = recordings.recover(store, m, transcriber)
        click.echo(f"Recovered an interrupted recording: {m.title} (memory {m.id}).", err=True)


@memory.command("record")
@click.argument("project_ref", metavar="PROJECT")
@click.option("--seconds", type=click.FloatRange(min=0.5), default=None, help="Stop after this long.")
@click.option("--device", default=None, help="Microphone name (default: the system's default input).")
@click.option("--title", default=None, help="Title for the memory (default: the date and time).")
@click.option("--whisper-model", default=None, help="A CTranslate2 Whisper model folder to transcribe with.")
@click.pass_context
def memory_record(ctx, project_ref, seconds, device, title, whisper_model) -> None:
    """Record a memory from the microphone, transcribing as you speak. Ctrl+C stops and keeps it."""
    import signal

    from PySide6.QtCore import QCoreApplication, QTimer

    from app.microphone import find_input
    from app.recording_session import RecordingSession

    qt = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    store = _store(ctx)
    proj = store.find_project(project_ref)
    mic = find_input(device)
    transcriber = _load_transcriber(whisper_model)
    _recover(store, transcriber)

    def heard(_memory_id, seg) -> None:
        click.echo(f"  [{_fmt_duration(seg.start)}] {seg.text}", err=True)

    session = RecordingSession(store, proj, transcriber, device=device, title=title, on_segment=heard)
    session.start()
    problems: list[str] = []
    session.recorder.failed.connect(lambda msg: (problems.append(msg), qt.quit()))
    signal.signal(signal.SIGINT, lambda *_: qt.quit())
    wake = QTimer(interval=100)  # lets Python notice Ctrl+C while Qt waits
    wake.timeout.connect(lambda: None)
    wake.start()
    if seconds:
        QTimer.singleShot(int(seconds * 1000), qt.quit)
    click.echo(f"Recording from {mic.description()}… press Ctrl+C to stop.", err=True)
    qt.exec()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    session.stop()
    click.echo("Finishing the transcript…", err=True)
    memory = session.finish()
    click.echo(memory.id)
    if problems:
        raise FondlyError(problems[0])


@memory.command("recover")
@click.option("--whisper-model", default=None, help="A CTranslate2 Whisper model folder to transcribe with.")
@click.pass_context
def memory_recover(ctx, whisper_model) -> None:
    """Finish recordings that were cut off (a crash, a power cut)."""
    from app import recordings

    store = _store(ctx)
    if not recordings.unfinished(store):
        click.echo("No interrupted recordings.", err=True)
        return
    _recover(store, _load_transcriber(whisper_model))


@memory.command("list")
@click.argument("project_ref", metavar="PROJECT")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def memory_list(ctx, project_ref, as_json) -> None:
    """List a project's memories."""
    store = _store(ctx)
    memories = store.memories(store.find_project(project_ref).id)
    if as_json:
        return _json([m.to_dict() for m in memories])
    for m in memories:
        preview = " ".join(m.text.split())[:60]
        click.echo(f"{m.id}\t{m.title}\t{m.kind}\t{m.status}\t{_fmt_duration(m.duration)}\t{preview}")


@memory.command("show")
@click.argument("memory_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def memory_show(ctx, memory_id, as_json) -> None:
    """Show a memory's text, status and transcript segments."""
    store = _store(ctx)
    m = store.memory(memory_id)
    segments = store.segments(m.id)
    if as_json:
        return _json({**m.to_dict(), "segments": [s.to_dict() for s in segments]})
    click.echo(f"{m.title} ({m.kind}, {m.status}{', ' + _fmt_duration(m.duration) if m.duration else ''})")
    if m.error:
        click.echo(f"Error: {m.error}")
    click.echo()
    click.echo(m.text.strip())
    if segments:
        click.echo()
        for s in segments:
            click.echo(f"[{_fmt_duration(s.start)}–{_fmt_duration(s.end)}] {s.text}")


# --- writing and drafts -------------------------------------------------------------------


@cli.command()
@click.argument("project_ref", metavar="PROJECT")
@click.argument("shorthand")
@click.option("--model", default=None, help="A .gguf model file to write with (default: the bundled one).")
@click.option("--seed", type=int, default=None, help="Seed, to get the same draft again.")
@click.option("--server", default=None, help="An OpenAI-compatible model server URL to write with instead.")
@click.option("--use", "use", multiple=True, help="Write only from these memories (title or id); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the draft, its Brief, provenance and checks as JSON.")
@click.pass_context
def write(ctx, project_ref, shorthand, model, seed, server, use, as_json) -> None:
    """Write from SHORTHAND, streaming each checked paragraph; print the new draft's id to stderr."""
    from app.engines import open_text_engine
    from app.writing import write as write_speech

    if not shorthand.strip():
        raise FondlyError('Say what to write, for example "Write a funeral speech using dad.txt".')
    store = _store(ctx)
    proj = store.find_project(project_ref)
    memory_ids = _memory_ids(store, proj, use) if use else None
    engine = open_text_engine(model, server)

    def out(paragraph) -> None:
        if not as_json:
            sys.stdout.write(paragraph.text + "\n\n")
            sys.stdout.flush()

    result = write_speech(store, proj, shorthand, engine, seed=seed, memory_ids=memory_ids, on_paragraph=out,
                          cancel=threading.Event())
    if as_json:
        rev = result.revision
        _json({"draft_id": result.draft.id, "revision_id": rev.id, "text": rev.text, "seed": rev.seed,
               "model": rev.model, "brief": result.draft.brief, "paragraphs": rev.provenance, "checks": rev.checks})
    elif result.revision.checks.get("scaffold"):
        sys.stdout.write(result.revision.text)
    for line in _honest_lines(result.revision.checks):
        click.echo(line, err=True)
    click.echo(result.draft.id, err=True)
    if result.stopped:
        click.echo("Stopped; what was written is saved.", err=True)
        ctx.exit(130)


def _honest_lines(checks: dict) -> list[str]:
    """What the person should know about a draft, said plainly: a scaffold, a shortfall, words not traced."""
    out = []
    if checks.get("scaffold"):
        out.append("This is a scaffold, not a speech: " + " ".join(checks.get("notes", [])))
        return out
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
@click.pass_context
def brief(ctx, project_ref, shorthand) -> None:
    """Show how SHORTHAND is understood (the Brief), as JSON, without writing anything."""
    from app.writing import make_brief

    store = _store(ctx)
    _json(make_brief(store, store.find_project(project_ref), shorthand).to_dict())


@cli.command("eval")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--model", default=None, help="A .gguf model file to evaluate (default: the bundled one).")
@click.option("--server", default=None, help="An OpenAI-compatible server to evaluate instead of a local model.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--check", "check", is_flag=True, help="Exit 1 when a case falls below the thresholds.")
@click.option("--json", "as_json", is_flag=True, help="Print every case's scores as JSON.")
@click.option("--markdown", "md", type=click.Path(dir_okay=False), default=None,
              help="Also write the report, with every draft in full, here.")
def evaluate(paths, model, server, seed, check, as_json, md) -> None:
    """Run evaluation cases (folders with case.json) through the whole path; an independent judge scores them."""
    from app.engines import open_text_engine
    from app.evaluation import find_cases, line, passed, report_markdown, run_case, summary

    cases = find_cases(paths)
    if not cases:
        raise FondlyError(f"No evaluation cases (folders with case.json) in {', '.join(paths)}.")
    engine = open_text_engine(model, server)
    rows = []
    for case in cases:
        row = run_case(case, engine, seed)
        rows.append(row)
        if not as_json:
            click.echo(line(row))
    total = summary(rows)
    if as_json:
        _json({"cases": rows, "summary": total})
    else:
        click.echo(f"{total['supported_share']:.0%} of {total['sentences']} sentences supported; "
                   f"{len(total['failed'])} of {total['cases']} cases below the thresholds; {total['seconds']:.0f} s")
    if md:
        from pathlib import Path

        Path(md).write_text(report_markdown(rows, engine.name), encoding="utf-8")
    if check and not passed(rows):
        raise SystemExit(1)


@cli.command()
@click.argument("project_ref", metavar="PROJECT")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def search(ctx, project_ref, query, as_json) -> None:
    """Search a project's memories and drafts; matches are shown [like this]."""
    store = _store(ctx)
    hits = store.search_snippets(store.find_project(project_ref).id, query)
    if as_json:
        return _json(hits)
    for h in hits:
        click.echo(f"{h['kind']} {h['id']}\t{h['title']}\t{h['snippet']}")


@cli.command()
@click.argument("project_ref", metavar="PROJECT")
@click.argument("audio_path", metavar="AUDIO", type=click.Path())
@click.option("--whisper-model", default=None, help="A CTranslate2 Whisper model folder to transcribe with.")
@click.pass_context
def pace(ctx, project_ref, audio_path, whisper_model) -> None:
    """Measure your speaking pace from a practice read, and use it for speaking times."""
    from app.pace import measure

    store = _store(ctx)
    proj = store.find_project(project_ref)
    wpm, words, seconds = measure(_load_transcriber(whisper_model), audio_path, proj.hotwords)
    store.update_project(proj.id, pace=wpm)
    click.echo(f"{wpm} words a minute ({words} words in {seconds:.0f} s). Speaking times now use this pace.")


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
        return _json([{**d.to_dict(), "text": store.current_text(d.id),
                       **_timing(store.current_text(d.id), proj.pace)} for d in drafts])
    for d in drafts:
        click.echo(f"{d.id}\t{d.title}\t{d.kind}\t{speaking.summary(store.current_text(d.id), proj.pace)}\t{d.updated}")


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
    if as_json:
        return _json({**d.to_dict(), "text": text, **_timing(text, pace_), "revisions": [r.to_dict() for r in revisions]})
    click.echo(f"{d.title} ({d.kind}, {len(revisions)} revision{'s' if len(revisions) != 1 else ''}, "
               f"{speaking.summary(text, pace_)})")
    click.echo()
    click.echo(text.rstrip())


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
        return _json([{"id": r.id, "created": r.created, "origin": r.origin, "words": speaking.word_count(r.text),
                       "text": r.text} for r in revisions])
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
    click.echo("".join(f"[-{t}-]" if op == "-" else f"{{+{t}+}}" if op == "+" else t for op, t in word_diff(a.text, b.text)))


@draft.command("restore")
@click.argument("draft_id", type=int)
@click.argument("revision_id", type=int)
@click.pass_context
def draft_restore(ctx, draft_id, revision_id) -> None:
    """Make an old revision current again (the current text stays in the history)."""
    click.echo(_store(ctx).restore(draft_id, revision_id).id)


@cli.command()
@click.argument("draft_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["md", "txt", "html", "pdf", "cards", "docx"]), default="md",
              show_default=True, help="pdf: large-print reading copy; cards: cue cards.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.pass_context
def export(ctx, draft_id, fmt, output) -> None:
    """Export a draft for delivery."""
    from app.export import export_draft

    click.echo(export_draft(_store(ctx), draft_id, fmt, output), err=True)


# --- settings, models, doctor ------------------------------------------------------------


@cli.group(cls=FondlyGroup)
def config() -> None:
    """Read and change settings: model, whisper_model, threads, context, gpu_layers, pace, text_size, server, writing."""


@config.command("get")
@click.argument("key", required=False)
def config_get(key) -> None:
    """Print one setting, or all of them as JSON."""
    if key:
        value = settings.get(key)
        click.echo("" if value is None else json.dumps(value) if isinstance(value, (list, dict)) else value)
    else:
        _json(settings.load())


@config.command("set")
@click.argument("key")
@click.argument("value", required=False)
def config_set(key, value) -> None:
    """Change a setting; no VALUE (or "default") puts the default back."""
    settings.set_value(key, settings.parse(key, value))
    click.echo(f"{key} = {settings.get(key)}", err=True)


@config.command("trust")
@click.argument("url")
def config_trust(url) -> None:
    """Agree, once, to send memories to a model server on another computer."""
    from app.engines import trust

    trust(url)
    click.echo(f"Fondly may now send memories to {url} when writing with it.", err=True)


@cli.group(cls=FondlyGroup)
def models() -> None:
    """The models Fondly can use: list, add, use and remove them."""


def _model_line(row: dict) -> str:
    details = ""
    if row["kind"] == "text" and "architecture" in row:
        details = (f"{row['architecture']}, {row['parameters'] / 1e6:.0f}M parameters, {row['quantization']}, "
                   f"context {row['context_length']}")
    flags = " [in use]" if row["in_use"] else ""
    flags += " (bundled)" if row["bundled"] else ""
    flags += f" — {row['problem']}" if row.get("problem") else ""
    return f"{row['kind']:<7}{row['name']}{flags}\n       {details or row['path']}" + (
        f"\n       {row['good_for']}" if row.get("good_for") else "")


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models_list(as_json) -> None:
    """Every model, bundled ones first, and which are in use."""
    from app import model_manager as manager

    rows = manager.listing()
    if as_json:
        return _json(rows)
    for row in rows:
        click.echo(_model_line(row))


@models.command("add")
@click.argument("path", type=click.Path())
@click.option("--name", default=None, help="A name to know it by (default: the file or folder name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models_add(path, name, as_json) -> None:
    """Add a .gguf text model or a Whisper model folder, after checking it."""
    from app import model_manager as manager

    row = manager.add(path, name)
    _json(row) if as_json else click.echo(_model_line(row))


@models.command("use")
@click.argument("name")
def models_use(name) -> None:
    """Write (or transcribe) with this model from now on."""
    from app import model_manager as manager

    click.echo(_model_line(manager.use(name)))


@models.command("remove")
@click.argument("name")
def models_remove(name) -> None:
    """Forget a model you added (the file itself is left alone)."""
    from app import model_manager as manager

    manager.remove(name)
    click.echo(f"Removed {name}.", err=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def doctor(ctx, as_json) -> None:
    """Check the data folder, the models and the microphone; print a report for a bug report."""
    from app.doctor import run_checks

    checks = run_checks()
    if as_json:
        _json(checks)
    else:
        for c in checks:
            click.echo(f"{'ok  ' if c['ok'] else 'FAIL'}  {c['name']}: {c['detail']}")
    failed = [c for c in checks if not c["ok"] and c.get("essential", True)]
    if failed:
        raise FondlyError(f"{len(failed)} check{'s' if len(failed) != 1 else ''} failed: "
                          + "; ".join(f"{c['name']} ({c['detail']})" for c in failed))


def main() -> None:
    cli(prog_name="fondly")
