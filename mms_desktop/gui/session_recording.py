"""Recording a speaker into the chosen field session, from the sessions window's Record button."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from mms_desktop.core.base import FinalResult, Segment, Transcript, clock, disk_left
from mms_desktop.core.fieldwork import note, save_transcript, transcript_path
from mms_desktop.gui.jobs import describe_error
from mms_desktop.gui.level_meter import LevelMeter


class SessionRecording(QObject):
    """Records through the crash-safe live path straight into the session folder; the final results fill
    the window's table as they come, and at the end they are saved as the recording's transcript.

    Args:
        window: the sessions window, whose Record button, table and status line this drives.
    """

    def __init__(self, window: Any):
        super().__init__(window)
        self.w = window
        self.dictation = window.services.dictation.sibling(self)
        self._live: list[Segment] = []
        self._language = ""
        self._file: Path | None = None
        self._started = 0.0
        self._clipped = 0
        self.speaker_box = QComboBox()
        self.speaker_box.setToolTip("The speaker being recorded: the lines of this recording are theirs")
        self.speaker_box.setAccessibleName("Speaker being recorded")
        self.speaker_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.speaker_box.setMinimumWidth(160)
        self.meter = LevelMeter()
        self.clock = QLabel("")
        self.clock.setAccessibleName("Time recorded and disk left")
        self.bar = QWidget()
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Speaker:"))
        row.addWidget(self.speaker_box)
        row.addStretch(1)
        row.addWidget(self.meter)
        row.addWidget(self.clock)
        self._ticker = QTimer(self)
        self._ticker.setInterval(500)
        self._ticker.timeout.connect(self._tick)
        self.dictation.level.connect(self.meter.set_level)
        self.dictation.clipping.connect(self._clipping)
        window.record_button.toggled.connect(self._toggled)
        self.dictation.status.connect(window.status.setText)
        self.dictation.happened.connect(self._event)
        self.dictation.ended.connect(self._ended)
        self.dictation.running.connect(self._running)

    @Slot(bool)
    def _toggled(self, on: bool) -> None:
        w = self.w
        if not on:
            self.dictation.stop()
            return
        if w.services.dictation.is_running or w.session is None or w.project is None:
            w.record_button.setChecked(False)
            w.status.setText("Stop the dictation in the main window first; one microphone recording at a time.")
            return
        self._live, self._language, self._file, self._clipped = [], "", None, 0
        self.meter.set_clipping(False)
        project, session_id = w.project, w.session.id

        def recording() -> Path:
            self._file = project.next_recording(session_id)
            return self._file

        snapshot = dataclasses.replace(w.services.context.settings)
        self.dictation.start(snapshot, w.session_language(), recording=recording)

    def show_speakers(self, session: Any) -> None:
        """The chosen session's speakers to choose from (the first chosen)."""
        self.speaker_box.clear()
        for speaker in session.speakers if session is not None else []:
            self.speaker_box.addItem(f"{speaker.id} · {speaker.name}" if speaker.name else speaker.id, speaker.id)

    def speaker(self) -> str:
        return str(self.speaker_box.currentData() or self.w.first_speaker())

    @Slot()
    def _tick(self) -> None:
        seconds = time.monotonic() - self._started
        written = self._file.stat().st_size if self._file is not None and self._file.exists() else 0
        free = shutil.disk_usage(self.w.project.folder).free if self.w.project is not None else 0
        left = disk_left(free, written, seconds)
        self.clock.setText(f"● {clock(seconds)}" + (f" · {left}" if left else ""))

    @Slot(int)
    def _clipping(self, count: int) -> None:
        self._clipped = count
        self.meter.set_clipping(True)
        self.w.status.setText("The input is clipping (it reached full scale): lower the recording level.")

    @Slot(object)
    def _event(self, event: object) -> None:
        if isinstance(event, FinalResult):
            self._language = event.language
            self._live.append(dataclasses.replace(event.segment, speaker=self.speaker()))
            self.w.table.show_segments(self._live)

    @Slot(object)
    def _ended(self, result: Any) -> None:
        if isinstance(result, BaseException):
            self.w.status.setText(describe_error(result))
            return
        if not result.recording:
            return
        target = Path(result.recording)
        if self._clipped:
            said = f"{target.name} clipped in {self._clipped} moments (the input reached full scale); lower the level."
            self.w.run_job("Noting the clipping", lambda: note(target.parent, said), lambda r, e: None)
        end = self._live[-1].end if self._live else 0.0
        transcript = Transcript(self._language or self.w.session_language(), end, tuple(self._live))
        self.w.run_job("Saving the transcript", lambda: save_transcript(transcript_path(target), transcript, False),
                       lambda r, e: self.w.list_recordings(select=target))  # fmt: skip

    @Slot(bool)
    def _running(self, running: bool) -> None:
        button = self.w.record_button
        button.blockSignals(True)
        button.setChecked(running)
        button.setText("■  Stop" if running else "●  Record")
        button.blockSignals(False)
        if running:
            self._started = time.monotonic()
            self._tick()
            self._ticker.start()
        else:
            self._ticker.stop()
        self.w.update_buttons()
