"""`fondly doctor`: is everything Fondly needs in working order? A report a person can paste
into a bug report — versions and yes/no answers, never a word of their memories."""

from __future__ import annotations

import errno
import os
import platform
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from importlib import metadata
from typing import Any

from app.errors import USER_ERRORS, FondlyError
from app.version import VERSION


def _check(name: str, fn: Callable[[], str | tuple[str, dict]], essential: bool = True) -> dict[str, Any]:
    """Run one check; `fn` returns its line, or its line and fields for --json."""
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    try:
        detail, ok = fn(), True
        if isinstance(detail, tuple):
            detail, extra = detail
    except USER_ERRORS as e:
        detail, ok = str(e), False
    except Exception as e:  # noqa: BLE001 — a doctor reports; it does not crash
        detail, ok = f"{type(e).__name__}: {e}", False
    return {
        "name": name,
        "ok": ok,
        "detail": detail,
        "essential": essential,
        "seconds": round(time.perf_counter() - started, 2),
        **extra,
    }


def _data_folder() -> str:
    from app.paths import data_dir

    folder = data_dir()
    probe = folder / f".doctor-{uuid.uuid4().hex}"
    try:
        probe.write_text("ok")
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise FondlyError(f"{folder}'s disk is full; Fondly can't save anything. Free some space.") from None
        raise FondlyError(
            f"{folder} can't be written to ({e.strerror}); Fondly can't save anything. "
            "Fix its permissions or set FONDLY_HOME to a folder you can write to."
        ) from None
    finally:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
    return f"{folder} is writable"


def _free_space() -> str:
    from app.paths import data_dir

    free = shutil.disk_usage(data_dir()).free
    if free < 200 * 1024 * 1024:
        raise FondlyError(f"only {free / 2**20:.0f} MB free; recordings need room. Free some space.")
    return f"{free / 2**30:.1f} GB free"


def _database() -> str:
    from app.database import DAMAGED, damaged, mark_damaged, translate, unwritable
    from app.inspection import inspect, newer_schema
    from app.paths import database_path

    path = database_path()
    if not path.exists():
        return "no database yet (it is made on first use)"
    try:
        known = damaged(path)
        result, counts = (known, {}) if known else inspect(path)
        ahead = [] if known or result != "ok" else newer_schema(path)
    except Exception as e:
        said = translate(e, path)
        if said is None:
            raise
        raise said from None
    if result != "ok" and ("locked" in result or "busy" in result):
        raise FondlyError(f"another Fondly was writing to the database ({result}); run the doctor again")
    if result != "ok":
        mark_damaged(path, result)
        raise FondlyError(DAMAGED.format(why=result))
    if ahead:
        raise FondlyError(
            f"made by a newer Fondly (it has {', '.join(ahead)}); install that version, or restore an older backup"
        )
    line = "intact; " + ", ".join(f"{n} {t}" for t, n in counts.items())
    reason = unwritable(path)
    if reason:
        raise FondlyError(
            f"{line}, but it can't be written ({reason}): nothing new can be saved. "
            + ("Free some space." if reason == "full" else "Make it writable.")
        )
    return line


def _audio() -> str:
    """Audio files the database names (memories, rehearsals) that the folder lacks: a problem to
    see before a backup is needed, not "all ok"."""
    from app.backup import missing_text
    from app.inspection import missing_audio
    from app.paths import database_path

    path = database_path()
    if not path.exists():
        return "no database yet"
    gone = missing_audio(path)
    if gone:
        raise FondlyError(
            f"{missing_text(gone)} Their memories' text is kept; restore the files from a backup to hear them again."
        )
    return "every audio file the database names is there"


def _writing() -> tuple[str, dict]:
    """Which model writes, in which mode, and how fast it was the last time it wrote — read from
    the settings and the GGUF's header, so it holds for a model switched to a moment ago."""
    from app.writing import mode_reason, model_status, size_text, speed_text

    status = model_status()
    size = f" ({size_text(status['parameters'])}, {status['quantization']})" if status["path"] else ""
    when = f" ({status['measured_at']})" if status["measured_at"] else ""
    return (
        f"{status['name']}{size} writes {status['mode']}, {mode_reason(status)}; {speed_text(status)}{when}",
        {"model": status},
    )


def _llama_build() -> tuple[str, dict]:
    """Which instruction sets this install's llama.cpp was built with, which the processor has, and
    the set-up's smoke check run again: the bundled model in a child process, a few tokens."""
    from app.native_build import read_state
    from llm import native
    from llm.models import bundled_model

    state = read_state()
    result = native.smoke(bundled_model())
    built = ", ".join(native.built_features(result.system_info)) or "unknown (the child died before saying)"
    how = (
        f"built by the set-up as {state['rung']}"
        if state.get("rung")
        else "not built by Fondly's set-up (run `make setup`)"
    )
    line = f"llama-cpp-python {native.llama_version()} {how}; uses {built}; processor: {native.cpu_name()}"
    fields = {
        "llama_build": {
            "rung": state.get("rung"),
            "cmake": state.get("cmake"),
            "built_features": built,
            "cpu_flags": native.cpu_flags(),
            "smoke": native.as_dict(result),
        }
    }
    if not result.ok:
        raise FondlyError(f"{result.explain()} ({line})")
    return f"{line}; a child process wrote {native.SMOKE_TOKENS} tokens ({result.generation_tps:.0f} tokens/s)", fields


def _text_model() -> str:
    from app.engines import open_text_engine
    from llm.engine import Message

    engine = open_text_engine(record=False)  # a health check, not writing: the last speed stays the writing's
    reply = "".join(engine.chat([Message("user", "Say hello.")], max_tokens=8, seed=1))
    if not reply.strip():
        raise FondlyError(f"{engine.name} loaded but wrote nothing")
    return f"{engine.name} loads and writes"


def _speech_model() -> str:
    import numpy as np

    from app.engines import open_transcriber

    t = open_transcriber()
    tone = (0.1 * np.sin(np.arange(16000) * 2 * np.pi * 220 / 16000)).astype(np.float32)
    list(t.transcribe(tone))
    return f"{t.name} loads and transcribes"


def _microphone() -> str:
    from PySide6.QtCore import QCoreApplication

    from app.microphone import inputs

    QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    devices = inputs()
    if not devices:
        raise FondlyError("no microphone found; recording is off, importing still works")
    return f"{len(devices)} input{'s' if len(devices) != 1 else ''}"


def _versions() -> str:
    parts = [f"Fondly {VERSION}", f"Python {platform.python_version()}", platform.platform()]
    for dist in ("llama-cpp-python", "faster-whisper", "ctranslate2", "PySide6", "sqlite-utils"):
        try:
            parts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist} missing")
    return ", ".join(parts) + f", {os.cpu_count()} CPUs"


def run_checks() -> list[dict[str, Any]]:
    checks = [_check("data folder", _data_folder), _check("free space", _free_space), _check("database", _database)]
    if checks[2]["ok"]:
        checks.append(_check("audio files", _audio))
    if checks[0]["ok"]:
        build = _check("llama.cpp build", _llama_build)
        checks += [_check("writing", _writing, essential=False), build]
        if build["ok"]:  # loading the model in this process would crash the doctor too
            checks.append(_check("text model", _text_model))
        checks.append(_check("speech model", _speech_model))
    checks += [_check("microphone", _microphone, essential=False), _check("versions", _versions, essential=False)]
    return checks
