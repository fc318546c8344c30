"""The drafts column: every draft with a history a person can read, Compare, Restore, Rename and
Delete, where each sentence came from, and the checks line.

The history is app.history's: autosaves folded into sittings ("Edited 14:02–14:06") and named
points (generations, restores, snapshots, imports, the person's own names), newest first.
Selecting a point PREVIEWS it beside the text (the editor panel's preview pane, with a banner):
the person's text is never replaced by a click. Selecting a draft opens it. Compare always
compares two named things (app.ui.compare_dialog); Restore adds a revision, it never deletes one
(app.store). The buttons sit in one row above the list, so nothing that grows or shrinks below
(the checks line, the rehearsals) moves them, and they are enabled or not by what is selected,
with a tooltip saying why, instead of answering a normal click with an error.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import deleting, history
from app.errors import USER_ERRORS, FondlyError
from app.history import Entry
from app.store import BIN_DAYS, Project, Store
from app.ui.compare_dialog import CompareDialog
from app.ui.dialogs import ask_name
from app.ui.popups import keep_on_screen
from app.ui.provenance import checks_line, sentence_rows

FLAGGED = QColor("#d9480f")
ROLE = Qt.ItemDataRole.UserRole
YOUR_TEXT = "Your text now"

NOTHING_TO_COMPARE = (
    "Select a point in a draft's history to compare it with your text now, "
    "or Ctrl+click two points to compare them with each other."
)
NOTHING_TO_RESTORE = "Select one point in a draft's history to make it your text again."
NOTHING_TO_RENAME = "Select a draft, or a point in its history, to rename it."
NOTHING_TO_DELETE = "Select a draft to move it to the bin."
POINTS_STAY = (
    "Points in the history are never deleted: that is what makes Restore safe. "
    "To delete the whole draft, select the draft."
)


class DraftsPanel(QWidget):
    chosen = Signal(int, object)  # draft id, None: the person chose a draft, to open in the editor
    previewing = Signal(str, str)  # an old version's text and the banner: show it beside the text, read-only
    restored = Signal(int)  # draft id: a revision is current again
    binned = Signal(str, int)  # "draft", id: moved to the bin (the editor lets go of it if it is open)
    undoable = Signal(str, object)  # news, and the callable that undoes it (the message bar's Undo)
    changed = Signal()  # a draft was renamed or binned: the lists and search show it anew
    sentence_activated = Signal(str)  # the sentence to find and select in the editor
    error = Signal(str)
    message = Signal(str)

    def __init__(
        self, store: Store, open_text: Callable[[int], str | None], titles: Callable[[], dict[int, str]] = dict
    ) -> None:
        """`open_text(draft_id)` is the editor's text when that draft is open in it, else None;
        `titles()` names the memories, for where each sentence came from."""
        super().__init__()
        self.store, self.open_text, self.titles = store, open_text, titles
        self.project: Project | None = None
        self.open_draft: int | None = None
        self.entries: dict[int, list[Entry]] = {}  # draft id → its history, newest first
        self.previewed: tuple[int, int] | None = None  # (draft id, revision id) shown in the preview pane
        self.diff_view: QTextBrowser | None = None  # the last Compare window's text (tests read it)
        self.tree = QTreeWidget(headerHidden=True)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.tree.setAccessibleName("Drafts and their history")
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.currentItemChanged.connect(lambda item, _prev: self._chosen(item))
        self.tree.itemClicked.connect(lambda item, _col: self._chosen(item, again=True))
        self.tree.itemSelectionChanged.connect(self.update_buttons)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        for key, slot in (("F2", self.rename), (QKeySequence.StandardKey.Delete, self.delete)):
            QShortcut(QKeySequence(key), self.tree, slot).setContext(
                Qt.ShortcutContext.WidgetShortcut
            )  # the list's own
        self.compare_btn = QPushButton("Compare", clicked=self.compare)  # type: ignore[call-overload]  # stubs lack signal kwargs
        self.restore_btn = QPushButton("Restore", clicked=self.restore)  # type: ignore[call-overload]  # stubs lack signal kwargs
        self.rename_btn = QPushButton("Rename…", clicked=self.rename)  # type: ignore[call-overload]  # stubs lack signal kwargs
        self.delete_btn = QPushButton("Delete", clicked=self.delete)  # type: ignore[call-overload]  # stubs lack signal kwargs
        self.buttons = (self.compare_btn, self.restore_btn, self.rename_btn, self.delete_btn)
        self.sentences = QListWidget(wordWrap=True)  # type: ignore[call-arg]  # stubs lack inherited property kwargs
        self.sentences.setAccessibleName("Sentence sources")
        self.sentences.itemActivated.connect(lambda item: self.sentence_activated.emit(item.toolTip()))
        self.checks = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Drafts and their history"))
        row = QHBoxLayout()  # above the list: nothing below it can move them
        for b in self.buttons:
            row.addWidget(b)
        layout.addLayout(row)
        layout.addWidget(self.tree, 1)
        layout.addWidget(QLabel("Where each sentence came from"))
        layout.addWidget(self.sentences, 1)
        layout.addWidget(self.checks)
        self.update_buttons()

    # --- the drafts and their history -------------------------------------------------------

    def reload(self, project: Project | None, open_draft: int | None) -> None:
        """Every draft of `project`, newest first, each with its history. What was selected stays
        selected (an autosave while a point is previewed must not jump the list); a draft newly
        open is selected."""
        keep = (
            project is not None
            and self.project is not None
            and project.id == self.project.id
            and open_draft == self.open_draft
        )
        selected = [self.key(i) for i in self.tree.selectedItems()] if keep else []
        current = self.key(cur) if keep and (cur := self.tree.currentItem()) else None
        expanded = {self.key(top)[1] for top in self._drafts() if top.isExpanded()} if keep else set()
        self.project, self.open_draft, self.entries = project, open_draft, {}
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[tuple, QTreeWidgetItem] = {}
        if project:
            for d in reversed(self.store.drafts(project.id)):
                top = QTreeWidgetItem([d.title])
                top.setData(0, ROLE, ("draft", d.id, None))
                top.setToolTip(0, f"{d.title}: select to open it in the editor")
                self.entries[d.id] = history.newest_first(self.store.revisions(d.id))
                for e in self.entries[d.id]:
                    child = QTreeWidgetItem([e.row(project.pace)])
                    child.setData(0, ROLE, ("entry", d.id, e.revision_id))
                    child.setToolTip(0, self._tooltip(e))
                    top.addChild(child)
                    items.update({("entry", d.id, rid): child for rid in e.revision_ids})
                self.tree.addTopLevelItem(top)
                items[("draft", d.id, None)] = top
                top.setExpanded(d.id in expanded or d.id == open_draft)
        if current in items:
            self.tree.setCurrentItem(items[current])
        for key in selected:
            if key in items:
                items[key].setSelected(True)
        if not selected and ("draft", open_draft, None) in items:
            self.tree.setCurrentItem(items[("draft", open_draft, None)])
        self.tree.blockSignals(False)
        self.update_buttons()

    @staticmethod
    def key(item: QTreeWidgetItem) -> tuple:
        return item.data(0, ROLE)

    def _drafts(self) -> list[QTreeWidgetItem]:
        """The tree's top-level items, a draft each (Qt says None only past the count)."""
        tops = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [top for top in tops if top is not None]

    @staticmethod
    def _tooltip(e: Entry) -> str:
        lines = [e.name] + ([f"({e.automatic})"] if e.label else [])
        if len(e.revision_ids) > 1:
            lines.append(f"{len(e.revision_ids)} versions kept while editing, shown as one")
        lines.append("Select to preview it beside your text; Compare shows what changed since.")
        return "\n".join(lines)

    def entry(self, draft_id: int, revision_id: int) -> Entry | None:
        return history.entry_for(self.entries.get(draft_id, []), revision_id)

    def _shown(self, draft_id: int, revision_id: int) -> Entry:
        """The entry of a point the tree shows: there is one, as the tree is built from self.entries."""
        entry = self.entry(draft_id, revision_id)
        assert entry is not None, (draft_id, revision_id)
        return entry

    def _chosen(self, item: QTreeWidgetItem | None, again: bool = False) -> None:
        """A draft opens in the editor; a point in its history is previewed beside the text."""
        if item is None:
            return
        kind, draft_id, revision_id = self.key(item)
        if kind == "draft" and not again or kind == "draft" and self.previewed:
            self.chosen.emit(draft_id, None)
        elif kind == "entry" and (not again or self.previewed != (draft_id, revision_id)):
            self.preview(draft_id, revision_id)

    def preview(self, draft_id: int, revision_id: int) -> None:
        entry = self._shown(draft_id, revision_id)
        revision = self.store.revision(revision_id)
        other = self.open_draft != draft_id
        self.previewed = (draft_id, revision_id)
        self.previewing.emit(revision.text, history.banner(entry, self.store.draft(draft_id).title if other else None))
        self.show_revision(revision, self.titles())  # where its sentences came from, not the text's

    def preview_closed(self) -> None:
        """The editor shows the person's own text again (an edit, a draft opened, Back to your text)."""
        self.previewed = None

    def selected(self) -> tuple[list[tuple[int, int]], list[int]]:
        """(draft id, revision id) of each selected point in a history, oldest first; the selected drafts' ids."""
        entries, drafts = [], []
        for item in self.tree.selectedItems():
            kind, draft_id, revision_id = self.key(item)
            if kind == "entry":
                entries.append((draft_id, revision_id))
            else:
                drafts.append(draft_id)
        return sorted(entries, key=lambda x: x[1]), drafts

    def selected_revisions(self) -> list[tuple[int, int]]:
        return self.selected()[0]

    def update_buttons(self) -> None:
        """Each button enabled by what is selected, its tooltip saying what it will do or why it cannot."""
        entries, drafts = self.selected()
        one = self.entry(*entries[0]) if len(entries) == 1 else None
        if len(entries) == 2:
            a, b = (self._shown(*e) for e in entries)
            compare = f"Compare {b.name} with {a.name}, word by word"
        elif one:
            compare = f"Compare {one.name} with your text now, word by word"
        else:
            compare = (
                "Compare takes one point (with your text now) or two; more than two are selected."
                if entries
                else NOTHING_TO_COMPARE
            )
        restore = (
            f"Make {one.name} your text again (your text now stays in the history)"
            if one
            else "Select only one point to restore."
            if entries
            else NOTHING_TO_RESTORE
        )
        n = len(entries) + len(drafts)
        if n == 1 and drafts:
            rename, delete = (
                f"Rename the draft “{self.store.draft(drafts[0]).title}” (F2)",
                f"Move the draft to the bin; File → Bin… brings it back for {BIN_DAYS} days (Delete)",
            )
        else:
            rename = (
                "Name this point in the history, e.g. “Read to Mum” (F2)"
                if n == 1
                else "Select only one draft or point to rename."
                if n
                else NOTHING_TO_RENAME
            )
            delete = POINTS_STAY if entries else "Select only one draft to delete." if drafts else NOTHING_TO_DELETE
        for button, tip, ok in (
            (self.compare_btn, compare, 1 <= len(entries) <= 2),
            (self.restore_btn, restore, one is not None),
            (self.rename_btn, rename, n == 1),
            (self.delete_btn, delete, n == 1 and bool(drafts)),
        ):
            button.setEnabled(ok)
            button.setToolTip(tip)

    def filter(self, draft_ids: set[int] | None) -> None:
        """Show only these drafts (None: all), for the search box."""
        for item in self._drafts():
            item.setHidden(draft_ids is not None and self.key(item)[1] not in draft_ids)

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        if not item.isSelected():
            self.tree.setCurrentItem(item)
        self.update_buttons()
        menu = QMenu(self.tree)
        kind = self.key(item)[0]
        if kind == "entry":
            menu.addAction(
                "Compare with your text now" if len(self.selected()[0]) == 1 else "Compare", self.compare
            ).setEnabled(self.compare_btn.isEnabled())
            menu.addAction("Restore", self.restore).setEnabled(self.restore_btn.isEnabled())
            menu.addAction("Name this point…", self.rename).setEnabled(self.rename_btn.isEnabled())
        else:
            menu.addAction("Open", lambda: self.chosen.emit(self.key(item)[1], None))
            menu.addAction("Rename…", self.rename).setEnabled(self.rename_btn.isEnabled())
            menu.addAction("Delete (to the bin)", self.delete).setEnabled(self.delete_btn.isEnabled())
        at = self.tree.viewport().mapToGlobal(pos)
        keep_on_screen(menu, at).popup(at)
        self.menu = menu  # kept, for tests and so it is not collected while open

    # --- compare, restore, rename, delete ------------------------------------------------------

    def _name(self, draft_id: int, revision_id: int, with_draft: bool) -> str:
        name = self._shown(draft_id, revision_id).name
        return f"{self.store.draft(draft_id).title}: {name}" if with_draft else name

    def compare(self) -> QDialog | None:
        """One point: your text now ← that point. Two: the newer ← the older. Named, with a legend."""
        entries = self.selected()[0]
        if not 1 <= len(entries) <= 2:  # the button is disabled then; this is for a call from elsewhere
            self.error.emit("Select one revision to compare with your text now, or two to compare with each other.")
            return None
        if len(entries) == 2:
            (d_old, r_old), (d_new, r_new) = entries
            both = d_old != d_new
            newer, new_text = self._name(d_new, r_new, both), self.store.revision(r_new).text
            older, old_text = self._name(d_old, r_old, both), self.store.revision(r_old).text
        else:
            draft_id, revision_id = entries[0]
            now = self.open_text(draft_id)
            newer = YOUR_TEXT if now is not None else f"“{self.store.draft(draft_id).title}” now"
            new_text = now if now is not None else self.store.current_text(draft_id)
            older, old_text = self._name(draft_id, revision_id, False), self.store.revision(revision_id).text
        dialog = CompareDialog(self, newer, older, new_text, old_text)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.diff_view = dialog.view
        dialog.open()
        return dialog

    def restore(self) -> None:
        """Make the selected point current again; the text it replaces stays in the history."""
        entries = self.selected()[0]
        if len(entries) != 1:
            self.error.emit("Select the one revision to restore.")
            return
        draft_id, revision_id = entries[0]
        self.store.restore(draft_id, revision_id, current_text=self.open_text(draft_id))
        self.restored.emit(draft_id)

    def rename(self) -> QInputDialog | None:
        """Rename the selected draft, or name the selected point in its history ("" gives back Fondly's name)."""
        items = self.tree.selectedItems()
        if len(items) != 1:
            return None
        kind, draft_id, revision_id = self.key(items[0])
        if kind == "draft":
            return ask_name(
                self,
                "Rename the draft",
                "The draft's name (the reading copy and the exported file carry it):",
                self.store.draft(draft_id).title,
                lambda text: self.rename_draft(draft_id, text),
            )
        entry = self._shown(draft_id, revision_id)
        return ask_name(
            self,
            "Name this point in the history",
            f"A name for {entry.automatic} (leave it empty for Fondly's own name):",
            entry.label or "",
            lambda text: self.label(draft_id, revision_id, text),
        )

    def rename_draft(self, draft_id: int, title: str) -> None:
        try:
            self.store.rename("draft", draft_id, title)
        except FondlyError as e:
            self.error.emit(str(e))
            return
        self.changed.emit()

    def label(self, draft_id: int, revision_id: int, label: str) -> None:
        self.store.label_revision(revision_id, label)
        self.changed.emit()

    def delete(self) -> None:
        """Move the selected draft to the bin (its history and rehearsals with it); nothing is lost, and
        the message bar's Undo brings it straight back. app.deleting refuses a draft still being written."""
        entries, drafts = self.selected()
        if entries or len(drafts) != 1:
            return
        draft_id = drafts[0]
        try:
            draft = deleting.to_bin(self.store, "draft", draft_id)
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        if draft_id == self.open_draft or self.previewed and self.previewed[0] == draft_id:
            self.show_revision(None, {})  # its sentences' sources go with it
        self.binned.emit("draft", draft_id)
        self.changed.emit()
        self.undoable.emit(deleting.moved(draft), lambda: self.bring_back(draft_id))

    def bring_back(self, draft_id: int) -> None:
        """Undo a delete: the draft back from the bin, with its whole history."""
        try:
            draft = deleting.from_bin(self.store, "draft", draft_id)
        except USER_ERRORS as e:
            self.error.emit(str(e))
            return
        self.changed.emit()
        self.message.emit(f"“{draft.title}” is back.")

    # --- importing a draft -------------------------------------------------------------------

    def import_dialog(self) -> QFileDialog | None:
        """File → Import draft: a speech written elsewhere (.txt, .md, .docx) becomes a draft."""
        if self.project is None:
            self.error.emit("Start a speech first: File → New speech (Ctrl+N).")
            return None
        dialog = QFileDialog(self, "Import a speech as a draft", "", "Speeches (*.txt *.md *.markdown *.text *.docx)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.import_path)
        dialog.open()
        return dialog

    def import_path(self, path: str) -> None:
        """Make the draft (a small file, read at once), show it in the tree and open it; a bad file
        is one message and nothing stored (app.speech_import checks it whole first)."""
        from app.speech_import import import_draft

        assert self.project is not None  # the file dialog opens only with a speech open
        try:
            draft, _rev = import_draft(self.store, self.project, path)
        except FondlyError as e:
            self.error.emit(str(e))
            return
        self.reload(self.project, draft.id)
        self.chosen.emit(draft.id, None)

    # --- where each sentence came from, and the checks ------------------------------------------

    def add_rows(self, provenance: list[dict], titles: dict[int, str]) -> None:
        for label, text, flagged in sentence_rows(provenance, titles):
            item = QListWidgetItem(label)
            item.setToolTip(text)
            if flagged:
                item.setForeground(FLAGGED)
            self.sentences.addItem(item)

    def show_revision(self, revision, titles: dict[int, str]) -> None:
        self.sentences.clear()
        self.add_rows(revision.provenance if revision else [], titles)
        self.show_checks(revision.checks if revision else {})

    def show_checks(self, checks: dict) -> None:
        self.checks.setText(checks_line(checks))
