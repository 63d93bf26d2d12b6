"""The bar above the text: record button, language chooser, detected language, microphone and level."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from mms_desktop.core.audio import plain_device_name
from mms_desktop.core.base import AUTO, UNSURE_BELOW, display_name
from mms_desktop.gui.level_meter import LevelMeter

RECORD, STOP = "●  Record", "■  Stop"


class DictationBar(QWidget):
    """Signals:
    record_toggled(bool): the user pressed the record button (True: start).
    language_chosen(str): an adapter name, or ``auto``.
    microphone_chosen(str): part of the device name ('' for the system default).
    """

    record_toggled = Signal(bool)
    language_chosen = Signal(str)
    microphone_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.record_button = QPushButton(RECORD)
        self.record_button.setCheckable(True)
        self.record_button.setMinimumSize(150, 48)
        self.record_button.setToolTip("Start or stop dictation (Ctrl+R)")
        self.record_button.setStyleSheet(
            "QPushButton { font-size: 16px; font-weight: 600; border-radius: 8px; padding: 6px 14px;"
            " background: #1565c0; color: white; }"
            "QPushButton:checked { background: #c62828; }"
            "QPushButton:disabled { background: #9e9e9e; }"
        )
        self.language_box = QComboBox(minimumContentsLength=22)
        self.language_box.setAccessibleName("Language")
        self.detected = QLabel()
        self.detected.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # It takes the room the row has to spare and never asks for more: a detection never widens the window.
        self.detected.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.microphone_box = QComboBox(minimumContentsLength=18)
        self.microphone_box.setAccessibleName("Microphone")
        self.microphone_box.addItem("System default microphone", "")
        self.meter = LevelMeter()
        row = QHBoxLayout(self)
        row.addWidget(self.record_button)
        row.addSpacing(12)
        row.addWidget(QLabel("Language:"))
        row.addWidget(self.language_box)
        row.addWidget(self.detected, 1)
        row.addWidget(QLabel("Microphone:"))
        row.addWidget(self.microphone_box)
        row.addWidget(self.meter)
        self.record_button.toggled.connect(self._toggled)
        self.language_box.activated.connect(self._language_activated)
        self.microphone_box.activated.connect(self._microphone_activated)

    def set_languages(self, installed: list[str], favourites: list[str], current: str, can_detect: bool) -> None:
        """Fill the chooser: automatic detection, the favourites, then every other installed language."""
        box = self.language_box
        box.clear()
        if can_detect:
            box.addItem("Detect automatically", AUTO)
        first = [code for code in favourites if code in installed]
        for code in first:
            box.addItem(f"★ {display_name(code)} ({code})", code)
        if first and len(first) < len(installed):
            box.insertSeparator(box.count())
        for code in installed:
            if code not in first:
                box.addItem(f"{display_name(code)} ({code})", code)
        index = box.findData(current)
        box.setCurrentIndex(index if index >= 0 else 0)

    @property
    def language(self) -> str:
        return str(self.language_box.currentData() or AUTO)

    def set_microphones(self, names: list[str], current: str) -> None:
        box = self.microphone_box
        while box.count() > 1:
            box.removeItem(1)
        for name in names:
            box.addItem(plain_device_name(name), name)
            box.setItemData(box.count() - 1, name, Qt.ItemDataRole.ToolTipRole)  # the system's own name
        if current and box.findData(current) < 0:
            box.addItem(plain_device_name(current), current)
        box.setCurrentIndex(max(0, box.findData(current)))

    def set_recording(self, recording: bool) -> None:
        """Show the button as the dictation's state, without emitting ``record_toggled``."""
        self.record_button.blockSignals(True)
        self.record_button.setChecked(recording)
        self.record_button.setText(STOP if recording else RECORD)
        self.record_button.blockSignals(False)
        self.microphone_box.setEnabled(not recording)
        if not recording:
            self.meter.set_level(0.0)

    def show_detected(self, code: str, probability: float) -> None:
        """Show the language detected (empty ``code``: none, once what was shown no longer applies)."""
        unsure = bool(code) and probability < UNSURE_BELOW
        text = f"Detected: {display_name(code)}{'?' if unsure else ''} ({probability:.0%})" if code else ""
        self.detected.setText(text)
        self.detected.setToolTip(
            f"{text}: the likeliest of the languages to choose from, but unsure; the speech may be in another "
            "language. Choose the language to be sure."
            if unsure
            else text
        )

    @Slot(bool)
    def _toggled(self, on: bool) -> None:
        self.record_button.setText(STOP if on else RECORD)
        self.record_toggled.emit(on)

    @Slot(int)
    def _language_activated(self, index: int) -> None:
        self.language_chosen.emit(self.language)

    @Slot(int)
    def _microphone_activated(self, index: int) -> None:
        self.microphone_chosen.emit(str(self.microphone_box.currentData() or ""))
