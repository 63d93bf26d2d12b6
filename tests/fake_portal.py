"""A stand-in for the XDG desktop portal on a private D-Bus, acting as a desktop whose user accepts (or,
with DENY, declines) what is asked: GlobalShortcuts (CreateSession, BindShortcuts; Activated and
Deactivated sent when asked through org.example.FakePortal's Press and Release) and RemoteDesktop
(AvailableDeviceTypes, CreateSession, SelectDevices, Start, NotifyKeyboardKeysym). What it was asked and the
keys it was sent are written to a JSON report.

python fake_portal.py BUS_ADDRESS REPORT.json [DENY]
"""

import json
import sys
from pathlib import Path

from jeepney import DBusAddress, HeaderFields, MessageType, message_bus, new_method_return, new_signal
from jeepney.io.blocking import open_dbus_connection

PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = DBusAddress(PATH, interface="org.freedesktop.portal.GlobalShortcuts")


class FakePortal:
    def __init__(self, connection, report: Path, deny: bool) -> None:  # noqa: ANN001
        self.connection, self.report, self.deny = connection, report, deny
        self.state: dict = {"ready": True, "keys": []}
        self.session = ""

    def save(self) -> None:
        """Written whole and then renamed, so a reader never sees a half-written report."""
        partial = self.report.with_suffix(".partial")
        partial.write_text(json.dumps(self.state))
        partial.replace(self.report)

    def respond(self, message, sender: str, token: str, results: dict, code: int = 0) -> None:  # noqa: ANN001
        path = f"{PATH}/request/{sender}/{token}"
        self.connection.send(new_method_return(message, "o", (path,)))
        response = DBusAddress(path, interface="org.freedesktop.portal.Request")
        self.connection.send(new_signal(response, "Response", "ua{sv}", (code, results)))

    def handle(self, message) -> None:  # noqa: ANN001
        fields = message.header.fields
        member, interface = fields[HeaderFields.member], fields.get(HeaderFields.interface, "")
        sender = fields[HeaderFields.sender][1:].replace(".", "_")
        kind = interface.rsplit(".", 1)[-1]
        if member == "Get":  # Properties: what the remote desktop offers
            self.connection.send(new_method_return(message, "v", (("u", 1 | 2),)))
        elif member == "CreateSession":
            options = message.body[0]
            self.session = f"{PATH}/session/{sender}/{options['session_handle_token'][1]}"
            self.respond(message, sender, options["handle_token"][1], {"session_handle": ("o", self.session)})
        elif member == "BindShortcuts":
            handle, shortcuts, _, options = message.body
            asked = {name: details["preferred_trigger"][1] for name, details in shortcuts}
            self.state.update(session=handle, asked=asked)
            self.save()
            bound = [(name, {"trigger_description": ("s", f"Press {trigger}")}) for name, trigger in asked.items()]
            self.respond(message, sender, options["handle_token"][1], {"shortcuts": ("a(sa{sv})", bound)})
        elif member in ("SelectDevices", "Start"):
            options = message.body[-1]
            self.state[member] = message.body[0]
            self.respond(message, sender, options["handle_token"][1], {}, 1 if self.deny and member == "Start" else 0)
        elif member == "NotifyKeyboardKeysym":
            self.state["keys"].append([message.body[2], message.body[3]])
            self.save()
        elif member in ("Press", "Release") and kind == "FakePortal":
            self.connection.send(new_method_return(message))
            signal = "Activated" if member == "Press" else "Deactivated"
            self.connection.send(new_signal(SHORTCUTS, signal, "osta{sv}", (self.session, "dictate", 0, {})))


def main() -> None:
    connection = open_dbus_connection(bus=sys.argv[1])
    portal = FakePortal(connection, Path(sys.argv[2]), len(sys.argv) > 3 and sys.argv[3] == "DENY")
    connection.send_and_get_reply(message_bus.RequestName("org.freedesktop.portal.Desktop"))
    portal.save()
    while True:
        message = connection.receive()
        if message.header.message_type == MessageType.method_call:
            portal.handle(message)


if __name__ == "__main__":
    main()
