"""A stand-in for the XDG desktop portal's GlobalShortcuts on a private D-Bus: it answers CreateSession and
BindShortcuts as a desktop whose user accepts, writes the trigger it was asked for to a file, and sends
Activated and Deactivated when asked through its test interface (org.example.FakePortal: Press, Release).

python fake_portal.py BUS_ADDRESS REPORT.json
"""

import json
import sys
from pathlib import Path

from jeepney import DBusAddress, HeaderFields, MessageType, message_bus, new_method_return, new_signal
from jeepney.io.blocking import open_dbus_connection

PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = DBusAddress(PATH, interface="org.freedesktop.portal.GlobalShortcuts")


def main() -> None:
    connection = open_dbus_connection(bus=sys.argv[1])
    report = Path(sys.argv[2])
    connection.send_and_get_reply(message_bus.RequestName("org.freedesktop.portal.Desktop"))
    report.write_text(json.dumps({"ready": True}))
    session = ""
    while True:
        message = connection.receive()
        if message.header.message_type != MessageType.method_call:
            continue
        member = message.header.fields[HeaderFields.member]
        sender = message.header.fields[HeaderFields.sender][1:].replace(".", "_")
        if member == "CreateSession":
            options = message.body[0]
            request = f"{PATH}/request/{sender}/{options['handle_token'][1]}"
            session = f"{PATH}/session/{sender}/{options['session_handle_token'][1]}"
            connection.send(new_method_return(message, "o", (request,)))
            results = {"session_handle": ("o", session)}
        elif member == "BindShortcuts":
            handle, shortcuts, _, options = message.body
            request = f"{PATH}/request/{sender}/{options['handle_token'][1]}"
            connection.send(new_method_return(message, "o", (request,)))
            asked = {name: details["preferred_trigger"][1] for name, details in shortcuts}
            report.write_text(json.dumps({"ready": True, "session": handle, "asked": asked}))
            bound = [(name, {"trigger_description": ("s", f"Press {trigger}")}) for name, trigger in asked.items()]
            results = {"shortcuts": ("a(sa{sv})", bound)}
        elif member in ("Press", "Release"):
            connection.send(new_method_return(message))
            signal = "Activated" if member == "Press" else "Deactivated"
            connection.send(new_signal(SHORTCUTS, signal, "osta{sv}", (session, "dictate", 0, {})))
            continue
        else:
            continue
        response = DBusAddress(request, interface="org.freedesktop.portal.Request")
        connection.send(new_signal(response, "Response", "ua{sv}", (0, results)))


if __name__ == "__main__":
    main()
