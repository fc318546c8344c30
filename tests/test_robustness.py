"""Issue 12, point 5: a bad-input sweep over every `fondly` command, through the real executable.

Each hostile input below must end in exit code 1 and exactly one `fondly: error: …` line on
stderr (or click's exit 2 for a usage error), never a traceback, and must leave the data folder
as it was: the database's whole content (sqlite3's iterdump, not row counts), settings.json and
the files beside them, compared before and after. The few inputs that are not mistakes but
must still be handled safely (FTS words in a search) expect exit 0 and say so in their row.

The run writes docs/robustness.md, the table of every input and what Fondly said; it is
committed, so a change in any answer shows in review.

Two limits of the machine shape the cases. A command line can't carry a NUL byte (the kernel
ends each argument at the first one), so NUL travels inside files: a text memory, an
evaluation case, the settings file. The tests run as root, for whom `chmod 000` changes
nothing, so an unreadable file is simulated by what a read can't get through: a FIFO (a read
would wait forever), a symbolic-link loop, and a path under a plain file.

All cases share one prepared data folder; a case that changed it (only a known gap may) gets
the prepared copy back before the next one runs. ~1 s a case, each a fresh `fondly` process.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import db_dump

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "robustness.md"
LONG = "a" * 100_000  # a very long value (one argument may hold 128 KiB on Linux)
HUGE = "99999999999999999999"  # an id beyond SQLite's 64-bit integers


@dataclass
class Case:
    command: str
    input: str
    args: tuple
    exit: int = 1  # 1: one `fondly: error:` line; 2: a click usage error; 0: handled, not a mistake
    setup: Callable[[Path], Callable[[], None] | None] | None = None
    env: dict = field(default_factory=dict)
    gap: str = ""  # a known gap: what happens instead, and where the fix belongs


def c(command: str, input: str, *args, **kw) -> Case:
    return Case(command, input, args, **kw)


# --- per-case set-ups (each returns its clean-up) --------------------------------------------


def corrupt_settings(home: Path):
    """settings.json holding NUL bytes, as a crash or a disk error might leave it."""
    path = home / "settings.json"
    path.write_bytes(b'{"threads": \x00\x00\x00 4}')
    return path.unlink


def interrupted_recording(home: Path):
    """A spoken memory left "recording" by a Fondly that was killed."""
    from app.store import Store

    store = Store(home / "fondly.db")
    mid = store.add_memory(
        1, "voice", "Interrupted", status="recording", audio_path=str(home / "audio" / "memory-interrupted.wav")
    ).id
    store.close()

    def clean():
        s = Store(home / "fondly.db")
        s.delete_memory(mid)
        s.close()

    return clean


# fmt: off
CASES = [
    # projects
    c("project new", "empty title", "project", "new", ""),
    c("project new", "whitespace-only title", "project", "new", "   \t "),
    c("project new", "100 000-character title", "project", "new", LONG),
    c("project new", "duplicate title in another case", "project", "new", "dad"),
    c("project new", "duplicate title with surrounding spaces", "project", "new", "  Dad  "),
    c("project new", "duplicate non-ASCII title in capitals", "project", "new", "SIOBHÁN"),
    c("project new", "a bare number (another project's id) as title", "project", "new", "2"),
    c("project new", "a title on two lines", "project", "new", "Dad\nMum"),
    c("project new", "title that is not valid UTF-8", "project", "new", b"Fran\xe7ois"),
    c("project new", "a person with no name", "project", "new", "Gran", "--people", "(shiv-AWN), Tadhg"),
    c("project edit", "empty title", "project", "edit", "Dad", "--title", ""),
    c("project edit", "another project's title in capitals", "project", "edit", "Mum", "--title", "DAD"),
    c("project edit", "another project's title with spaces", "project", "edit", "Mum", "--title", " dad "),
    c("project edit", "100 000-character subject", "project", "edit", "Dad", "--subject", LONG),
    c("project edit", "unknown project id", "project", "edit", "999", "--title", "Gran"),
    c("project list", "an unexpected argument", "project", "list", "Dad", exit=2),
    # memories
    c("memory add", "unknown project", "memory", "add", "Nobody", "good.txt"),
    c("memory add", "empty file name", "memory", "add", "Dad", ""),
    c("memory add", "100 000-character file name", "memory", "add", "Dad", LONG),
    c("memory add", "missing file", "memory", "add", "Dad", "nowhere.txt"),
    c("memory add", "a folder", "memory", "add", "Dad", "folder"),
    c("memory add", "zero-byte text file", "memory", "add", "Dad", "empty.txt"),
    c("memory add", "whitespace-only text file", "memory", "add", "Dad", "blank.txt"),
    c("memory add", "NUL bytes inside a text file", "memory", "add", "Dad", "nul.txt"),
    c("memory add", "a file without an extension", "memory", "add", "Dad", "letter"),
    c("memory add", "zero-byte .mp3", "memory", "add", "Dad", "zero.mp3"),
    c("memory add", "a text file named .mp3", "memory", "add", "Dad", "text.mp3"),
    c("memory add", "FLAC truncated to its first 4 KiB", "memory", "add", "Dad", "cut.flac"),
    c("memory add", "WAV header with no samples", "memory", "add", "Dad", "header.wav"),
    c("memory add", "WAV truncated mid-data (header promises 1 MB, 1 KB is there)", "memory", "add", "Dad",
      "short.wav"),
    c("memory add", "unreadable: a FIFO named .txt (a read would wait forever)", "memory", "add", "Dad", "fifo.txt"),
    c("memory add", "unreadable: a path under a plain file", "memory", "add", "Dad", "good.txt/child.txt"),
    c("memory add", "unreadable: a symbolic-link loop", "memory", "add", "Dad", "loop.txt"),
    c("memory add", "a file name that is not valid UTF-8", "memory", "add", "Dad", b"caf\xe9.txt"),
    c("memory add", "empty --title", "memory", "add", "Dad", "good.txt", "--title", ""),
    c("memory add", "a text file as the Whisper model", "memory", "add", "Dad", "good.wav",
      "--whisper-model", "good.txt"),
    c("memory record", "unknown project", "memory", "record", "Nobody", "--seconds", "1"),
    c("memory record", "empty --device", "memory", "record", "Dad", "--device", ""),
    c("memory recover", "a text file as the Whisper model, with a recording to recover", "memory", "recover",
      "--whisper-model", "good.txt", setup=interrupted_recording),
    c("memory list", "100 000-character project name", "memory", "list", LONG),
    c("memory show", "unknown id", "memory", "show", "999"),
    c("memory show", "negative id", "memory", "show", "--", "-1"),
    c("memory show", "id beyond 64 bits", "memory", "show", HUGE),
    # writing
    c("write", "empty request", "write", "Dad", ""),
    c("write", "100 000-character request", "write", "Dad", LONG),
    c("write", "--use an unknown memory", "write", "Dad", "Write a toast", "--use", "Nobody"),
    c("write", "a text file as --model", "write", "Dad", "Write a toast", "--model", "good.txt"),
    c("write", "empty --server", "write", "Dad", "Write a toast", "--server", " "),
    c("write", "a server off this machine, never trusted", "write", "Dad", "Write a toast", "--server",
      "http://192.0.2.1:8080/v1"),
    c("write", "--seed beyond 32 bits", "write", "Dad", "Write a toast", "--seed", HUGE, exit=2),
    c("brief", "empty request", "brief", "Dad", ""),
    c("brief", "100 000-character request", "brief", "Dad", LONG),
    c("eval", "NUL bytes inside case.json", "eval", "cases/nul"),
    c("eval", "case.json without a shorthand", "eval", "cases/no-shorthand"),
    c("eval", "unreadable: case.json is a FIFO", "eval", "cases/fifo"),
    # search: FTS5 syntax must be words to search for, never syntax
    c("search", "a lone double quote", "search", "Dad", '"'),
    c("search", "unbalanced parentheses only", "search", "Dad", "((("),
    c("search", "100 000-character query", "search", "Dad", LONG),
    c("search", "FTS operators AND OR NOT (searched as words; none match)", "search", "Dad", "AND OR NOT", exit=0),
    c("search", "NEAR( with no closing parenthesis (searched as a word)", "search", "Dad", "NEAR(", exit=0),
    c("search", "an unbalanced quote before a word that matches", "search", "Dad", '"garden', exit=0),
    c("search", "a column filter and parentheses (searched as words)", "search", "Dad", "title:garden) OR (",
      exit=0),
    c("pace", "zero-byte .wav", "pace", "Dad", "zero.wav"),
    c("pace", "unreadable: a FIFO named .wav", "pace", "Dad", "fifo.wav"),
    c("pace", "two seconds of silence", "pace", "Dad", "silence.wav"),
    # drafts
    c("draft list", "unknown project", "draft", "list", "Nobody"),
    c("draft show", "unknown id", "draft", "show", "999"),
    c("draft show", "an id that is not a number", "draft", "show", "abc", exit=2),
    c("draft history", "unknown id", "draft", "history", "999"),
    c("draft compare", "two unknown revisions", "draft", "compare", "998", "999"),
    c("draft compare", "one unknown revision", "draft", "compare", "1", "999"),
    c("draft compare", "revision id beyond 64 bits", "draft", "compare", "1", HUGE),
    c("draft restore", "unknown revision", "draft", "restore", "1", "999"),
    c("draft restore", "unknown draft", "draft", "restore", "999", "1"),
    c("draft restore", "another draft's revision", "draft", "restore", "1", "3"),
    c("export", "unknown draft", "export", "999", "-o", "speech.md"),
    c("export", "an empty draft", "export", "3", "-o", "speech.md"),
    c("export", "empty output name", "export", "1", "-o", ""),
    c("export", "whitespace-only output name", "export", "1", "-o", "   "),
    c("export", "output in a missing folder", "export", "1", "-o", "nowhere/speech.md"),
    c("export", "100 000-character output name", "export", "1", "-o", LONG),
    c("export", "output name that is not valid UTF-8", "export", "1", "-o", b"discours-\xe9.md"),
    # settings, models, doctor
    c("backup", "whitespace-only output name", "backup", "-o", "   "),
    c("backup", "100 000-character output name", "backup", "-o", LONG),
    c("backup", "output in a missing folder", "backup", "-o", "nowhere/backup.zip"),
    c("restore", "a text file named .zip", "restore", "text.zip"),
    c("restore", "a text file named .zip, with --force (nothing is moved aside)", "restore", "--force", "text.zip"),
    c("restore", "unreadable: a FIFO named .zip", "restore", "--force", "fifo.zip"),
    c("restore", "100 000-character path", "restore", "--force", LONG),
    c("config get", "unknown setting", "config", "get", "colour"),
    c("config get", "NUL bytes inside settings.json", "config", "get", "threads", setup=corrupt_settings),
    c("config set", "threads: not a number", "config", "set", "threads", "abc"),
    c("config set", "writing: unknown mode", "config", "set", "writing", "poetry"),
    c("config set", "model: a text file", "config", "set", "model", "good.txt"),
    c("config set", "model: unreadable, a FIFO", "config", "set", "model", "fifo.gguf"),
    c("config set", "server: not an http address", "config", "set", "server", "ftp://example.com"),
    c("config trust", "a file: address", "config", "trust", "file:///etc/passwd"),
    c("config trust", "100 000-character address", "config", "trust", "http://" + LONG),
    c("models list", "NUL bytes inside settings.json", "models", "list", setup=corrupt_settings),
    c("models add", "empty path", "models", "add", ""),
    c("models add", "a folder with no model", "models", "add", "folder"),
    c("models add", "a text file", "models", "add", "good.txt"),
    c("models add", "a truncated GGUF header", "models", "add", "cut.gguf"),
    c("models add", "unreadable: a FIFO named .gguf", "models", "add", "fifo.gguf"),
    c("models use", "unknown model", "models", "use", "GPT-9"),
    c("models remove", "a bundled model", "models", "remove", "whisper TINY.en"),
    c("doctor", "NUL bytes inside settings.json, and no audio server", "doctor", setup=corrupt_settings),
    c("fondly", "unknown command", "publish", exit=2),
    c("fondly", "FONDLY_HOME under a plain file", "project", "list", env={"FONDLY_HOME": "good.txt/home"}),
]
# fmt: on


# --- the prepared data folder and files --------------------------------------------------------


def prepare_home(home: Path) -> None:
    """Three projects (one with a non-ASCII title), a memory, and drafts to export and restore."""
    from app.store import Person, Store

    home.mkdir(parents=True, exist_ok=True)
    store = Store(home / "fondly.db")
    dad = store.create_project("Dad", subject="Frank", people=[Person("Siobhan", "shiv-AWN")])
    mum = store.create_project("Mum")
    store.create_project("Siobhán")
    store.add_memory(dad.id, "text", "garden.txt", text="Frank grew tomatoes in the back garden.\n")
    first, _ = store.create_draft(dad.id, "Eulogy", "Dad loved his garden.")  # draft 1, revision 1
    store.add_revision(first.id, "Dad loved his garden and his boat.", "edited")  # revision 2
    store.create_draft(mum.id, "Toast", "Mum loved a party.")  # draft 2, revision 3
    store.create_draft(dad.id, "Empty", "")  # draft 3, revision 4
    store.close()


def wav_header(data_bytes: int) -> bytes:
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def prepare_files(d: Path, jfk: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / "good.txt").write_text("Dad loved his garden.\n")
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_text("  \n\t\n   \n")
    (d / "nul.txt").write_bytes(b"Dad\x00loved\x00boats\n")
    (d / "letter").write_text("Dad loved boats.\n")
    (d / "zero.mp3").write_bytes(b"")
    (d / "zero.wav").write_bytes(b"")
    (d / "text.mp3").write_text("This is a shopping list, not a song.\n")
    (d / "cut.flac").write_bytes(jfk.read_bytes()[:4096])
    (d / "header.wav").write_bytes(wav_header(0))
    (d / "short.wav").write_bytes(wav_header(1_000_000) + bytes(1000))
    (d / "silence.wav").write_bytes(wav_header(64_000) + bytes(64_000))
    shutil.copy(jfk, d / "good.wav")
    (d / "folder").mkdir()
    (d / "text.zip").write_text("Not a zip, only words.\n")
    for name in ("fifo.txt", "fifo.wav", "fifo.gguf", "fifo.zip"):
        os.mkfifo(d / name)
    os.symlink("loop2.txt", d / "loop.txt")
    os.symlink("loop.txt", d / "loop2.txt")
    (d / os.fsdecode(b"caf\xe9.txt")).write_text("Dad drank his coffee black.\n")
    (d / "cut.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + bytes(20))
    for name in ("nul", "no-shorthand", "fifo"):
        (d / "cases" / name).mkdir(parents=True)
    (d / "cases" / "nul" / "case.json").write_bytes(b'{"shorthand": "Write a toast\x00\x00"}')
    (d / "cases" / "no-shorthand" / "case.json").write_text('{"occasion": "funeral"}')
    os.mkfifo(d / "cases" / "fifo" / "case.json")


# --- running, comparing, reporting -------------------------------------------------------------


def snapshot(home: Path) -> tuple:
    """Everything a command could change: the database's content, the settings, the files."""
    settings = home / "settings.json"
    files = sorted(
        str(p.relative_to(home)) for p in home.rglob("*") if p.name not in ("fondly.db-wal", "fondly.db-shm")
    )
    return db_dump(home), settings.read_bytes() if settings.exists() else None, files


