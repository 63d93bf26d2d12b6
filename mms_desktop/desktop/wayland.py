"""Wayland: no program may read keys pressed in another or press keys in it by itself, so the words are
typed with a tool the user installed for it: ``wtype`` (wlroots compositors: sway, Hyprland) or
``ydotool`` (any compositor; its daemon needs access to /dev/uinput). Without either, the words stay on
the clipboard and the user is told. The global shortcut is the desktop's own: bind
``mms-desktop dictation toggle`` in its keyboard settings.
"""

from __future__ import annotations

import shutil
import subprocess

from mms_desktop.desktop.keys import Chord

# Linux input event codes (linux/input-event-codes.h) of the keys a paste chord may use.
EVDEV = {"ctrl": 29, "shift": 42, "alt": 56, "super": 125, "v": 47, "Insert": 110, "BackSpace": 14}


class ToolKeyboard:
    """Presses keys through ``wtype`` or ``ydotool``."""

    def __init__(self, tool: str):
        self.name = tool
        self._path = shutil.which(tool) or tool

    def _run(self, *args: str) -> None:
        subprocess.run([self._path, *args], check=True, capture_output=True, timeout=10)

    def prepare(self) -> None:
        """Nothing to ask for beforehand."""

    def press(self, chord: Chord) -> None:
        if self.name == "wtype":
            held = sorted(chord.modifiers)
            self._run(*[a for m in held for a in ("-M", m)], "-k", chord.key, *[a for m in held for a in ("-m", m)])
            return
        codes = [EVDEV[m] for m in sorted(chord.modifiers)] + [EVDEV[chord.key]]
        self._run("key", *[f"{c}:1" for c in codes], *[f"{c}:0" for c in reversed(codes)])

    def backspace(self, count: int) -> None:
        if self.name == "wtype":
            self._run(*["-k", "BackSpace"] * count)
        else:
            self._run("key", *["14:1", "14:0"] * count)

    def type_text(self, text: str) -> None:
        self._run("--", text) if self.name == "wtype" else self._run("type", "--", text)

    def focus_is_ours(self, own_windows: set[int]) -> bool:
        return False  # Wayland does not say; Qt's own focus window is asked first


def tool_keyboard() -> ToolKeyboard | None:
    """The keyboard of the first typing tool installed, or None."""
    for tool in ("wtype", "ydotool"):
        if shutil.which(tool):
            return ToolKeyboard(tool)
    return None
