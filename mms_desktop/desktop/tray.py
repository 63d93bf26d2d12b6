"""The tray icon: idle, listening or working, with the dictation's controls in its menu.

Signals:
    toggle(): Start or Stop dictation was chosen (or the icon clicked).
    language_chosen(str): a language (or ``auto``) was chosen for dictation.
    open_window(): Open window was chosen.
    quit(): Quit was chosen.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from mms_desktop.core.base import AUTO

COLOURS = {"idle": "#9aa0a6", "listening": "#d93025", "working": "#f9ab00"}
TIPS = {
    "idle": "MMS Desktop: ready to dictate",
    "listening": "MMS Desktop: listening",
    "working": "MMS Desktop: finishing the words",
}


def state_icon(state: str) -> QIcon:
    """A microphone-dot icon in the colour of ``state``."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(COLOURS[state]))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(8, 8, 48, 48)
    painter.setBrush(QColor("white"))
    painter.drawRoundedRect(26, 16, 12, 24, 6, 6)  # the microphone
    painter.drawRect(31, 40, 2, 8)
    painter.end()
    return QIcon(pixmap)


class Tray(QObject):
    """The icon and its menu; :meth:`set_state` and :meth:`set_languages` keep them current."""

    toggle = Signal()
    language_chosen = Signal(str)
    open_window = Signal()
    quit = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.icons = {state: state_icon(state) for state in COLOURS}
        self.menu = QMenu()
        self.start_stop = self.menu.addAction("Start dictation")
        self.start_stop.triggered.connect(self.toggle)
        self.languages = self.menu.addMenu("Language")
        self._group = QActionGroup(self)
        self.menu.addSeparator()
        self.menu.addAction("Open window").triggered.connect(self.open_window)
        self.menu.addAction("Quit").triggered.connect(self.quit)
        self.icon = QSystemTrayIcon(self.icons["idle"], self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.set_state("idle")

    def show(self) -> bool:
        """Show the icon; False where the desktop has no tray."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.icon.show()
        return True

    def set_state(self, state: str) -> None:
        self.state = state
        self.icon.setIcon(self.icons[state])
        self.icon.setToolTip(TIPS[state])
        self.start_stop.setText("Start dictation" if state == "idle" else "Stop dictation")

    def set_languages(self, languages: list[tuple[str, str]], chosen: str) -> None:
        """The menu's languages: (code, name) pairs, favourites first; automatic detection heads them."""
        self.languages.clear()
        for code, name in [(AUTO, "Detect automatically"), *languages]:
            action = QAction(name, self.languages, checkable=True, checked=code == chosen)
            action.setData(code)
            action.triggered.connect(lambda _=False, c=code: self.language_chosen.emit(c))
            self._group.addAction(action)
            self.languages.addAction(action)

    def notify(self, text: str) -> None:
        if self.icon.isVisible():
            self.icon.showMessage("MMS Desktop", text, QSystemTrayIcon.MessageIcon.Information, 5000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle.emit()
