"""Bring your own model: the model manager, settings, switching in a running app, a model
server on 127.0.0.1 (llama.cpp's own), and `fondly doctor`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llm.models import bundled_model
from tests.helpers import make_project


def test_models_add_reports_a_ggufs_metadata(fondly, tmp_path):
    copy = tmp_path / "my-model.gguf"
    shutil.copy(bundled_model(), copy)
    row = json.loads(fondly("models", "add", copy, "--json").stdout)
    assert row["architecture"] == "llama" and row["quantization"] == "Q4_1" and row["context_length"] == 8192
    assert row["chat_template"] is True and row["kind"] == "text" and row["name"] == "my-model"
    plain = fondly("models", "list").stdout
    assert "SmolLM2-135M-Instruct [in use] (bundled)" in plain and "Whisper tiny.en [in use] (bundled)" in plain
    assert "my-model" in plain and "llama, 135M parameters, Q4_1, context 8192" in plain
    fondly("models", "use", "my-model")
    assert fondly("config", "get", "model").stdout.strip() == str(copy.resolve())
    fondly("models", "remove", "my-model")
    assert fondly("config", "get", "model").stdout.strip() == ""  # back to the bundled model
    assert json.loads(fondly("models", "list", "--json").stdout)[0]["in_use"] is True


def _unknown_architecture(tmp_path) -> Path:
    """The bundled model with its architecture renamed: valid GGUF, but nothing llama.cpp knows."""
    data = bytearray(bundled_model().read_bytes()[:4_000_000])
    key = b"general.architecture"
    at = data.index(key) + len(key) + 4 + 8  # value type, then the string's length
    assert data[at : at + 5] == b"llama"
    data[at : at + 5] = b"zorba"
    full = bytearray(bundled_model().read_bytes())
    full[: len(data)] = data
    path = tmp_path / "zorba.gguf"
    path.write_bytes(full)
    return path


@pytest.mark.parametrize(
    "what, message",
    [
        ("text file", "not a GGUF model"),
        ("truncated", "damaged or incomplete"),
        ("directory", "is a folder"),
        ("unknown architecture", "'zorba' model, which this version of llama.cpp can't run"),
    ],
)
def test_models_add_refuses_what_llama_cpp_could_not_load(fondly, tmp_path, what, message):
    if what == "text file":
        path = tmp_path / "notes.gguf"
        path.write_text("Dad loved fishing.")
    elif what == "truncated":
        path = tmp_path / "cut.gguf"
        path.write_bytes(bundled_model().read_bytes()[:30_000_000])
    elif what == "directory":
        path = tmp_path / "models"
        path.mkdir()
        shutil.copy(bundled_model(), path / "inside.gguf")
    else:
        path = _unknown_architecture(tmp_path)
    proc = fondly("models", "add", path, ok=False)
    assert proc.returncode == 1 and proc.stderr.startswith("fondly: error: ") and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(fondly("config", "get", "models").stdout) == []


def test_a_whisper_folder_is_checked(fondly, tmp_path):
    from speech.models import bundled_model as whisper

    folder = tmp_path / "whisper-copy"
    shutil.copytree(whisper(), folder)
    assert json.loads(fondly("models", "add", folder, "--json").stdout)["kind"] == "speech"
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.bin").write_bytes(b"x")
    proc = fondly("models", "add", tmp_path / "broken", ok=False)
    assert proc.returncode == 1 and "config.json, tokenizer.json" in proc.stderr


def test_config_get_and_set(fondly, tmp_path):
    fondly("config", "set", "threads", "2")
    fondly("config", "set", "context", "2048")
    fondly("config", "set", "gpu_layers", "0")
    values = json.loads(fondly("config", "get").stdout)
    assert values["threads"] == 2 and values["context"] == 2048 and values["pace"] == 120
    for key, value, message in (
        ("context", "lots", "whole number"),
        ("pace", "900", "from 60 to 250"),
        ("colour", "blue", "no setting called"),
        ("model", str(tmp_path), "is a folder"),
        ("server", "not a url", "not a server address"),
    ):
        proc = fondly("config", "set", key, value, ok=False)
        assert proc.returncode == 1 and message in proc.stderr, (key, proc.stderr)
    fondly("config", "set", "threads")
    assert fondly("config", "get", "threads").stdout.strip() == "0"


def test_switching_the_text_model_in_a_running_app(window, qtbot, tmp_path):
    from app import model_manager as models

    make_project(window, qtbot)
    window.store.add_memory(window.project.id, "typed", "garden", text="Frank grew tomatoes and gave them away.")
    copy = tmp_path / "second.gguf"
    shutil.copy(bundled_model(), copy)
    models.add(copy)
    dialog = window.show_settings()
    names = [dialog.models.item(i).data(256) for i in range(dialog.models.count())]
    dialog.models.setCurrentRow(names.index("second"))
    with qtbot.waitSignal(window.runner.model_loaded, timeout=60_000) as loaded:
        dialog.use_btn.click()
    assert loaded.args == ["text", "second.gguf"]
    qtbot.waitUntil(lambda: "second.gguf" in window.model_label.text())
    window.writing.prompt.setText("Write a short eulogy about the garden")
    with qtbot.waitSignal(window.writing.written, timeout=120_000) as done:
        window.writing.generate()
    assert window.store.revision(done.args[1]).model == "second.gguf"

    copy.write_bytes(copy.read_bytes()[:1000])  # the file goes bad; switching to it must not lose the model
    with qtbot.waitSignal(window.runner.model_failed, timeout=60_000) as failed:
        window._switch_text_model()
    assert "damaged or incomplete" in failed.args[1] and "Still writing with second.gguf" in failed.args[1]
    qtbot.waitUntil(window.message.isVisible)
    assert window.runner.engines.loaded("text").name == "second.gguf"
    dialog.close()


# --- a model server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """llama.cpp's OpenAI-compatible server on 127.0.0.1, serving the bundled model."""
    port = free_port()
    with open(tmp_path / "server.log", "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(bundled_model()),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "4096",
                "--n_threads",
                "2",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        yield proc, f"http://127.0.0.1:{port}/v1"
        proc.kill()
        proc.wait()


def test_writing_with_a_model_server(fondly, server, tmp_path):
    _, url = server
    fondly("project", "new", "Dad", "--subject", "Frank")
    (tmp_path / "dad.txt").write_text("Frank fished at Lake Travis every summer. He called every catfish Gerald.\n")
    fondly("memory", "add", "Dad", tmp_path / "dad.txt")
    out = json.loads(
        fondly(
            "write", "Dad", "Write a 30-second eulogy using dad.txt", "--server", url, "--seed", "3", "--json"
        ).stdout
    )
    assert url in out["model"] and out["checks"]["mode"] == "prose" and out["paragraphs"]
    sentences = [s for p in out["paragraphs"] for s in p["sentences"]]
    assert sentences and all(s["supported"] for s in sentences) and out["checks"]["unsupported_words"] == []
    assert "Lake Travis" in out["text"] or "Gerald" in out["text"]


def test_a_server_writing_holds_to_the_same_evaluation(fondly, server):
    """The independent judge on what a server wrote (prose mode): nothing untraced, no leaks, no loops."""
    _, url = server
    data = Path(__file__).resolve().parent / "data"  # the toast-sister case, asked for one minute, not two
    out = json.loads(
        fondly(
            "eval",
            data / "server-eval" / "toast-sister-short",
            data / "eval" / "empty-project",
            "--server",
            url,
            "--json",
        ).stdout
    )
    toast = next(c for c in out["cases"] if c["case"] == "toast-sister-short")
    assert toast["mode"] == "prose" and toast["sentences"] >= 3
    assert toast["supported_share"] >= 0.95, toast["unsupported"]
    assert toast["meta"] == [] and toast["repeated"] == [] and toast["must_not"] == []
    assert toast["invented_names"] == toast["invented_numbers"] == toast["invented_kin"] == []
    assert all(toast["must_haves"].values()), toast["must_haves"]
    empty = next(c for c in out["cases"] if c["case"] == "empty-project")
    assert empty["scaffold_ok"]


def test_stopping_closes_the_request(server):
    import threading

    from llm.engine import Message
    from llm.remote import RemoteEngine

    _, url = server
    engine = RemoteEngine(url)
    cancel = threading.Event()
    pieces = []
    for piece in engine.chat([Message("user", "Tell a very long story about the sea.")], max_tokens=400, cancel=cancel):
        pieces.append(piece)
        if len(pieces) == 5:
            cancel.set()
    assert len(pieces) == 5
    started = time.perf_counter()  # the server is free again at once: the old request was ended
    assert "".join(engine.chat([Message("user", "Say hello.")], max_tokens=5, seed=1))
    assert time.perf_counter() - started < 10


def test_the_server_going_down_mid_draft(fondly, server, tmp_path, fondly_home):
    proc, url = server
    fondly("project", "new", "Dad", "--subject", "Frank")
    (tmp_path / "dad.txt").write_text(
        "Frank fished at Lake Travis every summer. He called every catfish Gerald.\n"
        "He worked as a mail carrier in Austin for thirty years.\n"
    )
    fondly("memory", "add", "Dad", tmp_path / "dad.txt")
    writer = subprocess.Popen(
        [str(fondly.exe), "write", "Dad", "Write a long eulogy using dad.txt", "--server", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FONDLY_HOME": str(fondly_home)},
    )
    first = writer.stdout.readline()  # the first checked paragraph is out
    assert first.strip()
    proc.send_signal(signal.SIGKILL)
    _out, err = writer.communicate(timeout=120)
    assert writer.returncode == 1
    assert "stopped answering" in err and "saved as draft" in err and "Traceback" not in err
    [draft] = json.loads(fondly("draft", "list", "Dad", "--json").stdout)
    assert first.strip() in draft["text"]


def test_a_server_on_another_computer_must_be_agreed_to(fondly):
    fondly("project", "new", "Dad")
    proc = fondly("write", "Dad", "Write a eulogy", "--server", "http://192.0.2.10:8080/v1", ok=False)
    assert proc.returncode == 1 and "would send your memories to that computer" in proc.stderr
    assert "config trust" in proc.stderr


# --- the doctor ---------------------------------------------------------------------------------


def test_doctor_on_a_healthy_setup(fondly, store):
    store.create_project("Dad")
    report = json.loads(fondly("doctor", "--json").stdout)
    by_name = {c["name"]: c for c in report}
    for name in ("data folder", "free space", "database", "text model", "speech model"):
        assert by_name[name]["ok"], by_name[name]
    assert "intact; 1 projects" in by_name["database"]["detail"]
    plain = fondly("doctor").stdout
    assert "ok    text model:" in plain and "versions:" in plain


def test_doctor_with_a_read_only_data_folder(fondly, tmp_path):
    home = tmp_path / "ro"
    home.mkdir()
    os.chmod(home, 0o555)
    target = str(home) if not os.access(home, os.W_OK) else "/proc/self"  # root ignores permission bits
    proc = subprocess.run(
        [str(fondly.exe), "doctor"],
        capture_output=True,
        text=True,
        env={**os.environ, "FONDLY_HOME": target},
        timeout=300,
        check=False,
    )
    os.chmod(home, 0o755)
    assert proc.returncode == 1
    assert "FAIL  data folder" in proc.stdout and "can't be written to" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1].startswith("fondly: error: ")