def run(case: Case, home: Path, cwd: Path, runtime: Path) -> tuple[int | None, str, str]:
    # no audio server (an empty runtime folder): the same answers whichever tests ran before
    env = {**os.environ, "FONDLY_HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), **case.env}
    env.pop("PULSE_SERVER", None)
    exe = Path(sys.executable).with_name("fondly")
    try:
        proc = subprocess.run(
            [str(exe), *case.args],
            capture_output=True,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, "", "(no answer within 60 s)"
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def judge(case: Case, rc: int | None, out: str, err: str, unchanged: bool) -> tuple[str, list[str]]:
    """The line to show for this outcome, and what is wrong with it."""
    lines = err.strip().splitlines()
    wrong = []
    if "Traceback" in err or rc is None:
        wrong.append("a traceback" if rc is not None else "no answer")
    if case.gap:  # what happens is recorded, not judged
        return " / ".join(lines) or printed(out), wrong
    if rc != case.exit:
        wrong.append(f"exit {rc}, expected {case.exit}")
    if case.exit == 1:
        shown = lines[0] if lines else ""
        if len(lines) != 1 or not shown.startswith("fondly: error: "):
            wrong.append(f"{len(lines)} stderr lines, expected one `fondly: error:` line")
    elif case.exit == 2:
        shown = next((x for x in lines if x.startswith("Error: ")), "")
        if not shown:
            wrong.append("no click `Error:` line")
    else:
        shown = " / ".join(lines) or printed(out)
    if not unchanged:
        wrong.append("the data folder changed")
    return shown, wrong


def printed(out: str) -> str:
    first = out.strip().splitlines()[:1]
    return f"(printed) {first[0]}" if first else "(no output)"


def shown_arg(arg) -> str:
    if isinstance(arg, bytes):
        return "$'" + "".join(chr(b) if 32 <= b < 127 and b not in b"'\\" else f"\\x{b:02x}" for b in arg) + "'"
    if len(arg) > 60:
        return shlex.quote(f"{arg[:12]}…") + f" ({len(arg):,} chars)"
    if any(not ch.isprintable() for ch in arg):
        return "$'" + arg.encode("unicode_escape").decode("ascii").replace("'", "\\'") + "'"
    return shlex.quote(arg)


def tidy(text: str, home: Path, files: Path) -> str:
    """A line as the doc shows it: no temporary paths, long runs folded, table-safe."""
    text = text.replace(f"{files}/", "").replace(str(files), ".").replace(str(home), "$FONDLY_HOME")
    text = text.replace(str(ROOT), "<repo>")
    text = re.sub(r"(.)\1{99,}", lambda m: f"{m.group(1) * 3}…({len(m.group(0)):,}×)", text)
    return text.replace("|", "\\|").replace("\n", " ").replace("\t", " ")


def write_doc(rows: list[tuple]) -> None:
    gaps = [r for r in rows if r[-1]]
    out = [
        "# Bad input: what every `fondly` command says",
        "",
        "Written by `tests/test_robustness.py` (issue 12, point 5) each time it runs; do not edit by hand.",
        "Each row is one run of the real `fondly` executable against a prepared data folder. Exit 1 must",
        'come with exactly one `fondly: error:` line, exit 2 is click\'s usage error, and "data unchanged"',
        "compares the database's full dump (sqlite3 `iterdump()`), settings.json and the folder's files",
        "before and after. Exit 0 rows are inputs that are not mistakes but must be handled safely",
        "(search words that look like SQLite FTS syntax are searched as words).",
        "",
        "NUL bytes can't be passed in a command line, so they are tested inside files (a text memory,",
        "case.json, settings.json). The tests run as root, for whom `chmod 000` is no barrier, so",
        "unreadable files are a FIFO (a read would wait forever), a symbolic-link loop and a path under",
        "a plain file. Commands run in the folder holding the test files, so paths are relative.",
        "",
        f"{len(rows)} inputs, {len(gaps)} known gap{'s' if len(gaps) != 1 else ''}.",
        "",
        "| # | command | input | command line | exit | what Fondly said | data unchanged |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, (command, what, line, rc, said, unchanged, gap) in enumerate(rows, 1):
        data = "yes" if unchanged else "**no**"
        if gap:
            data += " (known gap)"
        out.append(f"| {i} | `{command}` | {what} | `{line}` | {rc} | {said} | {data} |")
    if gaps:
        out += ["", "## Known gaps", ""]
        out += [f"- `{g[2]}`: {g[-1]}." for g in gaps]
    out.append("")
    from tests import conditions

    DOC.write_text(conditions.above("\n".join(out)) + conditions.table(), encoding="utf-8")


def test_every_command_refuses_bad_input_clearly_and_changes_nothing(fondly_home, tmp_path, jfk):
    assert len(CASES) >= 60
    files = tmp_path / "files"
    prepare_files(files, jfk)
    prepare_home(fondly_home)
    pristine = tmp_path / "pristine"
    shutil.copytree(fondly_home, pristine)
    clean = snapshot(fondly_home)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    rows, problems = [], []
    for case in CASES:
        cleanup = case.setup(fondly_home) if case.setup else None
        before = snapshot(fondly_home)
        rc, out, err = run(case, fondly_home, files, runtime)
        unchanged = snapshot(fondly_home) == before
        if cleanup:
            cleanup()
        if not unchanged or snapshot(fondly_home) != clean:
            shutil.rmtree(fondly_home)
            shutil.copytree(pristine, fondly_home)
        said, wrong = judge(case, rc, out, err, unchanged)
        line = "fondly " + " ".join(shown_arg(a) for a in case.args)
        if case.env:
            line = " ".join(f"{k}={shlex.quote(v)}" for k, v in case.env.items()) + " " + line
        rows.append(
            (
                case.command,
                case.input,
                tidy(line, fondly_home, files),
                rc,
                tidy(said, fondly_home, files),
                unchanged,
                case.gap,
            )
        )
        if wrong:
            problems.append(f"{line[:120]}: {', '.join(wrong)}\n    {err.strip()[-600:]}")
    write_doc(rows)
    assert not problems, f"{len(problems)} of {len(CASES)} inputs went wrong:\n" + "\n".join(problems)
