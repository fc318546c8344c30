"""`fondly memory …` and `fondly pace`: add files, record from the microphone, recover, list and show."""

from __future__ import annotations

import sys

import click

from app.cli.base import (
    NAME_MAX,
    FondlyGroup,
    _check_length,
    _check_path,
    _fmt_duration,
    _json,
    _load_transcriber,
    _not_blank,
    _store,
    cli,
)
from app.errors import FondlyError
from app.store import Store

# --- memories -----------------------------------------------------------------------------


@cli.group(cls=FondlyGroup)
def memory() -> None:
    """Add memories from text and audio files, and read them back."""


@memory.command("add")
@click.argument("project_ref", metavar="PROJECT")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--title",
    default=None,
    callback=_not_blank,
    help="Title for the memory (one file only); defaults to the file name.",
)
@click.option(
    "--whisper-model", default=None, callback=_not_blank, help="A CTranslate2 Whisper model folder to transcribe with."
)
@click.option(
    "--answers",
    default=None,
    callback=_not_blank,
    metavar="ID",
    help="The question this memory answers (`fondly questions PROJECT` lists them); one file only.",
)
@click.pass_context
def memory_add(ctx, project_ref, paths, title, whisper_model, answers) -> None:
    """Add files as memories and print their ids; audio is transcribed on this computer."""
    from app.memories import add_files

    if title and len(paths) > 1:
        raise click.UsageError("--title can name only one file; add the files one at a time.")
    if answers and len(paths) > 1:
        raise click.UsageError("--answers links only one file to its question; add the files one at a time.")
    if title:
        _check_length(title.strip(), "A memory's title", NAME_MAX)
    for path in paths:
        _check_path(path)
    store = _store(ctx)
    proj = store.find_project(project_ref)
    title, answers = _answering(store, proj, answers, title)

    def load():
        return _load_transcriber(whisper_model)

    def progress(mem, seg) -> None:
        click.echo(f"  [{mem.title} {_fmt_duration(seg.start)}] {seg.text}", err=True)

    for m in add_files(store, proj, paths, title=title, transcriber=load, on_segment=progress, question=answers):
        click.echo(m.id)


def _answering(store: Store, proj, answers: str | None, title: str | None) -> tuple[str | None, str | None]:
    """The question a memory answers, checked (an unknown id is one line saying how to list them),
    and the memory's title: the one given, or the question itself."""
    if not answers:
        return title, None
    from app.interview import find

    question = find(store, proj, answers)
    return title or (question.text if question else None), answers.strip()


def _recover(store: Store, transcriber) -> None:
    """Finish recordings and audio imports an earlier Fondly was killed in the middle of."""
    from app import recordings

    for m in recordings.unfinished(store):
        m = recordings.recover(store, m, transcriber)
        what = "recording" if m.kind == "voice" else "import"
        click.echo(f"Recovered an interrupted {what}: {m.title} (memory {m.id}, {m.status}).", err=True)


@memory.command("record")
@click.argument("project_ref", metavar="PROJECT")
@click.option("--seconds", type=click.FloatRange(min=0.5), default=None, help="Stop after this long.")
@click.option(
    "--device", default=None, callback=_not_blank, help="Microphone name (default: the system's default input)."
)
@click.option("--title", default=None, callback=_not_blank, help="Title for the memory (default: the date and time).")
@click.option(
    "--whisper-model", default=None, callback=_not_blank, help="A CTranslate2 Whisper model folder to transcribe with."
)
@click.option(
    "--answers",
    default=None,
    callback=_not_blank,
    metavar="ID",
    help="The question this memory answers (`fondly questions PROJECT` lists them).",
)
@click.pass_context
def memory_record(ctx, project_ref, seconds, device, title, whisper_model, answers) -> None:
    """Record a memory from the microphone, transcribing as you speak. Ctrl+C stops and keeps it."""
    import signal

    from PySide6.QtCore import QCoreApplication, QTimer

    from app.microphone import find_input
    from app.recording_session import RecordingSession

    if title:
        _check_length(title.strip(), "A memory's title", NAME_MAX)
    qt = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    store = _store(ctx)
    proj = store.find_project(project_ref)
    title, answers = _answering(store, proj, answers, title)
    mic = find_input(device)
    transcriber = _load_transcriber(whisper_model)
    _recover(store, transcriber)

    def heard(_memory_id, seg) -> None:
        click.echo(f"  [{_fmt_duration(seg.start)}] {seg.text}", err=True)

    session = RecordingSession(store, proj, transcriber, device=device, title=title, on_segment=heard, question=answers)
    session.start()
    problems: list[str] = []

    def on_failed(msg: str) -> None:
        problems.append(msg)
        qt.quit()

    session.failed.connect(on_failed)
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
@click.option(
    "--whisper-model", default=None, callback=_not_blank, help="A CTranslate2 Whisper model folder to transcribe with."
)
@click.pass_context
def memory_recover(ctx, whisper_model) -> None:
    """Finish recordings and audio imports that were cut off (a crash, a power cut)."""
    from app import recordings

    store = _store(ctx)
    if not recordings.unfinished(store):
        click.echo("Nothing was interrupted: every memory is finished.", err=True)
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
