"""A model file can't kill the app (issue 24): every GGUF is checked in full before any use.

The audit's files: `llama.block_count` 0 or 0xFFFFFFFF and an added `llama.expert_used_count`
(llama.cpp's loader GGML_ASSERTs on them: exit 134, no message), `general.alignment` "abc", ""
or NaN and arrays nested 5,000 deep (ValueError, RecursionError), and a 4 GB sparse file with an
absurd key count (the old reader spent ~20 minutes on it). Each is tried as a person meets it:
`models add FILE`, `write --model FILE`, `models find` over a folder holding it, `doctor` with it
in the settings. Small synthetic files carry the header cases; a copy of the bundled model with
an edited header is what makes llama.cpp really abort, in the child.
"""

from __future__ import annotations

import json
import os
import struct
import time
from pathlib import Path

import pytest

from app import native_check
from app.errors import FondlyError
from llm import gguf, native
from llm.errors import ModelError
from llm.models import bundled_model
from tests import gguf_files as g
from tests.conditions import record
from tests.helpers import DAD, db_dump

GROUP = "a hostile model file"
ARCH = g.kv("general.architecture", g.STRING, "llama")


def _nested(path: Path) -> Path:
    return g.synthetic(path, [ARCH, g.string("x") + struct.pack("<I", g.ARRAY) + g.nested_array(5000)])


def _sparse(path: Path) -> Path:
    """A small header claiming a billion keys, then a 4 GB hole (4 KB on disk): `truncate -s 4G`."""
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 10**9) + ARCH)
    os.truncate(path, 4 << 30)
    return path


def _with(*kvs: bytes):
    return lambda path: g.synthetic(path, [ARCH, *kvs])


# the audit's case -> (how to make the file, what the one line says)
# fmt: off
CASES = {
    "block_count 0": (_with(g.kv("llama.block_count", g.U32, 0)), "block_count is 0"),
    "block_count 0xFFFFFFFF": (_with(g.kv("llama.block_count", g.U32, 0xFFFFFFFF)), "more layers than llama.cpp allows"),
    "an added expert_used_count": (_with(g.kv("llama.expert_used_count", g.U32, 2)), "expert counts do not add up"),
    "general.alignment 'abc'": (_with(g.kv("general.alignment", g.STRING, "abc")), "not a power of two"),
    "general.alignment ''": (_with(g.kv("general.alignment", g.STRING, "")), "not a power of two"),
    "general.alignment NaN": (_with(g.kv("general.alignment", g.F32, float("nan"))), "not a power of two"),
    "arrays nested 5,000 deep": (_nested, "nests arrays inside arrays"),
    "a billion keys, then a 4 GB hole": (_sparse, "header counts are impossible"),
}
# fmt: on


@pytest.fixture
def project(store, fondly_home):
    """A project with one memory, and the settings file as it was: what must be left unchanged."""
    p = store.create_project("Dad's eulogy", subject="Dad")
    store.add_memory(p.id, "text", "dad.txt", text=DAD)
    return p


