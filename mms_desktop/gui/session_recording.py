"""Recording a speaker into the chosen field session, from the sessions window's Record button."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Slot

from mms_desktop.core.base import FinalResult, Segment, Transcript
from mms_desktop.core.fieldwork import save_transcript, transcript_path
from mms_desktop.gui.jobs import describe_error


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
        self._live, self._language = [], ""
        project, session_id = w.project, w.session.id
        snapshot = dataclasses.replace(w.services.context.settings)
        self.dictation.start(snapshot, w.session_language(), recording=lambda: project.next_recording(session_id))

    @Slot(object)
    def _event(self, event: object) -> None:
        if isinstance(event, FinalResult):
            self._language = event.language
            self._live.append(dataclasses.replace(event.segment, speaker=self.w.first_speaker()))
            self.w.table.show_segments(self._live)

    @Slot(object)
    def _ended(self, result: Any) -> None:
        if isinstance(result, BaseException):
            self.w.status.setText(describe_error(result))
            return
        if not result.recording:
            return
        target = Path(result.recording)
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
        self.w.update_buttons()
