"""Transcribing the chosen recording of a field session, with progress and Cancel (an hour-long recording
takes tens of minutes on a laptop CPU)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QProgressBar, QPushButton

from mms_desktop.core.base import Cancelled, Progress, counted
from mms_desktop.core.fieldwork import HandCorrections, transcribe_recordings
from mms_desktop.gui.jobs import Job, describe_error
from mms_desktop.gui.keeping import ask_to_replace


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
        self._batch: tuple[list[Path], bool] = ([], False)  # of the run in progress: recordings done, only new
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(240)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
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
        if self.w.recording is not None:
            self._run([self.w.recording], overwrite)

    def start_all(self, recordings: list[Path]) -> None:
        """Transcribe, one after the other, those of ``recordings`` that have no transcript yet; each is
        saved as soon as it is done, so cancelling keeps the ones finished."""
        self._run(recordings, overwrite=False, only_new=True)

    def _run(self, recordings: list[Path], overwrite: bool, only_new: bool = False) -> None:
        w = self.w
        if self.running or not recordings:
            return
        language, speaker = w.session_language(), w.first_speaker()
        settings, host, saver = w.services.context.settings, w.services.host, w.saver
        finished: list[Path] = []
        self._batch = (finished, only_new)

        def work(report: Any, cancel: threading.Event) -> list[Path]:
            from mms_desktop.core.recognition import WindowOptions

            saver.flush()  # a correction on its way to the disk counts in the check for corrections
            options = WindowOptions(settings.window_s, settings.context_s)
            return transcribe_recordings(recordings, host, language, settings.auto_among, options, speaker,
                                         only_new, overwrite, report, cancel, finished)  # fmt: skip

        w.status.setText(f"Transcribing {recordings[0].name}…" if not only_new else "Transcribing the session…")
        self.progress.setValue(0)
        self.job = w.jobs.start("transcribe session", work, self._done, self._progress)
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
        if p.detail:
            self.w.status.setText(f"Transcribing {p.detail}…")

    def _done(self, result: Any, error: BaseException | None) -> None:
        self.job = None
        self._show(False)
        w = self.w
        finished, only_new = self._batch
        if isinstance(error, HandCorrections):
            ask_to_replace(w, "Replace corrections?", describe_error(error), lambda: self.start(overwrite=True))
            w.status.setText("The transcript holds hand corrections; nothing was replaced.")
            return
        before = f" {counted(len(finished), 'recording')} transcribed before it stopped." if finished else ""
        if isinstance(error, Cancelled):
            said = (
                "Transcription cancelled." + before
                if only_new
                else "Transcription cancelled; the saved transcript is as it was."
            )
        elif error is not None:
            said = describe_error(error) + before
        elif not only_new:
            said = f"Transcribed {finished[0].name}."
        else:
            said = (
                f"Transcribed {counted(len(finished), 'recording')}."
                if finished
                else "Every recording of this session has a transcript already."
            )
        w.status.setText(said)
        if w.recording in finished:  # shown again as it is on the disk now, keeping the line above
            w.show_current(said)
