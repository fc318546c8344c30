"""The CLI contract, through the real `fondly` executable and the real bundled models."""

from __future__ import annotations

import json

import pytest

from tests.helpers import normalise, row_counts


def new_project(fondly, title="Dad", *extra) -> str:
    out = fondly("project", "new", title, "--subject", "Frank", "--people", "Siobhan (shiv-AWN), Tadhg", *extra).stdout
    assert out.strip().isdigit(), out
    return out.strip()


def test_project_new_and_list(fondly):
    pid = new_project(fondly, "Dad's eulogy", "--occasion", "funeral", "--speaker", "Ann")
    projects = json.loads(fondly("project", "list", "--json").stdout)
    assert projects == [
        {
            **projects[0],
            "id": int(pid),
            "title": "Dad's eulogy",
            "occasion": "funeral",
            "subject": "Frank",
            "speaker": "Ann",
            "people": [{"name": "Siobhan", "say": "shiv-AWN"}, {"name": "Tadhg", "say": ""}],
            "pace": 120,
        }
    ]
    plain = fondly("project", "list").stdout
    assert "Dad's eulogy" in plain and "Siobhan" in plain


def test_project_title_or_id_and_duplicates(fondly):
    pid = new_project(fondly, "Mum")
    assert json.loads(fondly("memory", "list", "mum", "--json").stdout) == []
    assert json.loads(fondly("memory", "list", pid, "--json").stdout) == []
    dup = fondly("project", "new", "Mum", ok=False)
    assert dup.returncode == 1 and "already a project called" in dup.stderr


def test_audio_memory_is_transcribed_with_segments(fondly, jfk, fondly_home):
    pid = new_project(fondly)
    mid = fondly("memory", "add", pid, jfk).stdout.strip()
    memory = json.loads(fondly("memory", "show", mid, "--json").stdout)
    assert memory["title"] == "jfk.flac"
    assert memory["kind"] == "audio" and memory["status"] == "ready"
    assert "ask not what your country can do for you" in normalise(memory["text"])
    assert 10.5 < memory["duration"] < 11.5
    segs = memory["segments"]
    assert segs and all(s["end"] > s["start"] >= 0 for s in segs)
    assert normalise(" ".join(s["text"] for s in segs)) == normalise(memory["text"])
    # the audio is kept in the data folder, not only where it came from
    assert memory["audio_path"].startswith(str(fondly_home))
    plain = fondly("memory", "show", mid).stdout
    assert "ask not what your country" in plain.lower()


ENCODINGS = {
    "utf8.txt": ("utf-8", "Dad's café in Zürich — he said “slow down” to Siobhán.\n"),
    "latin1.txt": ("latin-1", "Papa's café: crème brûlée and a façade he painted in Öland.\n"),
    "utf16.txt": ("utf-16", "Dad loved the song “Café Müller” and called Tadhg ‘the boss’.\n"),
}


def test_text_memories_in_any_encoding(fondly, tmp_path):
    pid = new_project(fondly)
    paths = []
    for name, (encoding, text) in ENCODINGS.items():
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))  # Python's utf-16 writes a byte-order mark
        paths.append(path)
    assert (tmp_path / "utf16.txt").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    ids = fondly("memory", "add", pid, *paths).stdout.split()
    assert len(ids) == 3
    for mid, (name, (_, text)) in zip(ids, ENCODINGS.items()):
        memory = json.loads(fondly("memory", "show", mid, "--json").stdout)
        assert memory["title"] == name
        assert memory["text"] == text
        assert memory["kind"] == "text" and memory["status"] == "ready"


def test_title_option(fondly, tmp_path):
    pid = new_project(fondly)
    (tmp_path / "a.txt").write_text("He loved the sea.")
    mid = fondly("memory", "add", pid, tmp_path / "a.txt", "--title", "The sea").stdout.strip()
    assert json.loads(fondly("memory", "show", mid, "--json").stdout)["title"] == "The sea"
    both = fondly("memory", "add", pid, tmp_path / "a.txt", tmp_path / "a.txt", "--title", "x", ok=False)
    assert both.returncode == 2


