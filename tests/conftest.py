"""Shared fixtures: an isolated data folder, no network, the real bundled models.

The network block lives in tests/netblock/sitecustomize.py and reaches every child
process through PYTHONPATH; importing it here applies it to the test process too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.helpers import Fondly

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
NETBLOCK = ROOT / "tests" / "netblock"

os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NETBLOCK), os.environ.get("PYTHONPATH")]))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(NETBLOCK))
import sitecustomize  # noqa: E402,F401  (the network block, for this process)


@pytest.fixture(autouse=True)
def fondly_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty data folder."""
    home = tmp_path / "fondly-home"
    monkeypatch.setenv("FONDLY_HOME", str(home))
    return home


@pytest.fixture
def store(fondly_home):
    from app.store import Store

    s = Store.open_default()
    yield s
    s.close()


@pytest.fixture(scope="session")
def engine():
    """The bundled text model, loaded once for the whole run."""
    from llm.engine import Engine

    return Engine(threads=2)


@pytest.fixture(scope="session")
def transcriber():
    """The bundled speech model, loaded once for the whole run."""
    from speech.transcriber import Transcriber

    return Transcriber(threads=2)


@pytest.fixture(scope="session")
def jfk() -> Path:
    path = DATA / "jfk.flac"
    assert path.is_file(), "tests/data/jfk.flac is missing: copy it from ../shared/audio/"
    return path


@pytest.fixture
def fondly(fondly_home) -> Fondly:
    return Fondly(fondly_home)
