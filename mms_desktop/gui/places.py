"""Where the window's file dialogs start, and the names its save dialogs offer.

Dialogs open in the folder last used in any of them (a recording opened, a transcript saved), else in the
user's Documents folder, never in whatever folder the program happened to be started from. Saving offers
the name of the recording the text came from, beside it: ``interview.srt`` beside ``interview.wav``, where
video players and ELAN look for it.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtWidgets import QFileDialog, QWidget

from mms_desktop.core.formats import SUFFIXES

EXPORTS = {
    "Text (*.txt)": "txt",
    "Subtitles (*.srt)": "srt",
    "WebVTT (*.vtt)": "vtt",
    "JSON (*.json)": "json",
    "ELAN (*.eaf)": "eaf",
    "Praat TextGrid (*.TextGrid)": "textgrid",
}  # the export types, by dialog filter


class Places:
    """The folder last used and the recording the window's text came from (since it was last cleared)."""

    def __init__(self, fallback: Path | None = None):
        self.fallback = fallback or Path(platformdirs.user_documents_dir())
        self.last: Path | None = None
        self.source: Path | None = None

    def folder(self) -> Path:
        """Where a dialog starts: the folder last used while it still exists, else the fallback."""
        if self.last is not None and self.last.is_dir():
            return self.last
        return self.fallback

    def used(self, path: Path) -> None:
        """A file or folder the user chose; the next dialog starts in its folder."""
        self.last = path if path.is_dir() else path.parent

    def text_from(self, recording: Path) -> None:
        """Text from ``recording`` was added; the first since the text was cleared names what is saved."""
        if self.source is None:
            self.source = recording

    def cleared(self) -> None:
        self.source = None

    def suggestion(self, suffix: str, default: str = "transcript") -> Path:
        """The file a save dialog offers: named after the text's recording and beside it, else ``default``
        in the folder last used."""
        if self.source is not None and self.source.parent.is_dir():
            return self.source.with_suffix(suffix)
        return self.folder() / f"{default}{suffix}"

    def open_files(self, parent: QWidget, title: str, filters: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(parent, title, str(self.folder()), filters)
        if names:
            self.used(Path(names[0]))
        return [Path(name) for name in names]

    def open_file(self, parent: QWidget, title: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, str(self.folder()), filters)
        if name:
            self.used(Path(name))
        return Path(name) if name else None

    def choose_folder(self, parent: QWidget, title: str, start: Path | None = None) -> Path | None:
        name = QFileDialog.getExistingDirectory(parent, title, str(start or self.folder()))
        if name:
            self.used(Path(name))
        return Path(name) if name else None

    def save_file(
        self, parent: QWidget, title: str, suggested: Path, filters: str, selected: str = ""
    ) -> tuple[Path | None, str]:
        """The file the user chose to save to (None: cancelled), and the filter chosen; ``selected`` is the
        filter shown first, which should match the suggested name."""
        name, chosen = QFileDialog.getSaveFileName(parent, title, str(suggested), filters, selected)
        if name:
            self.used(Path(name))
        return (Path(name) if name else None), chosen

    def export_file(self, parent: QWidget, title: str, suggested: Path) -> tuple[Path | None, str]:
        """The file the user chose to export to (None: cancelled) and the format it is to hold."""
        shown = next((f for f, fmt in EXPORTS.items() if SUFFIXES[fmt].lower() == suggested.suffix.lower()), "")
        path, chosen = self.save_file(parent, title, suggested, ";;".join(EXPORTS), selected=shown)
        return path, export_format(path, chosen) if path else ""


def export_format(path: Path, chosen: str) -> str:
    """The format of an export: what the name the user accepted ends in (name.srt is SubRip whatever type
    the dialog showed), else the type chosen in the dialog."""
    by_suffix = {SUFFIXES[fmt].lower(): fmt for fmt in EXPORTS.values()}
    return by_suffix.get(path.suffix.lower()) or EXPORTS.get(chosen, "txt")
