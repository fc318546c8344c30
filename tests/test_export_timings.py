"""The large-print PDF with a rehearsal's timing marks ("≈ 1:40" at each paragraph), read back with
pdftotext."""

from __future__ import annotations

import subprocess

import pytest

from app.rehearsal import report

PARAGRAPHS = [
    "Thank you all for coming today to remember my father.",
    "He grew up on a farm near the river and learned to fish.",
    "Every summer he took us camping by the lake.",
    "He taught me to drive in his old green truck.",
]
TEXT = "# For Dad\n\n" + PARAGRAPHS[0] + "\n\n## Stories\n\n" + "\n\n".join(PARAGRAPHS[1:]) + "\n"


def _reading(skip: int | None = None, starts=(2.0, 27.0, 100.0, 161.5)):
    """Hand-made heard words: paragraph n starts at starts[n], a word every 0.4 s."""
    words = []
    for n, para in enumerate(PARAGRAPHS):
        if n == skip:
            continue
        for k, w in enumerate(para.split()):
            words.append((w, starts[n] + 0.4 * k, starts[n] + 0.4 * k + 0.3))
    return words


@pytest.fixture
def rehearsed(store):
    project = store.create_project("Dad")
    draft, rev = store.create_draft(project.id, "For Dad", TEXT, origin="imported")
    rep = report(TEXT, _reading(skip=2), target=120, target_from="draft length").to_dict()
    store.add_rehearsal(draft.id, rev.id, 170.0, rep)
    return draft.id


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_with_timings_marks_each_paragraph_read(fondly, rehearsed, tmp_path):
    out = tmp_path / "reading.pdf"
    fondly("export", rehearsed, "--format", "pdf", "--timings", "-o", out)
    text = _pdf_text(out)
    # elapsed from the first word (2.0 s): 0:00, 0:25, (skipped), 2:40
    marks = [line.strip() for line in text.splitlines() if "≈" in line]
    assert marks == ["≈ 0:00", "≈ 0:25", "≈ 2:40"], text
    # each mark sits just above its paragraph
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[lines.index("≈ 0:25") + 1].startswith("He grew up")  # not the "Stories" heading before it
    assert lines[lines.index("≈ 2:40") + 1].startswith("He taught me")
    assert "Every summer" in text  # the skipped paragraph is printed, unmarked
    assert "≈" not in _pdf_text(fondly_export_plain(fondly, rehearsed, tmp_path))


def fondly_export_plain(fondly, draft_id, tmp_path):
    out = tmp_path / "plain.pdf"
    fondly("export", draft_id, "--format", "pdf", "-o", out)
    return out


def test_timings_need_a_rehearsal_and_a_pdf(fondly, store, rehearsed, tmp_path):
    out = tmp_path / "x.pdf"
    proc = fondly("export", rehearsed, "--format", "md", "--timings", "-o", tmp_path / "x.md", ok=False)
    assert proc.returncode == 1 and "large-print PDF" in proc.stderr
    other, _ = store.create_draft(store.find_project("Dad").id, "Toast", "Cheers to Dad.\n")
    proc = fondly("export", other.id, "--format", "pdf", "--timings", "-o", out, ok=False)
    assert proc.returncode == 1 and "not been rehearsed" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["fondly-home"]  # no PDF, not even a part of one


def test_timings_of_a_rehearsal_of_another_shape_are_refused(fondly, store, rehearsed, tmp_path):
    store.add_revision(rehearsed, TEXT + "\nOne more paragraph, added after the rehearsal.\n", "edited")
    out = tmp_path / "x.pdf"
    proc = fondly("export", rehearsed, "--format", "pdf", "--timings", "-o", out, ok=False)
    assert proc.returncode == 1 and "Rehearse this version" in proc.stderr and not out.exists()
    # words edited but the same paragraphs: the marks still fit and are printed
    store.add_revision(rehearsed, TEXT.replace("old green truck", "old blue truck"), "edited")
    fondly("export", rehearsed, "--format", "pdf", "--timings", "-o", out)
    assert "≈ 2:40" in _pdf_text(out)
