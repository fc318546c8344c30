"""The `fondly` command group and what every command shares: one error line for a person's
mistake, the store opened once per run, JSON output."""

from __future__ import annotations

import json
import os
import stat
import sys
from typing import Any

import click

from app import speaking
from app.errors import USER_ERRORS, FondlyError
from app.store import Store
from app.version import VERSION


class FondlyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as e:
            click.echo(f"fondly: error: {e}", err=True)
            ctx.exit(1)
        except Exception as e:  # SQLite about the file itself: damaged, read-only, disk full (app.database)
            from app.database import translate

            said = translate(e)
            if said is None:
                raise
            click.echo(f"fondly: error: {said}", err=True)
            ctx.exit(1)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the whole command line, once
            for arg in args:
                try:
                    arg.encode("utf-8")
                except UnicodeEncodeError:
                    shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    raise OneLineError(
                        f"{_short(shown)!r} is not valid UTF-8 text (a file name from another system?). "
                        "Rename the file, or type the value again, and try once more."
                    ) from None
        return super().parse_args(ctx, args)


class OneLineError(click.ClickException):
    """A person's mistake found before any command runs: the same one line and exit code 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"fondly: error: {self.format_message()}", err=True)


def _store(ctx: click.Context) -> Store:
    root = ctx.find_root()
    if root.obj is None:
        from app.database import translate
        from app.recovery import Settled, settle_at_start

        store = Store.open_default()
        try:
            settled = settle_at_start(
                store
            )  # a draft whose writer was killed marked interrupted, a cut-off import failed
            for m in settled.stranded:
                click.echo(
                    f"Recovered an interrupted import: {m.title} (memory {m.id}, {m.status}: {m.error})", err=True
                )
            if settled.emptied:  # the bin keeps what is deleted for BIN_DAYS, then lets it go
                click.echo(Settled([], [], settled.emptied).said(), err=True)
        except Exception as e:
            if translate(e, store.path) is None:  # damaged (now marked: reopened read-only), full, read-only:
                store.close()  # the command itself meets it, or can still read (a backup)
                raise
            store.close()
            store = Store.open_default()
        root.obj = store
        root.call_on_close(store.close)
    return root.obj


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _fmt_duration(seconds: float | None) -> str:
    return "" if seconds is None else speaking.clock(seconds)


@click.group(cls=FondlyGroup, invoke_without_command=True)
@click.version_option(version=VERSION, prog_name="Fondly", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Fondly: write a eulogy, toast or retirement speech from your memories, on your own computer.

    Run `fondly` alone to open the desktop app.
    """
    if ctx.invoked_subcommand is None:
        from app.ui.app import run

        ctx.exit(run(sys.argv[:1]))


# --- checks on what a person typed, before anything is read or written --------------------

NAME_MAX = 200  # characters in a title or a name typed at the command line
TEXT_MAX = 2000  # characters in a request ("Write a five-minute eulogy using…") or a server address


def _short(text: str, limit: int = 80) -> str:
    """A value as it can be shown in a one-line message: a very long one is cut in the middle."""
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 4 :]} ({len(text):,} characters)"


def _not_blank(ctx: click.Context, param: click.Parameter, value):
    """Option callback: "" or spaces given for an option is a mistake, not a request for the default."""
    for v in value if isinstance(value, tuple) else (value,):
        if isinstance(v, str) and not v.strip():
            raise FondlyError(f"{param.opts[0]} is empty; give it a value, or leave it out.")
    return value


def _check_length(value: str, what: str, limit: int) -> str:
    if len(value) > limit:
        raise FondlyError(f"{what} can have at most {limit:,} characters; this one has {len(value):,}.")
    return value


def _check_path(path: str, what: str = "file") -> None:
    """Refuse a path that would hang or crash the reader — a pipe, a device, a name the system
    can't look up — before anything is read. A missing file or a folder is left to the reader,
    whose message says what to do."""
    if not path.strip():
        raise FondlyError(f"The {what} name is empty; give the path of a {what}.")
    try:
        mode = os.stat(os.path.expanduser(path)).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as e:
        raise FondlyError(f"{_short(path)} can't be opened ({e.strerror}). Check the name and try again.") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise FondlyError(f"{_short(path)} is a pipe, socket or device, not a file; choose the {what} itself.")


def _check_output(output: str, example: str) -> None:
    """A file to write: a name (not blank, not a folder's), short enough for the folder it goes in
    once the temporary name it is first written under (".NAME.part") is added."""
    name = os.path.basename(output)
    if not name.strip() or name in (".", ".."):
        raise FondlyError(f"{output!r} is not a file name; give one, for example -o {example}.")
    folder = os.path.dirname(os.path.expanduser(output)) or "."
    longest = os.pathconf(folder, "PC_NAME_MAX") if os.path.isdir(folder) else 255
    if len(os.fsencode(name)) + len(".part.") > longest:
        raise FondlyError(
            f"{_short(name)} is too long for a file name here (at most "
            f"{longest - len('.part.')} bytes); choose a shorter one."
        )


def _load_transcriber(whisper_model: str | None):
    from app.engines import open_transcriber

    return open_transcriber(whisper_model)
