"""The real window delivering draft 1 with the teleprompter following the microphone (a speech
model that hears nothing: only the recording matters here), saying where the reading is being
written once it holds some audio; tests/test_rehearsal_app.py SIGKILLs it there."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.engines import Engines
from app.store import Store
from app.ui import teleprompter, uisettings
from app.ui.main_window import MainWindow
from app.ui.operations import OperationRunner
from tests.helpers import ScriptedEngine


class Deaf:
    name = "deaf"

    def transcribe(self, audio, hotwords=(), cancel=None, guard=False, words=False):
        return iter(())


def main() -> None:
    app = QApplication(sys.argv[:1])
    uisettings.save_prompter_settings({"voice": True, "keep": True})
    window = MainWindow(
        Store.open_default(), OperationRunner(Engines(open_text=lambda: ScriptedEngine([]), open_speech=Deaf))
    )
    window.show()
    window.reload_projects()
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    prompter = teleprompter.deliver(window)

    def written() -> None:
        take = prompter.take
        if take is not None and take.exists() and take.stat().st_size > 100_000:
            print(take, flush=True)
            poll.stop()

    poll = QTimer(interval=100, timeout=written)
    poll.start()
    app.exec()


if __name__ == "__main__":
    main()
