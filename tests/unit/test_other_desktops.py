"""Windows and macOS typing: which keys, in which order, with which flags; worked out here on any system
(the calls into Windows and macOS themselves cannot run on Linux, where these tests run)."""

import ctypes

import pytest

from mms_desktop.desktop import macos, windows
from mms_desktop.desktop.keys import parse_chord


def test_windows_presses_the_modifiers_then_the_key_and_lets_go_in_reverse() -> None:
    up = windows.KEYEVENTF_KEYUP
    assert windows.chord_events(parse_chord("Ctrl+Shift+V")) == [
        (0x11, 0, 0),
        (0x10, 0, 0),
        (0x56, 0, 0),
        (0x56, 0, up),
        (0x10, 0, up),
        (0x11, 0, up),
    ]
    assert windows.chord_events(parse_chord("Shift+Insert"))[1] == (0x2D, 0, 0)
    assert windows.virtual_key("F9") == 0x78 and windows.virtual_key("7") == 0x37


def test_windows_types_any_script_as_utf16_units() -> None:
    events = windows.text_events("é中😀")
    units = [scan for _, scan, flags in events if not flags & windows.KEYEVENTF_KEYUP]
    assert units == [0xE9, 0x4E2D, 0xD83D, 0xDE00]  # the emoji is a surrogate pair
    assert all(flags & windows.KEYEVENTF_UNICODE for _, _, flags in events)


def test_windows_input_records_have_the_size_sendinput_expects() -> None:
    assert ctypes.sizeof(windows.INPUT) == (40 if ctypes.sizeof(ctypes.c_void_p) == 8 else 28)
    inputs = windows.as_inputs(windows.chord_events(parse_chord("Ctrl+V")))
    assert [(i.type, i.u.ki.wVk, i.u.ki.dwFlags) for i in inputs][:2] == [(1, 0x11, 0), (1, 0x56, 0)]


def test_windows_keyboard_sends_what_it_is_asked() -> None:
    sent: list[list] = []
    keyboard = windows.WindowsKeyboard(send=sent.append)
    keyboard.backspace(3)
    keyboard.type_text("hi")
    assert len(sent[0]) == 6 and sent[0][0] == (0x08, 0, 0)
    assert len(sent[1]) == 4


def test_macos_pastes_with_command_v_and_needs_the_accessibility_permission() -> None:
    assert macos.chord_events(parse_chord("Ctrl+V")) == [(9, 0x100000, True), (9, 0x100000, False)]
    with pytest.raises(PermissionError, match="Privacy & Security → Accessibility"):
        macos.MacKeyboard(post=lambda events, text: None, allowed=lambda: False)
    posted: list = []
    keyboard = macos.MacKeyboard(post=lambda events, text: posted.append((events, text)), allowed=lambda: True)
    keyboard.type_text("नमस्ते")
    keyboard.backspace(2)
    assert posted[0][1] == "नमस्ते" and len(posted[1][0]) == 4


def test_where_no_keyboard_can_be_driven_the_reason_is_said(monkeypatch) -> None:
    from mms_desktop.desktop import system, wayland

    monkeypatch.setattr(wayland.shutil, "which", lambda name: None)
    assert system.keyboard_for("wayland") == (None, system.NO_TOOL)
    assert system.keyboard_for("offscreen") == (None, system.UNKNOWN)
    keyboard, why = system.keyboard_for("cocoa")  # here, with no macOS to load
    assert keyboard is None and why
    from mms_desktop.desktop.portal import PortalHotkey

    assert system.hotkey_factory_for("wayland") is PortalHotkey
    assert system.hotkey_factory_for("cocoa") is macos.MacHotkey
    assert system.hotkey_factory_for("offscreen") is None


def test_macos_shortcut_follows_the_chord_through_presses_and_releases() -> None:
    tracker = macos.ChordTracker(parse_chord("Ctrl+Alt+Space"))  # Ctrl is Command on macOS, as in Qt
    assert not tracker.press("space"), "the key alone is not the chord"
    tracker.release("space")
    assert not tracker.press("cmd_l") and not tracker.press("alt")
    assert tracker.press("space") and tracker.down
    assert not tracker.press("space"), "a held key repeating is not a new press"
    assert not tracker.release("alt") and tracker.release("space") and not tracker.down
    shifted = macos.ChordTracker(parse_chord("Ctrl+Shift+V"))
    for name in ("cmd_r", "shift", "ctrl"):
        shifted.press(name)
    assert not shifted.press("v"), "with another modifier held it is another chord"
