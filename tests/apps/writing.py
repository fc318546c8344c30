"""A writer to kill: `app.writing.write` with a scripted engine that writes slowly, printing each
paragraph once it is stored. tests/test_recovery.py SIGKILLs it after the first."""

from __future__ import annotations

import sys

from app import settings
from app.store import Store
from app.writing import write
from tests.helpers import ScriptedEngine

REPLY = (
    "Frank fished at Lake Travis every summer. He called every catfish Gerald. "
    "He worked as a mail carrier in Austin for thirty years."
)


def main() -> None:
    settings.set_value("writing", "prose")  # paragraph by paragraph, from the engine
    store = Store.open_default()
    project = store.find_project(sys.argv[1])
    engine = ScriptedEngine([REPLY] * 40, delay=0.2)  # about 4 s a paragraph

    def stored(paragraph) -> None:
        print(paragraph.text, flush=True)

    write(store, project, "Write a long eulogy using dad.txt", engine, seed=7, on_paragraph=stored)


if __name__ == "__main__":
    main()
