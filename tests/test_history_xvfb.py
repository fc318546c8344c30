"""The history clicked from outside, on a real X display (a private Xvfb, Qt's xcb plugin), with
xdotool moving the pointer and pressing the buttons as a person would (issue 25, point 7):
clicking a point previews it and changes nothing; Compare with one point says "Your text now ←";
Esc closes it; the buttons are where they were whatever is selected; clicking the draft goes back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.test_desktop import need, start_xvfb, stop


def test_clicking_through_the_history_on_a_real_display(fondly_home, pulse, tmp_path):
    xdotool = need("xdotool", "xdotool")
    xvfb, display = start_xvfb(tmp_path / "xvfb.log")
    state_file = tmp_path / "state.json"
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "FONDLY_HOME": str(fondly_home),
        "FONDLY_STATE_FILE": str(state_file),
    }
    env.pop("WAYLAND_DISPLAY", None)
    x_env = {**os.environ, "DISPLAY": display}
    err_path = tmp_path / "app.err"

    def xdo(*args: str) -> None:
        subprocess.run([xdotool, *args], env=x_env, check=True, timeout=30, capture_output=True)

    def state() -> dict:
        return json.loads(state_file.read_text(encoding="utf-8"))

    def until(test, what: str, timeout: float = 20) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if state_file.exists():
                s = state()
                if test(s):
                    return s
            assert app.poll() is None, f"the app exited: {err_path.read_text(errors='replace')[-2000:]}"
            time.sleep(0.1)
        pytest.fail(f"{what}: not seen in {timeout} s; last state {state() if state_file.exists() else None}")

    def click(at: list[int]) -> None:
        xdo("mousemove", "--sync", str(at[0]), str(at[1]))
        xdo("click", "1")

    app = None
    try:
        with open(err_path, "w") as err:
            app = subprocess.Popen(
                [sys.executable, "-m", "tests.apps.history"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )
        first = until(lambda s: "Generated 14:01" in s["rows"], "the history", timeout=60)
        buttons, text, stored, revisions = first["buttons"], first["text_sha"], first["stored_sha"], first["revisions"]

        click(first["rows"]["Generated 14:01"])
        s = until(lambda s: s["banner"], "the preview banner")
        assert s["banner"] == "Previewing Generated 14:01 — your text is unchanged"
        assert (s["text_sha"], s["stored_sha"], s["revisions"]) == (text, stored, revisions)
        assert s["buttons"] == buttons and s["enabled"]["Compare"] and not s["enabled"]["Delete"]

        click(s["buttons"]["Compare"])
        s = until(lambda s: s["compare"], "the Compare window")
        assert s["compare"] == "Compare: Your text now ← Generated 14:01"
        xdo("key", "Escape")
        s = until(lambda s: not s["compare"], "Esc closing Compare")

        click(s["rows"]["Read to Mum"])
        s = until(lambda s: "Read to Mum" in s["banner"], "the second preview")
        assert s["buttons"] == buttons and (s["text_sha"], s["revisions"]) == (text, revisions)

        click(s["rows"]["Eulogy for Dad"])  # the draft itself: back to the text
        s = until(lambda s: not s["banner"], "the preview ending")
        assert s["buttons"] == buttons and s["enabled"]["Delete"] and not s["enabled"]["Compare"]
        assert (s["text_sha"], s["stored_sha"], s["revisions"]) == (text, stored, revisions)
    finally:
        if app is not None:
            stop(app)
        stop(xvfb)
