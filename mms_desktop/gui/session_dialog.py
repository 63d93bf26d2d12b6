"""The form of a field session's metadata: title, language, speakers, date, place, consent …"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from mms_desktop.core.fieldwork import SessionInfo, Speaker, problem
from mms_desktop.gui.language_picker import LanguagePicker

LABELS = {
    "title": "Title", "language": "Language", "language_name": "Language name", "date": "Date",
    "place": "Place", "recorder": "Recorded by", "equipment": "Equipment", "consent": "Consent",
    "access": "Access", "description": "Description",
}  # fmt: skip
HINTS = {
    "language_name": "free text, for languages without a code",
    "date": "YYYY-MM-DD",
    "consent": "what the speakers agreed to",
    "access": "who may hear and read this",
}


class SessionDialog(QDialog):
    """Creates a session's metadata, or edits that of ``session``; :attr:`info` holds it once accepted (an
    edited session keeps its id, and with it its folder and file names)."""

    def __init__(
        self, parent: QWidget | None = None, session: SessionInfo | None = None, installed: Sequence[str] = ()
    ):
        super().__init__(parent)
        self.setWindowTitle("New session" if session is None else f"Session {session.id}")
        self.setMinimumWidth(520)
        self.info: SessionInfo | None = None
        self._id = session.id if session is not None else ""
        defaults = session or SessionInfo(id="", title="")
        form = QFormLayout(self)
        self.editors: dict[str, QLineEdit | QPlainTextEdit | LanguagePicker] = {}
        for f in fields(SessionInfo):
            if f.name in LABELS:
                editor: QLineEdit | QPlainTextEdit | LanguagePicker
                if f.name == "language":
                    editor = LanguagePicker(installed)
                    editor.setText(defaults.language)
                elif f.name == "description":
                    editor = QPlainTextEdit(defaults.description)
                    editor.setFixedHeight(70)
                else:
                    editor = QLineEdit(str(getattr(defaults, f.name)))
                    editor.setPlaceholderText(HINTS.get(f.name, ""))
                self.editors[f.name] = editor
                form.addRow(LABELS[f.name], editor)
        self.speakers = QLineEdit(placeholderText="ID:Name; ID:Name  (e.g. SP1:Maria; SP2)")
        self.speakers.setText("; ".join(f"{p.id}:{p.name}" if p.name else p.id for p in defaults.speakers))
        form.addRow("Speakers", self.speakers)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #b00020;")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _text(self, name: str) -> str:
        editor = self.editors[name]
        return (editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()).strip()

    def values(self) -> SessionInfo:
        speakers = []
        for part in self.speakers.text().split(";"):
            sid, _, name = part.strip().partition(":")
            if part.strip():  # a name without an ID is kept, for the check to ask for its ID
                speakers.append(Speaker(sid.strip(), name.strip()))
        return SessionInfo(id=self._id, speakers=speakers, **{name: self._text(name) for name in LABELS})

    def accept(self) -> None:
        info = self.values()
        wrong = problem(info)
        if wrong:
            self.error.setText(wrong)
            return
        self.info = info
        super().accept()
