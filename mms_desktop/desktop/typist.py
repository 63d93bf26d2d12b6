"""Puts dictated text into the application in front, through the clipboard.

One paste keystroke carries any text in any script and for any keyboard layout, where typing key by key
could not: the text goes on the clipboard, the paste key is pressed in the focused application, and the
user's own clipboard content (every format of it) is put back once the paste has had time to land.

Signals:
    typed(str): text was handed to the focused application (the keys were pressed).
    failed(str): a sentence: the text could not be typed, and where it is instead.

Threads: GUI thread only (the clipboard is Qt's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QMimeData, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

from mms_desktop.core.recognition import Edit
from mms_desktop.desktop.keys import Keyboard, parse_chord

log = logging.getLogger(__name__)

TYPE_KEYS = "type"  # the paste setting that types key by key instead
# What X11 offers about a selection rather than as its content: never copied as content.
SELECTION_TARGETS = {"TARGETS", "MULTIPLE", "TIMESTAMP", "SAVE_TARGETS"}


def copy_of(mime: QMimeData | None) -> QMimeData:
    """A copy of every format of ``mime`` (the clipboard's own object changes under us)."""
    copy = QMimeData()
    if mime is not None:
        for name in mime.formats():
            if name not in SELECTION_TARGETS:
                copy.setData(name, mime.data(name))
    return copy


class Typist(QObject):
    """Applies each edit of a dictation to the focused application.

    Args:
        keyboard: the window system's keyboard, or None where none can be driven (the text then stays on
            the clipboard and the user is told ``unavailable``: why).
        own_windows: the native ids of this program's windows, which are never typed into.
    """

    typed = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        keyboard: Keyboard | None,
        clipboard: QClipboard,
        own_windows: Callable[[], set[int]],
        unavailable: str = "this desktop lets no program type into others",
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.keyboard = keyboard
        self.unavailable = unavailable
        self.clipboard = clipboard
        self._own_windows = own_windows
        self.paste_key = "Ctrl+V"
        self._saved: QMimeData | None = None  # the user's clipboard while ours is on it
        self._restore = QTimer(self, singleShot=True)
        self._restore.timeout.connect(self.restore_clipboard)
        self.restore_after_s = 0.6

    def configure(self, paste_key: str, restore_after_s: float) -> None:
        self.paste_key, self.restore_after_s = paste_key, restore_after_s

    def prepare(self) -> None:
        """A dictation into other applications starts: the keyboard may ask the desktop for permission now."""
        if self.keyboard is not None:
            self.keyboard.prepare()

    def ours_in_front(self) -> bool:
        """Whether one of this program's windows has the keyboard focus (nothing is typed into it then)."""
        focused = QGuiApplication.focusWindow()
        if focused is not None and not focused.flags() & Qt.WindowType.WindowDoesNotAcceptFocus:
            return True  # (the overlay never takes the focus, even where a platform reports it has it)
        return self.keyboard is not None and self.keyboard.focus_is_ours(self._own_windows())

    def apply(self, edit: Edit) -> bool:
        """Erase and type what ``edit`` says in the focused application; False when it could not (then the
        text is on the clipboard and :attr:`failed` said so)."""
        if not edit.erase and not edit.insert:
            return True
        if self.keyboard is None:
            return self._leave_on_clipboard(edit.insert, self.unavailable)
        if self.ours_in_front():
            return False  # the window shows the text itself
        try:
            if edit.erase:
                self.keyboard.backspace(edit.erase)
            if edit.insert:
                if self.paste_key == TYPE_KEYS:
                    self.keyboard.type_text(edit.insert)
                else:
                    self._paste(edit.insert)
        except Exception as exc:  # a window system refusing: the words must not be lost
            log.warning("typing into the focused application failed", exc_info=True)
            return self._leave_on_clipboard(edit.insert, str(exc))
        self.typed.emit(edit.insert)
        return True

    def _paste(self, text: str) -> None:
        assert self.keyboard is not None
        if self._saved is None:  # the user's content, not our previous paste still waiting to be undone
            self._saved = copy_of(self.clipboard.mimeData())
        mime = QMimeData()
        mime.setText(text)
        self.clipboard.setMimeData(mime)
        self.keyboard.press(parse_chord(self.paste_key))
        self._restore.start(int(self.restore_after_s * 1000))  # counted from the last paste

    def put_on_clipboard_after_paste(self, mime: QMimeData) -> None:
        """Leave ``mime`` on the clipboard once the last paste has landed (now, when none is pending); the
        user's earlier content is not put back then."""
        if self._restore.isActive():
            self._saved = mime
        else:
            self.clipboard.setMimeData(mime)

    def restore_clipboard(self) -> None:
        """Put the user's clipboard content back (at once, when the program is about to quit)."""
        self._restore.stop()
        if self._saved is not None:
            saved, self._saved = self._saved, None
            if saved.formats():
                self.clipboard.setMimeData(saved)
            else:
                self.clipboard.clear()

    def _leave_on_clipboard(self, text: str, why: str) -> bool:
        if text:
            self._restore.stop()
            self._saved = None  # the words are what the user needs on the clipboard now
            self.clipboard.setText(text)
        self.failed.emit(f"The words could not be typed ({why}); they are on the clipboard: paste them with Ctrl+V.")
        return False
