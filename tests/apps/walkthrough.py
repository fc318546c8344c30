"""Issue 21's walkthrough, the app's side: the real window started as app.ui.app.run starts it (the
warm-up and the daily backup on the lanes, each lane with its own Store), with scripted models so
nothing heavy loads. It makes a speech, says "ready" once both lanes have their Store, and then
types what stdin says, one line at a time, printing "saved" when autosave has kept it (the status
bar's "Saved."). tests/test_sharing.py runs a `fondly` command beside it and then SIGKILLs it.
"""

import sys

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtTest import QTest

from app.engines import Engines
from app.store import Store
from app.ui.app import make_app
from app.ui.backup_dialog import start_daily_backup
from app.ui.main_window import MainWindow
from app.ui.operations import OperationRunner
from tests.apps.delivering import Deaf
from tests.helpers import ScriptedEngine


def main() -> None:
    app = make_app(sys.argv[:1])
    window = MainWindow(
        Store.open_default(), OperationRunner(Engines(open_text=lambda: ScriptedEngine([]), open_speech=Deaf))
    )
    window.show()
    project = window.store.create_project("Dad")
    window.store.create_draft(project.id, "Eulogy", "Dad.")
    window.reload_projects(select=project.id)
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    window.warm_up()
    start_daily_backup(window)
    lanes = {"text", "speech"}

    def lane_ready(lane: str) -> None:
        lanes.discard(lane)
        if not lanes:
            print("ready", flush=True)

    for lane in sorted(lanes):  # queued behind the warm-up and the backup, each lane in order
        window.runner.run(lambda job: job.store.counts(), lane=lane, on_done=lambda _, lane=lane: lane_ready(lane))

    def type_line() -> None:
        line = sys.stdin.readline()
        if not line:
            app.quit()
            return
        editor = window.document.editor
        editor.setFocus()
        cursor = editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        editor.setTextCursor(cursor)
        QTest.keyClicks(editor, line.rstrip("\n"))

    typed = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read, activated=type_line)
    typed.setEnabled(True)
    window.document.status.connect(lambda text, ms: print("saved", flush=True) if text == "Saved." else None)
    QTimer.singleShot(120_000, app.quit)  # bounded, should the test die before killing it
    app.exec()


if __name__ == "__main__":
    main()