def test_write_streams_stores_and_exports(fondly, tmp_path):
    pid = new_project(fondly)
    dad = tmp_path / "dad.txt"
    dad.write_text("Frank fished at Lake Travis every summer. He called every catfish Gerald.\n")
    fondly("memory", "add", pid, dad)
    run = fondly("write", pid, "Write a funeral speech using dad.txt and include a joke", "--seed", "7")
    text = run.stdout.strip()
    assert len(text.split()) > 20
    draft_id = run.stderr.strip().splitlines()[-1]
    assert draft_id.isdigit()

    shown = json.loads(fondly("draft", "show", draft_id, "--json").stdout)
    assert shown["text"].strip() == text
    [rev] = shown["revisions"]
    assert rev["origin"] == "generated" and rev["seed"] == 7 and rev["model"].endswith(".gguf")
    assert "Lake Travis" in rev["prompt"]  # the named memory reached the model
    listed = json.loads(fondly("draft", "list", pid, "--json").stdout)
    assert [d["id"] for d in listed] == [int(draft_id)] and listed[0]["text"].strip() == text

    out = tmp_path / "speech.md"
    fondly("export", draft_id, "--format", "md", "-o", out)
    exported = out.read_text(encoding="utf-8")
    assert exported.startswith("# ") and text in exported

    again = fondly("write", pid, "Write a funeral speech using dad.txt and include a joke", "--seed", "7")
    assert again.stdout.strip() == text  # a stored seed gives the same draft back


# fmt: off
BAD_INPUTS = {
    "missing file": lambda d: ["memory", "add", "Dad", d / "nowhere.txt"],
    "empty file": lambda d: ["memory", "add", "Dad", d / "empty.txt"],
    "empty audio": lambda d: ["memory", "add", "Dad", d / "empty.wav"],
    "random bytes as wav": lambda d: ["memory", "add", "Dad", d / "noise.wav"],
    "good file then bad one": lambda d: ["memory", "add", "Dad", d / "good.txt", d / "noise.wav"],
    "unsupported extension": lambda d: ["memory", "add", "Dad", d / "letter.pdf"],
    "binary named txt": lambda d: ["memory", "add", "Dad", d / "binary.txt"],
    "text file as model": lambda d: ["write", "Dad", "Write a eulogy", "--model", d / "good.txt"],
    "truncated model": lambda d: ["write", "Dad", "Write a eulogy", "--model", d / "cut.gguf"],
    "folder as model": lambda d: ["write", "Dad", "Write a eulogy", "--model", d],
    "unknown project (memory)": lambda d: ["memory", "add", "Mum", d / "good.txt"],
    "unknown project (write)": lambda d: ["write", "Mum", "Write a eulogy"],
    "unknown draft": lambda d: ["export", "999", "-o", d / "x.md"],
    "export to missing folder": lambda d: ["export", "1", "-o", d / "no" / "x.md"],
    "whisper folder without tokenizer": lambda d: ["memory", "add", "Dad", d / "good.wav", "--whisper-model", d / "whisper"],
}
# fmt: on


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, jfk):
    import shutil

    from llm.models import bundled_model

    d = tmp_path_factory.mktemp("bad")
    (d / "empty.txt").write_bytes(b"")
    (d / "empty.wav").write_bytes(b"")
    (d / "noise.wav").write_bytes(bytes(range(256)) * 64)
    (d / "good.txt").write_text("Dad loved his garden.\n")
    (d / "letter.pdf").write_bytes(b"%PDF-1.4 not really")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 8)
    shutil.copy(jfk, d / "good.wav")
    with bundled_model().open("rb") as f:
        (d / "cut.gguf").write_bytes(f.read(5_000_000))
    (d / "whisper").mkdir()
    (d / "whisper" / "model.bin").write_bytes(b"x")
    (d / "whisper" / "config.json").write_text("{}")
    return d


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_a_clear_error_and_changes_nothing(fondly, fondly_home, bad_files, case, store):
    pid = new_project(fondly, "Dad")
    fondly("memory", "add", pid, bad_files / "good.txt")
    store.create_draft(int(pid), "Eulogy", "Dad loved his garden.")  # a draft to export, without the model
    before = row_counts(fondly_home)
    proc = fondly(*map(str, BAD_INPUTS[case](bad_files)), ok=False)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fondly: error: ") and len(lines[0]) > 40, lines
    assert "Traceback" not in proc.stderr
    assert row_counts(fondly_home) == before


def test_usage_errors_exit_2(fondly):
    assert fondly("project", "new", ok=False).returncode == 2
    assert fondly("export", "1", "--format", "doc", "-o", "x", ok=False).returncode == 2


def test_help_lists_the_commands(fondly):
    out = fondly("--help").stdout
    assert "project" in out and "memory" in out and "write" in out
