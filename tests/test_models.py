"""Model files are checked before any native code sees them."""

from __future__ import annotations

import shutil

import pytest

from llm import gguf
from llm.errors import ModelError
from llm.models import bundled_model
from speech.errors import SpeechError
from speech.models import bundled_model as bundled_whisper
from speech.models import check_model


def test_bundled_gguf_metadata():
    info = gguf.read(bundled_model())
    assert info.architecture == "llama"
    assert info.quantization == "Q4_1"
    assert info.context_length == 8192
    assert info.chat_template and "<|im_start|>" in info.chat_template
    assert 130e6 < info.parameters < 140e6


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Dad loved fishing.\n" * 10, "not a GGUF model"),
        (b"", "not a GGUF model"),
        (b"GGUF\x03\x00\x00\x00" + b"\xff" * 16, "damaged or incomplete"),
        (b"GGUF\x63\x00\x00\x00", "damaged or incomplete"),
    ],
)
def test_bad_gguf_files_are_refused(tmp_path, content, message):
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=message):
        gguf.read(path)


@pytest.mark.parametrize("keep", [0.999, 0.5, 0.01, 0.0001])
def test_truncated_gguf_is_refused(tmp_path, keep):
    src = bundled_model()
    cut = tmp_path / "cut.gguf"
    with src.open("rb") as f:
        cut.write_bytes(f.read(int(src.stat().st_size * keep)))
    with pytest.raises(ModelError, match="damaged or incomplete"):
        gguf.read(cut)


def test_engine_refuses_before_llama_cpp(tmp_path):
    from llm.engine import Engine

    (tmp_path / "renamed.gguf").write_text("hello")
    with pytest.raises(ModelError, match="not a GGUF"):
        Engine(tmp_path / "renamed.gguf")
    with pytest.raises(ModelError, match="is a folder"):
        Engine(tmp_path)
    with pytest.raises(ModelError, match="no model file"):
        Engine(tmp_path / "missing.gguf")


def test_engine_streams_counts_and_repeats_with_a_seed(engine):
    from llm.engine import Message

    assert engine.count_tokens("Hello there") > 0
    msgs = [Message("user", "Say something kind about a grandmother who baked bread.")]
    a = list(engine.chat(msgs, max_tokens=40, seed=5))
    b = list(engine.chat(msgs, max_tokens=40, seed=5))
    assert len(a) > 5 and a == b


def test_engine_cancel_stops_between_tokens(engine):
    import threading

    from llm.engine import Message

    cancel = threading.Event()
    pieces = []
    for piece in engine.chat(
        [Message("user", "Tell a long story about a fisherman.")], max_tokens=300, seed=1, cancel=cancel
    ):
        pieces.append(piece)
        if len(pieces) == 5:
            cancel.set()
    assert len(pieces) == 5


def test_prompt_too_long_is_a_clear_error(engine):
    from llm.engine import Message

    with pytest.raises(ModelError, match="too long"):
        list(engine.chat([Message("user", "word " * 5000)], max_tokens=10))


def test_whisper_folder_needs_tokenizer(tmp_path):
    folder = tmp_path / "whisper"
    shutil.copytree(bundled_whisper(), folder)
    assert check_model(folder) == folder
    (folder / "tokenizer.json").unlink()
    with pytest.raises(SpeechError, match="tokenizer.json"):
        check_model(folder)
    with pytest.raises(SpeechError, match="not a folder"):
        check_model(tmp_path / "nothing")
