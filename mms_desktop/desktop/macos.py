"""macOS: keys pressed in the application in front with Quartz events (CGEventPost), through ctypes. macOS
lets a program do that only with the Accessibility permission: without it the words stay on the clipboard
and the user is told where to give it. The global shortcut is pynput's keyboard listener (a dependency on
macOS only), which needs the same permission.

As on Windows, the keys and their order are worked out here in plain Python (and tested on every system);
the calls into macOS itself were not run by this project's tests, which run on Linux.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from typing import Any

from mms_desktop.desktop.keys import Chord

ACCESSIBILITY = (
    "MMS Desktop may not type into other applications yet: allow it in System Settings → Privacy & Security → "
    "Accessibility, then start it again"
)
# Qt's Ctrl is the Command key on macOS (Ctrl+V pastes with Command-V), as Qt's own shortcuts do.
FLAGS = {"ctrl": 0x100000, "shift": 0x20000, "alt": 0x80000, "super": 0x40000}
# Virtual key codes of the US layout's keys (letters by position: the system maps them to the user's layout).
KEY_CODES = {
    "a": 0,
    "s": 1,
    "d": 2,
    "f": 3,
    "h": 4,
    "g": 5,
    "z": 6,
    "x": 7,
    "c": 8,
    "v": 9,
    "b": 11,
    "q": 12,
    "w": 13,
    "e": 14,
    "r": 15,
    "y": 16,
    "t": 17,
    "o": 31,
    "u": 32,
    "i": 34,
    "p": 35,
    "l": 37,
    "j": 38,
    "k": 40,
    "n": 45,
    "m": 46,
    "space": 49,
    "Return": 36,
    "Tab": 48,
    "BackSpace": 51,
    "Escape": 53,
    "Insert": 114,
    "Delete": 117,
    "Home": 115,
    "End": 119,
}

KeyEvent = tuple[int, int, bool]  # key code, modifier flags, down


def chord_events(chord: Chord) -> list[KeyEvent]:
    """The chord as one key down and up carrying its modifiers (macOS needs no separate modifier keys)."""
    flags = 0
    for modifier in chord.modifiers:
        flags |= FLAGS[modifier]
    code = KEY_CODES[chord.key]
    return [(code, flags, True), (code, flags, False)]


def _quartz() -> Any:
    path = ctypes.util.find_library("ApplicationServices")
    if path is None:
        raise OSError("this is not macOS")
    library = ctypes.cdll.LoadLibrary(path)
    library.CGEventCreateKeyboardEvent.restype = ctypes.c_void_p
    library.CGEventCreateKeyboardEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint16, ctypes.c_bool]
    library.CGEventSetFlags.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
    library.CGEventPost.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
    library.CGEventKeyboardSetUnicodeString.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
    library.CFRelease.argtypes = [ctypes.c_void_p]
    return library


def _post(events: list[KeyEvent], text: str = "") -> None:
    quartz = _quartz()
    for code, flags, down in events:
        event = quartz.CGEventCreateKeyboardEvent(None, code, down)
        quartz.CGEventSetFlags(event, flags)
        if text:
            units = text.encode("utf-16-le")
            quartz.CGEventKeyboardSetUnicodeString(event, len(units) // 2, units)
        quartz.CGEventPost(0, event)  # kCGHIDEventTap
        quartz.CFRelease(event)


def trusted() -> bool:
    """Whether macOS lets this program post key events (the Accessibility permission)."""
    return bool(_quartz().AXIsProcessTrusted())


class MacKeyboard:
    """Presses keys in the application in front.

    Raises:
        PermissionError: from the constructor, without the Accessibility permission (the sentence says
            where to give it).
    """

    name = "macOS"

    def __init__(self, post: Callable[[list[KeyEvent], str], None] = _post, allowed: Callable[[], bool] = trusted):
        if not allowed():
            raise PermissionError(ACCESSIBILITY)
        self._post = post

    def prepare(self) -> None:
        """Nothing to ask for beforehand."""

    def press(self, chord: Chord) -> None:
        self._post(chord_events(chord), "")

    def backspace(self, count: int) -> None:
        self._post(chord_events(Chord(frozenset(), "BackSpace")) * count, "")

    def type_text(self, text: str) -> None:
        self._post([(0, 0, True), (0, 0, False)], text)  # one event carries the whole text, in any script

    def focus_is_ours(self, own_windows: set[int]) -> bool:
        return False  # macOS does not say; Qt's own focus window is asked first


# pynput's names of the modifier keys (left and right), by the chord's modifier; Qt's Ctrl is Command here.
PYNPUT_MODIFIERS = {
    "ctrl": ("cmd", "cmd_l", "cmd_r"),
    "alt": ("alt", "alt_l", "alt_r"),
    "shift": ("shift", "shift_l", "shift_r"),
    "super": ("ctrl", "ctrl_l", "ctrl_r"),
}


class ChordTracker:
    """Follows key presses and releases (by pynput's names: ``cmd_l``, ``space``, ``v``) and says when
    ``chord`` goes down and comes up."""

    def __init__(self, chord: Chord):
        self.chord = chord
        self._held: set[str] = set()
        self.down = False

    def _modifiers(self) -> set[str]:
        return {m for m, names in PYNPUT_MODIFIERS.items() if self._held & set(names)}

    def press(self, name: str) -> bool:
        """Whether this press completes the chord."""
        self._held.add(name)
        if not self.down and name.lower() == self.chord.key.lower() and self._modifiers() == set(self.chord.modifiers):
            self.down = True
            return True
        return False

    def release(self, name: str) -> bool:
        """Whether this release ends the chord (its key let go)."""
        self._held.discard(name)
        if self.down and name.lower() == self.chord.key.lower():
            self.down = False
            return True
        return False


class MacHotkey:
    """Listens for ``chord`` in any application with pynput's keyboard listener (macOS needs the
    Accessibility or Input Monitoring permission for it: without it, the sentence says where to give it).

    Threads: pynput calls on its own thread, which calls ``on_press``/``on_release``.
    """

    def __init__(self, chord: Chord, on_press: Callable[[], None], on_release: Callable[[], None]):
        self._tracker = ChordTracker(chord)
        self._on_press, self._on_release = on_press, on_release
        self._listener: Any = None

    @staticmethod
    def _name(key: Any) -> str:
        return str(getattr(key, "name", None) or getattr(key, "char", None) or "")

    def start(self) -> None:
        from pynput import keyboard

        def pressed(key: Any) -> None:
            if self._tracker.press(self._name(key)):
                self._on_press()

        def released(key: Any) -> None:
            if self._tracker.release(self._name(key)):
                self._on_release()

        self._listener = keyboard.Listener(on_press=pressed, on_release=released)
        self._listener.start()
        self._listener.wait()
        if not getattr(self._listener, "IS_TRUSTED", True):
            self.stop()
            raise PermissionError(ACCESSIBILITY.replace("type into", "listen for its shortcut in"))

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
