"""Every export format, written from the CLI and read back."""

from __future__ import annotations

import json
import subprocess

import pytest
from docx import Document
from pypdf import PdfReader

TEXT = (
    """# Frank

Dad fished at Lake Travis every summer, and he named every catfish Gerald. We never found out who the first Gerald was.

He worked for thirty years as a mail carrier in Austin and knew every dog on his route by name. He said <script>alert('hi')</script> was his favourite word, which it was not.

He grew tomatoes and sang Johnny Cash in the garden, badly and proudly. """
    + " ".join(f"He taught us lesson number {i}, and we remember it." for i in range(1, 11))
    + """

*Thank you, Dad.*
"""
)


@pytest.fixture
def draft(store, fondly):
    project = store.create_project("Dad", subject="Frank", pace=120)
    store.add_memory(project.id, "typed", "pasted", text="<script>alert('memory')</script> He loved the lake.")
    d, _ = store.create_draft(project.id, "Eulogy for Frank", TEXT)
    return d


def export(fondly, draft, fmt, tmp_path, suffix):
    out = tmp_path / f"speech.{suffix}"
    fondly("export", str(draft.id), "--format", fmt, "-o", out)
    return out


def test_exports_never_change_the_draft(fondly, store, draft, tmp_path):
    before = json.loads(fondly("draft", "show", str(draft.id), "--json").stdout)
    for fmt, suffix in (
        ("md", "md"),
        ("txt", "txt"),
        ("html", "html"),
        ("pdf", "pdf"),
        ("cards", "pdf"),
        ("docx", "docx"),
    ):
        path = export(fondly, draft, fmt, tmp_path, f"{fmt}.{suffix}")
        assert path.stat().st_size > 100
    assert json.loads(fondly("draft", "show", str(draft.id), "--json").stdout) == before
    assert not list(tmp_path.glob(".*.part"))


def test_markdown_and_text(fondly, draft, tmp_path):
    md = export(fondly, draft, "md", tmp_path, "md").read_text(encoding="utf-8")
    assert md.startswith("# Frank\n\n*About ") and "Lake Travis" in md
    txt = export(fondly, draft, "txt", tmp_path, "txt").read_text(encoding="utf-8")
    assert txt.startswith("Frank\nAbout ") and "*Thank you" not in txt and "Thank you, Dad." in txt


def test_html_is_standalone_printable_and_escapes_raw_html(fondly, draft, tmp_path):
    page = export(fondly, draft, "html", tmp_path, "html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "@media print" in page and "<h1>Frank</h1>" in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<em>Thank you, Dad.</em>" in page


def test_large_print_pdf(fondly, draft, tmp_path):
    path = export(fondly, draft, "pdf", tmp_path, "pdf")
    reader = PdfReader(path)
    assert len(reader.pages) >= 2
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842  # A4
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * tm[0] if tm[0] else size)

    page.extract_text(visitor_text=visit)
    assert sizes and min(sizes) >= 18
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Frank" in text and "to read aloud" in text.split("Dad fished")[0]  # speaking time under the title
    assert "1 of " in text and f"{len(reader.pages)} of {len(reader.pages)}" in text  # page numbers
    # one page rendered to PNG, for a person to look at
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    assert (tmp_path / "page-1.png").stat().st_size > 5000


def test_paragraphs_are_kept_whole_across_pages(fondly, draft, tmp_path):
    path = export(fondly, draft, "pdf", tmp_path, "pdf")
    pages = [p.extract_text() for p in PdfReader(path).pages]
    for n, text in enumerate(pages[1:], 2):  # no page starts in the middle of a paragraph
        first = text.strip().splitlines()[0]
        assert first.startswith(("He ", "Dad ", "Thank", "We ", "*")), (n, first)


def test_cue_cards(fondly, draft, tmp_path):
    from app.export import Speech, passages

    path = export(fondly, draft, "cards", tmp_path, "pdf")
    reader = PdfReader(path)
    expected = passages(Speech("Eulogy for Frank", TEXT, 120))
    assert len(reader.pages) == len(expected) >= 5
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 360 and round(float(box.height)) == 216  # 5 x 3 inches
    for n, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert f"{n} / {len(expected)}" in text
        first_words = " ".join(expected[n - 1].split()[:3])
        assert first_words in " ".join(text.split()), (n, text)


def test_docx(fondly, draft, tmp_path):
    doc = Document(str(export(fondly, draft, "docx", tmp_path, "docx")))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Frank" and texts[1].startswith("About ")
    assert any(t.startswith("Dad fished at Lake Travis") for t in texts)
    assert "Thank you, Dad." in texts


def test_export_needs_no_model(fondly, draft, tmp_path, monkeypatch):
    """Even with the model setting pointing nowhere, exporting works."""
    (fondly.home / "settings.json").write_text(json.dumps({"model": "/nowhere/model.gguf"}))
    assert export(fondly, draft, "pdf", tmp_path, "pdf").exists()


def test_empty_draft_is_a_clear_error(fondly, store, tmp_path):
    project = store.create_project("Mum")
    d, _ = store.create_draft(project.id, "Empty", "")
    proc = fondly("export", str(d.id), "--format", "pdf", "-o", tmp_path / "x.pdf", ok=False)
    assert proc.returncode == 1 and "empty" in proc.stderr
