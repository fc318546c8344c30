"""The real window with a realistic history (tests/history_scene.py), for clicks from outside:
tests/test_history_xvfb.py starts it on a private Xvfb and clicks with xdotool, as a person would.

It writes FONDLY_STATE_FILE (JSON, replaced whole) every 100 ms: where on the screen the rows and
buttons are, and what a person would see — the banner, whether the editor's text is unchanged,
which Compare window is open. It reads nothing back: the test only clicks and types.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication

from app.engines import Engines
from app.store import Store
from app.ui.app import make_app
from app.ui.compare_dialog import CompareDialog
from app.ui.main_window import MainWindow
from app.ui.operations import OperationRunner
from tests.helpers import ScriptedEngine
from tests.history_scene import build


def centre(widget) -> list[int]:
    p = widget.mapToGlobal(QPoint(widget.width() // 2, widget.height() // 2))
    return [p.x(), p.y()]


def main() -> None:
    app = make_app(sys.argv[:1])
    window = MainWindow(Store.open_default(), OperationRunner(Engines(open_text=lambda: ScriptedEngine([]))))
    window.move(0, 0)
    window.resize(1260, 780)
    window.show()
    build(window)
    state_file = Path(os.environ["FONDLY_STATE_FILE"])
    panel, doc = window.drafts_panel, window.document

    def write_state() -> None:
        tree, top = panel.tree, panel.tree.topLevelItem(0)
        rows = {}
        for item in [top] + [top.child(j) for j in range(top.childCount())]:
            r = tree.visualItemRect(item)
            p = tree.viewport().mapToGlobal(r.center())
            rows[item.text(0).split(" · ")[0]] = [p.x(), p.y()]
        dialogs = [d for d in QApplication.topLevelWidgets() if isinstance(d, CompareDialog) and d.isVisible()]
        state = {
            "rows": rows,
            "buttons": {b.text(): centre(b) for b in panel.buttons},
            "enabled": {b.text(): b.isEnabled() for b in panel.buttons},
            "back": centre(doc.preview_back),
            "editor": centre(doc.editor),
            "banner": doc.preview_label.text() if doc.preview_banner.isVisible() else "",
            "text_sha": hashlib.sha256(doc.editor.toPlainText().encode()).hexdigest(),
            "stored_sha": hashlib.sha256(window.store.current_text(doc.draft_id).encode()).hexdigest()
            if doc.draft_id
            else "",
            "revisions": len(window.store.revisions(doc.draft_id)) if doc.draft_id else 0,
            "compare": dialogs[0].windowTitle() if dialogs else "",
            "compare_summary": dialogs[0].summary.text() if dialogs else "",
        }
        tmp = state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        tmp.replace(state_file)

    timer = QTimer(interval=100, timeout=write_state)
    timer.start()
    app.exec()


if __name__ == "__main__":
    main()
