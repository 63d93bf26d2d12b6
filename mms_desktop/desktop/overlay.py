"""A small always-on-top strip near the bottom of the screen the pointer is on: while dictating into
another application it shows the words in progress (grey until final), the language and the microphone
level. It never takes the keyboard focus, so the words still go where the user was typing.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from mms_desktop.gui.level_meter import LevelMeter

WIDTH = 560


class Overlay(QWidget):
    """The dictation overlay; :meth:`show_near_pointer` shows it, ``hide`` hides it."""

    def __init__(self) -> None:
        super().__init__(
            None,
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
            | Qt.WindowType.X11BypassWindowManagerHint,
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle("MMS Desktop dictation")
        self.setObjectName("overlay")
        self.setStyleSheet("#overlay { background: #202124; border-radius: 8px; } QLabel { color: #f1f3f4; }")
        self.language = QLabel("")
        self.language.setStyleSheet("color: #8ab4f8; font-weight: bold;")
        self.words = QLabel("Listening…")
        self.words.setTextFormat(Qt.TextFormat.RichText)
        self.words.setWordWrap(True)
        self.meter = LevelMeter()
        self.meter.setFixedWidth(80)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.language)
        layout.addWidget(self.words, 1)
        layout.addWidget(self.meter)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setFixedWidth(WIDTH)

    def show_near_pointer(self) -> None:
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self.adjustSize()
        self.move(area.center().x() - WIDTH // 2, area.bottom() - self.height() - 48)
        self.show()

    def show_words(self, committed: str, tentative: str) -> None:
        grey = f' <span style="color:#9aa0a6">{html.escape(tentative)}</span>' if tentative else ""
        self.words.setText(html.escape(committed) + grey or "Listening…")

    def show_status(self, text: str) -> None:
        self.words.setText(html.escape(text))

    def show_language(self, code: str) -> None:
        self.language.setText(code)
