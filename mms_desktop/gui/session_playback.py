"""Hearing the chosen recording in the sessions window: a line of its transcript (click anywhere in it, or
Ctrl+P; the line heard is shown in bold), or the whole recording while it has no transcript yet; Ctrl+P
while it sounds stops it."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence

from mms_desktop.core.audio import SAMPLE_RATE
from mms_desktop.gui.jobs import describe_error


class SessionPlayback(QObject):
    """Args: window: the sessions window, whose recording, audio, transcript, table and status line this uses;
    the sound goes out through the windows' shared player."""

    def __init__(self, window: Any):
        super().__init__(window)
        self.w = window
        action = QAction("Hear the chosen line (or the recording, without a transcript); again to stop", window,
                         shortcut=QKeySequence("Ctrl+P"))  # fmt: skip
        action.triggered.connect(self.toggle)
        window.addAction(action)
        window.table.cellClicked.connect(self.line)
        self._watch = QTimer(self)  # the line heard stays in bold while the player plays
        self._watch.setInterval(150)
        self._watch.timeout.connect(self._check)

    @property
    def player(self) -> Any:
        return self.w.services.player

    @Slot()
    def toggle(self) -> None:
        """Stop what sounds; else play the chosen line, or the whole recording when it has no lines."""
        if self.player.playing:
            self.player.stop()
            self.w.status.setText("Stopped.")
            return
        audio, transcript, recording = self.w.audio, self.w.transcript, self.w.recording
        if audio is None or recording is None:
            self.w.status.setText("Choose a recording to hear it.")
        elif transcript is None or not transcript.segments:
            seconds = round(len(audio) / SAMPLE_RATE)
            self._play(audio, f"Playing {recording.name} ({seconds // 60}:{seconds % 60:02d}); Ctrl+P stops it.")
        else:
            self.line(self.w.table.currentRow(), 0)

    @Slot(int, int)
    def line(self, row: int, column: int) -> None:
        """Play line ``row`` of the transcript (a click in any ``column``; a double click corrects it)."""
        audio, transcript = self.w.audio, self.w.transcript
        if audio is None or transcript is None:
            return
        if not 0 <= row < len(transcript.segments):  # Ctrl+P with no line chosen
            self.w.status.setText("Choose a line to hear it.")
            return
        segment = transcript.segments[row]
        self.w.table.highlight(row)
        self._play(audio[int(segment.start * SAMPLE_RATE) : int(segment.end * SAMPLE_RATE)])
        self._watch.start()

    @Slot()
    def _check(self) -> None:
        if not self.player.playing and "play" not in self.w.jobs.running:
            self._watch.stop()
            self.w.table.highlight(None)

    def _play(self, clip: np.ndarray, said: str = "") -> None:
        if said:
            self.w.status.setText(said)
        self.w.jobs.start("play", lambda report, cancel: self.player.play(clip, SAMPLE_RATE), self._played)

    def _played(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.w.table.highlight(None)
            self.w.status.setText(describe_error(error))
