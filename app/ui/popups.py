"""Menus a button opens stay on the usable screen: below the button if they fit there, else above.

Qt places a button's menu itself, but against the whole screen where the desktop theme says menus
may cover panels (GNOME's and KDE's UseFullScreenForPopupMenu): a chip's menu at the bottom of a
maximised window then opened below the window's edge, under the taskbar. `keep_on_screen` looks
again once the menu is shown, at its real size, and moves it into the screen's availableGeometry
— the part no panel or dock covers — flipping it above its button when there is no room below.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QMenu, QWidget


def place(size, anchor: QRect, available: QRect) -> QPoint:
    """Where a popup of `size` goes for a button at `anchor` (global): below it if it fits in
    `available`, else above it, else as low as fits; never past the left or right edge."""
    y = anchor.bottom() + 1
    if y + size.height() > available.bottom() + 1:
        above = anchor.top() - size.height()
        y = above if above >= available.top() else max(available.top(), available.bottom() + 1 - size.height())
    x = max(available.left(), min(anchor.left(), available.right() + 1 - size.width()))
    return QPoint(x, y)


def settle(menu: QMenu, anchor: QWidget | QPoint) -> None:
    """Move a shown menu into the usable screen, if any part of it is outside. `anchor`: the button
    it belongs to, or the point (global) a context menu was asked for."""
    screen: QScreen | None  # a point may be on no screen
    if isinstance(anchor, QWidget):
        screen, rect = anchor.screen(), QRect(anchor.mapToGlobal(QPoint(0, 0)), anchor.size())
    else:
        screen, rect = QGuiApplication.screenAt(anchor), QRect(anchor, QSize(1, 1))
    available = (screen or QGuiApplication.primaryScreen()).availableGeometry()
    if not available.contains(menu.geometry()):  # else Qt's own place is good
        menu.move(place(menu.size(), rect, available))


class _Settle(QObject):
    def __init__(self, menu: QMenu, anchor: QWidget | QPoint) -> None:
        super().__init__(menu)
        self.anchor = anchor

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show:
            settle(watched, self.anchor)
        return False


def keep_on_screen(menu: QMenu, anchor: QWidget | QPoint) -> QMenu:
    """Each time `menu` opens (from `anchor`: the button it belongs to, or a context menu's global
    point), it stays on the usable screen."""
    menu.installEventFilter(_Settle(menu, anchor))
    return menu
