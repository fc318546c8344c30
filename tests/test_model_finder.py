"""Finding the models already on this computer (issue 14, part 1): a fake home with an Ollama
store, LM Studio, GPT4All and Jan folders, a Hugging Face cache and a folder of the person's own;
`fondly models find`, `models add` of an Ollama blob, and Settings' "Found on this computer"."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from llm.models import bundled_model

BLOB = "ab" * 32  # Ollama's digest of the weights; only its form matters, nothing hashes it
HF_BLOB = "cd" * 20
SMOL = {"family": "llama", "parameters": 134_515_008, "quantisation": "Q4_1"}


def _model_at(path: Path) -> Path:
    """The bundled GGUF at path: a hard link where the file system allows (no 98 MB copy), else a copy.
    Nothing writes to these files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(bundled_model(), path)
    except OSError:
        shutil.copy(bundled_model(), path)
    return path


def _manifest(root: Path, name: str, digest: str) -> None:
    model, tag = name.split(":")
    path = root / "manifests" / "registry.ollama.ai" / "library" / model / tag
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "layers": [
                    {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "ee" * 32, "size": 10},
                    {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}", "size": 98362432},
                ],
            }
        )
    )


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A home with models where the other apps keep them; Ollama and the Hugging Face cache moved
    elsewhere through OLLAMA_MODELS and HF_HOME."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "HF_HUB_CACHE"):
        monkeypatch.delenv(var, raising=False)
    ollama, hf = tmp_path / "ollama-store", tmp_path / "hf-home"
    monkeypatch.setenv("OLLAMA_MODELS", str(ollama))
    monkeypatch.setenv("HF_HOME", str(hf))

    blob = _model_at(ollama / "blobs" / f"sha256-{BLOB}")
    _manifest(ollama, "smollm2:135m", BLOB)
    _manifest(ollama, "smollm2:latest", BLOB)  # a second tag of the same blob: listed once
    _manifest(ollama, "ghost:7b", "99" * 32)  # its blob is missing
    (home / ".ollama" / "models" / "manifests").mkdir(parents=True)  # the default place, unused: overridden

    lm = _model_at(home / ".lmstudio" / "models" / "bartowski" / "SmolLM2-GGUF" / "SmolLM2-135M-Instruct-Q4_1.gguf")
    (home / ".lmstudio" / "models" / "junk").mkdir()
    (home / ".lmstudio" / "models" / "junk" / "broken.gguf").write_bytes(os.urandom(4096))
    _model_at(home / ".lmstudio" / "models" / "split" / "big-00002-of-00002.gguf")  # not the first part
    gpt4all = _model_at(home / ".local" / "share" / "nomic.ai" / "GPT4All" / "smol-gpt4all.gguf")
    jan = _model_at(home / "jan" / "models" / "smol" / "smol-jan.gguf")

    repo = hf / "hub" / "models--HuggingFaceTB--SmolLM2-135M-Instruct-GGUF"
    hf_blob = _model_at(repo / "blobs" / HF_BLOB)
    snapshot = repo / "snapshots" / "0123abc"
    snapshot.mkdir(parents=True)
    (snapshot / "smollm2-135m-instruct-q4_1.gguf").symlink_to(Path("..", "..", "blobs", HF_BLOB))

    mine = _model_at(tmp_path / "my-models" / "nested" / "mine.gguf")
    (tmp_path / "my-models" / "notes.txt").write_text("not a model")
    return {
        "ollama": blob,
        "lm": lm,
        "gpt4all": gpt4all,
        "jan": jan,
        "hf": hf_blob,
        "mine": mine,
        "my_folder": tmp_path / "my-models",
        "home": home,
    }


def test_find_lists_each_model_once_from_where_it_came(machine):
    from app import model_finder

    model_finder.add_folder(machine["my_folder"])
    found = model_finder.find()
    assert [(f.source, f.name, f.path) for f in found] == [
        ("Ollama", "smollm2:135m", str(machine["ollama"])),
        ("LM Studio", "SmolLM2-135M-Instruct-Q4_1", str(machine["lm"])),
        ("GPT4All", "smol-gpt4all", str(machine["gpt4all"])),
        ("Jan", "smol-jan", str(machine["jan"])),
        ("Hugging Face cache", "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF", str(machine["hf"])),
        ("your folder", "mine", str(machine["mine"])),
    ]
    for f in found:
        assert (f.family, f.parameters, f.quantisation) == (SMOL["family"], SMOL["parameters"], SMOL["quantisation"])
        assert f.size_bytes == bundled_model().stat().st_size and f.added is False
    assert model_finder.summary(found[0]) == "llama, 135M parameters, Q4_1, 98 MB, from Ollama"

    # a folder searched twice, or holding a file found elsewhere, still lists each file once
    assert len(model_finder.find(extra_folders=[machine["home"], machine["my_folder"]])) == len(found)
    model_finder.remove_folder(machine["my_folder"])
    assert [f.source for f in model_finder.find()][-1] == "Hugging Face cache"


def test_the_default_places_without_overrides(machine, monkeypatch, tmp_path):
    """~/.ollama/models and ~/.cache/huggingface/hub when OLLAMA_MODELS and HF_HOME are not set."""
    from app import model_finder

    monkeypatch.delenv("OLLAMA_MODELS")
    monkeypatch.delenv("HF_HOME")
    home = machine["home"]
    shutil.move(tmp_path / "ollama-store", home / ".ollama" / "models-moved")
    shutil.rmtree(home / ".ollama" / "models")
    (home / ".ollama" / "models-moved").rename(home / ".ollama" / "models")
    shutil.move(tmp_path / "hf-home" / "hub", home / ".cache" / "huggingface" / "hub")
    by_source = {f.source: f for f in model_finder.find()}
    assert by_source["Ollama"].path == str(home / ".ollama" / "models" / "blobs" / f"sha256-{BLOB}")
    assert by_source["Hugging Face cache"].name == "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF"
    assert set(by_source) == {"Ollama", "LM Studio", "GPT4All", "Jan", "Hugging Face cache"}


