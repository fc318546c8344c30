"""`fondly questions`: the questions worth answering for a project, as the interview asks them.

Answer one with `fondly memory add PROJECT FILE --answers ID` or `fondly memory record PROJECT
--answers ID`; an answered question does not come back, a skipped one goes to the end."""

from __future__ import annotations

import click

from app.cli.base import TEXT_MAX, _check_length, _json, _not_blank, _store, cli


@cli.command()
@click.argument("project_ref", metavar="PROJECT")
@click.argument("shorthand", required=False)
@click.option(
    "--skip",
    "skips",
    multiple=True,
    callback=_not_blank,
    metavar="ID",
    help="Skip this question (it goes to the end of the list); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: a list of {id, question, fills, why, seconds}.")
@click.pass_context
def questions(ctx, project_ref, shorthand, skips, as_json) -> None:
    """The questions worth answering for PROJECT, most useful first; with SHORTHAND ("a eulogy with a
    joke"), also what it asks that the memories lack."""
    from app import interview

    if shorthand is not None:
        _check_length(shorthand, "What to write", TEXT_MAX)
    store = _store(ctx)
    proj = store.find_project(project_ref)
    for question_id in skips:
        interview.find(store, proj, question_id)  # an id that names nothing is said, not stored
        interview.skip(store, proj.id, question_id.strip())
    found = interview.questions(store, proj, shorthand)
    if as_json:
        return _json([q.to_dict() for q in found])
    if not found:
        click.echo("No questions left: every one is answered. Write again to see the new length.", err=True)
        return
    for i, q in enumerate(found, 1):
        click.echo(f"{i}. {q.text}")
        click.echo(f"   {q.id} · fills {q.fills} · about {q.seconds} s")
        click.echo(f"   {q.why}")
    click.echo(
        f"Answer one: fondly memory add {proj.id} FILE --answers ID, or fondly memory record {proj.id} --answers ID.",
        err=True,
    )
