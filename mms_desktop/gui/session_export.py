"""Exporting the chosen recording's transcript beside it, for ELAN, Praat or subtitles; a file there that was
changed since its last export (a tier added in ELAN, say) is replaced only when the linguist says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QComboBox, QPushButton

from mms_desktop.core.base import Transcript
from mms_desktop.core.fieldwork import ExportChanged, export_beside
from mms_desktop.gui.jobs import describe_error
from mms_desktop.gui.keeping import ask_to_replace

FORMATS = ("eaf", "textgrid", "srt", "vtt", "txt")  # the JSON is the transcript itself, X.json


class SessionExport(QObject):
    """The format list and Export button of the sessions window, and the exports they start.

    Args:
        window: the sessions window, whose recording, transcript, jobs and status line this uses.
    """

    def __init__(self, window: Any):
        super().__init__(window)
        self.w = window
        self.format_box = QComboBox()
        self.format_box.addItems(FORMATS)
        self.button = QPushButton("Export")
        self.button.clicked.connect(self.export_chosen)

    @Slot()
    def export_chosen(self) -> None:
        self.export(self.format_box.currentText())

    def export(self, fmt: str) -> None:
        """Write the window's transcript in ``fmt`` beside its recording (same root name)."""
        if self.w.recording is not None and self.w.transcript is not None:
            self._run(self.w.recording, self.w.transcript, fmt, replace=False)

    def _run(self, recording: Path, transcript: Transcript, fmt: str, replace: bool) -> None:
        self.w.run_job(f"Exporting {fmt}", lambda: export_beside(recording, transcript, fmt, replace),
                       lambda target, error: self._done(target, error, (recording, transcript, fmt)))  # fmt: skip

    def _done(self, target: Any, error: BaseException | None, what: tuple[Path, Transcript, str]) -> None:
        if isinstance(error, ExportChanged):  # asked about that export, whatever the window shows by then
            ask_to_replace(
                self.w,
                "Replace the file?",
                f"{describe_error(error)} Replace it?",
                lambda: self._run(*what, replace=True),
            )
            self.w.status.setText("Nothing was exported; the file there is as it was.")
            return
        self.w.status.setText(describe_error(error) if error else f"Exported {target.name}.")
