"""Issue 14, parts 2 and 3: the catalog of models to download, the recommendation, and
`fondly models get` against a stand-in hub on 127.0.0.1 (tests/fake_hub.py) serving the bundled
GGUF — download, check, register and switch; resume after a kill; refuse a wrong checksum, a
damaged file, an unreachable hub and a full disk, each in one line with nothing registered."""

from __future__ import annotations

import filecmp
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import namedtuple
from pathlib import Path

import pytest

from app import model_catalog
from llm.models import bundled_model
from tests.fake_hub import FakeHub

REPO, FILE = "fondly-test/Tiny-GGUF", "tiny-q4_1.gguf"


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """The stand-in hub, with the catalog, HF_ENDPOINT and the network settings pointing at it."""
    with FakeHub(REPO, FILE, bundled_model()) as h:
        monkeypatch.setenv("FONDLY_CATALOG", str(h.catalog(tmp_path / "catalog.json")))
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # conftest sets it for every other test
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield h


def models_folder(home: Path) -> list[str]:
    folder = home / "models"
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def registered(fondly) -> list[str]:
    return [r["path"] for r in json.loads(fondly("models", "list", "--json").stdout) if not r["bundled"]]


def error_line(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("fondly: error: "), proc.stderr
    return lines[0]


# --- the catalog ------------------------------------------------------------------------------


def test_the_catalog_lists_laptop_models_with_sources_and_recommends_one(fondly):
    data = json.loads(fondly("models", "catalog", "--json").stdout)
    models = data["models"]
    assert 3 <= len(models) <= 6
    assert {m["family"] for m in models} <= {"Llama", "Qwen", "Gemma", "Phi"}
    for m in models:
        assert 0.4e9 <= m["parameters"] <= 4.1e9 and m["quantization"] == "Q4_K_M"
        assert m["file"].endswith(".gguf") and "/" in m["repo"]
        assert m["sha256"] is None or len(m["sha256"]) == 64 and int(m["sha256"], 16) >= 0
        assert m["licence"]["name"] and m["licence"]["url"].startswith("https://")
        assert m["sources"] and m["ram_needed_bytes"] > (m["size_bytes"] or 0)
        assert set(m["tokens_per_second"]) == {"2", "4", "8"}
    assert "Estimate, not a measurement" in data["speed_source"] and data["speed_basis"]["tokens_per_second"] > 0
    assert [m["id"] for m in models if m["recommended"]] == ([data["recommended"]] if data["recommended"] else [])
    assert data["machine"]["cores"] == os.cpu_count()


def test_speeds_follow_the_stated_rule_and_the_recommendation_fits_the_machine():
    """The figures are the bundled model's measured speed scaled by file size and threads, as the
    catalog says; and the recommendation changes with memory and cores the way its rule says."""
    catalog = model_catalog.load()
    basis = catalog.basis
    for e in catalog.entries:
        per_thread = basis["tokens_per_second"] * basis["size_bytes"] / basis["threads"] / e.size_bytes
        assert e.tokens_per_second[2] == round(per_thread * 2, 1)
        assert e.tokens_per_second[8] == e.tokens_per_second[4]  # automatic threads stop at four
    big, _ = catalog.recommend(16e9, 8)
    assert big is catalog.entries[0]  # the preferred model, when everything fits
    small, why = catalog.recommend(4e9, 2)
    assert small.ram_bytes <= 4e9 * catalog.ram_share and small.tokens_per_second[2] >= catalog.min_tokens_per_second
    for better in catalog.entries[: catalog.entries.index(small)]:  # each preferred one fails the rule
        assert better.ram_bytes > 4e9 * catalog.ram_share or better.tokens_per_second[2] < catalog.min_tokens_per_second
    assert small is not big and "fits this computer" in why
    none, why = catalog.recommend(1e9, 1)
    assert none is None and "bundled model" in why


def test_the_readme_table_says_what_the_catalog_says():
    """README's "Better writing" figures are the catalog's, so neither can drift from the other."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for e in model_catalog.load().entries:
        speeds = " / ".join(f"{e.tokens_per_second[c]:.0f}" for c in (2, 4, 8))
        row = (
            f"| {e.name} (`{e.id}`) | {e.family} | {e.size_bytes / 1e9:.2f} GB | {e.ram_bytes / 1e9:.1f} GB | "
            f"{speeds} | [{e.licence['name']}]({e.licence['url']}) |"
        )
        assert row in readme, row


def test_the_machine_is_read_without_psutil(monkeypatch):
    monkeypatch.setitem(sys.modules, "psutil", None)  # as if it were not installed: import fails
    ram, cores = model_catalog.machine()
    assert cores == os.cpu_count()
    assert ram == os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


# --- fetching ---------------------------------------------------------------------------------


def test_get_downloads_checks_registers_and_switches(hub, fondly, fondly_home):
    proc = fondly("models", "get", "test-model")
    final = fondly_home / "models" / FILE
    assert filecmp.cmp(final, bundled_model(), shallow=False)
    rows = json.loads(fondly("models", "list", "--json").stdout)
    mine = [r for r in rows if r["path"] == str(final)]
    assert len(mine) == 1 and mine[0]["in_use"] and mine[0]["name"] == "Test Model"
    assert not any(r["in_use"] for r in rows if r["bundled"] and r["kind"] == "text")
    assert [m for m, _p, _r in hub.requests] == ["HEAD", "GET"], hub.requests  # one look, one transfer
    assert models_folder(fondly_home) == [FILE]  # no partial left behind
    assert "now writes with it" in proc.stderr
    fondly("models", "get", "test-model")  # already here and whole: checked, not fetched again
    assert len(hub.requests) == 2 and len(registered(fondly)) == 1


def test_an_interrupted_download_continues_after_a_kill(hub, fondly, fondly_home):
    hub.delay = 0.05  # about 20 s for the whole file: time to kill it midway
    env = {**os.environ, "FONDLY_HOME": str(fondly_home)}
    child = subprocess.Popen(
        [str(fondly.exe), "models", "get", "test-model"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    partial_dir = fondly_home / "models" / ".partial"
    deadline = time.time() + 60
    while not any(p.stat().st_size >= 10 * 1024 * 1024 for p in partial_dir.glob("*.incomplete")):
        assert child.poll() is None, child.communicate()
        assert time.time() < deadline, "the download never got going"
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    part = next(partial_dir.glob("*.incomplete"))
    kept = part.stat().st_size
    assert 0 < kept < len(hub.data)
    assert registered(fondly) == []
    assert not (fondly_home / "models" / FILE).exists()

    hub.delay = 0
    fondly("models", "get", "test-model")
    assert hub.ranges() == [f"bytes={kept}-"]  # it asked only for the rest
    assert filecmp.cmp(fondly_home / "models" / FILE, bundled_model(), shallow=False)
    assert registered(fondly) == [str(fondly_home / "models" / FILE)]


def test_a_wrong_checksum_in_the_catalog_is_refused(hub, fondly, fondly_home, tmp_path, monkeypatch):
    monkeypatch.setenv("FONDLY_CATALOG", str(hub.catalog(tmp_path / "wrong.json", sha256="ab" * 32)))
    line = error_line(fondly("models", "get", "test-model", ok=False))
    assert "not the file Fondly's catalog names" in line and "nothing was added" in line
    assert registered(fondly) == [] and models_folder(fondly_home) == []


def test_a_damaged_download_is_deleted_and_refused(hub, fondly, fondly_home):
    hub.damaged = True  # the right headers, the wrong bytes
    line = error_line(fondly("models", "get", "test-model", ok=False))
    assert "is damaged" in line and "deleted" in line
    assert registered(fondly) == [] and models_folder(fondly_home) == []


def test_a_hub_without_any_checksum_is_refused(hub, fondly, fondly_home, tmp_path, monkeypatch):
    """No sha256 in the catalog, and a hub whose ETag is not one: Fondly won't use what it can't check."""
    monkeypatch.setenv("FONDLY_CATALOG", str(hub.catalog(tmp_path / "nosha.json", sha256=None)))
    hub.sha256 = "not-a-sha256"
    line = error_line(fondly("models", "get", "test-model", ok=False))
    assert "can't check" in line
    assert registered(fondly) == [] and models_folder(fondly_home) == []


def test_without_a_catalog_checksum_the_hubs_own_is_used(hub, fondly, fondly_home, tmp_path, monkeypatch):
    monkeypatch.setenv("FONDLY_CATALOG", str(hub.catalog(tmp_path / "nosha.json", sha256=None)))
    fondly("models", "get", "test-model", "--no-use")
    rows = json.loads(fondly("models", "list", "--json").stdout)
    assert [r["in_use"] for r in rows if r["path"] == str(fondly_home / "models" / FILE)] == [False]


def test_an_unreachable_hub_is_one_line_and_nothing_registered(hub, fondly, fondly_home, monkeypatch):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed}")
    started = time.monotonic()
    line = error_line(fondly("models", "get", "test-model", ok=False))
    assert "can't reach the model hub" in line and f"127.0.0.1:{closed}" in line
    assert time.monotonic() - started < 30
    assert registered(fondly) == [] and models_folder(fondly_home) == []


def test_offline_mode_is_honoured(hub, fondly, fondly_home, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    line = error_line(fondly("models", "get", "test-model", ok=False))
    assert "HF_HUB_OFFLINE" in line and hub.requests == []


def test_not_enough_disk_space_is_said_before_anything_is_fetched(hub, fondly_home, monkeypatch):
    from app import model_download
    from app.errors import FondlyError

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(model_download.shutil, "disk_usage", lambda _path: usage(10**9, 10**9 - 50_000_000, 50_000_000))
    with pytest.raises(FondlyError) as e:
        model_download.get("test-model")
    assert "Not enough free disk space" in str(e.value) and "\n" not in str(e.value)
    assert hub.requests == [] and models_folder(fondly_home) == []
    from app import model_manager

    assert [r for r in model_manager.listing() if not r["bundled"]] == []


def test_nothing_but_the_file_request_leaves_and_nothing_of_the_persons(
    hub, fondly, fondly_home, tmp_path, monkeypatch
):
    """The network guard sees only loopback, and the hub sees only the file's path, no token."""
    report = tmp_path / "net.log"
    monkeypatch.setenv("FONDLY_NET_REPORT", str(report))
    monkeypatch.setenv("HF_TOKEN", "hf_secret_of_the_person")
    fondly("models", "get", "test-model")
    lines = [line.split("\t") for line in report.read_text(encoding="utf-8").splitlines()]
    assert lines and all(line[3] == "local" for line in lines)
    assert {p for _m, p, _r in hub.requests} == {f"/{REPO}/resolve/main/{FILE}"}
    assert hub.authorizations == []
    assert len(hub.user_agents) == 1 and re.fullmatch(
        r"fondly/[^;]+; hf_hub/[^;]+; python/[^;]+", hub.user_agents.pop()
    )


# --- Settings ---------------------------------------------------------------------------------


@pytest.fixture
def runner(qapp):
    from app.ui.operations import OperationRunner

    r = OperationRunner()
    yield r
    r.shutdown()


def test_settings_downloads_with_a_progress_bar_and_cancel_leaves_nothing(hub, qtbot, runner, fondly_home, monkeypatch):
    from huggingface_hub import constants

    from app import model_manager
    from app.ui.settings_dialog import SettingsDialog

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # read when conftest had set it
    dialog = SettingsDialog(runner=runner)
    qtbot.addWidget(dialog)
    panel = dialog.catalog
    assert "only" in panel.privacy.text() and "nothing of yours" in panel.privacy.text()
    panel.list.setCurrentRow(0)

    hub.delay = 0.05  # slow enough to press Cancel midway
    panel.get_btn.click()
    qtbot.waitUntil(lambda: not panel.progress.isHidden() and panel.progress.value() > 0, timeout=30_000)
    assert not panel.cancel_btn.isHidden() and not panel.get_btn.isEnabled()
    panel.cancel_btn.click()
    qtbot.waitUntil(lambda: panel.progress.isHidden(), timeout=30_000)
    assert "stopped" in panel.status.text().lower()
    assert [r for r in model_manager.listing() if not r["bundled"]] == []
    assert models_folder(fondly_home) == []

    hub.delay = 0
    with qtbot.waitSignal(dialog.text_model_changed, timeout=60_000):
        panel.get_btn.click()
    rows = [r for r in model_manager.listing() if not r["bundled"]]
    assert len(rows) == 1 and rows[0]["in_use"] and rows[0]["path"] == str(fondly_home / "models" / FILE)
    assert panel.progress.isHidden() and panel.cancel_btn.isHidden()
    assert "Test Model" in panel.status.text()
    assert any("Test Model" in dialog.models.item(i).text() for i in range(dialog.models.count()))
