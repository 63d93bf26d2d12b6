"""Which window system the program runs on, and its keyboard and global shortcut.

X11 has both (``x11``). Wayland has the shortcut through the desktop portal where the compositor offers it
(``portal``) and types through the portal's remote keyboard, or else a tool when one is installed
(``wayland``). Windows has both (``windows``), and so has macOS, with the Accessibility permission
(``macos``). Where no keyboard can be driven, the words stay on the clipboard and the user is told why.
"""

from __future__ import annotations

import logging

from mms_desktop.desktop.keys import HotkeyFactory, Keyboard

log = logging.getLogger(__name__)
NO_TOOL = "this Wayland desktop lets no program type into others: install wtype or ydotool"
UNKNOWN = "this desktop lets no program type into others"


def keyboard_for(platform: str) -> tuple[Keyboard | None, str]:
    """The keyboard to type with on Qt's ``platform`` (``xcb``, ``wayland``, ``windows``, ``cocoa``), or
    None and why not."""
    try:
        if platform == "xcb":
            from mms_desktop.desktop.x11 import X11Keyboard

            return X11Keyboard(), ""
        if platform.startswith("wayland"):
            return _wayland_keyboard()
        if platform == "windows":
            from mms_desktop.desktop.windows import WindowsKeyboard

            return WindowsKeyboard(), ""
        if platform == "cocoa":
            from mms_desktop.desktop.macos import MacKeyboard

            return MacKeyboard(), ""
    except Exception as exc:  # no XTEST, no Accessibility permission: said when words cannot be typed
        log.warning("typing into other applications is not possible: %s", exc)
        return None, str(exc)
    return None, UNKNOWN


def _wayland_keyboard() -> tuple[Keyboard | None, str]:
    """The portal's remote keyboard where the desktop offers one, else a typing tool, else none."""
    from mms_desktop.desktop.portal import PortalKeyboard, PortalUnavailable
    from mms_desktop.desktop.wayland import tool_keyboard

    try:
        return PortalKeyboard(), ""
    except PortalUnavailable as exc:
        log.info("no remote keyboard through the portal: %s", exc)
    tool = tool_keyboard()
    return tool, "" if tool is not None else NO_TOOL


def hotkey_factory_for(platform: str) -> HotkeyFactory | None:
    """What listens for a global shortcut on ``platform``, or None where only the desktop's settings can."""
    if platform == "xcb":
        from mms_desktop.desktop.x11 import X11Hotkey

        return X11Hotkey
    if platform.startswith("wayland"):
        from mms_desktop.desktop.portal import PortalHotkey

        return PortalHotkey
    if platform == "windows":
        from mms_desktop.desktop.windows import WindowsHotkey

        return WindowsHotkey
    if platform == "cocoa":
        from mms_desktop.desktop.macos import MacHotkey

        return MacHotkey
    return None
