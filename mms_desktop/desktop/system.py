"""Which window system the program runs on, and its keyboard and global shortcut.

X11 has both (``x11``); Wayland types through a tool when one is installed and leaves the shortcut to the
desktop's settings (``wayland``); on Windows and macOS neither is built yet: the words stay on the
clipboard, and ``mms-desktop dictation toggle`` bound to a key starts and stops dictation.
"""

from __future__ import annotations

import logging

from mms_desktop.desktop.keys import HotkeyFactory, Keyboard

log = logging.getLogger(__name__)


def keyboard_for(platform: str) -> Keyboard | None:
    """The keyboard to type with on Qt's ``platform`` (``xcb``, ``wayland``, …), or None."""
    if platform == "xcb":
        from mms_desktop.desktop.x11 import X11Keyboard, X11Unavailable

        try:
            return X11Keyboard()
        except X11Unavailable as exc:
            log.warning("typing into other applications is not possible: %s", exc)
            return None
    if platform.startswith("wayland"):
        from mms_desktop.desktop.wayland import tool_keyboard

        return tool_keyboard()
    return None


def hotkey_factory_for(platform: str) -> HotkeyFactory | None:
    """What listens for a global shortcut on ``platform``, or None where only the desktop's settings can."""
    if platform == "xcb":
        from mms_desktop.desktop.x11 import X11Hotkey

        return X11Hotkey
    return None
