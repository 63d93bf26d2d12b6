"""Transcribing the chosen recording of a field session, with progress and Cancel (an hour-long recording
takes tens of minutes on a laptop CPU): its lines appear as they are found, and a cancelled transcription
offers to keep them."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QProgressBar, QPushButton

from mms_desktop.core.base import Cancelled, Progress, counted
from mms_desktop.core.fieldwork import HandCorrections, save_transcript, transcribe_recordings, transcript_path
from mms_desktop.gui.jobs import Job, describe_error
from mms_desktop.gui.keeping import ask, ask_to_replace


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
        self._shown: Path | None = None  # the recording whose lines appear as they are found
        self._overwrite = False
        self._asking = True
        self.question: QMessageBox | None = None  # the last question asked about lines found before a cancel
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(240)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.setToolTip("Stop the transcription; then keep the lines found so far, or not (Esc)")
        self.cancel_button.clicked.connect(lambda: self.cancel())  # not with clicked's argument
        # Esc cancels only while a transcription runs, so that it still cancels a correction being typed
        self.stop_action = QAction("Cancel the transcription", window, shortcut=QKeySequence("Esc"), enabled=False)
        self.stop_action.triggered.connect(lambda: self.cancel())
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
        self._shown, self._asking = None if only_new else recordings[0], True
        self._overwrite = overwrite

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

    def cancel(self, asking: bool = True) -> None:
        """Stop the transcription; ``asking``: then offer to keep the lines found so far."""
        self._asking = asking
        if self.job is not None:
            self.job.cancel()
            self.w.status.setText("Stopping the transcription…")

    def _show(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.stop_action.setEnabled(running)
        self.w.table.set_editable(not running)
        self.w.update_buttons()

    @Slot(object)
    def _progress(self, p: Progress) -> None:
        self.progress.setValue(int(p.fraction * 1000))
        if p.partial is not None and self._shown is not None and self._shown == self.w.recording:
            self.w.table.show_segments(list(p.partial.segments))
        if p.detail:
            self.w.status.setText(f"Transcribing {p.detail}…")

    def _done(self, result: Any, error: BaseException | None) -> None:
        self.job = None
        self._show(False)
        w = self.w
        finished, only_new = self._batch
        shown_partial = self._shown is not None and self._shown == w.recording
        if isinstance(error, HandCorrections):
            ask_to_replace(w, "Replace corrections?", describe_error(error), lambda: self.start(overwrite=True))
            said = "The transcript holds hand corrections; nothing was replaced."
            if shown_partial:  # the table showed the new lines: the saved ones again
                w.show_current(said)
            else:
                w.status.setText(said)
            return
        before = f" {counted(len(finished), 'recording')} transcribed before it stopped." if finished else ""
        found = error.partial if isinstance(error, Cancelled) and not only_new and self._asking else None
        if found is not None and found.segments:
            self._offer_partial(self._shown, found)
            said = "Transcription cancelled; keep the lines found so far?"
        elif isinstance(error, Cancelled):
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
        asking = found is not None and bool(found.segments)
        if w.recording in finished or (shown_partial and not asking):  # as it is on the disk now, not partial
            w.show_current(said)

    def _offer_partial(self, recording: Path | None, partial: Any) -> None:
        """Ask whether the lines found before the cancel (still in the table) become the recording's
        transcript; No, the default, leaves the saved transcript as it was and shows it again."""
        w, overwrite = self.w, self._overwrite
        if recording is None:
            return
        count = counted(len(partial.segments), "line")

        def save() -> None:
            save_transcript(transcript_path(recording), partial, edited=False, overwrite_edits=overwrite)

        def keep() -> None:
            said = f"Kept the {count} found before the transcription was cancelled."
            w.run_job("Keeping the lines found", save, lambda r, e: w.show_current(describe_error(e) if e else said))

        question = (
            f"The transcription of {recording.name} was cancelled after {count}. Keep them as its transcript "
            "(replacing the saved one)? No leaves the saved transcript as it was."
        )
        unchanged = "Transcription cancelled; the saved transcript is as it was."
        self.question = ask(w, "Keep the lines found so far?", question, keep, lambda: w.show_current(unchanged))
