"""The real window interviewing: Memories → Interview me…, Record on the first question, saying
which memory the answer is once the microphone is on; tests/test_interview_gui.py SIGKILLs it
while the answer is being spoken."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.engines import Engines
from app.store import Store
from app.ui.interview import InterviewDialog
from app.ui.main_window import MainWindow
from app.ui.operations import OperationRunner
from tests.helpers import ScriptedEngine


def main() -> None:
    app = QApplication(sys.argv[:1])
    window = MainWindow(Store.open_default(), OperationRunner(Engines(open_text=lambda: ScriptedEngine([]))))
    window.show()
    window.reload_projects()
    window.interview_action.trigger()
    dialog = window.findChild(InterviewDialog)

    def record_when_ready() -> None:
        if window.runner.engines.loaded("speech") is None:
            return
        poll.stop()
        dialog.toggle_record()
        print(dialog.session.memory.id if dialog.session else f"failed: {dialog.note.text()}", flush=True)

    poll = QTimer(interval=50, timeout=record_when_ready)
    poll.start()
    app.exec()


if __name__ == "__main__":
    main()