def _one_line(proc, name: str) -> str:
    """The CLI's answer: exit 1, one `fondly: error:` line naming the file, never an abort or traceback."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fondly: error: ") and name in lines[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    return lines[0]


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_header_is_one_line_everywhere_and_changes_nothing(case, tmp_path, fondly, fondly_home, project):
    make, said = CASES[case]
    folder = tmp_path / "models"
    folder.mkdir()
    path = make(folder / "hostile.gguf")
    data_before = db_dump(fondly_home)

    started = time.perf_counter()
    line = _one_line(fondly("models", "add", path, ok=False), path.name)
    added_in = time.perf_counter() - started
    assert said in line
    assert added_in < 5, f"refusing took {added_in:.1f} s"  # the sparse 4 GB file took ~20 min before
    _one_line(fondly("write", "1", "a short eulogy for Dad", "--model", path, ok=False), path.name)

    fondly("models", "folder", "add", folder)
    found = fondly("models", "find", "--json")
    assert found.returncode == 0 and "Traceback" not in found.stderr
    assert str(path) not in {f["path"] for f in json.loads(found.stdout)}  # left out, not a crash

    assert db_dump(fondly_home) == data_before
    settings = json.loads((fondly_home / "settings.json").read_text())
    assert settings.get("models", []) == [] and settings.get("model") is None  # only the folder was added
    record(
        GROUP,
        f"a GGUF with {case}: models add, write --model, models find",
        line.removeprefix("fondly: error: "),
        "exit 1 in < 5 s, no abort or traceback; find leaves it out (exit 0); data unchanged",
    )


@pytest.mark.parametrize("case", ["block_count 0", "a billion keys, then a 4 GB hole"])
def test_doctor_names_a_hostile_model_the_settings_hold(case, tmp_path, fondly, fondly_home, project):
    """The settings name the model (a file that changed after it was chosen, or taken from a backup with
    --with-settings): doctor says so. Set as Fondly sets it, confirmed: a value Fondly did not write is
    not used at all (app.settings)."""
    from app import settings

    make, said = CASES[case]
    path = make(tmp_path / "hostile.gguf")
    settings.set_value("model", str(path))
    data_before = db_dump(fondly_home)
    proc = fondly("doctor", ok=False)
    line = _one_line(proc, path.name)
    assert "text model" in line and said in line
    assert db_dump(fondly_home) == data_before
    record(
        GROUP,
        f"doctor with a GGUF with {case} in the settings",
        line.removeprefix("fondly: error: "),
        "exit 1, no abort; data unchanged",
    )


def test_the_header_reader_refuses_each_in_milliseconds(tmp_path):
    for case, (make, said) in CASES.items():
        path = make(tmp_path / "m.gguf")
        started = time.perf_counter()
        with pytest.raises(ModelError, match=said):
            gguf.read(path)
        assert time.perf_counter() - started < 1, case
    assert gguf.read(bundled_model()).parameters > 100_000_000  # a real model still reads


def test_a_sparse_file_with_a_sound_header_is_refused_before_use_for_its_missing_weights(tmp_path, fondly):
    """A header that adds up, whose 4 GB of weights are a hole: a download that preallocated and
    stopped, or `truncate -s 4G`. Refused from the filesystem's map of the file, without reading it,
    and without a child: llama.cpp would have loaded zeros."""
    path = g.synthetic(tmp_path / "holes.gguf", tensors=[("t", [1 << 30], 0)], data=b"")
    os.truncate(path, path.stat().st_size + (4 << 30))
    assert gguf.read(path).parameters == 1 << 30  # the header alone is sound
    started = time.perf_counter()
    line = _one_line(fondly("models", "add", path, ok=False), path.name)
    took = time.perf_counter() - started
    assert "are not on the disk" in line and took < 5
    record(
        GROUP,
        "a 4 GB sparse GGUF whose header adds up (weights a hole): models add",
        line.removeprefix("fondly: error: "),
        "exit 1 in < 5 s, no child started; data unchanged",
    )


def test_a_time_limit_stops_a_header_too_big_to_read(tmp_path):
    """Many keys a file really holds, read against a deadline: refused when it passes."""
    path = g.synthetic(tmp_path / "many.gguf", [ARCH, *(g.kv(f"k{i}", g.U8, 1) for i in range(50_000))])
    with pytest.raises(ModelError, match="takes too long"):
        gguf.read(path, seconds=0)
    assert gguf.read(path).architecture == "llama"


@pytest.fixture(scope="module")
def aborting_copy(tmp_path_factory) -> Path:
    """The bundled model with `llama.block_count` 0: llama.cpp's loader GGML_ASSERTs on it."""
    return g.edited_copy(
        bundled_model(),
        tmp_path_factory.mktemp("abort") / "no-layers.gguf",
        {"llama.block_count": g.kv("llama.block_count", g.U32, 0)},
    )


def test_llama_cpp_really_aborts_in_the_child_and_the_parent_says_one_line_once(aborting_copy, monkeypatch):
    """Past the header check (called directly here), the real child load: llama.cpp aborts (SIGABRT),
    the parent raises one line naming the file, remembers it, and never runs the crash again for
    this file; a changed file is checked anew."""
    result = native.smoke(aborting_copy)
    assert result.returncode == -6 and not result.loaded and "GGML_ASSERT" in result.detail
    assert not result.processor_crash  # an abort is the model's, not the processor's

    runs = []

    def counting(model):
        runs.append(model)
        return native.smoke(model)

    with pytest.raises(FondlyError) as caught:
        native_check.ensure_runs(aborting_copy, bundled=False, smoke=counting)
    message = str(caught.value)
    assert f"{aborting_copy.name} made llama.cpp stop (abort) while loading it" in message and "\n" not in message
    with pytest.raises(FondlyError, match="stop \\(abort\\)"):
        native_check.ensure_runs(aborting_copy, bundled=False, smoke=counting)
    assert len(runs) == 1  # remembered: not made to abort again
    assert not native_check.checks().has_passed(aborting_copy)

    os.utime(aborting_copy, ns=(time.time_ns(), time.time_ns() + 10**9))  # the file changed
    with pytest.raises(FondlyError):
        native_check.ensure_runs(aborting_copy, bundled=False, smoke=counting)
    assert len(runs) == 2
    record(
        GROUP,
        "the bundled model with block_count 0, loaded past the header check (the child aborts)",
        message,
        "the child exits 134 (SIGABRT); the parent raises one line, remembers it per file, checks a changed file again",
    )


