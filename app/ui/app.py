"""Starting the desktop app: the composition root. It opens the store, makes the operation
runner (which owns the models, through app.engines), and hands both to the window; the
window comes first, the models after, in the background."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import cast

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import USER_ERRORS

STYLE = Path(__file__).resolve().parents[2] / "assets" / "style.qss"
ICON = Path(__file__).resolve().parents[1] / "desktop" / "fondly.svg"  # the menu entry's icon too
FONTS = STYLE.parent / "fonts"  # DejaVu, which the PDF export embeds too


def make_app(argv: list[str] | None = None) -> QApplication:
    # Fondly makes only a QApplication (so do the tests): the instance, if any, is one
    app = cast("QApplication | None", QApplication.instance()) or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("Fondly")
    app.setOrganizationName("Fondly")
    app.setDesktopFileName("fondly")  # the desktop matches the window to fondly.desktop (make install-desktop)
    app.setWindowIcon(QIcon(str(ICON)))
    for font in sorted(FONTS.glob("*.ttf")):  # text shows even where the system has no fonts (a bare container)
        QFontDatabase.addApplicationFont(str(font))
    if STYLE.exists():
        app.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    return app


def run(argv: list[str] | None = None, engines=None) -> int:
    """The app, until its window closes. `engines` (app.engines.Engines) for tests' scripted models."""
    app = make_app(argv)
    from app.engines import Engines
    from app.paths import data_dir
    from app.store import Store
    from app.ui import closing
    from app.ui.backup_dialog import ask_about_settings, start_daily_backup
    from app.ui.main_window import MainWindow
    from app.ui.operations import OperationRunner
    from app.ui.single_window import AlreadyOpen, claim

    try:
        owner = claim(data_dir())  # one window per data folder: a second start brings the first forward
        window = MainWindow(Store.open_default(), OperationRunner(engines or Engines()))
    except AlreadyOpen as e:
        print(e, file=sys.stderr)
        if not e.brought_forward:
            QMessageBox.information(None, "Fondly is already open", str(e))
        return 0
    except USER_ERRORS as e:  # e.g. a data folder that can't be written
        QMessageBox.critical(None, "Fondly can't start", str(e))
        return 1
    window.show()
    owner.serve(window)
    closing.close_on_terminate(window)
    ready = os.environ.get("FONDLY_READY_FILE")  # the start-up benchmark waits for this
    if ready:
        QTimer.singleShot(0, lambda: Path(ready).write_text(repr(time.time())))
    QTimer.singleShot(0, window.warm_up)
    QTimer.singleShot(0, lambda: ask_about_settings(window))  # servers or models Fondly did not set
    QTimer.singleShot(0, lambda: start_daily_backup(window))  # after the warm-up, on the speech lane
    return app.exec()
