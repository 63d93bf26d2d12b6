"""Wayland: the global shortcut through the XDG desktop portal's GlobalShortcuts interface over D-Bus
(jeepney, pure Python), where the compositor offers it (KDE Plasma 5.27+, GNOME 48+, Hyprland). The user
confirms the shortcut in the desktop's own dialog the first time; the desktop may give it another key.

Threads: :class:`PortalHotkey` listens on a thread of its own with a D-Bus connection of its own, and calls
``on_press``/``on_release`` there.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any

from mms_desktop.desktop.keys import Chord

log = logging.getLogger(__name__)
PORTAL = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
SHORTCUT = "dictate"
# The shortcuts specification's names of the modifiers (XDG "shortcuts" format: CTRL+ALT+space).
PORTAL_MODIFIERS = {"ctrl": "CTRL", "alt": "ALT", "shift": "SHIFT", "super": "LOGO"}


def trigger(chord: Chord) -> str:
    """``chord`` as the portal's preferred trigger."""
    order = ["ctrl", "alt", "shift", "super"]
    return "+".join([*(PORTAL_MODIFIERS[m] for m in order if m in chord.modifiers), chord.key])


class PortalUnavailable(Exception):
    """No portal offers global shortcuts here, or the user declined the shortcut."""


class PortalHotkey:
    """The dictation shortcut, bound through the portal (``bus``: a D-Bus address; default: the session's)."""

    def __init__(self, chord: Chord, on_press: Callable[[], None], on_release: Callable[[], None],
                 bus: str = "SESSION"):  # fmt: skip
        self.chord, self._on_press, self._on_release, self._bus = chord, on_press, on_release, bus
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: Any = None
        self.session = ""
        self.bound_trigger = ""  # what the desktop says the shortcut is, once it is bound
        self._token = ""

    def _request(self, method: str, signature: str, body: tuple[Any, ...], token: str) -> dict[str, Any]:
        """Call a portal method that answers through a Request object; the results of its Response."""
        from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        connection = self._connection
        sender = connection.unique_name[1:].replace(".", "_")
        request = f"{PATH}/request/{sender}/{token}"
        rule = MatchRule(type="signal", interface="org.freedesktop.portal.Request", member="Response", path=request)
        connection.send_and_get_reply(message_bus.AddMatch(rule))
        with connection.filter(rule) as responses:
            call = new_method_call(DBusAddress(PATH, bus_name=PORTAL, interface=INTERFACE), method, signature, body)
            try:
                unwrap_msg(connection.send_and_get_reply(call, timeout=10))
            except DBusErrorResponse as exc:
                raise PortalUnavailable(f"the desktop offers no global shortcuts ({exc.name})") from exc
            answer = connection.recv_until_filtered(responses, timeout=120)  # the user may be asked first
        code, results = answer.body
        if code != 0:
            raise PortalUnavailable("the shortcut was not accepted in the desktop's dialog")
        return {key: value for key, (_, value) in results.items()}

    def start(self) -> None:
        """Open a portal session at once (a desktop without the portal says so here); the shortcut is bound on
        the listening thread, as the desktop may first ask the user in a dialog of its own."""
        from jeepney.io.blocking import open_dbus_connection

        try:
            self._connection = open_dbus_connection(bus=self._bus)
        except (OSError, KeyError) as exc:
            raise PortalUnavailable(f"no D-Bus session bus ({exc})") from exc
        self._token = "mms" + secrets.token_hex(4)
        options = {"handle_token": ("s", self._token + "a"), "session_handle_token": ("s", self._token)}
        try:
            self.session = str(self._request("CreateSession", "a{sv}", (options,), self._token + "a")["session_handle"])
        except BaseException:
            self._connection.close()
            raise
        self._thread = threading.Thread(target=self._bind_and_listen, name="global-shortcut", daemon=True)
        self._thread.start()

    def _bind_and_listen(self) -> None:
        wanted = {"description": ("s", "Start or stop dictation"), "preferred_trigger": ("s", trigger(self.chord))}
        body = (self.session, [(SHORTCUT, wanted)], "", {"handle_token": ("s", self._token + "b")})
        try:
            bound = self._request("BindShortcuts", "oa(sa{sv})sa{sv}", body, self._token + "b")
        except (PortalUnavailable, TimeoutError, OSError) as exc:
            log.warning("the dictation shortcut was not bound through the portal: %s", exc)
            return
        for name, details in bound.get("shortcuts", []):
            if name == SHORTCUT:
                self.bound_trigger = str(details.get("trigger_description", ("s", ""))[1] or trigger(self.chord))
        self._listen()

    def _listen(self) -> None:
        from jeepney import HeaderFields, MatchRule, message_bus

        connection = self._connection
        rule = MatchRule(type="signal", interface=INTERFACE, path=PATH)
        connection.send_and_get_reply(message_bus.AddMatch(rule))
        with connection.filter(rule) as signals:
            while not self._stop.is_set():
                try:
                    message = connection.recv_until_filtered(signals, timeout=0.2)
                except TimeoutError:
                    continue
                except OSError:  # the bus went away
                    return
                session, name = message.body[0], message.body[1]
                if session != self.session or name != SHORTCUT:
                    continue
                member = message.header.fields.get(HeaderFields.member)
                if member == "Activated":
                    self._on_press()
                elif member == "Deactivated":
                    self._on_release()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
