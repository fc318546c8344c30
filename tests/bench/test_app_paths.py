"""The app's own paths, measured from the click, against the bare libraries in the same run.

- A draft: shorthand → stored draft, against bare llama.cpp generating the same number of
  tokens; the overhead split (Brief, grounding, storing, the rest); the time to the first words
  on screen; the longest GUI stall from the click to the preview of the stored draft.
- An import: two minutes of speech, decoded, transcribed and stored, against bare
  faster-whisper decoding and transcribing the same file; the longest GUI stall meanwhile.
- Contention: the same draft written while a long import transcribes, against its quiet time,
  with the CPU share (app.cpu_share) and, for reference, without it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer

from tests.helpers import long_speech

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self is 3.11+

THREADS = 2
SEED = 7
CASE = json.loads((Path(__file__).parents[1] / "data/eval/eulogy-rich-memories/case.json").read_text())
SHORTHAND = "Write a three-minute eulogy for my grandad using all the memories, with a joke."
SHORT = "Write a one-minute eulogy for my grandad with a joke."


class StallProbe:
    """A 10 ms timer on the GUI thread; the longest gap between ticks, less 10 ms, is the stall."""

    TICK_MS = 10

    def __init__(self) -> None:
        self.stamps: list[float] = []
        self.timer = QTimer(interval=self.TICK_MS)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def __enter__(self) -> Self:
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()

    @property
    def longest_ms(self) -> float:
        gaps = np.diff(self.stamps) * 1000
        return float(gaps.max() - self.TICK_MS) if len(gaps) else float("nan")


class Timers:
    """Time spent in named functions, wherever (any thread) they are called from."""

    def __init__(self, monkeypatch) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.monkeypatch = monkeypatch
        self.lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self.lock:
            self.seconds[name] += seconds

    def wrap(self, owner, attr: str, name: str) -> None:
        fn = getattr(owner, attr)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - start)

        self.monkeypatch.setattr(owner, attr, timed)

    def reset(self) -> None:
        self.seconds.clear()


@pytest.fixture
def window(make_window, qtbot, monkeypatch):
    """The real window with the real models, warm, and a project with Walter's memories."""
    from app import writing
    from app.settings import set_value

    set_value("threads", 0)
    monkeypatch.setattr(writing, "new_seed", lambda: SEED)  # the same work in every run
    w = make_window()
    w.warm_up()
    qtbot.waitUntil(
        lambda: w.runner.engines.loaded("text") is not None and w.runner.engines.loaded("speech") is not None,
        timeout=120_000,
    )
    from app.store import Person

    store = w.store
    project = store.create_project(
        "Walter",
        occasion=CASE["occasion"],
        subject=CASE["subject"],
        speaker=CASE["speaker"],
        people=[Person(n) for n in CASE["people"]],
    )
    for m in CASE["memories"]:
        store.add_memory(project.id, "typed", m["title"], text=m["text"])
    w.reload_projects(select=project.id)
    qtbot.waitUntil(lambda: w.project is not None and w.project.id == project.id)
    return w


def click_generate(w, qtbot, shorthand: str = SHORTHAND, timeout: int = 300_000) -> dict:
    """Type the shorthand, click Generate; times to the first words on screen and to the stored draft."""
    w.writing.prompt.setText(shorthand)
    editor = w.document.editor
    first: list[float] = []

    def shown() -> None:
        if not first and editor.toPlainText().strip():
            first.append(time.perf_counter())

    editor.textChanged.connect(shown)
    try:
        with qtbot.waitSignal(w.writing.written, timeout=timeout) as written:
            start = time.perf_counter()
            qtbot.mouseClick(w.writing.generate_btn, Qt.MouseButton.LeftButton)
            assert not editor.toPlainText().strip()  # the click clears the editor for the new draft
    finally:
        editor.textChanged.disconnect(shown)
    stored = time.perf_counter()
    _draft_id, revision_id, stopped = written.args
    assert not stopped
    text = w.store.revision(revision_id).text
    return {
        "first": first[0] - start if first else float("nan"),
        "total": stored - start,
        "text": text,
        "words": len(text.split()),
    }


