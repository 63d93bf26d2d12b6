"""The notices above the main window's text: what is missing (a first run with nothing installed), and that
the bundled demonstration model is what runs; each with the way to the language manager."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

STYLE = "QFrame#notice { background: #fff4e5; border: 1px solid #f0c36d; border-radius: 6px; }"
DEMO = (
    "Demonstration model: trained on synthetic speech in six languages (English, German, Spanish, French with "
    "about a hundred words each; Russian and Hindi with everyday words), so it will not understand real voices "
    "well. Install a full language for real speech."
)


class Notice(QFrame):
    """A line of text with a button to the language manager, and (when ``dismissible``) one to close it.

    Args:
        open_manager: opens the language manager.
    """

    def __init__(self, open_manager: Callable[[], object], dismissible: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setVisible(False)
        self.setObjectName("notice")  # the frame is framed, not the label inside it (a QLabel is a QFrame too)
        self.setStyleSheet(STYLE)
        self.dismissed = False
        row = QHBoxLayout(self)
        self.text = QLabel(wordWrap=True)
        manager = QPushButton("Open the language manager")
        manager.clicked.connect(open_manager)
        row.addWidget(self.text, 1)
        row.addWidget(manager)
        if dismissible:
            close = QPushButton("✕")
            close.setToolTip("Hide this notice")
            close.setAccessibleName("Hide this notice")
            close.setFixedWidth(32)
            close.clicked.connect(self.dismiss)
            row.addWidget(close)

    def say(self, message: str) -> None:
        """Show ``message`` (empty: hide), unless the user closed this notice."""
        self.text.setText(message)
        self.setVisible(bool(message) and not self.dismissed)

    def dismiss(self) -> None:
        self.dismissed = True
        self.setVisible(False)
