"""The recordings of a session, each shown with its length and how far its transcript has got."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget

from mms_desktop.core.fieldwork import describe_recording


def describe_all(paths: list[Path]) -> list[tuple[Path, str]]:
    """Each recording with its description (reads the disk: for a job, not the GUI thread)."""
    return [(path, describe_recording(path)) for path in paths]


class RecordingList(QListWidget):
    """A list of recordings; :attr:`paths` are the recordings in the order shown. Files or folders dropped on
    it are offered through :attr:`dropped`, to be added to the session."""

    dropped = Signal(list)  # of Path

    def __init__(self, jobs: Any):
        super().__init__()
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)  # the list and its viewport take drops
        self._jobs = jobs
        self.paths: list[Path] = []

    def _local_files(self, event: Any) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_files(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._local_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = self._local_files(event)
        if files:
            event.acceptProposedAction()
            self.dropped.emit(files)

    def show_recordings(self, described: list[tuple[Path, str]]) -> None:
        """Show these recordings (from :func:`describe_all`), none chosen."""
        self.paths = [path for path, _ in described]
        self.clear()
        self.addItems([f"{path.name}\n{about}" for path, about in described])

    def describe_again(self, paths: list[Path], first: Callable[[], object] | None = None) -> None:
        """Bring the descriptions of ``paths`` up to date (after ``first``, run on the job's thread)."""

        def work(report: Any, cancel: Any) -> list[tuple[Path, str]]:
            if first is not None:
                first()
            return describe_all(paths)

        self._jobs.start("describe recordings", work, self._described)

    def _described(self, described: Any, error: BaseException | None) -> None:
        for path, about in described if error is None else []:
            if path in self.paths:
                self.item(self.paths.index(path)).setText(f"{path.name}\n{about}")
