"""`fondly config …`, `models …` and `doctor`: settings, the model manager and the health check."""

from __future__ import annotations

import json
import sys

import click

from app import settings
from app.cli.base import NAME_MAX, TEXT_MAX, FondlyGroup, _check_length, _check_path, _json, _not_blank, cli
from app.errors import FondlyError

# --- settings, models, doctor ------------------------------------------------------------


@cli.group(cls=FondlyGroup)
def config() -> None:
    """Read and change settings: model, whisper_model, threads, context, gpu_layers, pace, text_size, server, writing."""


@config.command("get")
@click.argument("key", required=False)
def config_get(key) -> None:
    """Print one setting, or all of them as JSON."""
    if key is not None:
        value = settings.get(key)
        click.echo("" if value is None else json.dumps(value) if isinstance(value, (list, dict)) else value)
    else:
        _json(settings.load())


@config.command("set")
@click.argument("key")
@click.argument("value", required=False)
def config_set(key, value) -> None:
    """Change a setting; no VALUE (or "default") puts the default back."""
    if value is not None:
        _check_length(value, f"A value for {key}", TEXT_MAX)
        if key in ("model", "whisper_model") and value.strip().lower() not in ("", "default", "none"):
            _check_path(value.strip(), "model file" if key == "model" else "model folder")
    settings.set_value(key, settings.parse(key, value))
    click.echo(f"{key} = {settings.get(key)}", err=True)


@config.command("trust")
@click.argument("url")
def config_trust(url) -> None:
    """Agree, once, to send memories to a model server on another computer."""
    from app.engines import trust

    _check_length(url, "A server address", TEXT_MAX)
    trust(url)
    click.echo(f"Fondly may now send memories to {url} when writing with it.", err=True)


@cli.group(cls=FondlyGroup)
def models() -> None:
    """The models Fondly can use: list, find, add, use and remove them; catalog and get fetch a better one."""


