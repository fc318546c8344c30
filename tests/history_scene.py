"""A window with a realistic history, for the history tests and for README screenshots.

`build(window)` makes, through the store's and the editor's own paths, what a person leaves after
an afternoon: a generated draft (written from memories by the ScriptedEngine the size of the
bundled model, so its sentences carry provenance), a sitting of typing kept by autosave, a
snapshot the person named, and a restore of the generation — each at a plausible time of day
(`clock` stands in for app.store's clock while it runs, so the rows read "14:01", not the
seconds a test takes).

Screenshots on Xvfb (the lead's recipe):
    FONDLY_HOME=$(mktemp -d -p tmp) xvfb-run -s "-screen 0 1400x900x24" \\
        .venv/bin/python -m tests.history_scene shots/
writes history.png (the drafts column with the history, a point previewed beside the text) and
compare.png (Compare: "Your text now ← Generated 14:01").
"""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.helpers import DAD, FISHING, GARDEN, ScriptedEngine

TYPED = (
    "\n\nHe was the kind of man who stopped to help a stranger change a tyre in the rain, and then drove "
    "home soaked and whistling. We will miss his terrible jokes, his tomatoes, and the way he said our names."
)


@contextlib.contextmanager
def clock(start: datetime):
    """app.store's `now` reads `start`, moved on by `advance(minutes=…, seconds=…)`, or to
    `advance(to=(hour, minute))` that day."""
    import app.store

    at = [start]
    real = app.store.now
    app.store.now = lambda: at[0].astimezone(timezone.utc).isoformat(timespec="seconds")

    def advance(to: tuple[int, int] | None = None, **delta) -> None:
        at[0] = at[0].replace(hour=to[0], minute=to[1], second=0) if to else at[0] + timedelta(**delta)

    try:
        yield advance
    finally:
        app.store.now = real


def type_and_autosave(window, words: list[str], advance, every: int = 4) -> None:
    """Typing at the end of the text, kept by the editor's autosave every `every` seconds, as when
    a person types steadily (AUTOSAVE_MAX_MS)."""
    editor = window.document.editor
    for word in words:
        cursor = editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        editor.setTextCursor(cursor)
        editor.insertPlainText(word)
        advance(seconds=every)
        window.document.autosave()


def build(window, start: datetime | None = None) -> dict:
    """A project "Dad's eulogy" with three memories and one draft whose history reads (newest first):
    Restored 14:12 (from Generated 14:01) · Edited 14:11 · Read to Mum (a snapshot, 14:10) ·
    Edited 14:02–14:04 · Generated 14:01. Returns the ids, for tests."""
    from app.writing import write

    start = start or datetime.now().astimezone().replace(hour=14, minute=1, second=0, microsecond=0)
    store = window.store
    with clock(start) as advance:
        project = store.create_project("Dad's eulogy", subject="Frank")
        for title, text in (("dad.txt", DAD), ("garden", GARDEN), ("fishing trip", FISHING)):
            store.add_memory(project.id, "text", title, text=text)
        written = write(
            store, project, "Write a short eulogy for Dad", ScriptedEngine([], parameters=135_000_000), seed=1
        )
        draft_id, generated = written.draft.id, written.revision.id
        store.rename("draft", draft_id, "Eulogy for Dad")
        window.reload_projects(select=project.id)
        window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))  # opens it
        advance(minutes=1)
        type_and_autosave(
            window, [w if i == 0 else " " + w for i, w in enumerate(TYPED.split(" "))], advance
        )  # a word each 4 s: 14:02–14:04
        advance(to=(14, 10))
        window.document.snapshot()
        snapshot = store.draft(draft_id).current_revision_id
        store.label_revision(snapshot, "Read to Mum")
        advance(to=(14, 11))
        type_and_autosave(window, ["\n\nThank you, Dad."], advance)
        advance(to=(14, 12))
        store.restore(draft_id, generated, current_text=window.document.editor.toPlainText())
        window.document.open(("draft", draft_id), save=False)
        window.reload_drafts()
    return {"project": project.id, "draft": draft_id, "generated": generated, "snapshot": snapshot}


def main(folder: str) -> None:
    """Screenshots of the history and of Compare (run under Xvfb; FONDLY_HOME a scratch folder)."""
    from PySide6.QtWidgets import QApplication

    from app.engines import Engines
    from app.store import Store
    from app.ui.app import STYLE
    from app.ui.main_window import MainWindow
    from app.ui.operations import OperationRunner

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    app.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    window = MainWindow(Store.open_default(), OperationRunner(Engines(open_text=lambda: ScriptedEngine([]))))
    window.resize(1360, 860)
    window.show()
    ids = build(window)
    panel = window.drafts_panel
    top = panel.tree.topLevelItem(0)
    generated = top.child(top.childCount() - 1)
    editor = window.document.editor  # an edit since the restore, not yet kept: what Compare shows
    editor.setPlainText(
        editor.toPlainText().replace(
            "Thank you all for being here today.", "Thank you all for coming today; Dad would have loved this."
        )
    )
    window.document._autosave.stop(), window.document._autosave_max.stop()
    panel.tree.setCurrentItem(generated)  # previews it beside the text
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(out / "history.png"))
    dialog = panel.compare()
    dialog.resize(760, 520)
    for _ in range(20):
        app.processEvents()
    dialog.grab().save(str(out / "compare.png"))
    dialog.close()
    window.close()
    print(f"history.png and compare.png in {out} (draft {ids['draft']})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "shots")