class ModelCalls:
    """Every call the app makes to the model: its prompt, how many tokens came back, and the
    time inside the model (llm.engine.Engine.chat's next()), on whatever thread."""

    def __init__(self, monkeypatch) -> None:
        import llm.engine

        self.calls: list[dict] = []
        chat = llm.engine.Engine.chat
        calls = self.calls

        def timed(engine, messages, *args, **kwargs):
            call = {
                "prompt": " ".join(m.content for m in messages),
                "tokens": 0,
                "seconds": 0.0,
                "prompt_tokens": engine.count_tokens(" ".join(m.content for m in messages)),
                "first": None,
            }
            calls.append(call)
            stream = chat(engine, messages, *args, **kwargs)
            while True:
                start = time.perf_counter()
                try:
                    piece = next(stream)
                except StopIteration:
                    call["seconds"] += time.perf_counter() - start
                    return
                call["seconds"] += time.perf_counter() - start
                if call["first"] is None:
                    call["first"] = time.perf_counter() - start
                call["tokens"] += 1
                yield piece

        monkeypatch.setattr(llm.engine.Engine, "chat", timed)

    @property
    def seconds(self) -> float:
        return sum(c["seconds"] for c in self.calls)

    @property
    def tokens(self) -> int:
        return sum(c["tokens"] for c in self.calls)


def bare_replay(calls: list[dict]) -> float:
    """Bare llama-cpp-python doing the same model work: for every call, a prompt of the same
    text and exactly as many new tokens (end of text suppressed), from a clean start as Fondly
    makes. Best of two."""
    from llama_cpp import Llama

    from llm.models import bundled_model

    llm = Llama(
        model_path=str(bundled_model()),
        n_ctx=2048,
        n_threads=THREADS,
        n_threads_batch=THREADS,
        n_batch=512,
        verbose=False,
    )
    eos = llm.token_eos()
    best, first = float("inf"), float("inf")
    for _ in range(2):
        start = time.perf_counter()
        for i, call in enumerate(calls):
            llm.reset()
            prompt = llm.tokenize(call["prompt"].encode())[: llm.n_ctx() - call["tokens"] - 8]
            n = 0
            for _chunk in llm.create_completion(
                prompt,
                max_tokens=max(1, call["tokens"]),
                temperature=0.7,
                seed=SEED,
                logit_bias={eos: -1e9},
                stream=True,
            ):
                if n == 0 and i == 0:
                    first = min(first, time.perf_counter() - start)
                n += 1
            assert n >= max(1, call["tokens"])  # the last chunk carries only the finish reason
        best = min(best, time.perf_counter() - start)
    return best, first


def resident_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.timeout(1800)  # three 30-minute imports: about 7 minutes quiet, far more on a busy machine
def test_memory_idle_and_across_long_imports(window, qtbot, tmp_path, figure):
    """First in the run, so "idle" is the app with its two models and nothing left over by the
    other benchmarks (glibc keeps freed memory, so an earlier test would count here)."""
    w = window
    qtbot.wait(1000)
    idle = resident_mb()
    half_hour = spoken(tmp_path, "half an hour", 10_000, times=7)  # all the memories, 4.3 min, 7 times
    from speech import audio

    assert audio.duration(audio.decode(half_hour)) >= 29 * 60
    samples: list[float] = []
    sampler = QTimer(interval=250)
    sampler.timeout.connect(lambda: samples.append(resident_mb()))
    after, seconds = [], []
    sampler.start()
    for _ in range(3):
        seconds.append(import_in_app(w, qtbot, half_hour))
        qtbot.wait(500)
        after.append(resident_mb())
    sampler.stop()
    growth = after[2] - after[0]
    allowed = max(30.0, 0.05 * after[0])
    assert all(m.status == "ready" for m in w.store.memories(w.project.id) if m.kind == "audio")
    ok = figure("Memory: resident size idle, both models loaded", "report", f"{idle:.0f} MB")
    ok &= figure(
        "Memory: peak during a 30-minute import",
        "report",
        f"{max(samples):.0f} MB",
        note=f"Sampled every 250 ms over three imports of the same 30 minutes of speech "
        f"({', '.join(f'{s:.0f} s' for s in seconds)}).",
    )
    ok &= figure(
        "Memory: growth across 3 repeated 30-minute imports",
        f"≤ {allowed:.0f} MB (no growth)",
        f"{growth:+.0f} MB (after each: {', '.join(f'{a:.0f}' for a in after)} MB)",
        met=growth <= allowed,
    )
    assert ok