def _model_line(row: dict) -> str:
    details = ""
    if row["kind"] == "text" and "architecture" in row:
        details = (
            f"{row['architecture']}, {row['parameters'] / 1e6:.0f}M parameters, {row['quantization']}, "
            f"context {row['context_length']}"
        )
    flags = " [in use]" if row["in_use"] else ""
    flags += " (bundled)" if row["bundled"] else ""
    flags += f" — {row['problem']}" if row.get("problem") else ""
    return f"{row['kind']:<7}{row['name']}{flags}\n       {details or row['path']}" + (
        f"\n       {row['good_for']}" if row.get("good_for") else ""
    )


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
@click.option(
    "--name",
    default=None,
    callback=_not_blank,
    help="A name to know it by (default: the file or folder name; Ollama's name for an Ollama blob).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models_add(path, name, as_json) -> None:
    """Add a GGUF text model (a .gguf file, or an Ollama blob) or a Whisper model folder, after checking it.

    The file is used where it is, never copied."""
    from app import model_manager as manager

    _check_path(path, "model file")
    if name:
        _check_length(name.strip(), "A model's name", NAME_MAX)
    row = manager.add(path, name)
    _json(row) if as_json else click.echo(_model_line(row))


@models.command("find")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models_find(as_json) -> None:
    """The GGUF models already on this computer: Ollama's, LM Studio's, GPT4All's, Jan's, the
    Hugging Face cache's and your folders'. Nothing is copied; `fondly models add PATH` uses one in place."""
    from app import model_finder

    found = model_finder.find()
    if as_json:
        return _json([f.to_dict() for f in found])
    for f in found:
        click.echo(f"{f.name}{' [added]' if f.added else ''}\n       {model_finder.summary(f)}\n       {f.path}")
    for folder in model_finder.missing_folders():
        click.echo(f"Not searched: {folder} is not there now (a disk that is not connected?).", err=True)
    if not found:
        click.echo("No GGUF models found. Add a folder to search with `fondly models folder add PATH`.", err=True)


@models.command("catalog")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models_catalog(as_json) -> None:
    """Fondly's short list of better text models to download, and the one it recommends for this
    computer. Nothing is fetched until you run `fondly models get NAME`."""
    from app import model_catalog

    data = model_catalog.listing()
    if as_json:
        return _json(data)
    for m in data["models"]:
        speed = ", ".join(f"{v:.0f}" for v in m["tokens_per_second"].values())
        click.echo(
            f"{m['id']:<14}{m['name']}{'  [recommended]' if m['recommended'] else ''}\n"
            f"              {m['parameters'] / 1e9:.1f}B parameters, {m['quantization']}, "
            f"{(m['size_bytes'] or 0) / 1e9:.2f} GB download, needs about {m['ram_needed_bytes'] / 1e9:.1f} GB "
            f"of memory;\n              tokens a second with 2, 4, 8 cores (an estimate): {speed}\n"
            f"              {m['good_for']}\n"
            f"              {m['repo']} · {m['licence']['name']} ({m['licence']['url']})"
        )
    click.echo(
        f"\nRecommended: {data['recommended'] or 'none'} — {data['why']}.\n"
        f"Speeds: {data['speed_source']}\nMemory: {data['ram_source']}\n"
        "`fondly models get NAME` downloads one from the Hugging Face hub (HF_ENDPOINT if set) — the only "
        "network request Fondly makes by itself; it sends nothing of yours.",
        err=True,
    )


@models.command("get")
@click.argument("name")
@click.option("--no-use", "no_use", is_flag=True, help="Add it, but keep writing with the model in use now.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models_get(name, no_use, as_json) -> None:
    """Download a model from Fondly's catalog (`fondly models catalog`), check its sha256 and that
    llama.cpp opens it, then add it and write with it. An interrupted download continues where it
    stopped. This is the only network request Fondly makes by itself; it sends nothing of yours."""
    from app import model_download

    _check_length(name, "A model's name", NAME_MAX)
    stages: set[str] = set()

    def say_stage(p) -> None:  # like the bar, on a terminal only: checking a 2 GB file takes seconds too
        if p.stage != "downloading" and p.stage not in stages and sys.stderr.isatty():
            stages.add(p.stage)
            click.echo(
                {"checking": "Checking its sha256…", "opening": "Checking that llama.cpp opens it…"}.get(
                    p.stage, p.stage
                ),
                err=True,
            )

    row = model_download.get(name, use=not no_use, show_bar=not as_json, on_progress=say_stage)
    if as_json:
        return _json(row)
    click.echo(_model_line(row))
    click.echo(
        f"Downloaded and checked {row['name']}" + ("" if no_use else "; Fondly now writes with it") + ".", err=True
    )


@models.group("folder", cls=FondlyGroup)
def models_folder() -> None:
    """More folders for `fondly models find` to search (with everything inside them)."""


@models_folder.command("list")
def models_folder_list() -> None:
    """The folders you added."""
    for folder in settings.get("model_folders"):
        click.echo(folder)


@models_folder.command("add")
@click.argument("path", type=click.Path())
def models_folder_add(path) -> None:
    """Search this folder for models too."""
    from app import model_finder

    _check_path(path, "folder")
    click.echo(f"Fondly will look for models in {model_finder.add_folder(path)}.", err=True)


@models_folder.command("remove")
@click.argument("path", type=click.Path())
def models_folder_remove(path) -> None:
    """Stop searching this folder (the files in it are left alone)."""
    from app import model_finder

    click.echo(f"Fondly no longer looks in {model_finder.remove_folder(path)}.", err=True)


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
@click.option(
    "--repair", is_flag=True, help="Rebuild a damaged database from what can be read of it (the damaged file is kept)."
)
@click.pass_context
def doctor(ctx, as_json, repair) -> None:
    """Check the data folder, the models and the microphone; print a report for a bug report."""
    from app.doctor import run_checks

    if repair:
        from app.salvage import repair as rebuild

        click.echo(rebuild(), err=True)
        return
    checks = run_checks()
    if as_json:
        _json(checks)
    else:
        for c in checks:
            click.echo(f"{'ok  ' if c['ok'] else 'FAIL'}  {c['name']}: {c['detail']}")
    failed = [c for c in checks if not c["ok"] and c.get("essential", True)]
    if failed:
        raise FondlyError(
            f"{len(failed)} check{'s' if len(failed) != 1 else ''} failed: "
            + "; ".join(f"{c['name']} ({c['detail']})" for c in failed)
        )
