"""Drafts keep every version: edits, generations, restores, snapshots, autosaves; compare,
restore, search with snippets, speaking time and a measured pace."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import Qt

from app.diff import word_diff
from tests.helpers import make_project


def test_every_version_is_kept_in_order(store, engine):
    from app.writing import write

    project = store.create_project("Dad", subject="Frank")
    store.add_memory(project.id, "typed", "lake", text="Frank fished at Lake Travis every summer with his dog.")
    first = write(store, project, "Write a short eulogy", engine, seed=1)
    draft_id = first.draft.id
    store.add_revision(draft_id, "My own words about Frank.", origin="edited")
    store.add_revision(draft_id, "My own words about Frank, and the lake.", origin="snapshot")
    restored = store.restore(draft_id, first.revision.id, current_text="Unsaved words in the editor.")
    revisions = store.revisions(draft_id)
    assert [r.origin for r in revisions] == ["generated", "edited", "snapshot", "edited", "restored"]
    assert revisions[3].text == "Unsaved words in the editor."  # the text a restore replaced is kept
    assert restored.text == first.revision.text and restored.checks["restored_from"] == first.revision.id
    assert [r.id for r in revisions] == sorted(r.id for r in revisions)
    assert all(b.parent_id == a.id for a, b in itertools.pairwise(revisions))
    assert store.current_text(draft_id) == first.revision.text


def test_word_by_word_compare():
    diff = word_diff("He loved the lake and the sea.", "He loved the quiet lake and the sea!")
    assert ("+", "quiet ") in diff and ("-", "sea.") in diff and ("+", "sea!") in diff
    assert "".join(t for op, t in diff if op != "-") == "He loved the quiet lake and the sea!"


def test_cli_history_compare_restore_and_search(fondly, store):
    project = store.create_project("Dad")
    store.add_memory(project.id, "voice", "walk", text="We walked to the bakery on Elm Street every Saturday.")
    d, r1 = store.create_draft(project.id, "Eulogy", "Dad loved Saturdays at the bakery.")
    r2 = store.add_revision(d.id, "Dad loved Saturday mornings at the old bakery.", origin="edited")
    history = json.loads(fondly("draft", "history", str(d.id), "--json").stdout)
    assert [h["id"] for h in history] == [r1.id, r2.id] and history[1]["words"] == 8
    assert (
        fondly("draft", "compare", str(r1.id), str(r2.id)).stdout.strip()
        == "Dad loved [-Saturdays -]{+Saturday mornings +}at the {+old +}bakery."
    )
    rid = fondly("draft", "restore", str(d.id), str(r1.id)).stdout.strip()
    assert store.current_text(d.id) == "Dad loved Saturdays at the bakery." and int(rid) > r2.id

    hits = json.loads(fondly("search", "Dad", "bakery", "--json").stdout)
    kinds = {(h["kind"], h["title"]) for h in hits}
    assert ("memory", "walk") in kinds and ("draft", "Eulogy") in kinds
    assert all("[bakery]" in h["snippet"] for h in hits)
    assert "[bakery]" in fondly("search", "Dad", "bakery").stdout


def test_speaking_time_is_shown_with_drafts(fondly, store):
    project = store.create_project("Dad", pace=100)
    d, _ = store.create_draft(project.id, "Eulogy", "word " * 250)
    shown = json.loads(fondly("draft", "show", str(d.id), "--json").stdout)
    assert shown["words"] == 250 and shown["speaking_seconds"] == 150 and shown["pace"] == 100
    assert "about 2 min 30 s at 100 wpm" in fondly("draft", "show", str(d.id)).stdout
    assert "about 2 min 30 s" in fondly("draft", "list", "Dad").stdout


@pytest.mark.parametrize("rate", [100, 190])
def test_measure_my_pace(fondly, store, tmp_path, rate):
    text = (
        "My father was a quiet man who loved the sea. Every summer he took us to the coast, and every "
        "morning he walked along the beach before breakfast. He taught us to swim, to fish, and to be "
        "kind to strangers. We will miss him more than words can say."
    )
    wav = tmp_path / "practice.wav"
    subprocess.run(["espeak-ng", "-s", str(rate), "-w", str(wav), text], check=True)
    store.create_project("Dad")
    out = fondly("pace", "Dad", wav).stdout
    measured = store.find_project("Dad").pace
    assert abs(measured - rate) <= rate * 0.25, (measured, out)
    assert f"{measured} words a minute" in out


def test_too_little_speech_for_a_pace(fondly, store, tmp_path):
    wav = tmp_path / "short.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "Hello."], check=True)
    store.create_project("Dad")
    proc = fondly("pace", "Dad", wav, ok=False)
    assert proc.returncode == 1 and "Too little speech" in proc.stderr
    assert store.find_project("Dad").pace == 120


# --- the desktop app --------------------------------------------------------------------------


def test_autosave_after_idle_typing(window, qtbot):
    make_project(window, qtbot)
    d, _ = window.store.create_draft(window.project.id, "Eulogy", "Dad.")
    window.reload_drafts()
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    window.document.editor.setFocus()
    window.document.editor.moveCursor(window.document.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.document.editor, " He loved us.")
    assert len(window.store.revisions(d.id)) == 1
    qtbot.waitUntil(lambda: len(window.store.revisions(d.id)) == 2, timeout=5_000)
    last = window.store.revisions(d.id)[-1]
    assert last.origin == "autosave" and last.text == "Dad. He loved us."


def test_compare_and_restore_in_the_app(window, qtbot):
    make_project(window, qtbot)
    d, _r1 = window.store.create_draft(window.project.id, "Eulogy", "He loved the lake.")
    window.store.add_revision(d.id, "He loved the quiet lake.", origin="edited")
    window.reload_drafts()
    top = window.drafts_panel.tree.topLevelItem(0)
    window.drafts_panel.tree.setCurrentItem(top)
    window.document.editor.setPlainText("He loved the quiet lake, and us.")
    oldest = top.child(top.childCount() - 1)
    window.drafts_panel.tree.clearSelection()
    oldest.setSelected(True)
    dialog = window.drafts_panel.compare()
    html = window.drafts_panel.diff_view.toHtml()
    assert "quiet" in html and "us." in html and dialog.isVisible()
    dialog.close()
    window.drafts_panel.tree.clearSelection()
    oldest.setSelected(True)
    qtbot.mouseClick(window.drafts_panel.restore_btn, Qt.MouseButton.LeftButton)
    texts = [r.text for r in window.store.revisions(d.id)]
    assert texts[-2:] == ["He loved the quiet lake, and us.", "He loved the lake."]
    assert window.document.editor.toPlainText() == "He loved the lake."


def test_search_snippets_in_the_app(window, qtbot):
    make_project(window, qtbot)
    window.store.add_memory(window.project.id, "typed", "walk", text="We walked to the bakery on Elm Street.")
    window.memories.reload()
    window.search_panel.line.setText("bakery")
    qtbot.waitUntil(window.search_panel.results.isVisible, timeout=3_000)
    html = window.search_panel.results.toHtml()
    assert "walk" in html and "bakery</span>" in html and "background-color:#fbe7a1" in html


def test_a_killed_app_loses_at_most_a_few_seconds_of_typing(fondly_home):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.apps.typing"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "FONDLY_HOME": str(fondly_home)},
    )
    typed_at: dict[int, float] = {}
    for line in proc.stdout:
        typed_at[int(line)] = time.monotonic()
        if len(typed_at) == 45:  # about nine seconds of steady typing
            break
    killed = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    db = sqlite3.connect(fondly_home / "fondly.db")
    text = db.execute("SELECT text FROM revisions ORDER BY id DESC LIMIT 1").fetchone()[0]
    db.close()
    saved = max((n for n in typed_at if f" word{n}" in text), default=0)
    lost_seconds = killed - typed_at[saved + 1] if saved < max(typed_at) else 0.0
    assert saved > 0 and text.startswith("Dad.")
    assert lost_seconds <= 5.0, f"lost {lost_seconds:.1f} s of typing (saved up to word {saved} of {max(typed_at)})"


def test_words_typed_before_there_is_a_speech_are_kept_when_one_is_made(window, qtbot):
    """Typing first and creating the speech after must not lose a word: it becomes its first draft."""
    assert window.project is None
    window.document.editor.setFocus()
    qtbot.keyClicks(window.document.editor, "Frank fished at Lake Travis.")
    make_project(window, qtbot)
    [draft] = window.store.drafts(window.project.id)
    assert window.store.revisions(draft.id)[-1].text == "Frank fished at Lake Travis."
    assert window.document.editor.toPlainText() == "Frank fished at Lake Travis."
    assert window.drafts_panel.tree.topLevelItemCount() == 1