@pytest.mark.parametrize("mode", ["memory-first", "prose"])
def test_a_draft_from_the_click(window, qtbot, monkeypatch, figure, mode):
    """memory-first is how the bundled model writes; free prose how larger models do (the model
    writes every word, so it is where the model's speed and the app's overhead show)."""
    import app.store
    import app.writing
    import llm.brief
    import llm.grounding
    from app import settings

    settings.set_value("writing", mode)
    w = window
    click_generate(w, qtbot)  # once, so the model and the caches are warm as a person finds them
    timers, model = Timers(monkeypatch), ModelCalls(monkeypatch)
    timers.wrap(llm.brief, "parse", "Brief")
    timers.wrap(app.writing, "ground", "choosing memories")
    timers.wrap(llm.grounding.Grounding, "__init__", "grounding")
    timers.wrap(llm.grounding.Grounding, "check", "grounding")
    for method in ("create_draft", "update_revision"):
        timers.wrap(app.store.Store, method, "storing")
    with StallProbe() as probe:
        run = click_generate(w, qtbot)
        qtbot.wait(400)  # the preview of the stored draft renders after a short pause
    bare, bare_first = bare_replay(model.calls)
    ratio = bare / run["total"]
    split = dict(timers.seconds)
    rest = run["total"] - model.seconds - sum(split.values())
    overhead = (
        ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in sorted(split.items())) + f", the rest {rest * 1000:.0f} ms"
    )
    print(f"\n--- the draft measured ({mode}) ---\n" + run["text"])
    ok = figure(
        f"Draft ({mode}): shorthand → stored draft, from the click",
        "report: ratio vs bare llama.cpp",
        f"{run['total']:.2f} s, {run['words']} words ({model.tokens} tokens in {len(model.calls)} "
        f"call(s); in the model {model.seconds:.2f} s)",
        f"{ratio:.2f}",
        None,
        note=f"{mode}: bare llama-cpp-python doing the same calls (same prompts, the same number of new "
        f"tokens) took {bare:.2f} s. Fondly's time outside the model: {overhead} (the rest: the Brief "
        f"on screen, arranging, the hand-over to the GUI, the reload).",
    )
    first_call = model.calls[0]
    # The goal is for the bundled model's own way of writing (memory-first); in free prose the first
    # words wait for llama.cpp to read the prompt, reported against bare llama.cpp doing the same.
    ok &= figure(
        f"Draft ({mode}): first words on screen after the click, warm model",
        "≤ 1 s" if mode == "memory-first" else "report: vs bare llama.cpp's first token",
        f"{run['first']:.2f} s",
        "—" if mode == "memory-first" else f"{bare_first / run['first']:.2f}",
        met=run["first"] <= 1.0 if mode == "memory-first" else None,
        note=f"The first model call read a prompt of about {first_call['prompt_tokens']} tokens and gave its "
        f"first token after {first_call['first'] or float('nan'):.2f} s; bare llama-cpp-python's first "
        f"token for the same prompt: {bare_first:.2f} s.",
    )
    ok &= figure(
        f"GUI stall ({mode}), click → preview of the stored draft",
        "< 50 ms",
        f"{probe.longest_ms:.1f} ms",
        met=probe.longest_ms < 50,
    )
    assert ok


