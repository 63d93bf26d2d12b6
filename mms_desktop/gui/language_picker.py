"""Choosing a language by name or code: every ISO 639-3 language, the installed ones first, searched as
you type ("yak" finds Sakha (Yakut), "sah" finds it too)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

SEPARATOR = " · "


@functools.lru_cache(maxsize=1)
def iso639_3() -> tuple[tuple[str, str], ...]:
    """(code, name) of every ISO 639-3 language, by name."""
    import pycountry

    return tuple(sorted(((lang.alpha_3, lang.name) for lang in pycountry.languages), key=lambda p: p[1].lower()))


class LanguagePicker(QComboBox):
    """An editable chooser whose text is a language code: pick "Sakha · sah" from the list (searched by any
    part of the name or code) or type a code. ``text()`` and ``setText()`` speak codes, so that it stands
    where a line edit for a code stood.

    Args:
        installed: codes (adapter names) listed first, marked as installed.
    """

    def __init__(self, installed: Iterable[str] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        edit = self.lineEdit()
        assert edit is not None  # an editable combo box has one
        self._edit = edit
        model = QStandardItemModel(self)
        self.setModel(model)
        self.set_installed(installed)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self._edit.setPlaceholderText("Search by name or ISO 639-3 code, e.g. Sakha or sah")
        self.setAccessibleName("Language")

    def set_installed(self, installed: Iterable[str]) -> None:
        """List every language again, ``installed`` (codes or adapter names) first; the text stays."""
        typed = self.currentText()
        model = self.model()
        assert isinstance(model, QStandardItemModel)
        model.clear()
        names = dict(iso639_3())
        first = list(dict.fromkeys(installed))
        for code in first:
            model.appendRow(QStandardItem(f"{names.get(code.split('-')[0], code)}{SEPARATOR}{code} (installed)"))
        for code, name in iso639_3():
            if code not in first:
                model.appendRow(QStandardItem(f"{name}{SEPARATOR}{code}"))
        self.setCurrentIndex(-1)
        self.setEditText(typed)

    def text(self) -> str:
        """The chosen code: the code of a listed entry, or what was typed."""
        typed = self.currentText().strip()
        if SEPARATOR in typed:
            return typed.rsplit(SEPARATOR, 1)[1].removesuffix(" (installed)").strip()
        return typed

    def setText(self, code: str) -> None:  # noqa: N802 - as QLineEdit's, which this stands in for
        self.setEditText(code)

    def setPlaceholderText(self, text: str) -> None:  # noqa: N802
        self._edit.setPlaceholderText(text)
