"""A transcript as a table of segments: times, speaker and text; low-confidence lines highlighted."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from mms_desktop.core.base import Segment

LOW_CONFIDENCE = 0.5


def time_text(seconds: float) -> str:
    """A time as transcription tools show it: minutes, seconds and milliseconds (1:02.345)."""
    minutes, rest = divmod(round(seconds * 1000), 60_000)
    return f"{minutes}:{rest / 1000:06.3f}"


class SegmentTable(QTableWidget):
    """Shows segments; the speaker and text cells are editable.

    Signals:
        corrected(int, object): row and its corrected :class:`Segment` (a corrected text drops the word
            timings, which no longer match it).
    """

    corrected = Signal(int, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["Start", "End", "Speaker", "Text"])
        header = self.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setWordWrap(True)
        self.segments: list[Segment] = []
        self._filling = False
        self.playing: int | None = None  # the line being heard
        self.itemChanged.connect(self._changed)

    def show_segments(self, segments: list[Segment]) -> None:
        self._filling = True
        self.segments = list(segments)
        self.setRowCount(len(segments))
        for row, seg in enumerate(segments):
            items = [QTableWidgetItem(time_text(seg.start)), QTableWidgetItem(time_text(seg.end)),
                     QTableWidgetItem(seg.speaker), QTableWidgetItem(seg.text)]  # fmt: skip
            for item in items[:2]:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            doubtful = [w.word for w in seg.words if w.confidence < LOW_CONFIDENCE]
            if doubtful:
                items[3].setBackground(QColor("#fff3cd"))
                items[3].setToolTip("Low confidence: " + ", ".join(doubtful))
            for col, item in enumerate(items):
                self.setItem(row, col, item)
        self.resizeRowsToContents()
        self._filling = False

    def set_editable(self, editable: bool) -> None:
        """Whether a double click corrects a line (not while a transcription in progress fills the table)."""
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed if editable else triggers.NoEditTriggers)

    def highlight(self, row: int | None) -> None:
        """Show line ``row`` as the one playing, in bold (None: none is)."""
        self.playing = row
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                item = self.item(r, c)
                if item is not None:
                    font = item.font()
                    font.setBold(r == row)
                    item.setFont(font)

    def low_confidence_rows(self) -> list[int]:
        return [r for r in range(self.rowCount()) if (item := self.item(r, 3)) is not None and item.toolTip()]

    @Slot(QTableWidgetItem)
    def _changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.row() >= len(self.segments):
            return
        seg = self.segments[item.row()]
        if item.column() == 3 and item.text().strip() != seg.text:
            seg = dataclasses.replace(seg, text=item.text().strip(), words=())
        elif item.column() == 2 and item.text().strip() != seg.speaker:
            seg = dataclasses.replace(seg, speaker=item.text().strip())
        else:
            return
        self.segments[item.row()] = seg
        self.corrected.emit(item.row(), seg)
