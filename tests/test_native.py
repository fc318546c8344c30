"""llama.cpp built for the processor it runs on, proven by a smoke check in a child process.

A child that kills itself with SIGILL stands in for the crash seen on an Intel VM advertising AMX
(`tilezero` at the first token); the real bundled model proves the check passes on a good build;
qemu-user runs the installed build as older processors would (Haswell: AVX2 and no AVX-512;
Sandy Bridge: no AVX2)."""

from __future__ import annotations

import os
import platform
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app import native_build
from app.errors import FondlyError
from llm import native
from llm.models import bundled_model

SIGILL_CHILD = [
    sys.executable,
    "-c",
    (
        "import os, signal; print('SYSTEM CPU : AVX = 1 | AVX2 = 1 | AMX_INT8 = 1 |', "
        "flush=True); os.kill(os.getpid(), signal.SIGILL)"
    ),
]
X86 = platform.machine().lower() in ("x86_64", "amd64")
ROOT = Path(__file__).resolve().parent.parent

HASWELL = {"sse4_2", "avx", "avx2", "fma", "f16c", "bmi2"}
SANDY_BRIDGE = {"sse4_2", "avx"}
SAPPHIRE_RAPIDS = HASWELL | {"avx512f", "avx512bw", "avx512_vnni", "amx_tile", "amx_int8", "amx_bf16"}


REAL_SMOKE = native.smoke


def sigill(model, **kwargs):
    return REAL_SMOKE(model, command=SIGILL_CHILD)


@pytest.fixture
def state(tmp_path, monkeypatch):
    """The set-up's record of this venv's build, in a scratch file (the real one is left alone)."""
    path = tmp_path / "fondly-llama-build.json"
    monkeypatch.setattr(native_build, "STATE", path)
    monkeypatch.setattr(native_build, "pinned_version", lambda: "0.3.36")
    return path


def test_a_child_killed_by_sigill_is_named_and_explained_in_one_paragraph():
    result = native.smoke(bundled_model(), command=SIGILL_CHILD)
    assert not result.ok and result.illegal_instruction and result.returncode == -signal.SIGILL
    assert result.signal_name == "Illegal instruction"
    assert native.built_features(result.system_info) == ["AVX", "AVX2", "AMX_INT8"]  # said before it died
    text = result.explain()
    assert "crashed on this computer's processor (Illegal instruction)" in text and "make setup" in text
    assert "\n" not in text


def test_the_installed_build_writes_with_the_bundled_model_and_uses_no_avx512_or_amx():
    result = native.smoke(bundled_model())
    assert result.ok, result.explain() + result.detail
    assert result.generation_tps > 0
    built = native.built_features(result.system_info)
    if X86:
        assert "AVX512" not in built and not any(f.startswith("AMX") for f in built), built
        assert native_build.read_state().get("rung") in {r.name for r in native_build.X86_RUNGS}


def test_the_rung_follows_what_the_processor_advertises_and_is_never_native_unless_asked(monkeypatch):
    monkeypatch.setattr(native_build.platform, "machine", lambda: "x86_64")
    assert [r.name for r in native_build.rungs(SAPPHIRE_RAPIDS)] == ["x86-64-v3", "x86-64-v2"]
    assert [r.name for r in native_build.rungs(HASWELL)] == ["x86-64-v3", "x86-64-v2"]
    assert [r.name for r in native_build.rungs(SANDY_BRIDGE)] == ["x86-64-v2"]
    assert native_build.rungs(SAPPHIRE_RAPIDS, wanted="native")[0] is native_build.NATIVE
    for rung in native_build.X86_RUNGS:
        assert "GGML_NATIVE=OFF" in rung.cmake and "GGML_AMX_TILE=OFF" in rung.cmake and "AVX512=OFF" in rung.cmake


def test_a_native_wheel_is_cached_per_processor_and_a_portable_one_is_not(monkeypatch):
    v3 = native_build.X86_RUNGS[0]
    monkeypatch.setattr(native_build, "cpu_flags", lambda: HASWELL)
    here = native_build.wheel_dir("0.3.36", native_build.NATIVE), native_build.wheel_dir("0.3.36", v3)
    monkeypatch.setattr(native_build, "cpu_flags", lambda: SAPPHIRE_RAPIDS)
    there = native_build.wheel_dir("0.3.36", native_build.NATIVE), native_build.wheel_dir("0.3.36", v3)
    assert here[0] != there[0] and here[1] == there[1]
    assert ".cache/fondly/wheels" in str(here[1]) and "pip" not in str(here[1])


def test_set_up_falls_back_to_the_next_rung_when_the_child_dies_and_checks_again(state, monkeypatch, capsys):
    monkeypatch.setattr(native_build, "cpu_flags", lambda: SAPPHIRE_RAPIDS)
    monkeypatch.setattr(native_build.platform, "machine", lambda: "x86_64")
    native_build.write_state({"version": "0.3.36", "rung": "x86-64-v3"})
    outcomes = [sigill, native.smoke]  # the first build dies, the rebuilt one writes
    rebuilt = []

    def rebuild(rung, version):
        rebuilt.append(rung.name)
        native_build.write_state({**native_build.read_state(), "rung": rung.name})

    code = native_build.check(smoke=lambda model: outcomes.pop(0)(model), rebuild=rebuild, model=str(bundled_model()))
    out = capsys.readouterr().out
    assert code == 0 and rebuilt == ["x86-64-v2"]
    assert "Smoke check FAILED. The text model crashed on this computer's processor (Illegal instruction)" in out
    assert "Rebuilding llama.cpp for x86-64-v2" in out and "Smoke check passed" in out
    assert native_build.read_state()["failed"] == ["x86-64-v3"]  # the next `install` starts below it
    assert native_build.read_state()["smoke"]["ok"] is True


