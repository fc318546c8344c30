"""The app as `fondly` starts it (app.ui.app.run: one window per data folder, the warm-up and the
daily backup on the lanes), with scripted models so nothing heavy loads. FONDLY_READY_FILE says
when its window is shown. tests/test_shared_folder.py starts two on one folder, restores under one,
and SIGKILLs one."""

import sys

from app.engines import Engines
from app.ui.app import run
from tests.apps.delivering import Deaf
from tests.helpers import ScriptedEngine

if __name__ == "__main__":
    sys.exit(run(sys.argv[:1], engines=Engines(open_text=lambda: ScriptedEngine([]), open_speech=Deaf)))
