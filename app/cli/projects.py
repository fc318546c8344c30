"""`fondly project …`: make, change and list speeches."""

from __future__ import annotations

import click

from app import settings
from app.cli.base import FondlyGroup, _json, _store, cli
from app.store import Person
from llm.brief import PACE_RANGE
from llm.occasions import OCCASIONS

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
        title,
        occasion,
        subject,
        speaker,
        Person.parse_list(people),
        pace or int(settings.get("pace")),
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
    fields = {
        k: v
        for k, v in {"title": title, "occasion": occasion, "subject": subject, "speaker": speaker, "pace": pace}.items()
        if v is not None
    }
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
