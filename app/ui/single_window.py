"""One window per data folder. Two windows on one folder would each show, and save over, what
the other changed; a second start (a double click too many, the menu entry while the window
hides behind others) brings the first window to the front instead and ends.

The window owns the folder through app.folder_lock (byte 1 of `fondly.lock`: released by the
kernel however the window ends, so a killed window blocks no later start). It listens on a
local socket in the data folder, `fondly.sock`; a second start connects, asks, and waits for
the first to answer that it came forward. If it can't (the first is hung, or stopped), the
second says which process has the folder, and ends without touching anything.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from app import folder_lock

ASK, ANSWER = b"show\n", b"shown\n"
WAIT_MS = 5000  # for the first window to answer: it may still be starting, or busy on its GUI thread
SUN_PATH = 100  # a Unix socket's path must fit in 108 bytes


class AlreadyOpen(Exception):
    """Another process's window has the folder. `brought_forward`: it answered, and came to the front."""

    def __init__(self, message: str, pid: int, brought_forward: bool):
        super().__init__(message)
        self.pid, self.brought_forward = pid, brought_forward


def server_name(folder: Path) -> str:
    """The socket in the data folder (private, 0700); a folder whose path is too long for a
    socket gets a name of its own in the login's runtime folder ($XDG_RUNTIME_DIR: private, and
    emptied at logout), or, without one, a bare name Qt puts in the temporary folder."""
    path = os.path.join(os.path.realpath(folder), folder_lock.SOCKET_FILE)
    if len(path.encode()) <= SUN_PATH:
        return path
    name = "fondly-" + hashlib.sha256(path.encode()).hexdigest()[:16]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime) and len(os.path.join(runtime, name).encode()) <= SUN_PATH:
        return os.path.join(runtime, name)
    return name


def _bring_forward(folder: Path) -> bool:
    socket = QLocalSocket()
    socket.connectToServer(server_name(folder))
    if not socket.waitForConnected(WAIT_MS):
        return False
    socket.write(ASK)
    socket.waitForBytesWritten(WAIT_MS)
    answered = socket.waitForReadyRead(WAIT_MS) and bytes(socket.readAll().data()).startswith(ANSWER)
    socket.disconnectFromServer()
    return answered


def claim(folder: Path) -> Owner:
    """This process's window owns `folder` from now on, and listens at once (a start a moment
    later is answered as soon as the window is shown); raises AlreadyOpen if another's does."""
    pid = folder_lock.own_window(folder)
    if pid is None:
        owner = Owner(folder)
        owner.listen()
        return owner
    who = f"PID {pid}" if pid else "another process"
    if _bring_forward(folder):
        raise AlreadyOpen(
            f"Fondly is already open on {folder} ({who}); its window was brought to the front.", pid, True
        )
    raise AlreadyOpen(
        f"Fondly is already open on {folder} (window, {who}), and it did not answer. "
        "Switch to that window, or close it (or end that process), then start Fondly again.",
        pid,
        False,
    )


class Owner:
    """The folder's window: answers later starts, once `serve` has given it the window."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.server: QLocalServer | None = None
        self.window: QWidget | None = None
        self.waiting: list[QLocalSocket] = []  # asked before the window was there

    def listen(self) -> bool:
        name = server_name(self.folder)
        QLocalServer.removeServer(name)  # one a killed window left: the folder is ours, so it is stale
        server = QLocalServer()
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(name):
            return False  # a later start then names this process instead of bringing it forward
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def serve(self, window: QWidget) -> None:
        self.window = window
        if self.server is not None:
            self.server.setParent(window)  # closed with it
        for socket in self.waiting:
            self._show(socket)
        self.waiting.clear()

    def _accept(self) -> None:
        server = self.server
        assert server is not None  # only the server's own signal calls this
        while server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.readyRead.connect(lambda socket=socket: self._read(socket))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if not bytes(socket.readAll().data()).startswith(ASK):
            socket.disconnectFromServer()
        elif self.window is None:
            self.waiting.append(socket)
        else:
            self._show(socket)

    def _show(self, socket: QLocalSocket) -> None:
        window = self.window
        assert window is not None  # until there is a window, a socket waits (serve shows it then)
        if window.isMinimized():
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()
        socket.write(ANSWER)
        socket.flush()
        socket.disconnectFromServer()
