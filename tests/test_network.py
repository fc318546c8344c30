"""Nothing leaves the machine: a whole session — import (and transcribe), write, export — makes no
network operation that is not for this machine; the guard itself is shown to see and refuse one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import only_loopback


def attempts(report) -> list[list[str]]:
    return [line.split("\t") for line in report.read_text(encoding="utf-8").splitlines()] if report.exists() else []


def test_the_guard_sees_and_refuses_every_kind_of_outbound_attempt(tmp_path):
    """A positive control: TCP, UDP, a DNS look-up and the raw _socket module, from a child process."""
    report = tmp_path / "net.log"
    code = """
import _socket, socket
for attempt in (lambda: socket.create_connection(("192.0.2.1", 80), timeout=1),
                lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53)),
                lambda: socket.gethostbyname("example.com"),
                lambda: _socket.socket().connect(("192.0.2.1", 443))):
    try:
        attempt()
        print("LEFT")
    except OSError as e:
        print(type(e).__name__)
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "FONDLY_NET_REPORT": str(report)},
        check=False,
    ).stdout.split()
    assert out == ["NetworkBlocked"] * 4, out
    seen = attempts(report)
    assert [a[1] for a in seen] == ["socket.getaddrinfo", "socket.sendto", "socket.gethostbyname", "socket.connect"]
    assert all(a[3] == "BLOCKED" for a in seen)


def test_a_whole_session_stays_on_this_machine(fondly, tmp_path, jfk, monkeypatch):
    report = tmp_path / "session-net.log"
    monkeypatch.setenv("FONDLY_NET_REPORT", str(report))
    dad = tmp_path / "dad.txt"
    dad.write_text("Frank fished at Lake Travis every summer. He called every catfish Gerald.\n", encoding="utf-8")
    fondly("project", "new", "Dad", "--subject", "Frank")
    fondly("memory", "add", "Dad", jfk, dad)  # decode and transcribe audio, read text
    out = json.loads(fondly("write", "Dad", "Write a short eulogy using dad.txt", "--json").stdout)
    fondly("export", str(out["draft_id"]), "--format", "pdf", "-o", tmp_path / "speech.pdf")
    fondly("export", str(out["draft_id"]), "--format", "docx", "-o", tmp_path / "speech.docx")
    assert (tmp_path / "speech.pdf").stat().st_size > 1000
    leaving = [a for a in attempts(report) if a[3] != "local"]
    assert leaving == []


def test_make_test_runs_where_only_loopback_exists():
    """`make test` says it runs the suite in a namespace with only loopback (FONDLY_NETNS=1): if it
    says so, there is no other interface — so native code (Qt, llama.cpp, CTranslate2) can't leave either."""
    claimed = os.environ.get("FONDLY_NETNS") == "1"
    assert only_loopback() or not claimed
