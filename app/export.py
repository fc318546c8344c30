"""Exporting a draft for delivery: Markdown, plain text, HTML, a large-print PDF, cue cards, DOCX.

Exports read the draft and never change it, and need no model. Each file is written
to a temporary name beside the target and renamed into place, so an interrupted
export never leaves half a speech where the old one was. The PDFs are made for
reading through tears: 20 pt type, wide spacing, page numbers, paragraphs kept whole.
"""

from __future__ import annotations

import html
import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import cast

from app import speaking
from app.errors import FondlyError
from app.render import to_html
from app.store import Store
from llm.grounding import sentences

FONTS = Path(__file__).resolve().parents[1] / "assets" / "fonts"
BODY_PT = 20  # the reading copy's type size
CARD_PT = 20
MARK_PT = 14  # a timing mark's type size: readable at a glance, smaller than the speech
CARD_WORDS = 45  # a passage per card: a breath or two


class Speech:
    """What every format needs: the title, the text, and how long it takes to say."""

    def __init__(self, title: str, text: str, pace: int):
        self.title = title.strip() or "Speech"
        self.text = text.strip()
        self.pace = pace
        self.marks: dict[int, str] = {}  # paragraph (as paragraphs() counts) -> a timing mark, "≈ 1:40"
        # a leading "# Title" is the title, not the first paragraph
        m = re.match(r"#\s+(.+)\n+", self.text)
        if m:
            self.title, self.text = m.group(1).strip(), self.text[m.end() :].strip()

    @property
    def time(self) -> str:
        words = speaking.word_count(self.text)
        return f"About {speaking.format_duration(speaking.speaking_seconds(words, self.pace))} to read aloud ({words} words at {self.pace} per minute)"

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.text) if p.strip()]


def plain(text: str) -> str:
    """Markdown marks taken out, for formats that show words only."""
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", text)
    return re.sub(r"^\s*[-*+]\s+", "• ", text, flags=re.MULTILINE)


def to_markdown(s: Speech) -> bytes:
    return f"# {s.title}\n\n*{s.time}*\n\n{s.text}\n".encode()


def to_text(s: Speech) -> bytes:
    return f"{s.title}\n{s.time}\n\n{plain(s.text)}\n".encode()


