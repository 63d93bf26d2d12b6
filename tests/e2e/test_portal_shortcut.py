"""The global shortcut through the XDG desktop portal (Wayland), over a real D-Bus daemon of the test's
own, with a stand-in portal (tests/fake_portal.py) acting as a desktop whose user accepts the shortcut."""

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


def test_the_shortcut_is_bound_through_the_portal_and_its_presses_arrive(bus: str, tmp_path: Path) -> None:
    report = tmp_path / "portal.json"
    portal = subprocess.Popen([sys.executable, str(HERE.parent / "fake_portal.py"), bus, str(report)])
    try:
        assert wait_for(lambda: report.exists())
        presses: list[str] = []
        hotkey = PortalHotkey(parse_shortcut("Ctrl+Alt+Space"), lambda: presses.append("down"),
                              lambda: presses.append("up"), bus=bus)  # fmt: skip
        hotkey.start()
        assert wait_for(lambda: hotkey.bound_trigger), "bound once the desktop has answered"
        asked = json.loads(report.read_text())
        assert asked["asked"] == {"dictate": "CTRL+ALT+space"} and asked["session"] == hotkey.session
        assert hotkey.bound_trigger == "Press CTRL+ALT+space"
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(bus=bus) as user:
            fake = DBusAddress("/org/freedesktop/portal/desktop", bus_name="org.freedesktop.portal.Desktop",
                               interface="org.example.FakePortal")  # fmt: skip
            user.send_and_get_reply(new_method_call(fake, "Press"))
            assert wait_for(lambda: presses == ["down"])
            user.send_and_get_reply(new_method_call(fake, "Release"))
            assert wait_for(lambda: presses == ["down", "up"])
        hotkey.stop()
    finally:
        portal.terminate()
        portal.wait(10)


def test_a_desktop_without_the_portal_is_said_in_one_sentence(bus: str) -> None:
    hotkey = PortalHotkey(parse_shortcut("Ctrl+Alt+Space"), lambda: None, lambda: None, bus=bus)
    with pytest.raises(PortalUnavailable, match="the desktop offers no global shortcuts"):
        hotkey.start()


def test_triggers_are_written_as_the_shortcuts_specification_writes_them() -> None:
    assert trigger(parse_shortcut("Meta+Shift+F9")) == "SHIFT+LOGO+F9"
