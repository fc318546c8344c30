"""`fondly backup` and `fondly restore`: the whole data folder in one zip, and back (app.backup)."""

from __future__ import annotations

from datetime import date

import click

from app.cli.base import _check_output, _check_path, _store, cli
from app.errors import FondlyError


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="The zip to write (default: fondly-backup-DATE.zip in this folder).",
)
@click.pass_context
def backup(ctx, output) -> None:
    """Back up every speech, memory, recording and setting into one zip, safely even while the app runs."""
    from app.backup import create_backup, describe, missing_text

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

        click.echo(
            f"The database is damaged; the backup holds what could be read of it ({salvaged(manifest['salvaged'])}). "
            "`fondly doctor --repair` rebuilds it the same way.",
            err=True,
        )
    if missing_text(manifest.get("missing_audio")):
        click.echo(missing_text(manifest.get("missing_audio")), err=True)


def _when(manifest: dict) -> str:
    return str(manifest.get("created", "?")).replace("T", " ")[:16] + " UTC"


@cli.command()
@click.argument("archive", metavar="BACKUP.zip", type=click.Path(dir_okay=False))
@click.option(
    "--force", is_flag=True, help="Restore even if the data folder holds data: it is moved aside first, never deleted."
)
@click.option(
    "--with-settings",
    "with_settings",
    is_flag=True,
    help="Also take the backup's model server, trusted servers and model paths (shown as they are "
    "taken). Without it they stay as they are on this computer.",
)
def restore(archive, force, with_settings) -> None:
    """Restore a backup made by `fondly backup` into an empty data folder (a new computer, say).

    A backup may come from someone else: the settings in it that would send your memories to
    another computer or load a program (server, trusted_servers, model, whisper_model, models,
    model_folders) are left as they are here unless you add --with-settings."""
    from app import settings
    from app.backup import describe, restore_backup
    from app.paths import clear_scratch, data_dir

    _check_path(archive, "backup")
    clear_scratch()
    done = restore_backup(archive, force=force, with_settings=with_settings)
    click.echo(f"Restored {describe(done)} from the backup made {_when(done)} into {data_dir()}.", err=True)
    if done["aside"]:
        click.echo(f"What was there before is in {done['aside']}.", err=True)
    left, taken = done["settings_left_out"], done.get("settings_taken") or {}
    if taken:
        click.echo(f"Took the backup's settings that reach outside this computer: {settings.shown(taken)}.", err=True)
    if left:
        click.echo(
            f"Left out the backup's settings that would send memories to another computer or load a "
            f"program: {settings.shown(left)}; this computer's are kept. To take them, restore with "
            f"--with-settings, or set them yourself: " + "; ".join(f"`{settings.HOW[k]}`" for k in left) + ".",
            err=True,
        )
