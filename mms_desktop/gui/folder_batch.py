"""Transcribe a folder from the window: every recording under it, into a folder of transcripts, through
the batch's journal (stopped, cancelled or crashed, it goes on where it was when started again), in a
progress window with Cancel.

Signals:
    status(str): a sentence for the status line.
    finished(object): the outcome (a :class:`FolderOutcome`), or the exception that stopped it.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from mms_desktop.core import batch
from mms_desktop.core.base import AUTO, Progress
from mms_desktop.core.recognition import WindowOptions
from mms_desktop.gui.jobs import Job, describe_error
from mms_desktop.gui.services import Services

FORMATS = ["txt", "eaf"]  # plain text to read, and ELAN's with the word timings


@dataclass(frozen=True)
class FolderOutcome:
    out: Path
    transcribed: int
    skipped: int
    failed: list[tuple[str, str]]  # recording, why
    complete: bool  # False: cancelled before the end


def _work(
    source: Path, out: Path, language: str, services: Services, report: Any, cancel: threading.Event
) -> FolderOutcome:
    """Runs on a job thread: the batch over the window's own models, one recording at a time."""
    settings, host = dataclasses.replace(services.context.settings), services.host
    recordings = batch.recordings([source])
    folder = host.recognizer_dir(None)
    options = WindowOptions(settings.window_s, settings.context_s)
    among = tuple(settings.auto_among)
    key = batch.settings_key(
        str(folder), host.effective_precision(folder), language, among, FORMATS, options, settings.word_lists
    )
    ledger = batch.Ledger(out)
    batch.remove_unfinished(out)
    tasks, skipped = batch.plan(recordings, ledger, out, FORMATS, key)

    def load() -> batch.Models:
        recognizer = host.recognizer(None, language)
        identifier = host.identifier() if language == AUTO and host.has_identifier() else None
        return batch.Models(recognizer, identifier, language, among, options, str(folder), host.effective_precision())

    rows: list[batch.Row] = []

    def finished(row: batch.Row) -> None:
        ledger.append(row)
        rows.append(row)
        report(Progress("recordings", len(rows), len(tasks), Path(row.source).name))

    complete = batch.run_local(tasks, load, 1, finished, cancel) if tasks else True
    ledger.write_manifest()
    failed = [(r.source, r.error) for r in rows if r.status != "done"]
    return FolderOutcome(out, len(rows) - len(failed), skipped, failed, complete)


class FolderBatch(QObject):
    """One folder transcription at a time, over ``services``, with its progress window over ``parent``."""

    status = Signal(str)
    finished = Signal(object)

    def __init__(self, services: Services, parent: QWidget):
        super().__init__(parent)
        self.services, self._parent = services, parent
        self.job: Job | None = None
        self.dialog: QProgressDialog | None = None

    def choose_and_start(self, language: str) -> None:
        """Ask for the folder of recordings and the folder of transcripts, then start."""
        start = str(self.services.places.folder())
        source = QFileDialog.getExistingDirectory(self._parent, "Transcribe the recordings in a folder", start)
        if not source:
            return
        suggested = str(Path(source).parent / f"{Path(source).name} transcripts")
        out = QFileDialog.getExistingDirectory(self._parent, "Where should the transcripts go?", suggested)
        if out:
            self.start(Path(source), Path(out), language)

    def start(self, source: Path, out: Path, language: str) -> None:
        if self.job is not None:
            self.status.emit("A folder is being transcribed already; wait for it or cancel it.")
            return
        self.dialog = QProgressDialog(f"Finding the recordings in {source.name}…", "Cancel", 0, 0, self._parent)
        self.dialog.setWindowTitle("Transcribing a folder")
        self.dialog.setWindowModality(Qt.WindowModality.NonModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.canceled.connect(self.cancel)
        self.dialog.show()
        services = self.services
        self.job = services.jobs.start(
            "transcribe a folder",
            lambda report, cancel: _work(source, out, language, services, report, cancel),
            self._done,
            self._progress,
        )

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.emit("Stopping after the recording in hand…")

    def _progress(self, progress: Progress) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(progress.total)
            self.dialog.setValue(progress.done)
            self.dialog.setLabelText(f"{progress.done} of {progress.total} recordings transcribed ({progress.detail})")

    def _done(self, outcome: FolderOutcome | None, error: BaseException | None) -> None:
        self.job = None
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog = None
        if error is not None or outcome is None:
            self.status.emit(describe_error(error or RuntimeError("no result")))
            self.finished.emit(error)
            return
        said = f"{outcome.transcribed} recordings transcribed into {outcome.out}, {outcome.skipped} already done"
        if outcome.failed:
            source, why = outcome.failed[0]
            said += f", {len(outcome.failed)} could not be ({Path(source).name}: {why})"
        if not outcome.complete:
            said += "; stopped before the end: transcribe the folder again to go on"
        self.status.emit(said + ".")
        self.finished.emit(outcome)