def heard_most(text: str, said: str, share: float = 0.5) -> bool:
    """Whether the whole recording was transcribed: in each quarter of what was said, at least
    `share` of its distinct longer words are in the transcript. A bench checks completeness, never
    one word ("clocks" once came back "7 o'clock"); names and numbers tiny.en spells its own way
    (Siobhan, Tadhg, "seven" as 7) are why it is not all of them (about 80 % are heard)."""
    import re

    def words(t: str) -> set[str]:
        return {w for w in re.findall(r"[a-z']+", t.lower()) if len(w) >= 5}

    heard, spoken_words = words(text), said.split()
    quarters = [" ".join(spoken_words[i * len(spoken_words) // 4 : (i + 1) * len(spoken_words) // 4]) for i in range(4)]
    return all(len(words(q) & heard) >= share * len(words(q)) for q in quarters)


def said_words(words: int) -> str:
    # written memories only: the spoken-style cases' transcripts ("So, um, he, he'd…") make tiny.en fall
    # back and decode windows again (a 30-minute import took 280 s, not 130 s, and peaked 4.2 GB, not
    # 2.5), so the same work would no longer be done every run; the import's own speed is measured
    # against bare faster-whisper on the same file either way
    cases = sorted(
        f for f in (Path(__file__).parents[1] / "data/eval").glob("*/case.json") if "spoken" not in f.parent.name
    )
    texts = [m["text"] for f in cases for m in json.loads(f.read_text()).get("memories", [])]
    return " ".join(" ".join(texts).split()[:words])


def spoken(tmp_path: Path, name: str, words: int, times: int = 1) -> Path:
    """The eval cases' memories read by espeak-ng (varied speech: Whisper never loops on it, so
    its work is the same every run), the first `words` words, said `times` times."""
    import subprocess
    import wave

    once = tmp_path / f"{name}-once.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(once), said_words(words)], check=True, timeout=300
    )
    with wave.open(str(once)) as w:
        params, frames = w.getparams(), w.readframes(w.getnframes())
    out = tmp_path / f"{name}.wav"
    with wave.open(str(out), "wb") as w:
        w.setparams(params)
        for _ in range(times):
            w.writeframes(frames)
    return out


def bare_import_seconds(path: Path, hotwords: list[str]) -> float:
    from faster_whisper import WhisperModel, decode_audio

    from speech.models import bundled_model
    from speech.transcriber import whisper_options

    bare = WhisperModel(
        str(bundled_model()), device="cpu", compute_type="int8", cpu_threads=THREADS, local_files_only=True
    )
    start = time.perf_counter()
    segments, _ = bare.transcribe(decode_audio(str(path)), **whisper_options(hotwords))
    text = " ".join(s.text for s in segments)
    seconds = time.perf_counter() - start
    assert heard_most(text, said_words(370))
    return seconds


def import_in_app(w, qtbot, path: Path) -> float:
    with qtbot.waitSignal(w.memories.memory_done, timeout=600_000):
        start = time.perf_counter()
        w.memories.import_paths([str(path)])
    return time.perf_counter() - start


def test_an_import_of_two_minutes(window, qtbot, tmp_path, figure):
    from speech import audio

    w = window
    path = spoken(tmp_path, "two minutes", 370)
    seconds = audio.duration(audio.decode(path))
    assert 115 < seconds < 135
    hotwords = list(w.project.hotwords)
    app_times, bare_times, stalls = [], [], []
    for _ in range(3):  # interleaved, so a busy moment hurts both sides alike (one run here took 9.6-14.4 s)
        bare_times.append(bare_import_seconds(path, hotwords))
        with StallProbe() as probe:
            app_times.append(import_in_app(w, qtbot, path))
        stalls.append(probe.longest_ms)
    memories = [m for m in w.store.memories(w.project.id) if m.kind == "audio"]
    assert len(memories) == 3 and all(m.status == "ready" and heard_most(m.text, said_words(370)) for m in memories)
    ratio = min(bare_times) / min(app_times)
    ok = figure(
        f"Import of {seconds / 60:.1f} min of speech: decode + transcribe + store",
        "ratio ≥ 0.9 vs bare faster-whisper",
        f"{min(app_times):.2f} s (bare {min(bare_times):.2f} s)",
        f"{ratio:.2f}",
        ratio >= 0.9,
        note="From the import call to the memory stored and shown; bare faster-whisper decodes and "
        "transcribes the same file with the same options and threads; best of 3 interleaved rounds.",
    )
    ok &= figure("GUI stall during an import", "< 50 ms", f"{max(stalls):.1f} ms", met=max(stalls) < 50)
    assert ok


def test_a_draft_while_an_import_transcribes(window, qtbot, tmp_path, jfk, figure):
    """In free prose, where the model writes every word (memory-first drafts are mostly arranged)."""
    from app import settings

    settings.set_value("writing", "prose")
    w = window
    click_generate(w, qtbot, SHORT)  # warm
    quiet = [click_generate(w, qtbot, SHORT)["total"]]
    long = long_speech(jfk, tmp_path / "long.wav", times=150, pause=1.0)  # 30 min: outlasts the drafts

    def contended() -> tuple[float, int]:
        heard = []
        w.memories.transcribing.connect(lambda *_: heard.append(1))
        w.memories.import_paths([str(long)])
        qtbot.waitUntil(lambda: len(heard) >= 1, timeout=120_000)  # the import is under way
        waits = w.runner.engines.share.waits
        seconds = click_generate(w, qtbot, SHORT)["total"]
        still = w.memories.importing > 0
        w.memories.stop_import()
        qtbot.waitUntil(lambda: w.memories.importing == 0, timeout=120_000)
        assert still, "the import ended before the draft: nothing was measured"
        return seconds, w.runner.engines.share.waits - waits

    during, gave_way = contended()
    quiet.append(click_generate(w, qtbot, SHORT)["total"])
    q = float(np.mean(quiet))
    ok = figure(
        "Draft while a long import transcribes (CPU share)",
        "≤ 1.4× quiet",
        f"{during:.2f} s vs quiet {q:.2f} s",
        f"{during / q:.2f}×",
        during / q <= 1.4,
        note=f"The same draft (same seed) from the click to stored; quiet is the mean of runs before and "
        f"after. The import gave way {gave_way} time(s). Without the share (every engine at all "
        f"cores, as before) this bench measured 284 s, 7.7× quiet, on 2026-11-27; it is not rerun "
        f"each time because it takes five minutes.",
    )
    assert gave_way >= 1
    assert ok