def test_numbers_read_as_people_say_them():
    from app.model_finder import human_parameters, human_size

    assert human_size(1_932_735_283) == "1.9 GB" and human_size(98_362_432) == "98 MB"
    assert human_parameters(3_212_749_888) == "3.2B" and human_parameters(134_515_008) == "135M"


def test_the_cli_finds_adds_an_ollama_blob_and_keeps_folders(machine, fondly):
    found = json.loads(fondly("models", "find", "--json").stdout)
    by_source = {f["source"]: f for f in found}
    assert {"Ollama", "LM Studio"} <= set(by_source)
    assert by_source["Ollama"] == {
        "name": "smollm2:135m",
        "family": "llama",
        "parameters": SMOL["parameters"],
        "quantisation": "Q4_1",
        "size_bytes": bundled_model().stat().st_size,
        "path": str(machine["ollama"]),
        "source": "Ollama",
        "added": False,
    }
    assert by_source["LM Studio"]["path"] == str(machine["lm"])

    row = json.loads(fondly("models", "add", machine["ollama"], "--json").stdout)  # no .gguf suffix
    assert row["name"] == "smollm2:135m" and row["architecture"] == "llama" and row["kind"] == "text"
    listed = {m["name"]: m for m in json.loads(fondly("models", "list", "--json").stdout)}
    assert listed["smollm2:135m"]["path"] == str(machine["ollama"]) and "problem" not in listed["smollm2:135m"]
    plain = fondly("models", "find").stdout
    assert "smollm2:135m [added]\n       llama, 135M parameters, Q4_1, 98 MB, from Ollama\n" in plain
    assert "SmolLM2-135M-Instruct-Q4_1\n" in plain and str(machine["lm"]) in plain

    fondly("models", "folder", "add", machine["my_folder"])
    assert fondly("models", "folder", "list").stdout.strip() == str(machine["my_folder"])
    assert "your folder" in {f["source"] for f in json.loads(fondly("models", "find", "--json").stdout)}
    fondly("models", "folder", "remove", machine["my_folder"])
    assert "your folder" not in {f["source"] for f in json.loads(fondly("models", "find", "--json").stdout)}

    for args, message in (
        (("models", "folder", "add", machine["lm"]), "is not a folder"),
        (("models", "folder", "remove", machine["my_folder"]), "is not one of the folders"),
        (("models", "add", machine["home"] / ".lmstudio" / "models" / "junk" / "broken.gguf"), "not a GGUF model"),
        (("config", "set", "model_folders", "/tmp"), "changed through its own command"),
    ):
        proc = fondly(*args, ok=False)
        assert proc.returncode == 1 and proc.stderr.startswith("fondly: error: ") and message in proc.stderr, (
            proc.stderr
        )
        assert len(proc.stderr.strip().splitlines()) == 1


def test_settings_shows_what_was_found_and_adds_it(machine, qtbot):
    from app import model_manager
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    found = dialog.found.list
    texts = [found.item(i).text() for i in range(found.count())]
    assert len(texts) == 5, texts
    assert texts[0] == "smollm2:135m — llama, 135M parameters, Q4_1, 98 MB, from Ollama"
    assert any(t.startswith("SmolLM2-135M-Instruct-Q4_1 — ") and t.endswith("from LM Studio") for t in texts)

    found.setCurrentRow(0)
    dialog.found.add_btn.click()
    assert dialog.error.text() == ""
    added = {r["name"]: r for r in model_manager.listing()}
    assert added["smollm2:135m"]["path"] == str(machine["ollama"])
    models = [dialog.models.item(i).data(256) for i in range(dialog.models.count())]
    assert "smollm2:135m" in models
    assert found.item(0).text().startswith("✓ smollm2:135m") and found.item(0).text().endswith("(added)")

    found.setCurrentRow(0)  # adding it again is refused in one line, nothing changes
    assert dialog.found.add_selected() is False and "already one of your models" in dialog.error.text()
    assert len(model_manager.listing()) == len(added)


def test_settings_opening_again_reads_no_header_twice(machine, monkeypatch):
    from app import model_finder
    from llm import gguf

    first = model_finder.find()
    monkeypatch.setattr(gguf, "read", lambda path: pytest.fail(f"{path} was read again"))
    assert model_finder.find() == first


def test_a_damaged_vocabulary_is_still_refused(tmp_path):
    """The vocabulary is stepped over, not decoded (finding reads many headers); its strings are
    still checked: one impossibly long string in it refuses the file."""
    from llm import gguf
    from llm.errors import ModelError

    data = bytearray(bundled_model().read_bytes())
    key = b"tokenizer.ggml.tokens"
    at = data.index(key) + len(key)
    assert int.from_bytes(data[at : at + 4], "little") == 9 and int.from_bytes(data[at + 4 : at + 8], "little") == 8
    assert int.from_bytes(data[at + 8 : at + 16], "little") == 49152  # strings in the array
    at += 16
    for _ in range(100):
        at += 8 + int.from_bytes(data[at : at + 8], "little")
    data[at : at + 8] = (1 << 40).to_bytes(8, "little")
    path = tmp_path / "long-token.gguf"
    path.write_bytes(data)
    with pytest.raises(ModelError, match="impossibly long"):
        gguf.read(path)
    assert gguf.read(bundled_model()).metadata["tokenizer.ggml.tokens"] == 49152
