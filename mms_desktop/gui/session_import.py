"""The sessions window's Add recordings button: recordings made elsewhere (a field recorder's card) copied
into the chosen session, with a progress dialog that can cancel; the originals are not touched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QProgressDialog, QPushButton

from mms_desktop.core.audio import SUPPORTED_SUFFIXES
from mms_desktop.core.base import Cancelled, Progress, counted
from mms_desktop.gui.jobs import Job, describe_error

AUDIO = f"Audio ({' '.join('*' + s for s in SUPPORTED_SUFFIXES)});;All files (*)"


class SessionImport(QObject):
    """Args: window: the sessions window, whose project, session, jobs, list and status line this uses."""

    def __init__(self, window: Any):
        super().__init__(window)
        self.w = window
        self.button = QPushButton("Add…")
        self.button.clicked.connect(self.choose)
        self.job: Job | None = None
        self.dialog: QProgressDialog | None = None

    @Slot()
    def choose(self) -> None:
        files = self.w.services.places.open_files(self.w, "Recordings to add to the session", AUDIO)
        if files:
            self.add(files)

    def add(self, files: list[Path]) -> None:
        """Copy ``files`` (folders: the audio files in them) into the chosen session in the background, each
        verified, then list them."""
        from mms_desktop.core.fieldwork import add_recordings

        project, session = self.w.project, self.w.session
        if project is None or session is None:
            self.w.status.setText("Choose a session (or create one) first, then add its recordings.")
            return
        if self.job is not None or self.w.dictation.is_running:
            self.w.status.setText("Wait until the recording or the recordings being added are done, then add more.")
            return
        added: list[Path] = []
        self.dialog = QProgressDialog("Adding recordings…", "Cancel", 0, 1000, self.w, minimumDuration=500,
                                      autoClose=False, autoReset=False)  # fmt: skip
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setWindowTitle("Add recordings")
        self.job = self.w.jobs.start(
            "add recordings",
            lambda report, cancel: add_recordings(project, session.id, files, report, cancel, added),
            lambda result, error: self._done(added, error),
            self._progress,
        )
        self.dialog.canceled.connect(self.job.cancel)
        self.w.status.setText("Adding recordings…")
        self.w.update_buttons()

    @property
    def running(self) -> bool:
        return self.job is not None

    def _progress(self, p: Progress) -> None:
        if self.dialog is not None:
            self.dialog.setLabelText(f"Adding {p.detail}…")
            self.dialog.setValue(int(1000 * p.done / max(p.total, 1)))

    def _done(self, added: list[Path], error: BaseException | None) -> None:
        self.job = None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
        said = f"Added {counted(len(added), 'recording')}." if added else ""
        if isinstance(error, Cancelled):
            said = f"Cancelled. {said}".strip()
        elif error is not None:
            said = f"{describe_error(error)} {said}".strip()
        self.w.list_recordings(select=added[0] if added else None, said=said or None)
