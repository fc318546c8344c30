"""`fondly backup` and `fondly restore`: the whole data folder in one zip, and back (app.backup)."""

from __future__ import annotations

from datetime import date

import click

from app.cli.base import _check_output, _check_path, _store, cli
from app.errors import FondlyError


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="The zip to write (default: fondly-backup-DATE.zip in this folder).")
@click.pass_context
def backup(ctx, output) -> None:
    """Back up every speech, memory, recording and setting into one zip, safely even while the app runs."""
    from app.backup import create_backup, describe

    if output is not None:
        _check_output(output, "fondly-backup.zip")
    path = output or f"fondly-backup-{date.today().isoformat()}.zip"
    try:
        store = _store(ctx)
    except FondlyError:
        from app.database import damaged
        from app.paths import database_path

        if not damaged(database_path()):
            raise
        store = None  # too damaged to open: what can be read is salvaged all the same (app.salvage)
    manifest = create_backup(store, path)
    click.echo(f"Backed up {describe(manifest)} to {path}.", err=True)
    if "salvaged" in manifest:
        from app.salvage import describe as salvaged

        click.echo(f"The database is damaged; the backup holds what could be read of it ({salvaged(manifest['salvaged'])}). "
                   "`fondly doctor --repair` rebuilds it the same way.", err=True)


def _when(manifest: dict) -> str:
    return str(manifest.get("created", "?")).replace("T", " ")[:16] + " UTC"


@cli.command()
@click.argument("archive", metavar="BACKUP.zip", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True,
              help="Restore even if the data folder holds data: it is moved aside first, never deleted.")
def restore(archive, force) -> None:
    """Restore a backup made by `fondly backup` into an empty data folder (a new computer, say)."""
    from app.backup import describe, restore_backup
    from app.paths import data_dir

    _check_path(archive, "backup")
    done = restore_backup(archive, force=force)
    click.echo(f"Restored {describe(done)} from the backup made {_when(done)} into {data_dir()}.", err=True)
    if done["aside"]:
        click.echo(f"What was there before is in {done['aside']}.", err=True)
