"""The XDG desktop portal (Wayland): the global shortcut and the remote keyboard, over a real D-Bus daemon of
the test's own, with a stand-in portal (tests/fake_portal.py) acting as a desktop whose user accepts (or
declines)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mms_desktop.desktop.keys import parse_shortcut
from mms_desktop.desktop.portal import PortalHotkey, PortalUnavailable, trigger

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.skipif(not shutil.which("dbus-daemon"), reason="dbus-daemon is not installed")


@pytest.fixture()
def bus(tmp_path: Path):
    """A private session bus: its address."""
    command = ["dbus-daemon", "--session", "--nofork", "--print-address=1", f"--address=unix:path={tmp_path / 'bus'}"]
    daemon = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    address = daemon.stdout.readline().strip()
    yield address
    daemon.terminate()
    daemon.wait(10)


def wait_for(condition, seconds: float = 10.0) -> bool:  # noqa: ANN001
    done = threading.Event()
    for _ in range(int(seconds * 20)):
        if condition():
            return True
        done.wait(0.05)
    return False


def test_the_shortcut_is_bound_through_the_portal_and_its_presses_arrive(bus: str, fake_portal) -> None:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    report = fake_portal()
    presses: list[str] = []
    hotkey = PortalHotkey(
        parse_shortcut("Ctrl+Alt+Space"), lambda: presses.append("down"), lambda: presses.append("up"), bus=bus
    )
    hotkey.start()
    assert wait_for(lambda: hotkey.bound_trigger), "bound once the desktop has answered"
    asked = json.loads(report.read_text())
    assert asked["asked"] == {"dictate": "CTRL+ALT+space"} and asked["session"] == hotkey.session
    assert hotkey.bound_trigger == "Press CTRL+ALT+space"
    with open_dbus_connection(bus=bus) as user:
        fake = DBusAddress(
            "/org/freedesktop/portal/desktop",
            bus_name="org.freedesktop.portal.Desktop",
            interface="org.example.FakePortal",
        )
        user.send_and_get_reply(new_method_call(fake, "Press"))
        assert wait_for(lambda: presses == ["down"])
        user.send_and_get_reply(new_method_call(fake, "Release"))
        assert wait_for(lambda: presses == ["down", "up"])
    hotkey.stop()


def test_a_desktop_without_the_portal_is_said_in_one_sentence(bus: str) -> None:
    hotkey = PortalHotkey(parse_shortcut("Ctrl+Alt+Space"), lambda: None, lambda: None, bus=bus)
    with pytest.raises(PortalUnavailable, match="the desktop does not offer it"):
        hotkey.start()


def test_triggers_are_written_as_the_shortcuts_specification_writes_them() -> None:
    assert trigger(parse_shortcut("Meta+Shift+F9")) == "SHIFT+LOGO+F9"


@pytest.fixture()
def fake_portal(bus: str, tmp_path: Path):
    """Start the stand-in portal (``fake_portal(deny=True)``: its user declines); its report file."""
    started: list[subprocess.Popen] = []

    def start(deny: bool = False) -> Path:
        report = tmp_path / "portal.json"
        command = [sys.executable, str(HERE.parent / "fake_portal.py"), bus, str(report), *(["DENY"] if deny else [])]
        started.append(subprocess.Popen(command))
        assert wait_for(lambda: report.exists())
        return report

    yield start
    for process in started:
        process.terminate()
        process.wait(10)


def test_words_are_typed_through_the_portals_remote_keyboard(bus: str, fake_portal) -> None:
    from mms_desktop.desktop.portal import PortalKeyboard

    report = fake_portal()
    keyboard = PortalKeyboard(bus=bus)
    assert "SelectDevices" not in json.loads(report.read_text()), "nothing is asked before a dictation starts"
    keyboard.prepare()
    assert wait_for(lambda: keyboard.session), "the desktop allowed it"
    keyboard.press(parse_shortcut("Ctrl+Alt+V"))
    keyboard.type_text("नम")
    keyboard.backspace(1)
    chord = [[0xFFE9, 1], [0xFFE3, 1], [0x76, 1], [0x76, 0], [0xFFE3, 0], [0xFFE9, 0]]  # Alt, Ctrl, V
    text = [[0x01000928, 1], [0x01000928, 0], [0x0100092E, 1], [0x0100092E, 0]]  # न, म: Unicode keysyms
    expected = [*chord, *text, [0xFF08, 1], [0xFF08, 0]]
    assert wait_for(lambda: json.loads(report.read_text())["keys"] == expected)


def test_a_remote_keyboard_the_user_declined_leaves_the_words_on_the_clipboard(bus: str, fake_portal) -> None:
    from mms_desktop.desktop.portal import PortalKeyboard

    fake_portal(deny=True)
    keyboard = PortalKeyboard(bus=bus)
    keyboard.prepare()
    assert wait_for(lambda: keyboard.error)
    with pytest.raises(PortalUnavailable, match="the desktop did not allow typing"):
        keyboard.type_text("hello")


def test_without_the_portal_wayland_falls_back_to_a_typing_tool(bus: str, monkeypatch) -> None:
    from mms_desktop.desktop import system, wayland

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus)
    monkeypatch.setattr(wayland.shutil, "which", lambda name: f"/usr/bin/{name}" if name == "ydotool" else None)
    keyboard, why = system.keyboard_for("wayland")
    assert keyboard is not None and keyboard.name == "ydotool" and why == ""
