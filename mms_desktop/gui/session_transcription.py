"""Transcribing the chosen recording of a field session, with progress and Cancel (an hour-long recording
takes tens of minutes on a laptop CPU)."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QProgressBar, QPushButton

from mms_desktop.core.errors import Cancelled
from mms_desktop.core.events import Progress, Transcript
from mms_desktop.core.sessions import HandCorrections, save_transcript, transcript_path
from mms_desktop.gui.jobs import Job, describe_error


class SessionTranscription(QObject):
    """Runs one transcription at a time for the sessions window and saves it beside the recording; a
    transcript holding hand corrections is replaced only when the linguist says so.

    Args:
        window: the sessions window, whose recording, session, status line and table this uses.
    """

    def __init__(self, window: Any):
        super().__init__(window)
        self.w = window
        self.job: Job | None = None
        self.progress = QProgressBar(visible=False, maximumWidth=240)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel", visible=False)
        self.cancel_button.setToolTip("Stop the transcription; the saved transcript stays as it was (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        # Esc cancels only while a transcription runs, so that it still cancels a correction being typed
        self.stop_action = QAction("Cancel the transcription", window, shortcut=QKeySequence("Esc"), enabled=False)
        self.stop_action.triggered.connect(self.cancel)
        window.addAction(self.stop_action)

    @property
    def running(self) -> bool:
        return self.job is not None

    def start(self, overwrite: bool = False) -> None:
        """Transcribe the window's recording in its session's language and save it beside the audio."""
        w = self.w
        recording, language = w.recording, w.session_language()
        if recording is None or self.running:
            return
        speaker = w.first_speaker()
        settings = w.main.context.settings
        saver = w.saver

        def work(report: Any, cancel: threading.Event) -> Transcript:
            from mms_desktop.core.asr import WindowOptions

            saver.flush()  # a correction on its way to the disk counts in the check for corrections
            options = WindowOptions(settings.window_s, settings.context_s)
            result = w.main.host.transcribe_file(recording, language, settings.auto_among, options, report, cancel)
            if speaker:  # the session's first speaker, until the linguist says otherwise
                result = dataclasses.replace(
                    result, segments=tuple(dataclasses.replace(seg, speaker=speaker) for seg in result.segments)
                )
            save_transcript(transcript_path(recording), result, edited=False, overwrite_edits=overwrite)
            return result

        w.status.setText(f"Transcribing {recording.name}…")
        self.progress.setValue(0)
        self.job = w.jobs.start(f"transcribe {recording.name}", work, self._done, self._progress)
        self._show(True)

    @Slot()
    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.w.status.setText("Stopping the transcription…")

    def _show(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.stop_action.setEnabled(running)
        self.w.update_buttons()

    @Slot(object)
    def _progress(self, p: Progress) -> None:
        self.progress.setValue(int(p.fraction * 1000))

    def _done(self, result: Any, error: BaseException | None) -> None:
        self.job = None
        self._show(False)
        w = self.w
        if isinstance(error, Cancelled):
            w.status.setText("Transcription cancelled; the saved transcript is as it was.")
            return
        if isinstance(error, HandCorrections):
            box = QMessageBox(QMessageBox.Icon.Question, "Replace corrections?", str(error),
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, w)  # fmt: skip
            box.accepted.connect(lambda: self.start(overwrite=True))
            box.open()
            w.status.setText("The transcript holds hand corrections; nothing was replaced.")
            return
        if error is not None:
            w.status.setText(describe_error(error))
            return
        w.show_current()
