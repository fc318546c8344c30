"""`fondly`: a thin click CLI over the same services the desktop app uses, one module per
group of commands (projects, memories, drafts and writing, settings and models).

A person's mistake prints one line, `fondly: error: …`, and exits 1; usage errors exit 2
(click's own rule). Anything else is a bug and keeps its traceback.
"""

from app.cli import admin, backup, drafts, memories, names, projects, questions, rehearse  # noqa: F401  (each registers its commands)
from app.cli.base import cli


def main() -> None:
    from app.heap import cap_mmap_threshold

    cap_mmap_threshold()  # `fondly memory import` of long audio, as in the app (app.heap says why)
    cli(prog_name="fondly")
