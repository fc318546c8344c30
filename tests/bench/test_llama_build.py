"""The set-up's portable llama.cpp build against a native (-march=native) one, on this processor.

Why: the set-up builds a fixed baseline (x86-64-v3) because a native build died with SIGILL on an
Intel VM advertising AMX. What that costs where native does run is measured here, in the same run:
both builds load the bundled model in a child process (llm.native, the smoke check's child) and
read the same prompt and write the same tokens. The native wheel is built once per processor into
Fondly's wheel cache (a few minutes the first time). Where native dies, that is the figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import native_build
from llm import native
from llm.models import bundled_model

ROOT = Path(__file__).resolve().parents[2]
PROMPT = (
    "Write a short toast for my sister's wedding. She loves gardens, leeks, bees and long walks by the sea "
    "at Brighton, and she once taught the whole family to swim. "
) * 4
TOKENS = 128


def best_of(runs: int, env: dict | None = None) -> native.Smoke:
    results = [native.smoke(bundled_model(), tokens=TOKENS, prompt=PROMPT, env=env) for _ in range(runs)]
    ok = [r for r in results if r.ok]
    return max(ok, key=lambda r: r.generation_tps) if ok else results[0]


@pytest.mark.timeout(1800)
def test_the_portable_build_against_a_native_one(tmp_path, figure):
    state = native_build.read_state()
    assert state.get("rung"), "this venv's llama.cpp was not built by the set-up (run make setup)"
    wheel = native_build.build(native_build.NATIVE, native_build.pinned_version())
    target = tmp_path / "native"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
    )
    path = os.pathsep.join(filter(None, [str(target), str(ROOT), os.environ.get("PYTHONPATH")]))
    portable, nat = [], []
    for _ in range(2):  # interleaved, so a busy moment hurts both alike
        portable.append(best_of(2))
        nat.append(best_of(2, env={"PYTHONPATH": path}))
    p = max(portable, key=lambda r: r.generation_tps)
    n = max(nat, key=lambda r: r.generation_tps) if any(r.ok for r in nat) else nat[0]
    assert p.ok, p.explain()
    if n.ok:
        measured = (
            f"portable ({state['rung']}): prompt {p.prompt_tps:.0f}, writing {p.generation_tps:.0f} tokens/s; "
            f"native: prompt {n.prompt_tps:.0f}, writing {n.generation_tps:.0f}"
        )
        ratio = f"{p.generation_tps / n.generation_tps:.2f}"
    else:
        measured = (
            f"portable ({state['rung']}): prompt {p.prompt_tps:.0f}, writing {p.generation_tps:.0f} tokens/s; "
            f"native: dies ({n.signal_name or n.detail[-80:]})"
        )
        ratio = "—"
    figure(
        "llama.cpp build: the set-up's portable one vs -march=native, on this processor",
        "report",
        measured,
        ratio,
        note=f"The smoke check's child (llm.native), {TOKENS} tokens after a "
        f"{len(PROMPT.split())}-word prompt, best of 4 interleaved; native built "
        f"with {native_build.NATIVE.cmake} ({', '.join(native.built_features(n.system_info)) or 'its features unknown'}). "
        "Ratio: portable writing speed over native's.",
    )
