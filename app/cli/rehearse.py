"""`fondly rehearse DRAFT AUDIO` and `fondly rehearsals DRAFT`: a read of the speech, timed and kept."""

from __future__ import annotations

import click

from app import speaking
from app.cli.base import _check_path, _json, _load_transcriber, _not_blank, _store, cli
from app.errors import FondlyError


def _public(report: dict) -> dict:
    """The report's JSON: the documented keys first (total_seconds, target_seconds, paragraphs of
    index/seconds/skipped/words_per_minute, pauses, changed), then the rest."""
    return {"total_seconds": report["total_seconds"], "target_seconds": report["target_seconds"], **report}


@cli.command()
@click.argument("draft_id", metavar="DRAFT", type=int)
@click.argument("audio_path", metavar="AUDIO", type=click.Path(), required=False)
@click.option("--list", "list_", is_flag=True, help="List the draft's past rehearsals instead.")
@click.option(
    "--whisper-model", default=None, callback=_not_blank, help="A CTranslate2 Whisper model folder to transcribe with."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def rehearse(ctx, draft_id, audio_path, list_, whisper_model, as_json) -> None:
    """Time a recording of the draft read aloud: per paragraph, skipped passages, pace and pauses.

    The rehearsal and a copy of its audio are kept with the draft (`fondly rehearsals DRAFT`).
    """
    if list_:
        return _list(ctx, draft_id, as_json)
    if audio_path is None:
        raise FondlyError("Give the recording to rehearse from: fondly rehearse DRAFT AUDIO.")
    from app.rehearsal import rehearse as run
    from app.rehearsal import summary_lines

    _check_path(audio_path, "recording")
    store = _store(ctx)
    store.draft(draft_id)  # a wrong draft is said before the speech model loads
    stored, report = run(store, draft_id, audio_path, lambda: _load_transcriber(whisper_model))
    if as_json:
        return _json({"rehearsal_id": stored.id, **_public(report.to_dict())})
    for line in summary_lines(report.to_dict()):
        click.echo(line)
    click.echo(f"Rehearsal {stored.id} kept with draft {draft_id}.", err=True)


@cli.command()
@click.argument("draft_id", metavar="DRAFT", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def rehearsals(ctx, draft_id, as_json) -> None:
    """List a draft's rehearsals, oldest first: when, how long, which revision, what was skipped."""
    _list(ctx, draft_id, as_json)


def _list(ctx, draft_id: int, as_json: bool) -> None:
    store = _store(ctx)
    items = store.rehearsals(store.draft(draft_id).id)
    if as_json:
        return _json(
            [
                {
                    "id": r.id,
                    "created": r.created,
                    "revision_id": r.revision_id,
                    "duration": r.duration,
                    "audio_path": r.audio_path,
                    **_public(r.report),
                }
                for r in items
            ]
        )
    for r in items:
        skipped = [p["index"] + 1 for p in r.report.get("paragraphs", []) if p.get("skipped")]
        click.echo(
            f"{r.id}\t{r.created}\trevision {r.revision_id}\t{speaking.clock(r.report.get('total_seconds', 0))}"
            + (f"\tskipped ¶{', ¶'.join(map(str, skipped))}" if skipped else "")
        )