HTML_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: Georgia, "DejaVu Serif", serif; font-size: 20pt; line-height: 1.6;
         max-width: 36em; margin: 2em auto; padding: 0 1em; color: #1f1f1f; }}
  h1 {{ font-size: 1.6em; margin-bottom: 0.2em; }}
  .time {{ color: #555; font-style: italic; margin-top: 0; }}
  p {{ margin: 0 0 1em; }}
  @media print {{
    body {{ max-width: none; margin: 0; font-size: 20pt; }}
    p {{ page-break-inside: avoid; orphans: 3; widows: 3; }}
    @page {{ margin: 2.5cm; }}
  }}
</style></head>
<body>
<h1>{title}</h1>
<p class="time">{time}</p>
{body}
</body></html>
"""


def to_html_page(s: Speech) -> bytes:
    page = HTML_PAGE.format(title=html.escape(s.title), time=html.escape(s.time), body=to_html(s.text))
    return page.encode("utf-8")


def _pdf(page_format, orientation: str = "P"):
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format=page_format)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
    return pdf


def to_pdf(s: Speech) -> bytes:
    """A reading copy: A4, 20 pt, 1.6 line spacing, page numbers, paragraphs whole where they fit;
    with `s.marks`, each paragraph's timing mark above it (see `timing_marks`)."""
    from fpdf import FPDF

    class Reading(FPDF):
        def footer(self) -> None:
            self.set_y(-18)
            self.set_font("DejaVu", "", 18)
            self.cell(0, 10, f"{self.page_no()} of {{nb}}", align="C")

    pdf = Reading(unit="mm", format="A4")
    for style, name in (("", "DejaVuSans"), ("B", "DejaVuSans-Bold"), ("I", "DejaVuSans-Oblique")):
        pdf.add_font("DejaVu", style, str(FONTS / f"{name}.ttf"))
    pdf.set_margins(25, 22, 25)
    pdf.set_auto_page_break(True, margin=28)
    pdf.alias_nb_pages()
    pdf.set_title(s.title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 28)
    pdf.multi_cell(0, 13, s.title, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "I", 18)
    pdf.multi_cell(0, 10, s.time, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(6)
    line = BODY_PT * 0.3528 * 1.6  # points to mm, at 1.6 spacing
    usable = pdf.h - pdf.t_margin - pdf.b_margin
    for n, para in enumerate(s.paragraphs()):
        heading = para.startswith("#")
        pdf.set_font("DejaVu", "B" if heading else "", BODY_PT)
        text = plain(para)
        # output="HEIGHT" gives the height alone (fpdf2 types every output's result as one union)
        height = cast(
            float,
            pdf.multi_cell(0, line, text, dry_run=True, output="HEIGHT", new_x="LMARGIN", new_y="NEXT", align="L"),
        )
        mark = s.marks.get(n)
        if mark:
            height += MARK_PT * 0.3528 * 1.4
        if pdf.get_y() + height > pdf.h - pdf.b_margin and height <= usable:
            pdf.add_page()  # keep the paragraph whole on the next page
        if mark:  # the time it began in the last rehearsal, small and to the side: a guide, not a script
            pdf.set_font("DejaVu", "I", MARK_PT)
            pdf.set_text_color(90, 90, 90)
            pdf.cell(0, MARK_PT * 0.3528 * 1.4, mark, new_x="LMARGIN", new_y="NEXT", align="R")
            pdf.set_text_color(0, 0, 0)
            pdf.set_font("DejaVu", "B" if heading else "", BODY_PT)
        pdf.multi_cell(0, line, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(line * 0.6)
    return bytes(pdf.output())


def passages(s: Speech, words: int = CARD_WORDS) -> list[str]:
    """The speech in card-sized passages: each paragraph, long ones split between sentences."""
    out = []
    for para in s.paragraphs():
        current: list[str] = []
        for sentence in sentences(plain(para)):
            if current and len(" ".join(current + [sentence]).split()) > words:
                out.append(" ".join(current))
                current = []
            current.append(sentence)
        if current:
            out.append(" ".join(current))
    return out


def to_cards(s: Speech) -> bytes:
    """Cue cards: 5 × 3 inch pages, one passage each, numbered, large type."""
    pdf = _pdf((76.2, 127.0), orientation="L")
    pdf.set_margins(8, 8, 8)
    pdf.set_auto_page_break(False)
    pdf.set_title(s.title)
    cards = passages(s)
    for n, text in enumerate(cards, 1):
        pdf.add_page()
        pdf.set_font("DejaVu", "", 9)  # the speech's name on every card: a dropped pile sorts itself
        name = s.title
        while len(name) > 1 and pdf.get_string_width(name) > 85:
            name = name[:-2].rstrip() + "…"
        pdf.set_xy(8, 4)
        pdf.cell(85, 6, name, align="L")
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_xy(8, 4)
        pdf.cell(0, 6, f"{n} / {len(cards)}", align="R")
        size = CARD_PT
        while size > 14:  # shrink only a little, and only for a long passage
            pdf.set_font("DejaVu", "", size)
            if pdf.multi_cell(111, size * 0.3528 * 1.35, text, dry_run=True, output="HEIGHT", align="L") <= 60:
                break
            size -= 1
        pdf.set_font("DejaVu", "", size)
        pdf.set_xy(8, 12)
        pdf.multi_cell(111, size * 0.3528 * 1.35, text, align="L")
    return bytes(pdf.output())


def to_docx(s: Speech) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(16)
    style.paragraph_format.line_spacing = 1.5
    doc.add_heading(s.title, level=0)
    doc.add_paragraph().add_run(s.time).italic = True
    for para in s.paragraphs():
        if para.startswith("#"):
            doc.add_heading(plain(para), level=1)
        else:
            doc.add_paragraph(plain(para))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# fmt: off
FORMATS: dict[str, tuple[str, Callable[[Speech], bytes]]] = {
    "md": (".md", to_markdown),
    "txt": (".txt", to_text),
    "html": (".html", to_html_page),
    "pdf": (".pdf", to_pdf),
    "cards": (".pdf", to_cards),
    "docx": (".docx", to_docx),
}
# fmt: on


def write_atomically(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise FondlyError(f"The folder {path.parent} does not exist. Choose an existing folder to export into.")
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise FondlyError(f"Fondly can't write {path} ({e.strerror}). Choose another place to export to.") from None


def timing_marks(store: Store, draft_id: int, speech: Speech) -> dict[int, str]:
    """ "≈ 1:40" for each paragraph the draft's last rehearsal read: the time elapsed, from its first
    word, when that paragraph began. A paragraph skipped in the rehearsal gets no mark.

    The rehearsal counted paragraphs as app.alignment does (headings not counted); a block of
    the export that holds a heading and its first paragraph takes that paragraph's mark. A
    rehearsal of an earlier revision is used while the paragraphs are still the same in number
    (words edited); otherwise its times would be printed against the wrong paragraphs."""
    from app.alignment import paragraphs
    from app.rehearsal import paragraph_starts

    last = store.last_rehearsal(draft_id)
    if last is None:
        raise FondlyError(
            "This draft has not been rehearsed yet, so there are no timings to print. "
            "Rehearse it (fondly rehearse DRAFT AUDIO), or export without timings."
        )
    rehearsed = last.report.get("paragraphs", [])
    blocks = speech.paragraphs()
    counts = [len(paragraphs(b)) for b in blocks]
    if sum(counts) != len(rehearsed):
        raise FondlyError(
            f"The last rehearsal read a version with {len(rehearsed)} paragraphs; this one has "
            f"{sum(counts)}. Rehearse this version to print its timings."
        )
    starts = paragraph_starts(last.report)
    marks, spoken = {}, 0
    for n, count in enumerate(counts):
        if count and spoken in starts:
            marks[n] = f"≈ {speaking.clock(starts[spoken])}"
        spoken += count
    return marks


def export_draft(store: Store, draft_id: int | str, fmt: str, path: str | Path, timings: bool = False) -> Path:
    """Write the draft's current text to `path` in format `fmt`; return the path written. With
    `timings`, the large-print PDF carries the last rehearsal's timing marks."""
    if fmt not in FORMATS:
        raise FondlyError(f"Fondly can't export to {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if timings and fmt != "pdf":
        raise FondlyError("Timing marks are printed in the large-print PDF; export with --format pdf.")
    draft = store.draft(draft_id)
    pace = store.project(draft.project_id).pace
    speech = Speech(draft.title, store.current_text(draft.id), pace)
    if not speech.text:
        raise FondlyError("This draft is empty; write something before exporting it.")
    if timings:
        speech.marks = timing_marks(store, draft.id, speech)
    path = Path(path).expanduser()
    write_atomically(path, FORMATS[fmt][1](speech))
    return path
