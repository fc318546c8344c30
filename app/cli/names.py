"""`fondly draft rename|delete`, `fondly memory rename|delete` and `fondly bin`: names, and the bin that
keeps what is deleted for 30 days (app.deleting), as the window's File → Bin… does."""

from __future__ import annotations

from typing import cast

import click

from app import deleting
from app.cli.base import FondlyGroup, _json, _store, cli
from app.cli.drafts import draft
from app.cli.memories import memory


def _rename(ctx, kind: str, ident: int, name: str) -> None:
    click.echo(_store(ctx).rename(kind, ident, name))


def _delete(ctx, kind: str, ident: int) -> None:
    item = deleting.to_bin(_store(ctx), kind, ident)
    click.echo(deleting.moved(item, f"`fondly bin restore {kind} {item.id}`"), err=True)


@draft.command("rename")
@click.argument("draft_id", metavar="DRAFT", type=int)
@click.argument("name")
@click.pass_context
def draft_rename(ctx, draft_id, name) -> None:
    """Give a draft a new name (the reading copy and the cue cards print it); print the name as kept."""
    _rename(ctx, "draft", draft_id, name)


@draft.command("delete")
@click.argument("draft_id", metavar="DRAFT", type=int)
@click.pass_context
def draft_delete(ctx, draft_id) -> None:
    """Move a draft, with its history, to the bin (`fondly bin restore draft ID` brings it back for 30 days)."""
    _delete(ctx, "draft", draft_id)


@memory.command("rename")
@click.argument("memory_id", metavar="MEMORY", type=int)
@click.argument("name")
@click.pass_context
def memory_rename(ctx, memory_id, name) -> None:
    """Give a memory a new name; print the name as kept."""
    _rename(ctx, "memory", memory_id, name)


@memory.command("delete")
@click.argument("memory_id", metavar="MEMORY", type=int)
@click.pass_context
def memory_delete(ctx, memory_id) -> None:
    """Move a memory to the bin (`fondly bin restore memory ID` brings it back for 30 days)."""
    _delete(ctx, "memory", memory_id)


class BinGroup(FondlyGroup):
    """`fondly bin` and `fondly bin PROJECT` list; `fondly bin restore|delete …` act."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@cli.group("bin", cls=BinGroup)
def bin_() -> None:
    """What was deleted, kept 30 days: `fondly bin [PROJECT]` lists it; restore it, or delete it for good."""


@bin_.command("list")
@click.argument("project_ref", metavar="[PROJECT]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def bin_list(ctx, project_ref, as_json) -> None:
    """List what is in the bin (of one project, or of all): kind, id, name, project, deleted, days left."""
    store = _store(ctx)
    projects = [store.find_project(project_ref)] if project_ref else store.projects()
    rows = [(p, item) for p in projects for item in store.binned(p.id)]  # each with its `deleted` stamp
    if as_json:
        return _json(
            [
                {
                    "kind": deleting.kind_of(i),
                    "id": i.id,
                    "title": i.title,
                    "project_id": p.id,
                    "project": p.title,
                    "deleted": i.deleted,
                    "days_left": deleting.days_left(cast(str, i.deleted)),
                }
                for p, i in rows
            ]
        )
    if not rows:
        click.echo("The bin is empty.", err=True)
    for p, i in rows:
        left = deleting.days_left(cast(str, i.deleted))
        click.echo(
            f"{deleting.kind_of(i)}\t{i.id}\t{i.title}\t{p.title}\t{i.deleted}\t"
            f"{left} day{'s' if left != 1 else ''} left"
        )


KIND = click.Choice(deleting.KINDS)


@bin_.command("restore")
@click.argument("kind", type=KIND)
@click.argument("ident", metavar="ID", type=int)
@click.pass_context
def bin_restore(ctx, kind, ident) -> None:
    """Bring a draft or memory back from the bin."""
    item = deleting.from_bin(_store(ctx), kind, ident)
    click.echo(f"Restored “{item.title}” ({kind} {item.id}).", err=True)


@bin_.command("delete")
@click.argument("kind", type=KIND)
@click.argument("ident", metavar="ID", type=int)
@click.option("--yes", is_flag=True, help="Don't ask first.")
@click.pass_context
def bin_delete(ctx, kind, ident, yes) -> None:
    """Delete a draft or memory in the bin for good, now; this can't be undone."""
    store = _store(ctx)
    item = deleting.binned(store, kind, ident)
    if not yes and not click.confirm(f"Delete “{item.title}” for good? This can't be undone.", err=True):
        click.echo("Nothing was deleted.", err=True)
        ctx.exit(1)
    deleting.delete_for_good(store, kind, ident)
    click.echo(f"Deleted “{item.title}” for good.", err=True)
