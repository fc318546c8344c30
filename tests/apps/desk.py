"""The app as `fondly` starts it (app.ui.app.run), with a scripted writer slow enough to close the
window on, and a probe on stdin so a test driving it from outside (xdotool clicks on Xvfb) can ask
where things are and what the window shows. tests/test_desk_on_x.py drives it.

Commands, one per line; each answer is one line "> JSON":
  rows             the drafts tree's visible rows: [{"text", "x", "y"}] (global centres)
  where TEXT       the global centre of the visible button reading TEXT, or of the widget of that
                   accessible name (e.g. "Shorthand", the prompt), or null
  state            {"editor", "preview", "windows": [visible top-level titles], "busy"}
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QTreeWidget, QWidget

import app.ui.app as fondly_app
from app.engines import Engines
from tests.apps.delivering import Deaf
from tests.helpers import ScriptedEngine

REPLY = (
    "Gran kept a rose garden by the south wall of her house in Cork. She grew roses by the wall "
    "and gave them to every neighbour on the street."
)


def _window():
    from app.ui.main_window import MainWindow

    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))


def _centre(widget) -> dict:
    p = widget.mapToGlobal(widget.rect().center())
    return {"x": p.x(), "y": p.y()}


def answer(command: str):
    window = _window()
    verb, _, arg = command.strip().partition(" ")
    if verb == "rows":
        tree = next(t for t in window.findChildren(QTreeWidget) if t.accessibleName() == "Drafts")
        out, it = [], tree.topLevelItem(0)
        while it is not None:
            rect = tree.visualItemRect(it)
            if not it.isHidden() and rect.isValid():
                p = tree.viewport().mapToGlobal(rect.center())
                out.append({"text": it.text(0), "x": p.x(), "y": p.y()})
            it = tree.itemBelow(it)
        return out
    if verb == "where":
        for top in QApplication.topLevelWidgets():
            if not top.isVisible():
                continue
            for b in top.findChildren(QAbstractButton):
                if b.isVisible() and b.text().replace("&", "") == arg:
                    return _centre(b)
            for w in top.findChildren(QWidget):
                if w.isVisible() and w.accessibleName() == arg:
                    return _centre(w)
        return None
    if verb == "state":
        doc = window.document
        return {
            "editor": doc.editor.toPlainText(),
            "preview": doc.preview.toPlainText()[:400],
            "windows": [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()],
            "busy": window.writing.busy,
        }
    return {"error": f"unknown command {command!r}"}


def install_probe() -> None:
    def read() -> None:
        line = sys.stdin.readline()
        if not line:
            notifier.setEnabled(False)
            return
        try:
            result = answer(line)
        except Exception as e:  # noqa: BLE001 — the test reads it and fails with it
            result = {"error": repr(e)}
        print("> " + json.dumps(result), flush=True)

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read, QApplication.instance())
    notifier.activated.connect(read)
    notifier.setEnabled(True)


def main() -> int:
    made = fondly_app.make_app

    def make_app(argv):
        app = made(argv)
        QTimer.singleShot(0, install_probe)
        return app

    fondly_app.make_app = make_app
    return fondly_app.run(
        sys.argv[:1], engines=Engines(open_text=lambda: ScriptedEngine([REPLY] * 40, delay=0.25), open_speech=Deaf)
    )


if __name__ == "__main__":
    sys.exit(main())
