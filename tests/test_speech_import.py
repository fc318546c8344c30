"""`fondly draft new PROJECT FILE`: a speech written elsewhere becomes a draft, or one clear message
and nothing stored."""

from __future__ import annotations

import json

import pytest

SPEECH = "Thank you all for coming.\n\nDad loved the sea, and he loved us more.\n"


def test_a_text_file_becomes_an_imported_draft(fondly, store, tmp_path):
    store.create_project("Dad")
    path = tmp_path / "my speech.txt"
    path.write_text(SPEECH, encoding="cp1252")
    proc = fondly("draft", "new", "Dad", path)
    draft_id = int(proc.stdout.strip())
    d = store.draft(draft_id)
    assert d.title == "my speech"
    revs = store.revisions(draft_id)
    assert len(revs) == 1 and revs[0].origin == "imported" and revs[0].text == SPEECH
    shown = json.loads(fondly("draft", "show", draft_id, "--json").stdout)
    assert shown["text"] == SPEECH and shown["words"] == 14


def test_markdown_keeps_its_headings(fondly, store, tmp_path):
    store.create_project("Dad")
    path = tmp_path / "speech.md"
    path.write_text("## Opening\n\n" + SPEECH, encoding="utf-8")
    draft_id = int(fondly("draft", "new", "Dad", path, "--title", "For Dad").stdout)
    assert store.draft(draft_id).title == "For Dad"
    assert store.current_text(draft_id).startswith("## Opening\n\nThank you")


def test_a_word_document_becomes_paragraphs_and_headings(fondly, store, tmp_path):
    import docx

    doc = docx.Document()
    doc.add_heading("Opening", level=1)
    doc.add_paragraph("Thank you all for coming.")
    doc.add_paragraph("")
    doc.add_paragraph("Dad loved the sea, and he loved us more.")
    path = tmp_path / "eulogy.docx"
    doc.save(path)
    store.create_project("Dad")
    draft_id = int(fondly("draft", "new", "Dad", path).stdout)
    assert store.current_text(draft_id) == "## Opening\n\n" + SPEECH
    assert store.revisions(draft_id)[0].origin == "imported"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.txt", None, "There is no file"),
        ("empty.txt", b"\n  \n", "is empty"),
        ("blank.docx", "docx-empty", "is empty"),
        ("photo.txt", bytes(range(256)) * 40, "does not look like text"),
        ("old.docx", b"\xd0\xcf\x11\xe0 an old Word 97 file", "not a Word document"),
        ("speech.pdf", b"%PDF-1.4", "can't make a draft from .pdf files"),
        ("speech", b"words", "files without an extension"),
    ],
)
def test_a_bad_file_is_one_message_and_nothing_stored(fondly, store, tmp_path, name, content, message):
    store.create_project("Dad")
    path = tmp_path / name
    if content == "docx-empty":
        import docx

        docx.Document().save(path)
    elif content is not None:
        path.write_bytes(content)
    before = store.counts()
    proc = fondly("draft", "new", "Dad", path, ok=False)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("fondly: error: ") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert store.counts() == before


def test_an_unknown_project_stores_nothing(fondly, store, tmp_path):
    path = tmp_path / "speech.txt"
    path.write_text(SPEECH)
    proc = fondly("draft", "new", "Nobody", path, ok=False)
    assert proc.returncode == 1 and store.counts()["drafts"] == 0


def test_file_import_a_draft_in_the_app(window, qtbot, tmp_path):
    """File → Import a draft…: the file chosen becomes a draft, shown in the drafts tree and opened
    in the editor; a bad one is the window's one message and no draft."""
    from PySide6.QtWidgets import QFileDialog

    from tests.helpers import make_project

    make_project(window, qtbot)
    action = next(
        a
        for menu in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu()))
        for a in menu.actions()
        if a.text() == "Import a &draft…"
    )
    good = tmp_path / "For Dad.md"
    good.write_text(SPEECH, encoding="utf-8")
    action.trigger()
    dialog = window.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.fileSelected.emit(str(good))
    dialog.close()
    qtbot.waitUntil(lambda: window.document.editor.toPlainText().strip() == SPEECH.strip(), timeout=10_000)
    tree = window.drafts_panel.tree
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == ["For Dad"]
    assert tree.topLevelItem(0).child(0).text(0).startswith("Imported ")

    bad = tmp_path / "empty.docx"
    bad.write_bytes(b"not a zip")
    window.drafts_panel.import_path(str(bad))
    qtbot.waitUntil(lambda: window.message.isVisible(), timeout=10_000)
    assert "not a Word document" in window.message.label.text()
    assert tree.topLevelItemCount() == 1 and window.store.counts()["drafts"] == 1
