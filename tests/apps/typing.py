"""A person typing into the real window, a word every 200 ms, saying each word as it goes.

Run by tests/test_history.py as a child process, which kills it with SIGKILL mid-typing.
"""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest

from app.ui.app import make_app
from app.ui.main_window import MainWindow


def main() -> None:
    app = make_app(sys.argv[:1])
    window = MainWindow()
    window.show()
    project = window.store.create_project("Dad")
    _draft, _ = window.store.create_draft(project.id, "Eulogy", "Dad.")
    window.reload_projects(select=project.id)
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    window.document.editor.setFocus()
    cursor = window.document.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    window.document.editor.setTextCursor(cursor)
    count = [0]

    def type_word() -> None:
        count[0] += 1
        QTest.keyClicks(window.document.editor, f" word{count[0]}")
        print(count[0], flush=True)

    timer = QTimer(interval=200, timeout=type_word)
    timer.start()
    app.exec()


if __name__ == "__main__":
    main()
