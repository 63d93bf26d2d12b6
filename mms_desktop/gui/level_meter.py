"""A microphone level meter: the peak of the latest audio, on a decibel scale."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QProgressBar, QWidget

FLOOR_DB = -60.0


class LevelMeter(QProgressBar):
    """Shows a peak in [0, 1] as dBFS from -60 to 0, falling back slowly like a hardware meter."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, 100)
        self.setTextVisible(False)
        self.setFixedWidth(120)
        self.setFixedHeight(14)
        self.setToolTip("Microphone level")
        self.setAccessibleName("Microphone level")

    def set_clipping(self, clipping: bool) -> None:
        """Red while the input is clipping (reaching full scale), with the reason in the tooltip."""
        self.setStyleSheet("QProgressBar::chunk { background: #d32f2f; }" if clipping else "")
        self.setToolTip("The input is clipping: lower the recording level" if clipping else "Microphone level")
        self.setProperty("clipping", clipping)

    def set_level(self, peak: float) -> None:
        db = 20 * math.log10(peak) if peak > 0 else FLOOR_DB
        target = round(100 * (max(FLOOR_DB, min(0.0, db)) - FLOOR_DB) / -FLOOR_DB)
        self.setValue(max(target, self.value() - 4))  # rise at once, fall gradually