def test_set_up_says_the_processor_is_too_old_when_no_rung_runs(state, monkeypatch, capsys):
    monkeypatch.setattr(native_build, "cpu_flags", lambda: SANDY_BRIDGE)
    monkeypatch.setattr(native_build.platform, "machine", lambda: "x86_64")
    native_build.write_state({"version": "0.3.36", "rung": "x86-64-v2"})
    code = native_build.check(smoke=sigill, rebuild=lambda *a: pytest.fail("no rung below"), model=str(bundled_model()))
    out = capsys.readouterr().out
    assert code == 1 and "This processor is too old for Fondly's text model" in out


def test_the_app_checks_a_model_once_in_a_child_and_a_crash_there_is_a_message(monkeypatch, tmp_path):
    from app import native_check

    monkeypatch.setenv("FONDLY_CACHE", str(tmp_path / "cache"))  # nothing checked yet

    calls = []

    def counting(model):
        calls.append(model)
        return native.smoke(model)

    model = bundled_model()
    native_check.ensure_runs(model, bundled=True, smoke=counting)
    native_check.ensure_runs(model, bundled=True, smoke=counting)
    assert len(calls) == 1 and native_check.checks().has_passed(model)

    other = Path(native_check.checks_path()).with_name("other.gguf")
    shutil.copy(model, other)  # a model not checked yet
    with pytest.raises(FondlyError) as e:
        native_check.ensure_runs(other, bundled=False, smoke=sigill)
    assert str(e.value).startswith(
        "The text model crashed on this computer's processor (Illegal instruction); run `make setup` again"
    )
    assert not native_check.checks().has_passed(other)  # a crash is never remembered as a pass


def test_the_window_stays_up_and_says_why_when_the_text_model_crashes_the_child(
    make_window, qtbot, monkeypatch, tmp_path
):
    monkeypatch.setattr(native, "smoke", sigill)
    monkeypatch.setenv("FONDLY_CACHE", str(tmp_path / "nothing-checked"))  # no pass known
    from tests.helpers import make_project

    window = make_window()  # the real engines: the bundled model, opened as the app opens it
    window.warm_up()
    qtbot.waitUntil(lambda: "Illegal instruction" in window.message.label.text(), timeout=30_000)
    assert window.isVisible() and window.message.isVisible()
    assert "run `make setup` again" in window.message.label.text()
    make_project(window, qtbot)
    assert window.isVisible()


@pytest.mark.timeout(1500)
def test_the_baseline_builds_as_older_processors_would_run_them(tmp_path):
    """qemu-user runs the smoke check's child as an older processor would. Haswell (AVX2, no
    AVX-512, no AMX) writes with the installed x86-64-v3 build; Sandy Bridge (no AVX2) kills that
    build with SIGILL, explained as the processor's — and writes with the x86-64-v2 build, the one
    the set-up chooses from such a processor's flags (`make test` builds it into Fondly's cache
    first, a few minutes once)."""
    model = str(bundled_model())
    if not X86:  # the older processors emulated here are x86-64's; elsewhere the set-up builds the baseline
        assert native_build.read_state().get("rung") == "portable" and native.smoke(model).ok
        return
    assert shutil.which("qemu-x86_64"), "qemu-user is missing: `make test` installs it"
    venv_python = str(Path(sys.prefix) / "bin" / "python")  # not resolved: qemu must see the venv
    child = [venv_python, "-m", "llm.native", model, "--tokens", "2", "--prompt", "Hi"]

    def on(cpu: str, env: dict | None = None) -> native.Smoke:
        return native.smoke(model, timeout=600, command=["qemu-x86_64", "-cpu", cpu, *child], env=env)

    assert native_build.read_state().get("rung") == "x86-64-v3"
    haswell = on("Haswell")
    assert haswell.ok, haswell.detail
    assert {"AVX2", "FMA", "F16C"} <= set(native.built_features(haswell.system_info))
    sandy = on("SandyBridge")
    assert sandy.illegal_instruction and sandy.processor_crash, (sandy.returncode, sandy.detail)
    assert "crashed on this computer's processor (Illegal instruction)" in sandy.explain()
    assert [r.name for r in native_build.rungs(SANDY_BRIDGE)] == ["x86-64-v2"]

    cached = sorted(native_build.wheel_dir(native_build.pinned_version(), native_build.X86_RUNGS[1]).glob("*.whl"))
    assert cached, "the x86-64-v2 wheel is missing: `make test` builds it into Fondly's cache first"
    v2 = cached[-1]
    target = tmp_path / "v2"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(v2)], check=True
    )
    path = os.pathsep.join(filter(None, [str(target), str(ROOT), os.environ.get("PYTHONPATH")]))
    sandy_v2 = on("SandyBridge", env={"PYTHONPATH": path})
    assert sandy_v2.ok, sandy_v2.detail
    assert not {"AVX", "AVX2"} & set(native.built_features(sandy_v2.system_info))


def test_doctor_shows_the_builds_instruction_sets_and_reruns_the_check(fondly):
    import json

    report = json.loads(fondly("doctor", "--json", ok=False).stdout)
    check = next(c for c in report if c["name"] == "llama.cpp build")
    assert check["ok"], check["detail"]
    build = check["llama_build"]
    assert build["smoke"]["ok"] and build["smoke"]["generation_tps"] > 0
    assert "AVX2" in build["built_features"] if X86 else build["built_features"]
    assert f"wrote {native.SMOKE_TOKENS} tokens" in check["detail"] and "processor:" in check["detail"]
    assert build["rung"] == native_build.read_state()["rung"]
