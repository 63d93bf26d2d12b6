"""Windows: keys pressed in the application in front with SendInput, and the global shortcut with
RegisterHotKey (a thread of its own with a message loop), through ctypes.

Which keys go in which order is worked out here in plain Python (and tested on every system); only
:func:`_send_input` and :class:`WindowsHotkey` call Windows itself, and those were not run by this
project's tests, which run on Linux.

Threads: :class:`WindowsHotkey` listens on its own thread and calls ``on_press``/``on_release`` there.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from mms_desktop.desktop.keys import Chord

INPUT_KEYBOARD = 1
KEYEVENTF_KEYUP = 0x0002
KEYEVENTF_UNICODE = 0x0004
WM_HOTKEY, WM_QUIT = 0x0312, 0x0012
MOD_FLAGS = {"alt": 0x1, "ctrl": 0x2, "shift": 0x4, "super": 0x8}
MOD_NOREPEAT = 0x4000
# Virtual-key codes of the keys a chord may name (letters and digits are their upper-case ASCII codes).
VIRTUAL_KEYS = {
    "ctrl": 0x11,
    "alt": 0x12,
    "shift": 0x10,
    "super": 0x5B,
    "space": 0x20,
    "Insert": 0x2D,
    "Delete": 0x2E,
    "BackSpace": 0x08,
    "Return": 0x0D,
    "Tab": 0x09,
    "Escape": 0x1B,
    "Home": 0x24,
    "End": 0x23,
    "Prior": 0x21,
    "Next": 0x22,
    "Pause": 0x13,
    "Print": 0x2C,
    "plus": 0xBB,
}


def virtual_key(name: str) -> int:
    if name in VIRTUAL_KEYS:
        return VIRTUAL_KEYS[name]
    if len(name) == 1 and name.isalnum():
        return ord(name.upper())
    if name[:1] == "F" and name[1:].isdigit() and 1 <= int(name[1:]) <= 24:
        return 0x70 + int(name[1:]) - 1
    raise ValueError(f"no Windows key for {name}")


class KEYBDINPUT(ctypes.Structure):
    _fields_ = [
        ("wVk", ctypes.c_uint16),
        ("wScan", ctypes.c_uint16),
        ("dwFlags", ctypes.c_uint32),
        ("time", ctypes.c_uint32),
        ("dwExtraInfo", ctypes.c_size_t),
    ]


class MOUSEINPUT(ctypes.Structure):  # the largest member of the union: it sets INPUT's size
    _fields_ = [
        ("dx", ctypes.c_int32),
        ("dy", ctypes.c_int32),
        ("mouseData", ctypes.c_uint32),
        ("dwFlags", ctypes.c_uint32),
        ("time", ctypes.c_uint32),
        ("dwExtraInfo", ctypes.c_size_t),
    ]


class _INPUTUNION(ctypes.Union):
    _fields_ = [("ki", KEYBDINPUT), ("mi", MOUSEINPUT)]


class INPUT(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint32), ("u", _INPUTUNION)]


KeyEvent = tuple[int, int, int]  # virtual key, scan code (a UTF-16 unit for Unicode), flags


def chord_events(chord: Chord) -> list[KeyEvent]:
    held = [VIRTUAL_KEYS[m] for m in sorted(chord.modifiers)]
    key = virtual_key(chord.key)
    downs = [(vk, 0, 0) for vk in [*held, key]]
    return downs + [(vk, 0, KEYEVENTF_KEYUP) for vk in reversed([*held, key])]


def text_events(text: str) -> list[KeyEvent]:
    """Each UTF-16 unit of ``text`` as a Unicode key down and up: any script, whatever the layout."""
    units = text.encode("utf-16-le")
    events: list[KeyEvent] = []
    for i in range(0, len(units), 2):
        unit = int.from_bytes(units[i : i + 2], "little")
        events += [(0, unit, KEYEVENTF_UNICODE), (0, unit, KEYEVENTF_UNICODE | KEYEVENTF_KEYUP)]
    return events


def as_inputs(events: list[KeyEvent]) -> Any:
    array = (INPUT * len(events))()
    for item, (vk, scan, flags) in zip(array, events, strict=True):
        item.type = INPUT_KEYBOARD
        item.u.ki = KEYBDINPUT(vk, scan, flags, 0, 0)
    return array


def _send_input(events: list[KeyEvent]) -> None:
    inputs = as_inputs(events)
    sent = ctypes.windll.user32.SendInput(len(events), inputs, ctypes.sizeof(INPUT))  # type: ignore[attr-defined]
    if sent != len(events):
        raise OSError("Windows refused the key presses (another program may be running as administrator)")


class WindowsKeyboard:
    """Presses keys in the application in front."""

    name = "Windows"

    def __init__(self, send: Callable[[list[KeyEvent]], None] = _send_input):
        self._send = send

    def prepare(self) -> None:
        """Nothing to ask for beforehand."""

    def press(self, chord: Chord) -> None:
        self._send(chord_events(chord))

    def backspace(self, count: int) -> None:
        self._send([e for _ in range(count) for e in chord_events(Chord(frozenset(), "BackSpace"))])

    def type_text(self, text: str) -> None:
        self._send(text_events(text))

    def focus_is_ours(self, own_windows: set[int]) -> bool:
        if sys.platform != "win32":
            return False
        return int(ctypes.windll.user32.GetForegroundWindow() or 0) in own_windows


class WindowsHotkey:
    """Listens for ``chord`` in any application (RegisterHotKey); its release is seen by polling the key."""

    def __init__(self, chord: Chord, on_press: Callable[[], None], on_release: Callable[[], None]):
        self.chord, self._on_press, self._on_release = chord, on_press, on_release
        self._thread: threading.Thread | None = None
        self._thread_id = 0
        self._started = threading.Event()
        self._error = ""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._listen, name="global-shortcut", daemon=True)
        self._thread.start()
        self._started.wait(5)
        if self._error:
            raise OSError(self._error)

    def _listen(self) -> None:
        from ctypes import wintypes

        user32, kernel32 = ctypes.windll.user32, ctypes.windll.kernel32  # type: ignore[attr-defined]
        self._thread_id = kernel32.GetCurrentThreadId()
        modifiers = MOD_NOREPEAT
        for modifier in self.chord.modifiers:
            modifiers |= MOD_FLAGS[modifier]
        key = virtual_key(self.chord.key)
        if not user32.RegisterHotKey(None, 1, modifiers, key):
            self._error = f"another program already uses {self.chord}"
            self._started.set()
            return
        self._started.set()
        message = wintypes.MSG()
        while user32.GetMessageW(ctypes.byref(message), None, 0, 0) > 0:
            if message.message == WM_HOTKEY:
                self._on_press()
                while user32.GetAsyncKeyState(key) & 0x8000:  # held: push-to-talk ends when it is let go
                    time.sleep(0.02)
                self._on_release()
        user32.UnregisterHotKey(None, 1)

    def stop(self) -> None:
        if self._thread is not None and self._thread_id:
            ctypes.windll.user32.PostThreadMessageW(self._thread_id, WM_QUIT, 0, 0)  # type: ignore[attr-defined]
            self._thread.join(2)
        self._thread = None
