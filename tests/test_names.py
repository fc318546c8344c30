"""Names and the bin (issue 25, point 2): a new draft is named from its Brief and never shares a name;
drafts and memories are renamed and deleted to a bin that gives them back for 30 days and empties
itself after; the reading copy carries the name; the export dialog proposes it and remembers."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app import deleting, names
from app.errors import FondlyError
from tests.helpers import ScriptedEngine, db_dump


def ago(days: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")


# --- a new draft's name: from the Brief, never the shorthand, never twice ---------------------


class P:
    """A project as draft_title reads it."""

    def __init__(self, subject: str = "", title: str = "Speech") -> None:
        self.subject, self.title = subject, title


# the shorthand naming each occasion, and the noun its drafts are named with
OCCASION_SHORTHAND = {
    "funeral": ("write a funeral speech using dad.txt, 3 mins", "Eulogy for"),
    "wedding": ("need a 2min toast, couple of jokes, nothing about her ex", "A toast to"),
    "retirement": ("retirement speech, warm, 5 minutes", "Retirement speech for"),
    "birthday": ("a speech for the party, 4 minutes", "Birthday speech for"),
    "other": ("a speech for the evening, 2 minutes", "Speech for"),
}


@pytest.mark.parametrize("occasion", list(OCCASION_SHORTHAND))
@pytest.mark.parametrize(
    "subject, who",
    [("my gran", "Gran"), ("Sam and Priya", "Sam and Priya"), ("Carol Jones, my boss", "Carol Jones"), ("", None)],
)
def test_a_new_draft_is_named_from_its_brief_for_every_occasion(occasion, subject, who):
    from app.writing import draft_title
    from llm.brief import parse

    shorthand, noun = OCCASION_SHORTHAND[occasion]
    brief = parse(shorthand, occasion=occasion, subject=subject)
    assert brief.occasion == occasion
    name = draft_title(brief, P(subject, title="Wilf"))
    assert name == f"{noun} {who or 'Wilf'}"  # with no subject, the project's title says whom it is for
    assert shorthand not in name and "\n" not in name and len(name) <= 80


@pytest.mark.parametrize(
    "shorthand, occasion, subject, expected",
    [
        ("retirement speech for Carol, 5 minutes", "retirement", "", "Retirement speech for Carol"),
        ("need a 2min toast for Sam and Priya, couple of jokes", "wedding", "", "A toast to Sam and Priya"),
        ("eulogy for my gran Eileen", "funeral", "", "Eulogy for Eileen"),
        ("Write me an anecdote about the leeks", "funeral", "Grandad", "Anecdote for Grandad: the leeks"),
        ("speech for her 90th birthday", "birthday", "Mum", "Birthday speech for Mum"),
    ],
)
def test_the_subject_the_shorthand_names_is_the_one_the_name_carries(shorthand, occasion, subject, expected):
    from app.writing import draft_title
    from llm.brief import parse

    assert draft_title(parse(shorthand, occasion=occasion, subject=subject), P(subject, "Project")) == expected


@pytest.mark.parametrize("title", ["Dad's eulogy", "Golden anniversary", "Tom's wedding", "Carol's farewell"])
def test_a_project_title_that_already_says_what_the_speech_is_is_not_wrapped_again(title):
    from app.writing import draft_title
    from llm.brief import parse

    brief = parse("a speech, 3 minutes", occasion="funeral")
    assert draft_title(brief, P("", title)) == title  # never "Eulogy for Dad's eulogy"


def test_names_are_numbered_when_taken():
    assert names.unique("Eulogy for Gran", []) == "Eulogy for Gran"
    assert names.unique("Eulogy for Gran", ["Eulogy for Gran"]) == "Eulogy for Gran (2)"
    assert names.unique("Eulogy for Gran", ["eulogy for gran", "Eulogy for Gran (2)"]) == "Eulogy for Gran (3)"
    assert names.unique("Eulogy for Gran (2)", ["Eulogy for Gran (2)"]) == "Eulogy for Gran (3)"
    assert names.unique("  Eulogy \n for   Gran ", []) == "Eulogy for Gran"
    long = "x" * 200
    assert len(names.unique(long, [long])) == 200 and names.unique(long, [long]).endswith(" (2)")


def test_written_and_imported_drafts_get_names_no_other_draft_has(store, tmp_path):
    from app.speech_import import import_draft
    from app.writing import write

    project = store.create_project("Gran", subject="my gran")
    store.add_memory(project.id, "typed", "garden", text="Gran grew roses in the garden and gave them away.")
    engine = ScriptedEngine([], parameters=135_000_000)
    first = write(store, project, "write a funeral speech using garden, 1 minute", engine, seed=1)
    second = write(store, project, "write a funeral speech using garden, 1 minute", engine, seed=2)
    assert (first.draft.title, second.draft.title) == ("Eulogy for Gran", "Eulogy for Gran (2)")
    store.to_bin("draft", first.draft.id)  # one in the bin may come back: its name is still taken
    third = write(store, project, "write a funeral speech using garden, 1 minute", engine, seed=3)
    assert third.draft.title == "Eulogy for Gran (3)"
    speech = tmp_path / "Eulogy for Gran.txt"
    speech.write_text("Gran grew roses.\n", encoding="utf-8")
    assert import_draft(store, project, speech)[0].title == "Eulogy for Gran (4)"


# --- file names an export proposes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "title, ext, expected",
    [
        ("Eulogy for Gran", ".pdf", "Eulogy for Gran.pdf"),
        ("Mum/Dad: 50 years?", "docx", "Mum Dad 50 years.docx"),
        ('A toast to "Sam" <and> Priya|*', ".md", "A toast to Sam and Priya.md"),
        ("..", ".txt", "Speech.txt"),
        ("   ", ".pdf", "Speech.pdf"),
        ("CON", ".txt", "CON speech.txt"),
        ("tab\there\x00", ".html", "tab here.html"),
    ],
)
def test_file_names_are_safe_for_every_file_system(title, ext, expected):
    assert names.file_name(title, ext) == expected


def test_a_long_name_is_cut_to_fit_a_folder_on_a_character_boundary():
    name = names.file_name("Éloge pour Grand-mère " * 20, ".pdf")
    assert name.endswith(".pdf") and len(name.encode("utf-8")) <= names.FILE_NAME_MAX + 4
    name.encode("utf-8")  # no half character


# --- the bin's rules (app.deleting, store.purge, the start) --------------------------------------


def test_what_is_busy_cannot_be_deleted_and_nothing_changes(store, fondly_home):
    project = store.create_project("Gran")
    recording = store.add_memory(project.id, "voice", "garden", status="recording")
    d, _ = store.create_draft(project.id, "Eulogy for Gran", "Gran.", checks={"writing": 1})
    before = db_dump(fondly_home)
    with pytest.raises(FondlyError, match="still being recorded"):
        deleting.to_bin(store, "memory", recording.id)
    with pytest.raises(FondlyError, match="still being written"):
        deleting.to_bin(store, "draft", d.id)
    assert db_dump(fondly_home) == before
    ready = store.add_memory(project.id, "typed", "roses", text="Roses.")
    before = db_dump(fondly_home)
    with pytest.raises(FondlyError, match="still being transcribed"):
        deleting.to_bin(store, "memory", ready.id, busy=True)  # the window knows it is being transcribed
    assert db_dump(fondly_home) == before


def test_delete_restore_and_delete_for_good(store):
    project = store.create_project("Gran")
    m = store.add_memory(project.id, "typed", "garden", text="Roses.")
    d, _ = store.create_draft(project.id, "Eulogy for Gran", "Gran.")
    gone = deleting.to_bin(store, "memory", m.id)
    assert deleting.moved(gone) == "Moved “garden” to the bin — File → Bin… brings it back for 30 days."
    with pytest.raises(FondlyError, match="already in the bin"):
        deleting.to_bin(store, "memory", m.id)
    assert store.memories(project.id) == [] and [x.id for x in store.binned(project.id)] == [m.id]
    deleting.from_bin(store, "memory", m.id)
    assert [x.title for x in store.memories(project.id)] == ["garden"]
    with pytest.raises(FondlyError, match="not in the bin"):
        deleting.delete_for_good(store, "draft", d.id)
    deleting.to_bin(store, "draft", d.id)
    deleting.delete_for_good(store, "draft", d.id)
    with pytest.raises(FondlyError, match="There is no draft"):
        store.draft(d.id)
    assert store.revisions(d.id) == [] and store.binned(project.id) == []


def test_days_left():
    now = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)
    assert deleting.days_left("2026-12-06T12:00:00+00:00", now) == 30
    assert deleting.days_left("2026-11-06T18:00:00+00:00", now) == 1  # a quarter of a day is still "1 day"
    assert deleting.days_left("2026-10-01T00:00:00+00:00", now) == 0


def test_every_start_empties_the_bin_of_what_is_older_than_30_days(store, fondly_home):
    from app.recovery import settle_at_start

    project = store.create_project("Gran")
    old = store.add_memory(project.id, "typed", "old", text="Long ago.")
    young = store.add_memory(project.id, "typed", "young", text="Lately.")
    old_draft, _ = store.create_draft(project.id, "Old eulogy", "Then.")
    audio = fondly_home / "audio" / "memory-old.flac"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"fLaC")
    store.update_memory(old.id, deleted=ago(31), audio_path=str(audio))
    store.update_memory(young.id, deleted=ago(29))
    store.to_bin("draft", old_draft.id)
    store.db["drafts"].update(old_draft.id, {"deleted": ago(31)})  # a test reaching back in time
    assert settle_at_start(store).emptied == 2  # 31 days: gone; 29 days: kept
    assert [x.title for x in store.binned(project.id)] == ["young"]
    assert not audio.exists()  # its audio in the data folder went with it
    store.update_memory(young.id, deleted=ago(30.5))
    settled = settle_at_start(store)
    assert settled.emptied == 1 and "emptied of 1" in settled.said() and "30 days" in settled.said()
    assert settle_at_start(store).said() == ""  # nothing more to say


# --- the reading copy carries the draft's name ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "cards"])
def test_a_renamed_drafts_reading_copy_and_cards_print_its_name(store, tmp_path, fmt):
    from app.export import export_draft

    project = store.create_project("Gran")
    d, _ = store.create_draft(project.id, "write a funeral speech using dad.txt", "Gran grew roses.\n\nShe sang.")
    store.rename("draft", d.id, "Eulogy for Gran")
    path = export_draft(store, d.id, fmt, tmp_path / f"{fmt}.pdf")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Eulogy for Gran" in text and "funeral speech" not in text


# --- the CLI ------------------------------------------------------------------------------------------


def test_cli_rename_delete_and_the_bin(fondly, fondly_home):
    from app.store import Store

    pid = fondly("project", "new", "Gran", "--subject", "my gran").stdout.strip()
    store = Store.open_default()
    m = store.add_memory(int(pid), "typed", "garden", text="Gran grew roses.")
    d, _ = store.create_draft(int(pid), "write a funeral speech", "Gran grew roses.")
    store.close()

    assert fondly("draft", "rename", d.id, "  Eulogy   for Gran ").stdout.strip() == "Eulogy for Gran"
    assert fondly("memory", "rename", m.id, "the garden").stdout.strip() == "the garden"
    blank = fondly("memory", "rename", m.id, "  ", ok=False)
    assert blank.returncode == 1 and blank.stderr.startswith("fondly: error: A memory needs a name")
    missing = fondly("draft", "rename", "99", "x", ok=False)
    assert missing.returncode == 1 and "There is no draft 99" in missing.stderr

    out = fondly("memory", "delete", m.id)
    assert "Moved “the garden” to the bin — `fondly bin restore memory" in out.stderr
    again = fondly("memory", "delete", m.id, ok=False)
    assert again.returncode == 1 and "already in the bin" in again.stderr
    fondly("draft", "delete", d.id)
    assert json.loads(fondly("memory", "list", "Gran", "--json").stdout) == []
    assert json.loads(fondly("draft", "list", "Gran", "--json").stdout) == []

    binned = json.loads(fondly("bin", "Gran", "--json").stdout)
    assert {(b["kind"], b["id"], b["title"], b["days_left"]) for b in binned} == {
        ("memory", m.id, "the garden", 30),
        ("draft", d.id, "Eulogy for Gran", 30),
    }
    plain = fondly("bin").stdout
    assert "the garden\tGran\t" in plain and "30 days left" in plain

    assert "Restored “the garden”" in fondly("bin", "restore", "memory", m.id).stderr
    assert [x["title"] for x in json.loads(fondly("memory", "list", "Gran", "--json").stdout)] == ["the garden"]
    not_there = fondly("bin", "restore", "memory", m.id, ok=False)
    assert not_there.returncode == 1 and "is not in the bin" in not_there.stderr
    refused = fondly("bin", "delete", "draft", d.id, input="n\n", ok=False)
    assert refused.returncode == 1 and "Nothing was deleted" in refused.stderr
    fondly("bin", "delete", "draft", d.id, "--yes")
    assert fondly("bin", "Gran").stdout == "" and "The bin is empty" in fondly("bin", "Gran").stderr
    assert fondly("bin", "restore", "thing", "1", ok=False).returncode == 2


def test_cli_refuses_to_delete_a_memory_being_recorded(fondly, fondly_home):
    from app.store import Store

    fondly("project", "new", "Gran")
    store = Store.open_default()
    m = store.add_memory(store.find_project("Gran").id, "typed", "typing", status="transcribing")
    store.close()
    before = db_dump(fondly_home)
    out = fondly("memory", "delete", m.id, ok=False)
    assert out.returncode == 1 and "“typing” is still being transcribed" in out.stderr
    assert db_dump(fondly_home) == before


def test_cli_says_when_a_start_emptied_the_bin(fondly, fondly_home):
    from app.store import Store

    fondly("project", "new", "Gran")
    store = Store.open_default()
    m = store.add_memory(store.find_project("Gran").id, "typed", "old", text="x")
    store.update_memory(m.id, deleted=ago(31))
    store.close()
    out = fondly("project", "list")
    assert "The bin was emptied of 1" in out.stderr
    assert "emptied" not in fondly("project", "list").stderr


# --- the window: memories renamed and deleted, the Bin, the export dialog --------------------------


@pytest.fixture
def desk(make_window, qtbot):
    from tests.helpers import make_project

    window = make_window(ScriptedEngine([], parameters=135_000_000))
    make_project(window, qtbot, "Gran")
    return window


def _memory_row(window, title):
    return next(
        window.memories.list.item(i)
        for i in range(window.memories.list.count())
        if window.memories.list.item(i).text().split("\n")[0] == title
    )


def test_a_memory_is_renamed_with_f2_and_deleted_with_the_delete_key(desk, qtbot):
    window, mem = desk, desk.memories
    m = window.store.add_memory(window.project.id, "typed", "garden", text="Gran grew roses.")
    mem.reload()
    mem.list.setCurrentItem(_memory_row(window, "garden"))  # opens it in the editor
    assert window.document.memory_id == m.id
    mem.list.setFocus()
    qtbot.waitUntil(mem.list.hasFocus)
    qtbot.keyClick(mem.list, Qt.Key.Key_F2)
    dialog = mem.rename_dialog_box
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.textValue() == "garden"
    dialog.setTextValue("Gran's garden")
    dialog.accept()
    assert mem.titles() == ["Gran's garden"] and window.store.memory(m.id).title == "Gran's garden"

    window.activateWindow()
    mem.list.setFocus()
    qtbot.waitUntil(mem.list.hasFocus)
    qtbot.keyClick(mem.list, Qt.Key.Key_Delete)
    assert mem.titles() == [] and window.store.memory(m.id).deleted
    assert window.message.label.text() == ("Moved “Gran's garden” to the bin — File → Bin… brings it back for 30 days.")
    assert window.document.doc is None and window.document.editor.toPlainText() == ""  # the editor let it go
    assert window.message.undo_btn.isVisible()
    qtbot.mouseClick(window.message.undo_btn, Qt.MouseButton.LeftButton)
    assert mem.titles() == ["Gran's garden"] and window.store.memory(m.id).deleted is None


def test_a_memory_being_transcribed_is_not_deleted(desk, fondly_home):
    window, mem = desk, desk.memories
    m = window.store.add_memory(window.project.id, "audio", "interview", status="transcribing")
    mem.reload(chosen=m.id)
    mem.progress[m.id] = 0.4  # the window is transcribing it
    before = db_dump(fondly_home)
    mem.delete_action.trigger()
    assert "“interview” is still being transcribed" in window.message.label.text()
    assert window.message.property("error") and db_dump(fondly_home) == before
    assert mem.titles() == ["interview"]


def test_the_bin_restores_and_deletes_for_good(desk, qtbot):
    from PySide6.QtWidgets import QMessageBox

    from app.ui.bin_dialog import BinDialog

    window, store = desk, desk.store
    pid = window.project.id
    m = store.add_memory(pid, "typed", "garden", text="Roses.")
    d, _ = store.create_draft(pid, "Eulogy for Gran", "Gran grew roses.")
    store.to_bin("draft", d.id)
    store.to_bin("memory", m.id)
    store.update_memory(m.id, deleted=ago(2))  # the draft went later: it comes first
    window.reload_drafts()
    window.memories.reload()
    bin_action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "B&in…")
    bin_action.trigger()
    dialog = next(w for w in window.findChildren(BinDialog))
    qtbot.waitUntil(dialog.isVisible)
    rows = [[dialog.tree.topLevelItem(i).text(c) for c in range(4)] for i in range(dialog.tree.topLevelItemCount())]
    assert [r[:2] for r in rows] == [["Eulogy for Gran", "Draft"], ["garden", "Memory"]]
    assert [r[3] for r in rows] == ["30 days", "28 days"]

    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(1))
    qtbot.mouseClick(dialog.restore_btn, Qt.MouseButton.LeftButton)
    assert window.memories.titles() == ["garden"]  # the window's list reloaded
    assert dialog.tree.topLevelItemCount() == 1 and "is back" in window.message.label.text()

    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    qtbot.mouseClick(dialog.restore_btn, Qt.MouseButton.LeftButton)
    drafts = window.drafts_panel.tree
    assert [drafts.topLevelItem(i).text(0) for i in range(drafts.topLevelItemCount())] == ["Eulogy for Gran"]
    assert dialog.note.text() == "The bin is empty." and not dialog.restore_btn.isEnabled()

    store.to_bin("memory", m.id)
    dialog.reload()
    box = dialog.delete_for_good()
    qtbot.waitUntil(box.isVisible)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert dialog.tree.topLevelItemCount() == 1  # Cancel deletes nothing
    box = dialog.delete_for_good()
    qtbot.waitUntil(box.isVisible)
    next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole).click()
    assert dialog.tree.topLevelItemCount() == 0
    with pytest.raises(FondlyError):
        store.memory(m.id)
    dialog.close()


def test_the_export_dialog_proposes_the_drafts_name_and_remembers(desk, qtbot, tmp_path, monkeypatch):
    from app.ui.export_dialog import EXPORT_FILTERS, ask_and_export

    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    window, store = desk, desk.store
    d, _ = store.create_draft(window.project.id, "Mum/Dad: a toast?", "Here's to them.")
    store.rename("draft", d.id, "Eulogy for Gran")
    said = []

    dialog = ask_and_export(window, store, d.id, said.append, said.append)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.selectedNameFilter() == EXPORT_FILTERS["pdf"]  # the first time: the large-print copy
    assert Path(dialog.directory().absolutePath()) == home / "Documents"
    assert [Path(f).name for f in dialog.selectedFiles()] == ["Eulogy for Gran.pdf"]
    dialog.selectNameFilter(EXPORT_FILTERS["docx"])
    dialog.filterSelected.emit(EXPORT_FILTERS["docx"])  # as choosing it in the list does
    assert [Path(f).name for f in dialog.selectedFiles()] == ["Eulogy for Gran.docx"]
    folder = tmp_path / "out"
    folder.mkdir()
    dialog.fileSelected.emit(str(folder / "Eulogy for Gran.docx"))
    assert (
        said == [f"Exported to {folder / 'Eulogy for Gran.docx'}."] and (folder / "Eulogy for Gran.docx").stat().st_size
    )
    dialog.close()

    store.rename("draft", d.id, "Toast for Sam and Priya")
    again = ask_and_export(window, store, d.id, said.append, said.append)
    qtbot.waitUntil(again.isVisible)
    assert again.selectedNameFilter() == EXPORT_FILTERS["docx"]  # remembered
    assert Path(again.directory().absolutePath()) == folder
    assert [Path(f).name for f in again.selectedFiles()] == ["Toast for Sam and Priya.docx"]
    again.close()


def test_with_no_documents_folder_the_first_export_goes_home(fondly_home, tmp_path, monkeypatch):
    from app.ui.export_dialog import proposed_name, remember, remembered

    home = tmp_path / "bare-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    assert remembered() == ("pdf", home)
    remember("cards", tmp_path / "gone")  # a folder since removed (a USB stick): back to home, format kept
    assert remembered() == ("cards", home)
    assert proposed_name("Eulogy for Gran", "cards") == "Eulogy for Gran — cue cards.pdf"
