"""X11: a global shortcut by a passive key grab on the root window, and keys pressed in the focused
application through the XTEST extension (python-xlib, no compiled code).

Threads: :class:`X11Hotkey` listens on a thread of its own, with a display connection of its own, and
calls ``on_press``/``on_release`` there; :class:`X11Keyboard` is used from one thread (the GUI's).
"""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Callable
from typing import Any

from mms_desktop.desktop.keys import Chord

log = logging.getLogger(__name__)

MODIFIER_KEYS = {"ctrl": "Control_L", "alt": "Alt_L", "shift": "Shift_L", "super": "Super_L"}


class X11Unavailable(Exception):
    """The X server cannot be used for this (no display, no XTEST, a shortcut held by another program)."""


def _open(display_name: str | None) -> Any:
    from Xlib import display, error

    try:
        return display.Display(display_name)
    except (error.DisplayError, error.ConnectionClosedError, OSError) as exc:
        raise X11Unavailable(f"the X display cannot be opened ({exc})") from exc


def _keycode(dpy: Any, name: str) -> int:
    from Xlib import XK

    code = int(dpy.keysym_to_keycode(XK.string_to_keysym(name)))
    if not code:
        raise X11Unavailable(f"the keyboard has no key {name}")
    return code


class X11Keyboard:
    """Presses keys in the application that has the X keyboard focus."""

    name = "X11"

    def __init__(self, display_name: str | None = None):
        self._dpy = _open(display_name)
        if not self._dpy.has_extension("XTEST"):
            raise X11Unavailable("the X server has no XTEST extension")

    def _fake(self, code: int, down: bool) -> None:
        from Xlib import X
        from Xlib.ext import xtest

        xtest.fake_input(self._dpy, X.KeyPress if down else X.KeyRelease, code)

    def _release_held_modifiers(self) -> None:
        """Keys the user still holds (the shortcut's Ctrl+Alt) would change the paste key: let them go."""
        keymap = self._dpy.query_keymap()
        for name in ("Control_L", "Control_R", "Alt_L", "Alt_R", "Shift_L", "Shift_R", "Super_L", "Super_R"):
            try:
                code = _keycode(self._dpy, name)
            except X11Unavailable:
                continue
            if keymap[code // 8] & (1 << (code % 8)):
                self._fake(code, False)

    def prepare(self) -> None:
        """Nothing to ask for beforehand."""

    def press(self, chord: Chord) -> None:
        self._release_held_modifiers()
        held = [_keycode(self._dpy, MODIFIER_KEYS[m]) for m in sorted(chord.modifiers)]
        key = _keycode(self._dpy, chord.key)
        for code in held:
            self._fake(code, True)
        self._fake(key, True)
        self._fake(key, False)
        for code in reversed(held):
            self._fake(code, False)
        self._dpy.sync()

    def backspace(self, count: int) -> None:
        self._release_held_modifiers()
        code = _keycode(self._dpy, "BackSpace")
        for _ in range(count):
            self._fake(code, True)
            self._fake(code, False)
        self._dpy.sync()

    def type_text(self, text: str) -> None:
        """Type ``text``; a character that is on no key is given a spare key for the moment it is typed."""
        self._release_held_modifiers()
        shift = _keycode(self._dpy, "Shift_L")
        for char in text:
            keysym = ord(char) if ord(char) < 0x100 else 0x01000000 + ord(char)
            if char == "\n":
                keysym = 0xFF0D  # Return
            found = [(code, index) for code, index in self._dpy.keysym_to_keycodes(keysym) if index < 2]
            if found:
                code, index = found[0]
                if index:
                    self._fake(shift, True)
                self._fake(code, True)
                self._fake(code, False)
                if index:
                    self._fake(shift, False)
            else:
                self._type_on_spare_key(keysym)
        self._dpy.sync()

    def _type_on_spare_key(self, keysym: int) -> None:
        first = self._dpy.display.info.min_keycode
        count = self._dpy.display.info.max_keycode - first + 1
        mapping = self._dpy.get_keyboard_mapping(first, count)
        spare = next((first + i for i in range(count - 1, -1, -1) if not any(mapping[i])), None)
        if spare is None:
            raise X11Unavailable("the keyboard has no spare key to type this character with")
        per_key = len(mapping[0])
        self._dpy.change_keyboard_mapping(spare, [(keysym,) * per_key])
        self._dpy.sync()
        self._fake(spare, True)
        self._fake(spare, False)
        self._dpy.sync()
        self._dpy.change_keyboard_mapping(spare, [(0,) * per_key])

    def focus_is_ours(self, own_windows: set[int]) -> bool:
        window = self._dpy.get_input_focus().focus
        root = self._dpy.screen().root.id
        while window is not None and not isinstance(window, int) and window.id not in (0, root):
            if window.id in own_windows:
                return True
            window = window.query_tree().parent
        return False

    def focus(self) -> int:
        """The id of the window that has the keyboard focus (0 for none)."""
        window = self._dpy.get_input_focus().focus
        return 0 if isinstance(window, int) else int(window.id)

    def close(self) -> None:
        self._dpy.close()


class X11Hotkey:
    """Listens for ``chord`` pressed in any application (a passive grab on the root window).

    Raises:
        X11Unavailable: from :meth:`start`, when the display cannot be opened or another program already
            holds the shortcut.
    """

    def __init__(
        self,
        chord: Chord,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        display_name: str | None = None,
    ):
        self.chord = chord
        self._on_press, self._on_release = on_press, on_release
        self._display_name = display_name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dpy: Any = None
        self._code = 0
        self._down = False

    def _masks(self) -> list[int]:
        """The chord's modifier mask, with each state of Caps Lock and Num Lock (which must not matter)."""
        from Xlib import X

        bits = {"ctrl": X.ControlMask, "alt": X.Mod1Mask, "shift": X.ShiftMask, "super": X.Mod4Mask}
        mask = 0
        for modifier in self.chord.modifiers:
            mask |= bits[modifier]
        return [mask | extra for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask)]

    def start(self) -> None:
        from Xlib import X, error

        self._dpy = _open(self._display_name)
        root = self._dpy.screen().root
        self._code = _keycode(self._dpy, self.chord.key)
        catch = error.CatchError(error.BadAccess)
        for mask in self._masks():
            root.grab_key(self._code, mask, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catch)
        self._dpy.sync()
        if catch.get_error() is not None:
            self._dpy.close()
            raise X11Unavailable(f"another program already uses {self.chord}")
        self._thread = threading.Thread(target=self._listen, name="global-shortcut", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        from Xlib import X

        dpy = self._dpy
        while not self._stop.is_set():
            if not dpy.pending_events():
                select.select([dpy.fileno()], [], [], 0.2)
                if not dpy.pending_events():
                    continue
            event = dpy.next_event()
            if getattr(event, "detail", None) != self._code:
                continue
            if event.type == X.KeyPress and not self._down:
                self._down = True
                self._on_press()
            elif event.type == X.KeyRelease and not self._repeats(event):
                self._down = False
                self._on_release()

    def _repeats(self, release: Any) -> bool:
        """Whether ``release`` is half of a key held down (auto-repeat sends a release and a press at once)."""
        from Xlib import X

        if not self._dpy.pending_events():
            return False
        nxt = self._dpy.next_event()
        if nxt.type == X.KeyPress and nxt.detail == release.detail and nxt.time == release.time:
            return True
        self._dpy.display.event_queue.insert(0, nxt)  # not a repeat: read again by the loop
        return False

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None
        if self._dpy is not None:
            root = self._dpy.screen().root
            for mask in self._masks():
                root.ungrab_key(self._code, mask)
            self._dpy.close()
            self._dpy = None
