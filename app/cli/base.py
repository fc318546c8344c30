"""The `fondly` command group and what every command shares: one error line for a person's
mistake, the store opened once per run, JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from app import speaking
from app.errors import USER_ERRORS
from app.store import Store


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
        from app.recovery import settle_interrupted

        root.obj = Store.open_default()
        root.call_on_close(root.obj.close)
        settle_interrupted(root.obj)  # a draft whose writer was killed is kept, and marked interrupted
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


def _load_transcriber(whisper_model: str | None):
    from app.engines import open_transcriber

    return open_transcriber(whisper_model)
