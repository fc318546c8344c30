"""The right mode and an honest speed per model (issue 14, parts 4 and 5).

After a switch of model — `fondly models use`, `fondly config set model`, Settings → Use in the
running app — the writing mode follows the new model's size (read from its GGUF header) with no
restart; `fondly doctor` and the status bar say which model writes, in which mode, and how fast it
was the last time it wrote: measured from a real generation, "not measured yet" before one.
`fondly eval --model` and `make quality MODEL=` write the same report for any model, naming it.

There is no model of a billion parameters here, so the large one is a GGUF whose header says so:
the bundled model's own metadata (llama.cpp reads its vocabulary) and one tensor of 1.5 billion
weights, in a sparse file (under 2 MB on disk). Everything reads it as it would a real one; only
llama.cpp's full load, which needs real weights, is replaced where a test writes with it.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from llm import gguf
from llm.models import bundled_model
from tests.helpers import ScriptedEngine, make_project

ROOT = Path(__file__).resolve().parent.parent


def big_gguf(path: Path, rows: int = 45_778, cols: int = 32_768) -> Path:
    """A GGUF whose header says rows × cols (1.5 billion) parameters, Q4_0, with the bundled
    model's metadata; the weights are a hole in a sparse file."""
    src = bundled_model()
    with src.open("rb") as f:
        f.read(4)
        version = struct.unpack("<I", f.read(4))[0]
        _, n_kv = struct.unpack("<QQ", f.read(16))
        r = gguf._Reader(f, src.stat().st_size, version)
        for _ in range(n_kv):
            r.string()
            r.value(r.unpack("<I"))
        end = f.tell()
        f.seek(24)
        metadata = f.read(end - 24)
    name = b"blk.0.big"
    head = (
        b"GGUF"
        + struct.pack("<IQQ", 3, 1, n_kv)
        + metadata
        + struct.pack("<Q", len(name))
        + name
        + struct.pack("<IQQIQ", 2, cols, rows, 2, 0)
    )  # 2 dims, the dims, type Q4_0, offset 0
    start = -(-len(head) // 32) * 32
    with path.open("wb") as out:
        out.write(head)
        out.truncate(start + rows * cols // 32 * 18)
    assert gguf.read(path).parameters >= 1_000_000_000
    return path


@pytest.fixture
def big(tmp_path) -> Path:
    return big_gguf(tmp_path / "big-model.gguf")


@pytest.fixture
def small(tmp_path) -> Path:
    copy = tmp_path / "small-copy.gguf"
    shutil.copy(bundled_model(), copy)
    return copy


def writing_check(fondly) -> dict:
    """The doctor's "writing" line, from --json (the doctor may fail other checks: a header-only
    model can't write)."""
    proc = fondly("doctor", "--json", ok=False)
    checks = json.loads(proc.stdout)
    return next(c for c in checks if c["name"] == "writing")


# --- part 4: the mode follows the model --------------------------------------------------------


def test_the_mode_follows_a_switch_on_the_command_line_without_loading_anything(fondly, big, small):
    check = writing_check(fondly)
    assert check["ok"] and check["model"]["mode"] == "memory-first" and check["model"]["parameters"] < 10**9
    assert "writes memory-first, by its size" in check["detail"]

    # registered as `models add` leaves a model it passed: this one's weights are a hole, so the
    # real load that add now makes refuses it (tests/test_hostile_models.py); the mode needs only its header
    from app import settings

    settings.set_value("models", [{"name": "big-model", "kind": "text", "path": str(big.resolve())}])
    fondly("models", "use", "big-model")
    check = writing_check(fondly)
    assert check["model"]["mode"] == "prose" and check["model"]["name"] == "big-model.gguf", check
    assert check["model"]["path"] == str(big.resolve()) and check["model"]["parameters"] == 1_500_053_504
    assert "big-model.gguf (1.5B parameters, Q4_1) writes prose, by its size" in check["detail"]
    assert check["model"]["tokens_per_second"] is None and "speed not measured yet" in check["detail"]

    fondly("config", "set", "model", small)
    check = writing_check(fondly)
    assert check["model"]["mode"] == "memory-first" and check["model"]["name"] == "small-copy.gguf"

    fondly("config", "set", "writing", "prose")  # the setting wins over the size
    check = writing_check(fondly)
    assert check["model"]["mode"] == "prose" and "writes prose, as the writing setting says" in check["detail"]


class HeaderOnlyEngine(ScriptedEngine):
    """Stands in for llm.engine.Engine at llama.cpp's load: it reads the real header of the file
    it is given, as Engine does, and writes scripted replies (nothing here can run 1.5B weights)."""

    def __init__(self, model=None, context=4096, threads=0, gpu_layers=0, on_speed=None):
        from llm.models import resolve_model

        super().__init__([])
        self.info = gguf.read(resolve_model(model))
        self.on_speed = on_speed

    @property
    def name(self) -> str:
        return self.info.path.name


@pytest.fixture
def header_only(monkeypatch):
    """The app's engines open HeaderOnlyEngine; the check that llama.cpp writes with the file on
    this processor (app.native_check, a child process) is passed over with it: the file's weights
    are not real."""
    monkeypatch.setattr("llm.engine.Engine", HeaderOnlyEngine)
    monkeypatch.setattr("app.native_check.ensure_runs", lambda *args, **kwargs: None)


def chips_mode(window) -> str:
    return window.writing.chips.mode


def test_the_mode_follows_a_switch_in_the_running_app(make_window, qtbot, header_only, big):
    """Settings → Use: the runner reloads through app.engines.open_text_engine (real: settings,
    header, mode), and the chips and the status bar say the new mode; a draft is written in it."""
    from app import model_manager, settings
    from app.ui.provenance import mode_label

    window = make_window()
    window.warm_up()
    qtbot.waitUntil(lambda: "memory-first" in window.model_label.text(), timeout=30_000)
    assert chips_mode(window) == mode_label("memory-first")
    assert "SmolLM2-135M-Instruct.Q4_1.gguf · memory-first · speed not measured yet" in window.model_label.text()

    model_manager.add(big)
    dialog = window.show_settings()
    names = [dialog.models.item(i).data(256) for i in range(dialog.models.count())]
    dialog.models.setCurrentRow(names.index("big-model"))
    with qtbot.waitSignal(window.runner.model_loaded, timeout=30_000):
        dialog.use_btn.click()
    qtbot.waitUntil(lambda: "big-model.gguf · prose · speed not measured yet" in window.model_label.text())
    assert chips_mode(window) == mode_label("prose")
    dialog.close()

    make_project(window, qtbot)
    window.store.add_memory(window.project.id, "typed", "garden", text="Frank grew tomatoes and gave them away.")
    window.writing.prompt.setText("Write a short eulogy about the garden")
    with qtbot.waitSignal(window.writing.written, timeout=60_000) as done:
        window.writing.generate()
    revision = window.store.revision(done.args[1])
    assert revision.model == "big-model.gguf" and revision.checks["mode"] == "prose"

    # the writing setting changed elsewhere (`fondly config set writing …`): after the next text
    # operation the window says it, and the next draft is written in it
    settings.set_value("writing", "memory-first")
    with qtbot.waitSignal(window.writing.written, timeout=60_000) as done:
        window.writing.generate()
    assert window.store.revision(done.args[1]).checks["mode"] == "memory-first"
    qtbot.waitUntil(lambda: "big-model.gguf · memory-first" in window.model_label.text())
    assert chips_mode(window) == mode_label("memory-first")


# --- part 4: how fast it was last time, measured ----------------------------------------------


def test_doctor_says_how_fast_the_model_wrote_last_time_measured_from_real_writing(fondly):
    """The doctor's own "Say hello" is a health check, not writing: it leaves nothing measured.
    A real generation through the app's engine (a few tokens) is measured, and the doctor says it."""
    from app import settings
    from app.engines import open_text_engine
    from llm.engine import Message

    check = writing_check(fondly)
    assert check["model"]["tokens_per_second"] is None and "speed not measured yet" in check["detail"]
    assert settings.get("speeds") == {}  # the doctor's probe wrote, and recorded nothing

    engine = open_text_engine()
    reply = "".join(engine.chat([Message("user", "Say hello to Frank.")], max_tokens=12, seed=1))
    assert reply.strip() and engine.last_speed.tokens >= 2
    recorded = settings.last_speed(bundled_model())
    assert recorded["tokens_per_second"] > 0 and recorded["tokens"] == engine.last_speed.tokens
    assert recorded["tokens_per_second"] == pytest.approx(engine.last_speed.tokens_per_second, abs=0.1)

    check = writing_check(fondly)
    assert check["model"]["path"] == str(bundled_model())
    assert check["model"]["tokens_per_second"] == recorded["tokens_per_second"] > 0
    assert f"{recorded['tokens_per_second']:.0f} tokens/s last time" in check["detail"]


def test_the_speed_is_the_models_own_time_not_the_readers(engine):
    """A reader that takes its time between tokens (the checks, the window) does not make the
    model look slow: only the model's time after the first token counts."""
    import time

    from llm.engine import Message

    started, slept, pieces = time.perf_counter(), 0.0, 0
    for _ in engine.chat([Message("user", "Say hello to Frank and Mary.")], max_tokens=12, seed=1):
        pieces += 1
        time.sleep(0.1)
        slept += 0.1
    wall = time.perf_counter() - started
    speed = engine.last_speed
    assert pieces >= 3 and speed.tokens >= pieces - 1 and speed.tokens_per_second > 0
    assert 0 < speed.seconds <= wall - slept + 0.01, (speed, wall, slept)


def test_the_status_bar_says_how_fast_the_model_wrote_last_time(window, qtbot):
    """The real window and the real bundled model: nothing measured until it writes; then the
    speed it measured, as the settings keep it."""
    from app import settings
    from llm.engine import Message

    window.warm_up()
    qtbot.waitUntil(lambda: "memory-first" in window.model_label.text(), timeout=60_000)
    assert "memory-first · speed not measured yet" in window.model_label.text()

    replies: list[str] = []
    window.runner.run(
        lambda job: "".join(job.text_engine().chat([Message("user", "Say hello to Frank.")], max_tokens=12, seed=1)),
        on_done=replies.append,
    )
    qtbot.waitUntil(lambda: bool(replies), timeout=60_000)
    speed = settings.last_speed(bundled_model())
    assert speed and speed["tokens_per_second"] > 0
    qtbot.waitUntil(lambda: "tokens/s last time" in window.model_label.text())
    shown = re.search(r"memory-first · (\d+) tokens/s last time", window.model_label.text())
    assert shown and int(shown.group(1)) == round(speed["tokens_per_second"]), window.model_label.text()


def test_the_status_bar_follows_a_scripted_speed_after_every_text_operation(make_window, qtbot, header_only):
    """The plumbing without the model: each finished text operation refreshes the line."""
    from app import settings

    window = make_window()
    window.warm_up()
    qtbot.waitUntil(lambda: "speed not measured yet" in window.model_label.text(), timeout=30_000)
    window.runner.run(lambda job: settings.record_speed(bundled_model(), 51, 0.5))
    qtbot.waitUntil(lambda: "memory-first · 100 tokens/s last time" in window.model_label.text())


def test_a_speed_that_cant_be_saved_never_fails_the_writing(fondly_home, monkeypatch):
    from app import settings
    from app.errors import FondlyError

    def full_disk(*_):
        raise FondlyError("disk full")

    monkeypatch.setattr(settings, "set_value", full_disk)
    settings.record_speed(bundled_model(), 10, 0.1)  # dropped, quietly
    assert settings.last_speed(bundled_model()) is None


# --- part 5: the same quality report for any model ---------------------------------------------

CASE = ROOT / "tests" / "data" / "eval" / "eulogy-style-voice"  # one where the model writes


def _model_neutral(report: str, name: str) -> str:
    """The report with the model's file name and the measured speed taken out."""
    report = report.replace(name, "MODEL")
    report = re.sub(r"\d+ tokens/s while writing these drafts \(\d+ tokens in \d+ replies, measured\)", "SPEED", report)
    report = re.sub(r"; \d+ s in all", "; S in all", report)
    return re.sub(r"\| [\d.]+ \|\n", "| S |\n", report)


def test_eval_names_the_model_and_writes_the_same_report_for_any_model(fondly, tmp_path, small):
    other = tmp_path / "someone-elses-model.gguf"
    small.rename(other)
    as_json = json.loads(fondly("eval", "--model", other, CASE, "--json", "--markdown", tmp_path / "other.md").stdout)
    report = (tmp_path / "other.md").read_text(encoding="utf-8")
    assert report.startswith("# Fondly quality report — someone-elses-model.gguf\n")
    model_line = report.splitlines()[2]
    assert model_line.startswith(
        "**Model: `someone-elses-model.gguf`** — llama, 135M parameters, Q4_1, context 4096; "
        "writes memory-first, by its size; "
    ), model_line
    assert re.search(
        r"; [1-9]\d* tokens/s while writing these drafts \(\d+ tokens in \d+ replies, measured\)\.$", model_line
    ), model_line
    assert "| eulogy-style-voice | memory-first |" in report

    fondly("eval", CASE, "--markdown", tmp_path / "bundled.md")  # the bundled model, same seed
    bundled = (tmp_path / "bundled.md").read_text(encoding="utf-8")
    assert bundled.startswith("# Fondly quality report — SmolLM2-135M-Instruct.Q4_1.gguf\n")
    assert _model_neutral(bundled, "SmolLM2-135M-Instruct.Q4_1.gguf") == _model_neutral(
        report, "someone-elses-model.gguf"
    )

    model = as_json["model"]
    assert model["file"] == "someone-elses-model.gguf" and model["parameters"] == gguf.read(other).parameters
    assert model["quantization"] == "Q4_1" and model["mode"] == "memory-first"
    assert model["speed"]["tokens_per_second"] > 0 and f"{model['speed']['tokens_per_second']:.0f} tokens/s" in report


def test_eval_says_prose_for_a_model_whose_header_says_a_billion(tmp_path, big):
    """The report's mode is the model's, from its header (no full load: the report function itself)."""
    from app.evaluation import model_line, model_report

    report = model_report(HeaderOnlyEngine(big))
    assert report["mode"] == "prose" and report["parameters"] == 1_500_053_504
    assert model_line(report).startswith(
        "**Model: `big-model.gguf`** — llama, 1.5B parameters, Q4_1, context 4096; "
        "writes prose, by its size; no speed: the model wrote nothing here to time."
    )


def _unknown_architecture(path: Path) -> Path:
    data = bytearray(bundled_model().read_bytes())
    key = b"general.architecture"
    at = data.index(key) + len(key) + 4 + 8
    data[at : at + 5] = b"zorba"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "what, message",
    [
        ("missing", "There is no model file at"),
        ("not a model", "is not a GGUF model"),
        ("cut short", "is a damaged or incomplete GGUF model"),
        ("unknown architecture", "is a 'zorba' model, which this version of llama.cpp can't run"),
    ],
)
def test_eval_with_a_missing_or_damaged_model_is_one_clear_line(fondly, tmp_path, what, message):
    path = tmp_path / "model.gguf"
    if what == "not a model":
        path.write_text("Dad loved fishing.")
    elif what == "cut short":
        path.write_bytes(bundled_model().read_bytes()[:30_000_000])
    elif what == "unknown architecture":
        _unknown_architecture(path)
    out = tmp_path / "out.md"
    proc = fondly("eval", "--model", path, CASE, "--markdown", out, ok=False)
    assert proc.returncode == 1 and proc.stdout == "", proc.stdout
    assert proc.stderr.startswith("fondly: error: ") and message in proc.stderr and proc.stderr.count("\n") == 1, (
        proc.stderr
    )
    assert not out.exists()


def test_make_quality_with_a_model_writes_its_own_report_and_leaves_the_bundled_ones(tmp_path, small):
    """`make quality MODEL=PATH`: the report goes to docs/quality-<stem>.md (or OUT=), never over
    docs/quality.md. The first run is real (the set-up step is taken as done: -o)."""
    stamp = ".venv/.fondly-installed"
    dry = subprocess.run(
        ["make", "-n", "-o", stamp, "quality", f"MODEL={small}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert f"--model '{small}'" in dry and "--markdown 'docs/quality-small-copy.md'" in dry
    assert "docs/quality.md" not in dry
    plain = subprocess.run(
        ["make", "-n", "-o", stamp, "quality"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "--markdown 'docs/quality.md'" in plain and "--model" not in plain

    before = (ROOT / "docs" / "quality.md").read_bytes()
    out = tmp_path / "report.md"
    proc = subprocess.run(
        ["make", "-s", "-o", stamp, "quality", f"MODEL={small}", f"OUT={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith("# Fondly quality report — small-copy.gguf\n")
    assert (ROOT / "docs" / "quality.md").read_bytes() == before
