"""The Brief as chips, provenance beside paragraphs, anecdotes at the cursor, rewrites.

Plumbing: the text engine is a ScriptedEngine (the size of the bundled model, so Fondly
writes memory-first), so these never wait on a model; test_gui.py has the end-to-end run.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers import DAD, FISHING, GARDEN, ScriptedEngine, make_project

FOUR = [
    ("Write a funeral speech using dad.txt and be sure to include at least one joke.", ["Using: dad.txt", "Jokes: 1"]),
    (
        "Please write me a funeral speech in the style of Four Weddings and a Funeral but with a Texas inflection.",
        ["Style: Four Weddings and a Funeral", "Voice: Texas inflection"],
    ),
    (
        "He always said we were the three bears and he was Goldilocks. Write me an anecdote about that.",
        ["Task: anecdote", "Note: He always said we were the three bears and he was Goldilocks."],
    ),
    (
        "Make it about four minutes. Don't mention the hospital.",
        ["Length: 4.0 min · 480 words", "Leave out: the hospital"],
    ),
]


@pytest.fixture
def window(make_window):
    return make_window(ScriptedEngine([], parameters=135_000_000))


@pytest.fixture
def project(window, qtbot):
    make_project(window, qtbot)
    for title, text in (("dad.txt", DAD), ("garden", GARDEN), ("fishing trip", FISHING)):
        window.store.add_memory(window.project.id, "text", title, text=text)
    window.memories.reload()
    return window.project


@pytest.mark.parametrize("shorthand, chips", FOUR)
def test_the_brief_shows_as_chips_before_writing(window, qtbot, project, shorthand, chips):
    window.writing.prompt.setText(shorthand)
    qtbot.waitUntil(
        lambda: window.writing.chips.brief is not None and window.writing.chips.brief.shorthand == shorthand
    )
    texts = window.writing.chips.chip_texts()
    for chip in chips:
        assert chip in texts, texts
    assert texts[-1] == "Memories: Fondly chooses (3)"
    assert window.store.drafts(project.id) == []  # nothing written yet


def test_edited_chips_and_chosen_memories_drive_the_draft(window, qtbot, project):
    window.warm_up()
    window.writing.prompt.setText("Write a short eulogy with a joke. Don't mention the hospital.")
    qtbot.waitUntil(lambda: window.writing.chips.brief is not None)
    window.writing.chips.set_value("avoid", 0, "")  # removed with the chip's Remove
    window.writing.chips.set_value("target_words", None, "1")  # one minute
    garden = next(m.id for m in window.store.memories(project.id) if m.title == "garden")
    window.writing.chips.choose({garden})
    assert "Memories: 1 of 3" in window.writing.chips.chip_texts()
    with qtbot.waitSignal(window.writing.written, timeout=120_000) as done:
        qtbot.mouseClick(window.writing.generate_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.writing.busy)
    draft = window.store.draft(done.args[0])
    assert draft.brief["avoid"] == [] and draft.brief["target_words"] == 120
    revision = window.store.revision(done.args[1])
    assert {i for p in revision.provenance for i in p["memory_ids"]} == {garden}
    rows = [window.drafts_panel.sentences.item(i).text() for i in range(window.drafts_panel.sentences.count())]
    sentences = [s for p in revision.provenance for s in p["sentences"]]
    assert len(rows) == len(sentences) + sum(len(p["dropped"]) for p in revision.provenance)
    own = [r for r in rows if "✓ your words" in r]
    assert own and all("· garden:" in r for r in own)  # each of the person's sentences names its memory
    assert window.drafts_panel.checks.text().startswith(
        f"Checks: {len(sentences)} of {len(sentences)} sentences traced"
    )


def test_an_anecdote_goes_in_at_the_cursor(window, qtbot, project):
    window.warm_up()
    draft, _ = window.store.create_draft(project.id, "Eulogy", "Opening words.\n\nClosing words.\n")
    window.reload_drafts()
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    cursor = window.document.editor.textCursor()
    cursor.setPosition(len("Opening words.\n\n"))
    window.document.editor.setTextCursor(cursor)
    window.writing.prompt.setText("Write me an anecdote about the fishing trip")
    with qtbot.waitSignal(window.writing.piece_kept, timeout=120_000):
        window.writing.generate()
    qtbot.waitUntil(lambda: not window.writing.busy)
    text = window.document.editor.toPlainText()
    assert text.startswith("Opening words.\n\n") and text.rstrip().endswith("Closing words.")
    assert len(text) > len("Opening words.\n\nClosing words.\n") + 40
    revisions = window.store.revisions(draft.id)
    assert len(revisions) == 2 and revisions[-1].text == text and revisions[-1].origin == "generated"
    assert revisions[-1].seed is not None and revisions[-1].model  # a piece records what made it, as a draft does
    fishing = next(m.id for m in window.store.memories(project.id) if m.title == "fishing trip")
    assert revisions[-1].provenance[-1]["memory_ids"] == [fishing]
    assert len(window.store.drafts(project.id)) == 1  # no new draft: it went into this one


def _select(window, qtbot, project, passage: str) -> int:
    """A draft with `passage` between two others, open, the passage selected."""
    draft, _ = window.store.create_draft(project.id, "Eulogy", f"Before.\n\n{passage}\n\nAfter.\n")
    window.reload_drafts()
    window.drafts_panel.tree.setCurrentItem(window.drafts_panel.tree.topLevelItem(0))
    cursor = window.document.editor.textCursor()
    start = window.document.editor.toPlainText().index(passage)
    cursor.setPosition(start)
    cursor.setPosition(start + len(passage), cursor.MoveMode.KeepAnchor)
    window.document.editor.setTextCursor(cursor)
    return draft.id


PASSAGE = "Dad fished at Lake Travis every summer. He named every catfish Gerald."


def test_a_rewrite_of_the_selection_goes_in_and_is_kept_with_what_made_it(make_window, qtbot):
    window = make_window(ScriptedEngine(["Every summer Dad fished at Lake Travis, and he named every catfish Gerald."]))
    make_project(window, qtbot)
    window.store.add_memory(window.project.id, "text", "dad.txt", text=DAD)
    draft_id = _select(window, qtbot, window.project, PASSAGE)
    with qtbot.waitSignal(window.writing.rewritten, timeout=10_000) as done:
        window.writing.rewrite_selection("warmer")
    rw = done.args[0]
    assert rw.problems == [] and rw.passage == PASSAGE
    text = window.document.editor.toPlainText()
    assert text == f"Before.\n\n{rw.text}\n\nAfter.\n" and not window.writing.busy
    last = window.store.revisions(draft_id)[-1]
    assert last.text == text and last.seed == rw.seed and last.model == "scripted" and PASSAGE in last.prompt


def test_a_rewrite_that_invents_leaves_the_passage_and_says_why(make_window, qtbot):
    window = make_window(ScriptedEngine(["Dad fished in Paris with his brother Michael."] * 3))
    make_project(window, qtbot)
    window.store.add_memory(window.project.id, "text", "dad.txt", text=DAD)
    draft_id = _select(window, qtbot, window.project, PASSAGE)
    before = [r.text for r in window.store.revisions(draft_id)]
    with qtbot.waitSignal(window.writing.rewritten, timeout=10_000) as done:
        window.writing.rewrite_selection("warmer")
    assert done.args[0].problems
    assert window.document.editor.toPlainText() == f"Before.\n\n{PASSAGE}\n\nAfter.\n"
    assert [r.text for r in window.store.revisions(draft_id)] == before  # nothing kept
    assert window.message.isVisible() and "kept as it was" in window.message.label.text()


def test_stopping_keeps_what_streamed_as_a_flagged_revision(make_window, qtbot):
    """Esc while prose streams: stopped at once, and what was on screen is what is kept."""
    from app import settings

    settings.set_value("writing", "prose")
    reply = "Frank grew tomatoes in the garden and gave them away to the neighbours every summer " * 6
    window = make_window(ScriptedEngine([reply] * 8, delay=0.05))
    make_project(window, qtbot)
    window.store.add_memory(window.project.id, "typed", "garden", text=GARDEN)
    window.writing.prompt.setText("Write a long eulogy about the garden")
    chunks: list[str] = []
    window.writing.streamed.connect(chunks.append)
    window.writing.prompt.setFocus()
    qtbot.keyClick(window.writing.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.writing.busy and window.document.editor.isReadOnly() and window.writing.stop_btn.isEnabled()
    qtbot.waitUntil(lambda: len(chunks) >= 5, timeout=10_000)
    with qtbot.waitSignal(window.writing.written, timeout=5_000) as done:
        qtbot.keyClick(window.document.editor, Qt.Key.Key_Escape)
    _draft_id, revision_id, stopped = done.args
    assert stopped and not window.writing.busy and not window.document.editor.isReadOnly()
    revision = window.store.revision(revision_id)
    assert revision.checks["stopped"] is True and revision.model == "scripted"
    assert revision.text.strip() == window.document.editor.toPlainText().strip()


def test_what_is_not_used_and_not_told_shows_as_chips(window, qtbot, project):
    """Nothing asked disappears without a word: an ask the memory-first writer can't use, a topic no
    memory tells of, and a style that needs a larger model — with the model one click from download."""
    shorthand = "eulogy like a Frank Sinatra song, about the tandem bicycle, and thank the nurses at St James's"
    window.writing.prompt.setText(shorthand)
    qtbot.waitUntil(
        lambda: window.writing.chips.brief is not None and window.writing.chips.brief.shorthand == shorthand
    )
    texts = window.writing.chips.chip_texts()
    assert "Not used: thank the nurses at St James's" in texts, texts
    assert "No memory of the tandem bicycle yet" in texts, texts
    assert "Needs a larger model: style: Frank Sinatra song" in texts, texts
    assert not any(t.startswith(("Asked:", "Also:")) for t in texts), texts  # never the whole prompt again
    chip = next(b for b in window.writing.chips.buttons if b.text().startswith("Needs a larger model"))
    get = chip.menu().actions()[0]
    assert get.text().startswith("Get ") and "GB" in get.text()
    from app.ui.settings_dialog import SettingsDialog

    get.trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)))
    settings = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    chosen = settings.catalog.list.currentItem().text().strip(" ★")
    assert chosen.startswith(get.text()[len("Get ") :].split(" (")[0]), chosen  # the model, ready to download
    assert window.store.drafts(project.id) == []  # nothing was downloaded or written by looking
    settings.reject()