def test_a_model_llama_cpp_refuses_in_the_child_is_refused_by_add_and_write(tmp_path, fondly, fondly_home, project):
    """Expert counts that add up in the header, but no expert tensors: only a real load finds that.
    `models add` refuses it from the child; `write --model` gets the remembered answer."""
    path = g.edited_copy(
        bundled_model(),
        tmp_path / "moe.gguf",
        {
            "llama.expert_count": g.kv("llama.expert_count", g.U32, 4),
            "llama.expert_used_count": g.kv("llama.expert_used_count", g.U32, 2),
        },
    )
    gguf.read(path)  # the header alone passes
    data_before = db_dump(fondly_home)
    line = _one_line(fondly("models", "add", path, ok=False), path.name)
    assert "could not open" in line and "ffn_gate_inp" in line
    assert native_check.checks().failure(path)
    started = time.perf_counter()
    assert _one_line(fondly("write", "1", "a short eulogy", "--model", path, ok=False), path.name) == line
    assert time.perf_counter() - started < 5
    assert db_dump(fondly_home) == data_before and not (fondly_home / "settings.json").exists()
    record(
        GROUP,
        "a GGUF whose header adds up but llama.cpp can't load (expert counts, no expert tensors)",
        line.removeprefix("fondly: error: "),
        "refused by the child at models add; write --model gets the remembered line; data unchanged",
    )


def test_the_window_stays_up_and_names_a_hostile_model_the_settings_hold(make_window, qtbot, tmp_path, fondly_home):
    """The model a settings file names (restored, or from an older Fondly), opened as the app opens
    it at start: the window says which file and why, and stays up; nothing is loaded."""
    from app import settings

    path = CASES["block_count 0"][0](tmp_path / "hostile.gguf")
    settings.set_value("model", str(path))
    window = make_window()
    window.warm_up()
    qtbot.waitUntil(lambda: "hostile.gguf" in window.message.label.text(), timeout=30_000)
    said = window.message.label.text()
    assert "block_count is 0" in said and window.isVisible()
    record(
        GROUP,
        "the app starting with a GGUF with block_count 0 in the settings",
        said,
        "the window stays up and shows the line; no model loaded",
    )


def test_adding_a_model_in_settings_checks_it_without_freezing_the_window(make_window, qtbot, tmp_path):
    """The full check (a real load and a few words in a child: 2.5–6 s on busy cores) runs on the window's
    runner: Add returns at once, says it is checking, and the model is listed when the check passed; a
    hostile file is refused the same way, in the dialog's one line."""
    import shutil

    from app import model_manager

    window = make_window()
    dialog = window.show_settings()
    copy = tmp_path / "my-model.gguf"  # a file of its own: the check is not remembered for it yet
    shutil.copyfile(bundled_model(), copy)
    started = time.perf_counter()
    dialog.add(str(copy))
    assert time.perf_counter() - started < 0.5  # the GUI thread did not wait for the check
    assert "Checking my-model.gguf" in dialog.error.text() and not dialog.add_btn.isEnabled()
    qtbot.waitUntil(lambda: dialog.add_btn.isEnabled(), timeout=120_000)
    assert dialog.error.text() == "" and str(copy) in {r["path"] for r in model_manager.listing()}
    hostile = CASES["block_count 0"][0](tmp_path / "hostile.gguf")
    dialog.add(str(hostile))
    qtbot.waitUntil(lambda: dialog.add_btn.isEnabled(), timeout=60_000)
    assert "hostile.gguf" in dialog.error.text() and "block_count is 0" in dialog.error.text()
    assert str(hostile) not in {r["path"] for r in model_manager.listing()}
