"""The main window's menu bar: every command a person can reach by menu and shortcut, in one place.

The window and its panels do the work; this module only names the commands, gives them their
standard shortcuts (QKeySequence.StandardKey, so each desktop's own keys apply) and puts them
where a desktop writing app keeps them."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QShortcut

from app.ui import backup_dialog, bin_dialog, edit_actions, help_dialogs, interview_hooks, teleprompter, uisettings


def action(window, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    """One menu command; `shortcut` a QKeySequence.StandardKey or a string like "Ctrl+E"."""
    act = QAction(text, window, statusTip=tip)
    if shortcut:
        act.setShortcut(QKeySequence(shortcut))
    act.triggered.connect(slot)
    menu.addAction(act)
    return act


def build(window) -> None:
    m, doc, w = window.menuBar(), window.document, window.writing

    def add(menu, text, slot, shortcut=None, tip=""):
        return action(window, menu, text, slot, shortcut, tip)

    f = m.addMenu("&File")
    add(f, "&New speech…", window.projects.new_project, QKeySequence.StandardKey.New)
    add(f, "&Import memories…", window.memories.import_dialog, "Ctrl+I")
    add(f, "Import a &draft…", window.drafts_panel.import_dialog, None, "A speech written elsewhere")
    add(f, "&Snapshot", doc.snapshot, QKeySequence.StandardKey.Save, "Keep this version in the history")
    add(f, "&Export…", window.export_dialog, "Ctrl+E", "Save the speech for delivery: PDF, cue cards, Word…")
    add(f, "&Back up…", lambda: backup_dialog.ask_and_back_up(window), None, "Save everything in one zip")
    add(f, "B&in…", lambda: bin_dialog.show_bin(window), None, "Deleted drafts and memories, kept 30 days")
    add(
        f,
        "&Measure my pace…",
        window.measure_pace_dialog,
        None,
        "Choose a recording of you reading the speech; speaking times will use your pace",
    )
    f.addSeparator()
    quit_key = QKeySequence.StandardKey.Quit  # Windows' desktops bind none to it: Ctrl+Q there too
    add(f, "&Quit", window.close, quit_key if QKeySequence.keyBindings(quit_key) else "Ctrl+Q")
    e = m.addMenu("&Edit")
    edit_actions.install(window, e)  # Undo, Redo, Cut, Copy, Paste, Select All: the focused text box's
    add(e, "&Find…", window.search_panel.focus, QKeySequence.StandardKey.Find)
    add(e, "Se&ttings…", window.show_settings, QKeySequence.StandardKey.Preferences)
    w.rewrite_menu(e.addMenu("&Rewrite the selection"), lambda menu, *a: action(window, menu, *a))
    wm = m.addMenu("&Write")
    add(wm, "&Generate", w.generate, "Ctrl+Return")
    QShortcut(QKeySequence("Ctrl+Enter"), window, w.generate)
    add(wm, "&Stop", window.stop, "Esc")
    add(wm, "Focus the &prompt", w.prompt.setFocus, "Ctrl+L")
    wm.addSeparator()
    add(wm, "&Record a memory", window.memories.recording.toggle_record, "Ctrl+R")
    add(wm, "&Dictate at the cursor", w.dictate_btn.toggle, "Ctrl+D")
    add(wm, "Spea&k the shorthand", w.speak_btn.toggle, "Ctrl+Shift+D", w.speak_btn.toolTip())
    wm.addActions(window.rehearsals.menu_actions())
    interview_hooks.install(window, m.addMenu("&Memories"))
    v = m.addMenu("&View")
    add(
        v,
        "&Larger text",
        lambda: window.apply_text_size(uisettings.step_text_size(+1)),
        QKeySequence.StandardKey.ZoomIn,
    )
    add(
        v,
        "&Smaller text",
        lambda: window.apply_text_size(uisettings.step_text_size(-1)),
        QKeySequence.StandardKey.ZoomOut,
    )
    add(v, "&Deliver", lambda: teleprompter.deliver(window), "F5", "Read the speech full screen; it follows your voice")
    h = m.addMenu("&Help")
    add(
        h,
        "&Keyboard shortcuts",
        lambda: help_dialogs.show_shortcuts(window),
        QKeySequence.StandardKey.HelpContents,
        "Every key Fondly answers to, read from its menus",
    )
    add(
        h,
        "Read the &guide (README)",
        lambda: help_dialogs.show_guide(window),
        None,
        "Fondly's README, shown here from the file on this computer",
    )
    h.addSeparator()
    add(h, "&About Fondly", window.show_about)
