"""The editable transcript: committed text in the normal style, the live tentative tail greyed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from PySide6.QtCore import Slot
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit, QWidget


class TranscriptView(QTextEdit):
    """Text the user can edit while dictation appends to it.

    The utterance in progress is a live region at the end of the document, rewritten on every partial
    result; edits the user makes elsewhere shift it but are never touched. Each dictated utterance, from
    its first partial result to its final text, is one step for Undo (Ctrl+Z), apart from edits the
    user made meanwhile, which stay steps of their own.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setPlaceholderText("Press Record (Ctrl+R) and speak, or open an audio file (Ctrl+O).")
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.setFont(font)
        self._live_start = 0
        self._live_length = 0
        self._writing = False
        self._live_undo_steps = -1  # the document's undo count just after the utterance's last edit (-1: none)
        self._utterance_from = 0  # where the utterance in progress begins, with the space put before it
        self._finals: list[tuple[int, str]] = []  # where each final text of the dictation begins, and the text
        self._committed = QTextCharFormat()
        self._tentative = QTextCharFormat()
        self._tentative.setForeground(QColor("#7a7a7a"))
        self._tentative.setFontItalic(True)
        self._tentative.setFontWeight(QFont.Weight.Light)
        self.document().contentsChange.connect(self._shift_live_region)

    @property
    def live_text(self) -> str:
        """The text of the utterance in progress, as shown."""
        return self.toPlainText()[self._live_start : self._live_start + self._live_length]

    def tentative_ranges(self) -> list[tuple[int, int]]:
        """Document ranges drawn in the tentative style (for tests and accessibility checks)."""
        ranges = []
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.charFormat().fontItalic():
                    ranges.append((fragment.position(), fragment.position() + fragment.length()))
                it += 1
            block = block.next()
        return ranges

    def show_partial(self, committed: str, tentative: str) -> None:
        """Show the utterance in progress: ``committed`` will stay, ``tentative`` may still change."""
        self._replace_live([(committed, self._committed), (tentative, self._tentative)])

    def add_final(self, text: str) -> None:
        """Replace the utterance in progress by its final text, in the committed style."""
        if not text:  # the utterance was only a command: nothing of it stays, not even its space
            if self._live_length:
                self._remove_from(self._utterance_from)
            return
        self._replace_live([(text, self._committed)])
        self._finals.append((self._utterance_from, text))
        self._live_start += self._live_length
        self._live_length = 0
        self._live_undo_steps = -1  # the next utterance is an undo step of its own

    def remove_last_final(self) -> bool:
        """Remove the last final text added (with the space before it); False when the text no longer ends
        with it (the user edited it, or an utterance is in progress) or there is none."""
        if not self._finals or self._live_length:
            return False
        start, text = self._finals.pop()
        if self.toPlainText()[start:].strip() != text.strip():
            self._finals.clear()  # edited by the user: what was dictated before is theirs now
            return False
        self._remove_from(start)
        return True

    def _remove_from(self, start: int) -> None:
        with self._live_edit() as cursor:
            cursor.setPosition(start)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        self._live_start = self._live_length = 0

    def restore(self, text: str) -> None:
        """Show ``text`` kept from an earlier session as committed text, with the cursor at its end; it is
        not an undo step (Undo never empties the window of it)."""
        self.setPlainText(text)
        self._forget_live()
        self.moveCursor(QTextCursor.MoveOperation.End)

    def clear_all(self) -> None:
        """Remove all the text, as one step that Undo brings back."""
        cursor = QTextCursor(self.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.removeSelectedText()
        self._forget_live()

    def _forget_live(self) -> None:
        """No utterance is in progress any more (the text was replaced or removed)."""
        self._finals.clear()
        self._live_start = self._live_length = 0
        self._live_undo_steps = -1

    @contextlib.contextmanager
    def _live_edit(self) -> Iterator[QTextCursor]:
        """A cursor for rewriting the live region, whose edits join the utterance's earlier ones into one
        undo step unless the user has edited since; the live-region tracking ignores them."""
        cursor = QTextCursor(self.document())
        if self._live_undo_steps == self.document().availableUndoSteps():
            cursor.joinPreviousEditBlock()
        else:
            cursor.beginEditBlock()
        self._writing = True
        try:
            yield cursor
        finally:
            cursor.endEditBlock()  # the document reports the block's changes here, still as ours
            self._writing = False
            self._live_undo_steps = self.document().availableUndoSteps()

    def _replace_live(self, parts: list[tuple[str, QTextCharFormat]]) -> None:
        with self._live_edit() as cursor:
            if not self._live_length:  # a new utterance starts at the end, after a space
                text = self.toPlainText()
                self._live_start = self._utterance_from = len(text)
                if text and not text[-1].isspace():
                    cursor.setPosition(len(text))
                    cursor.insertText(" ", self._committed)
                    self._live_start += 1
            cursor.setPosition(self._live_start)
            cursor.setPosition(self._live_start + self._live_length, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            length = 0
            for i, (text, fmt) in enumerate(p for p in parts if p[0]):
                piece = (" " if i else "") + text
                cursor.insertText(piece, fmt)
                length += len(piece)
            self._live_length = length
        self.ensureCursorVisible()

    @Slot(int, int, int)
    def _shift_live_region(self, position: int, removed: int, added: int) -> None:
        """Keep the live region on its words when the user edits the text before it."""
        if self._writing:
            return
        if position < self._live_start:
            self._live_start = max(position, self._live_start + added - removed)
        elif position < self._live_start + self._live_length:
            self._live_length = max(0, self._live_length + added - removed)
