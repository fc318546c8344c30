"""Closing mid-draft, clicked from outside on a real X display (a private Xvfb, Qt's xcb plugin),
with xdotool typing and clicking as a person would (issue 25, point 7): the shorthand typed into
the prompt and Return; Ctrl+Q while the draft streams asks "Fondly is still working"; Cancel
leaves the window open and writing; Ctrl+Q again and "Keep what's written" closes it, the cut
draft stored with its words and marked interrupted; the next start reopens that project and draft.
The app is app.ui.app.run itself, with a scripted writer slow enough to close on
(tests/apps/desk.py, which answers where things are on stdin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.test_desktop import need, start_xvfb, stop


class Desk:
    """One run of the app on `display`: its probe's answers, and xdotool's hands."""

    def __init__(self, display: str, home, err_path) -> None:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "FONDLY_HOME": str(home)}
        env.pop("WAYLAND_DISPLAY", None)
        self.x_env, self.err_path = {**os.environ, "DISPLAY": display}, err_path
        with open(err_path, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.apps.desk"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                bufsize=1,
            )

    def ask(self, command: str):
        assert self.proc.poll() is None, f"the app exited: {self.err_path.read_text(errors='replace')[-2000:]}"
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            assert line, f"the app stopped answering: {self.err_path.read_text(errors='replace')[-2000:]}"
            if line.startswith("> "):
                answer = json.loads(line[2:])
                assert not (isinstance(answer, dict) and "error" in answer), answer
                return answer

    def until(self, test, what: str, timeout: float = 30):
        deadline, last = time.time() + timeout, None
        while time.time() < deadline:
            last = self.ask("state")
            if test(last):
                return last
            time.sleep(0.2)
        pytest.fail(f"{what}: not seen in {timeout} s; last state {last}")

    def xdo(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.x_env, check=True, timeout=30, capture_output=True)

    def click(self, name: str) -> None:
        at = self.ask(f"where {name}")
        assert at, f"{name!r} is not on screen"
        self.xdo("mousemove", "--sync", str(at["x"]), str(at["y"]))
        self.xdo("click", "1")


def test_closing_mid_draft_on_a_real_display_asks_and_keeps_what_is_written(fondly_home, pulse, tmp_path):
    need("xdotool", "xdotool")
    from app import settings
    from app.store import Store

    settings.set_value("writing", "prose")  # paragraph by paragraph from the (slow, scripted) engine
    store = Store.open_default()
    project = store.create_project("Gran's eulogy", subject="Gran")
    store.add_memory(
        project.id,
        "text",
        "garden",
        text="Gran kept a rose garden by the south wall of her house "
        "in Cork. She gave roses to every neighbour on the street.",
    )
    store.close()
    xvfb, display = start_xvfb(tmp_path / "xvfb.log")
    desk = None
    try:
        desk = Desk(display, fondly_home, tmp_path / "app.err")
        desk.until(lambda s: "Gran's eulogy — Fondly" in s["windows"], "the window with the speech", timeout=60)
        desk.click("Shorthand")
        desk.xdo("type", "--delay", "20", "Write a eulogy for Gran using the garden")
        desk.xdo("key", "Return")
        desk.until(lambda s: s["busy"] and len(s["editor"].split()) >= 3, "the draft streaming in")

        desk.xdo("key", "ctrl+q")
        desk.until(lambda s: "Fondly is still working" in s["windows"], "the close prompt")
        desk.click("Cancel")
        s = desk.until(lambda s: "Fondly is still working" not in s["windows"], "Cancel closing the prompt")
        assert s["busy"] and "Gran's eulogy — Fondly" in s["windows"]  # still open, still writing
        words = len(s["editor"].split())
        s = desk.until(lambda s: len(s["editor"].split()) > words, "writing going on after Cancel")

        desk.click("Editor")  # back to the window (Xvfb has no window manager to give it the focus again)
        desk.xdo("key", "ctrl+q")
        desk.until(lambda s: "Fondly is still working" in s["windows"], "the close prompt, again")
        desk.click("Keep what's written")
        assert desk.proc.wait(timeout=30) == 0, desk.err_path.read_text(errors="replace")[-2000:]

        store = Store.open_default()
        [draft] = store.drafts(project.id)
        revision = store.revision(draft.current_revision_id)
        store.close()
        assert revision.checks.get("interrupted") and revision.checks.get("stopped"), revision.checks
        assert len(revision.text.split()) >= words and "rose" in revision.text  # what was written is kept

        desk = Desk(display, fondly_home, tmp_path / "app2.err")  # the next start: where the person left off
        s = desk.until(
            lambda s: "Gran's eulogy — Fondly" in s["windows"] and s["editor"], "the draft reopened", timeout=60
        )
        assert s["editor"] == revision.text and not s["busy"]
    finally:
        if desk is not None:
            stop(desk.proc)
        stop(xvfb)


def test_sigterm_closes_the_window_as_keep_would(fondly, fondly_home, tmp_path):
    """The desktop logging out sends SIGTERM: the window closes through its own closeEvent, as
    "Keep what's written" would — the single-window socket removed, the process exiting 0. Before,
    SIGTERM killed it where it stood (exit -15, the socket left)."""
    import signal

    from app.database import connect

    pid = fondly("project", "new", "Gran").stdout.strip()
    ready = tmp_path / "ready"
    env = {**os.environ, "FONDLY_HOME": str(fondly_home), "FONDLY_READY_FILE": str(ready)}
    exe = os.path.join(os.path.dirname(sys.executable), "fondly")
    with open(tmp_path / "err", "w") as err:
        app = subprocess.Popen([exe], env=env, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not (ready.exists() and ready.read_text()):
        assert app.poll() is None and time.time() < deadline, (tmp_path / "err").read_text()
        time.sleep(0.05)
    socket = fondly_home / "fondly.sock"
    assert socket.exists() or len(str(socket)) > 100
    time.sleep(1)
    app.send_signal(signal.SIGTERM)
    assert app.wait(timeout=30) == 0, (tmp_path / "err").read_text()[-2000:]
    assert not socket.exists()
    db = connect(fondly_home / "fondly.db", readonly=True)
    assert db.execute("SELECT id FROM projects").fetchall() == [(int(pid),)]
    db.close()
