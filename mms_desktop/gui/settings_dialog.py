"""The settings dialog, built from the declarations in ``settings.py`` (one widget per setting).

The everyday choices (languages, microphone, folders) are on the first page, dictation into other
applications on its own page; the model, device, precision and the windows of recognition are under
Advanced. Each setting has a line under it that says what it
does in plain words, and its full description as a tooltip.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mms_desktop import settings as settings_module
from mms_desktop.core.audio import plain_device_name
from mms_desktop.gui.language_picker import LanguagePicker
from mms_desktop.settings import UNITS, Settings

# On the first page: what everyone chooses; the rest is under Advanced.
EVERYDAY = ("favourites", "auto_among", "input_device", "recordings_dir", "project_dir", "word_lists")


def _show_value(box: QComboBox, value: str) -> None:
    """Select the item whose value is ``value``, or show it as typed where no item has it."""
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)
    else:
        box.setCurrentText(value)


class SettingsDialog(QDialog):
    """Edits a copy of the settings; :attr:`result_settings` holds them once accepted.

    Args:
        devices: names of the input devices known now (the chooser also accepts any typed name).
    """

    def __init__(
        self,
        current: Settings,
        devices: list[str],
        parent: QWidget | None = None,
        notes: dict[str, str] | None = None,
        installed: Sequence[str] = (),
    ):
        """``notes``: a sentence to show under a setting, by name (what runs instead of a model not installed);
        ``installed``: the installed languages, listed first where a language is chosen."""
        super().__init__(parent)
        self._installed = list(installed)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self.result_settings: Settings | None = None
        self._current = current
        self.editors: dict[str, QWidget] = {}
        self._fields = {f.name: f for f in dataclasses.fields(Settings)}
        self.pages = QTabWidget()
        forms = {page: QFormLayout() for page in ("General", "Dictation", "Advanced")}
        for page, form in forms.items():
            holder = QWidget()
            holder.setLayout(form)
            self.pages.addTab(holder, page)
        for f in dataclasses.fields(Settings):
            if f.metadata.get("advanced"):
                continue
            editor, widget = self._editor(f, getattr(current, f.name), devices)
            editor.setToolTip(f"<p>{html.escape(f.metadata['help'])}</p>")  # rich text: Qt wraps it
            self.editors[f.name] = editor
            form = forms[f.metadata.get("page") or ("General" if f.name in EVERYDAY else "Advanced")]
            form.addRow(f.metadata["label"], widget)
            hint = QLabel(" ".join(filter(None, [f.metadata["hint"], (notes or {}).get(f.name, "")])), wordWrap=True)
            hint.setStyleSheet("color: palette(mid);")
            form.addRow("", hint)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _editor(self, f: dataclasses.Field, value: Any, devices: list[str]) -> tuple[QWidget, QWidget]:
        kind = f.metadata["kind"]
        if kind in ("choice", "model", "input-device"):
            box = QComboBox(editable=kind != "choice")
            options = devices if kind == "input-device" else list(f.metadata["choices"])
            named = plain_device_name if kind == "input-device" else str  # a device's plain name, its own as data
            for option in options if value in options or not value else [value, *options]:
                box.addItem(named(option), option)
            _show_value(box, value)
            edit = box.lineEdit()
            if kind == "input-device" and edit is not None:  # empty: the system's default microphone, said there
                edit.setPlaceholderText("System default microphone")
            return box, box
        if kind == "shortcut":
            keys = QKeySequenceEdit(QKeySequence(value))
            keys.setMaximumSequenceLength(1)
            keys.setClearButtonEnabled(True)
            return keys, keys
        if kind in UNITS:
            spin = QDoubleSpinBox(suffix=" s" if kind == "seconds" else " ×", decimals=1, singleStep=0.5)
            spin.setRange(f.metadata["minimum"], f.metadata["maximum"])
            spin.setValue(value)
            return spin, spin
        line = QLineEdit(", ".join(value) if kind == "codes" else value)
        line.setPlaceholderText("e.g. eng, fra, swh" if kind == "codes" else "Documents/MMS Desktop")
        if kind == "codes":
            return line, _with_picker(line, LanguagePicker(self._installed))
        if kind != "folder":
            return line, line
        row = QWidget()
        box_layout = QHBoxLayout(row)
        box_layout.setContentsMargins(0, 0, 0, 0)
        browse = QPushButton("Browse…")
        browse.setObjectName(f.name)
        browse.clicked.connect(self._browse_folder)
        box_layout.addWidget(line, 1)
        box_layout.addWidget(browse)
        return line, row

    def values(self) -> Settings:
        """The settings as the form shows them."""
        changes: dict[str, Any] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QComboBox):  # the item's value, unless something else was typed
                chosen = editor.currentIndex() >= 0 and editor.itemText(editor.currentIndex()) == editor.currentText()
                changes[name] = str(editor.currentData()) if chosen else editor.currentText().strip()
            elif isinstance(editor, QDoubleSpinBox):
                changes[name] = float(editor.value())
            elif isinstance(editor, QKeySequenceEdit):
                changes[name] = editor.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
            elif isinstance(editor, QLineEdit):
                text = editor.text().strip()
                changes[name] = _codes(text) if self._fields[name].metadata["kind"] == "codes" else text
        return dataclasses.replace(self._current, **changes)

    @Slot()
    def restore_defaults(self) -> None:
        defaults = Settings()
        for name, editor in self.editors.items():
            value = getattr(defaults, name)
            if isinstance(editor, QComboBox):
                _show_value(editor, value)
            elif isinstance(editor, QDoubleSpinBox):
                editor.setValue(value)
            elif isinstance(editor, QKeySequenceEdit):
                editor.setKeySequence(QKeySequence(value))
            elif isinstance(editor, QLineEdit):
                editor.setText(", ".join(value) if isinstance(value, list) else value)

    @Slot()
    def _browse_folder(self) -> None:
        name = self.sender().objectName()
        editor = self.editors[name]
        assert isinstance(editor, QLineEdit)
        folder = QFileDialog.getExistingDirectory(self, self._fields[name].metadata["label"], editor.text())
        if folder:
            editor.setText(folder)

    def accept(self) -> None:
        chosen = self.values()
        problem = settings_module.check(chosen)
        if problem:
            self.error.setText(problem)
            return
        self.result_settings = chosen
        super().accept()


def _with_picker(line: QLineEdit, picker: LanguagePicker) -> QWidget:
    """A list of codes with a language picker beside it: a language chosen there joins the list."""
    picker.setPlaceholderText("Add a language: type its name or code…")

    def add() -> None:
        code = picker.text()
        if code and code not in _codes(line.text()):
            line.setText(", ".join([*_codes(line.text()), code]))
        picker.setEditText("")

    picker.activated.connect(lambda _index: add())
    completer = picker.completer()
    if completer is not None:
        completer.activated.connect(lambda _text: QTimer.singleShot(0, add))
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(line, 1)
    layout.addWidget(picker, 1)
    return row


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]
