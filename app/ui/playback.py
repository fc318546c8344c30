"""Playing a kept recording (a memory's, a rehearsal's) from a given moment: one button that says
Play or Stop, and one message when the audio can't be played. Qt Multimedia is imported on first
use, so a computer without its audio libraries opens Fondly and says why it can't play."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QPushButton

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QMediaPlayer


class Playback(QObject):
    error = Signal(str)

    def __init__(self, button: QPushButton, label: str = "Play") -> None:
        """`button` shows `label` while nothing plays and "Stop playing" while the recording plays."""
        super().__init__(button)
        self.button, self.label = button, label
        self.player: QMediaPlayer | None = None
        self._seek: int | None = None  # ms to go to once a new source has loaded (earlier is ignored)

    def play(self, path: str, from_seconds: float = 0.0) -> None:
        """Play `path` from `from_seconds` (a paragraph's start, just before a pause)."""
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        except ImportError as e:
            self.error.emit(f"Audio can't be played on this computer ({e}).")
            return
        player = self.player
        if player is None:
            self.player = player = QMediaPlayer(self)
            player.setAudioOutput(QAudioOutput(player))
            player.errorOccurred.connect(self._failed)
            player.playbackStateChanged.connect(self._state)
            player.mediaStatusChanged.connect(self._loaded)
        position = int(max(0.0, from_seconds) * 1000)
        if player.source() != QUrl.fromLocalFile(path):
            player.setSource(QUrl.fromLocalFile(path))
            self._seek = position
        else:
            player.setPosition(position)
        player.play()

    def _loaded(self, status) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._seek is not None and status in (
            QMediaPlayer.MediaStatus.LoadedMedia,
            QMediaPlayer.MediaStatus.BufferedMedia,
        ):
            assert self.player is not None  # only the player's own signal calls this
            self.player.setPosition(self._seek)
            self._seek = None

    def toggle(self, path: str) -> None:
        """The button: stop what plays, else play from the start."""
        if self.player is not None and self.playing:  # playing: there is a player
            self.player.stop()
        else:
            self.play(path)

    @property
    def playing(self) -> bool:
        return self.player is not None and self.player.isPlaying()

    def _failed(self, _error=None, text: str = "") -> None:
        assert self.player is not None  # only the player's own signal calls this
        self.error.emit(f"The recording can't be played: {text or self.player.errorString()}")

    def _state(self, _state=None) -> None:
        self.button.setText("Stop playing" if self.playing else self.label)
