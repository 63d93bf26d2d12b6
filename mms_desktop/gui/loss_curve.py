"""A small live plot of the training loss (and held-out CER when it is measured)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget


class LossCurve(QWidget):
    """Points arrive with :meth:`add`; the curve rescales to show them all."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(360, 160)
        self.losses: list[tuple[int, float]] = []
        self.cers: list[tuple[int, float]] = []
        self.total_steps = 1

    def reset(self, total_steps: int) -> None:
        self.losses, self.cers, self.total_steps = [], [], max(1, total_steps)
        self.update()

    def add(self, step: int, loss: float, cer: float | None = None) -> None:
        self.losses.append((step, loss))
        if cer is not None:
            self.cers.append((step, cer))
        self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QColor("#9e9e9e"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        margin, w, h = 24, self.width() - 48, self.height() - 48
        if self.losses:
            top = max(loss for _, loss in self.losses) or 1.0
            self._line(painter, self.losses, top, QColor("#1565c0"), margin, w, h)
            painter.drawText(margin, 16, f"loss {self.losses[-1][1]:.3f}")
        if self.cers:
            self._line(painter, self.cers, 1.0, QColor("#c62828"), margin, w, h)
            painter.drawText(margin + 140, 16, f"held-out CER {self.cers[-1][1]:.1%}")
        painter.setPen(QColor("#616161"))
        painter.drawText(self.rect().adjusted(0, 0, -6, -4), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                         f"step {self.losses[-1][0] if self.losses else 0} of {self.total_steps}")  # fmt: skip
        painter.end()

    def _line(self, painter: QPainter, points: list[tuple[int, float]], top: float, colour: QColor,
              margin: int, w: int, h: int) -> None:  # fmt: skip
        polygon = QPolygonF([QPointF(margin + w * s / self.total_steps, margin + h * (1 - min(v, top) / top))
                             for s, v in points])  # fmt: skip
        painter.setPen(QPen(colour, 2))
        painter.drawPolyline(polygon)
