"""Key chords written as Qt writes them ("Ctrl+Alt+Space", "Ctrl+Shift+V"), read into what a window
system needs, and the interface every window system's keyboard stands behind.

Nothing here imports Qt or a window system's library: settings are checked with it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

MODIFIERS = {
    "ctrl": "ctrl",
    "control": "ctrl",
    "alt": "alt",
    "shift": "shift",
    "meta": "super",
    "super": "super",
    "win": "super",
}
# Qt's names of keys that differ from X11's keysym names (letters, digits and F1..F35 are the same).
X_NAMES = {
    "space": "space",
    "ins": "Insert",
    "insert": "Insert",
    "del": "Delete",
    "delete": "Delete",
    "return": "Return",
    "enter": "Return",
    "tab": "Tab",
    "esc": "Escape",
    "escape": "Escape",
    "backspace": "BackSpace",
    "home": "Home",
    "end": "End",
    "pgup": "Prior",
    "pgdown": "Next",
    "pause": "Pause",
    "print": "Print",
    "scrolllock": "Scroll_Lock",
    "menu": "Menu",
}


@dataclass(frozen=True)
class Chord:
    """Modifiers held (``ctrl``, ``alt``, ``shift``, ``super``) and one key, by its X11 keysym name."""

    modifiers: frozenset[str]
    key: str

    def __str__(self) -> str:
        order = ["ctrl", "alt", "shift", "super"]
        names = [m.capitalize() if m != "super" else "Meta" for m in order if m in self.modifiers]
        return "+".join([*names, self.key[:1].upper() + self.key[1:]])


def parse_chord(text: str) -> Chord:
    """The chord ``text`` names.

    Raises:
        ValueError: one sentence on what is wrong with it.
    """
    parts = [p.strip() for p in text.replace(" ", "").split("+")]
    if text.strip().endswith("++"):  # "Ctrl++": the plus key itself
        parts = [*parts[:-2], "plus"]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"'{text}' is not a key combination; write it like Ctrl+Alt+Space.")
    *held, key = parts
    unknown = [m for m in held if m.lower() not in MODIFIERS]
    if unknown:
        raise ValueError(f"'{unknown[0]}' in '{text}' is not a modifier key; use Ctrl, Alt, Shift or Meta.")
    lowered = key.lower()
    if len(key) == 1 and key.isalnum():
        name = lowered
    elif lowered in X_NAMES:
        name = X_NAMES[lowered]
    elif lowered[:1] == "f" and lowered[1:].isdigit() and 1 <= int(lowered[1:]) <= 35:
        name = key.upper()
    elif lowered == "plus":
        name = "plus"
    else:
        raise ValueError(
            f"'{key}' in '{text}' is not a key this program can listen for; choose a letter, a "
            "digit, a function key or Space."
        )
    return Chord(frozenset(MODIFIERS[m.lower()] for m in held), name)


def parse_shortcut(text: str) -> Chord:
    """The chord ``text`` names, as a global shortcut: one that leaves ordinary typing alone.

    Raises:
        ValueError: one sentence on what is wrong with it.
    """
    chord = parse_chord(text)
    if not chord.modifiers - {"shift"} and not (chord.key[:1] == "F" and chord.key[1:].isdigit()):
        raise ValueError(f"{chord} would take that key from every application; add Ctrl, Alt or Meta.")
    return chord


class Keyboard(Protocol):
    """What a window system offers for typing into other applications.

    Implementations: :class:`mms_desktop.desktop.x11.X11Keyboard`, the Wayland tools in
    :mod:`mms_desktop.desktop.wayland`.
    """

    name: str

    def prepare(self) -> None:
        """Get ready to type (a dictation into other applications starts); may ask the user, never waits."""

    def press(self, chord: Chord) -> None:
        """Press and release ``chord`` in the application that has the keyboard focus."""

    def backspace(self, count: int) -> None:
        """Press Backspace ``count`` times."""

    def type_text(self, text: str) -> None:
        """Type ``text`` key by key (only characters the keyboard can produce)."""

    def focus_is_ours(self, own_windows: set[int]) -> bool:
        """Whether the focused window is one of ``own_windows`` (native window ids)."""


class Hotkey(Protocol):
    """A global shortcut being listened for (:class:`mms_desktop.desktop.x11.X11Hotkey`)."""

    def start(self) -> None:
        """Begin listening; raises when the shortcut cannot be had."""

    def stop(self) -> None:
        """Let the shortcut go."""


# Makes a hotkey for a chord, with what to call when it is pressed and released (on the hotkey's thread).
HotkeyFactory = Callable[[Chord, Callable[[], None], Callable[[], None]], Hotkey]
