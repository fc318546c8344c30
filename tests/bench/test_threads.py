"""The text model's speed on a quiet machine and on one where another program keeps a core busy:
Fondly's automatic threads (app.cpu_share: the cores other programs leave it) against every fixed
thread count, in the same run.

Why: measured on 2 cores with one core busy (`yes > /dev/null`), 2 threads wrote 25 tokens/s and
1 thread 35: llama.cpp's threads wait for the slowest at every step, so a thread that shares its
core with another program holds all of them back. A fixed count is right for one of the two
conditions and wrong for the other; the automatic one must match the best fixed count in both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from app.cpu_share import CpuShare, LoadMeter, SharingTextEngine
from llm.engine import Engine, Message

TOKENS = 160
PROMPT = [
    Message("system", "You write warm, plain speeches."),
    Message(
        "user",
        "Write a short toast for my sister's wedding. She loves gardens, leeks, bees and long walks "
        "by the sea at Brighton, and she once taught the whole family to swim. " * 3,
    ),
]


def one_run(engine: Engine, share: CpuShare) -> tuple[float, float]:
    """(prompt tokens per second up to the first token, writing tokens per second after it)."""
    prompt_tokens = sum(engine.count_tokens(m.content) for m in PROMPT)
    start = time.perf_counter()
    first = None
    for _ in SharingTextEngine(engine, share).chat(PROMPT, max_tokens=TOKENS, temperature=0.0, seed=1):
        if first is None:
            first = time.perf_counter()
    return prompt_tokens / (first - start), engine.last_speed.tokens_per_second


def busy_core() -> subprocess.Popen:
    """Another program that keeps one core busy, as `yes > /dev/null` does."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


@pytest.mark.timeout(1200)
def test_automatic_threads_match_the_best_fixed_count_quiet_and_busy(figure):
    cores = min(4, os.cpu_count() or 1)
    if cores < 2:
        pytest.fail("this bench needs at least 2 cores: it compares thread counts")
    engine = Engine(threads=cores)
    one_run(engine, CpuShare(cores=cores))  # warm: the first run pages the model in
    modes = {
        f"{n} thread{'s' if n > 1 else ''}": (lambda n=n: CpuShare(cores=cores, text_threads=n, speech_threads=n))
        for n in range(1, cores + 1)
    }
    modes["automatic"] = lambda: CpuShare(cores=cores, meter=LoadMeter())
    ok = True
    for condition in ("quiet", "one core busy"):
        other = busy_core() if condition != "quiet" else None
        try:
            time.sleep(1.0)
            runs: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
            for _ in range(3):  # interleaved, so a busy moment hurts every mode alike
                for mode, make in modes.items():
                    runs[mode].append(one_run(engine, make()))
        finally:
            if other is not None:
                other.kill()
                other.wait()
        best = {m: (max(p for p, _ in r), max(g for _, g in r)) for m, r in runs.items()}
        fixed = {m: v for m, v in best.items() if m != "automatic"}
        best_fixed = max(fixed, key=lambda m: fixed[m][1])
        auto_gen, auto_prompt = best["automatic"][1], best["automatic"][0]
        ratio = auto_gen / fixed[best_fixed][1]
        listing = "; ".join(f"{m}: prompt {p:.0f}, writing {g:.0f}" for m, (p, g) in best.items())
        ok &= figure(
            f"Text model writing, {condition}: automatic threads vs the best fixed count",
            "≥ 0.9 of the best fixed count",
            f"{auto_gen:.0f} tokens/s (best fixed: {best_fixed}, "
            f"{fixed[best_fixed][1]:.0f}); prompt {auto_prompt:.0f} tokens/s",
            f"{ratio:.2f}",
            ratio >= 0.9,
            note=f"Bundled model, {TOKENS} tokens after a {sum(engine.count_tokens(m.content) for m in PROMPT)}-"
            f"token prompt, best of 3 interleaved rounds, tokens/s — {listing}."
            + (" Another process spins on one core throughout." if other else ""),
        )
    assert ok
