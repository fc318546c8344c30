"""The real window writing an anecdote at the cursor with a slow scripted engine, saying when each
paragraph is in; tests/test_recovery.py SIGKILLs it after the first."""

import sys
import time

from PySide6.QtWidgets import QApplication

from app import settings
from app.engines import Engines
from app.store import Store
from app.ui.main_window import MainWindow
from app.ui.operations import OperationRunner
from tests.helpers import ScriptedEngine

REPLY = "Frank fished at Lake Travis every summer. He called every catfish Gerald."


def main() -> None:
    app = QApplication(sys.argv[:1])
    settings.set_value("writing", "prose")
    store = Store.open_default()
    engine = ScriptedEngine([REPLY] * 40, delay=0.3)
    window = MainWindow(store, OperationRunner(Engines(open_text=lambda: engine)))
    window.show()
    window.reload_projects()
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    cursor = window.document.editor.textCursor()
    cursor.setPosition(len("Opening words.\n\n"))
    window.document.editor.setTextCursor(cursor)
    # the paragraph is stored before this is said; then the GUI thread waits for the kill, so the
    # finished piece can't be kept first (a one-paragraph anecdote otherwise finished in the
    # milliseconds between "1" and the SIGKILL now and then, and the test failed)
    window.writing.paragraph_written.connect(lambda n, _p: (print(n, flush=True), time.sleep(60)))
    window.writing.prompt.setText("Write me a long anecdote about the fishing trip")
    window.writing.generate()
    app.exec()


if __name__ == "__main__":
    main()
