"""Wayland: the XDG desktop portal over D-Bus (jeepney, pure Python), where the compositor offers it: the
global shortcut through its GlobalShortcuts interface (KDE Plasma 5.27+, GNOME 48+, Hyprland; the user
confirms it in the desktop's own dialog, and the desktop may give it another key), and typing through its
RemoteDesktop interface (GNOME, KDE Plasma; the desktop asks once per start whether the keyboard may be
used).

Threads: :class:`PortalHotkey` listens on a thread of its own with a D-Bus connection of its own, and calls
``on_press``/``on_release`` there; :class:`PortalKeyboard` sets up its session on a thread of its own and
is used from one other thread (the GUI's).
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
    """No portal offers this here, or the user declined it in the desktop's dialog."""


def request(
    connection: Any, interface: str, method: str, signature: str, body: tuple[Any, ...], token: str
) -> dict[str, Any]:
    """Call a portal method that answers through a Request object (``token`` names it); the results of its
    Response, once the desktop has given it (after asking the user, for some)."""
    from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
    from jeepney.wrappers import DBusErrorResponse, unwrap_msg

    sender = connection.unique_name[1:].replace(".", "_")
    path = f"{PATH}/request/{sender}/{token}"
    rule = MatchRule(type="signal", interface="org.freedesktop.portal.Request", member="Response", path=path)
    connection.send_and_get_reply(message_bus.AddMatch(rule))
    with connection.filter(rule) as responses:
        call = new_method_call(DBusAddress(PATH, bus_name=PORTAL, interface=interface), method, signature, body)
        try:
            unwrap_msg(connection.send_and_get_reply(call, timeout=10))
        except DBusErrorResponse as exc:
            raise PortalUnavailable(f"the desktop does not offer it ({exc.name})") from exc
        answer = connection.recv_until_filtered(responses, timeout=120)  # the user may be asked first
    code, results = answer.body
    if code != 0:
        raise PortalUnavailable("it was not allowed in the desktop's dialog")
    return {key: value for key, (_, value) in results.items()}


def connect(bus: str) -> Any:
    from jeepney.io.blocking import open_dbus_connection

    try:
        return open_dbus_connection(bus=bus)
    except (OSError, KeyError) as exc:
        raise PortalUnavailable(f"no D-Bus session bus ({exc})") from exc


class PortalHotkey:
    """The dictation shortcut, bound through the portal (``bus``: a D-Bus address; default: the session's)."""

    def __init__(
        self, chord: Chord, on_press: Callable[[], None], on_release: Callable[[], None], bus: str = "SESSION"
    ):
        self.chord, self._on_press, self._on_release, self._bus = chord, on_press, on_release, bus
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: Any = None
        self.session = ""
        self.bound_trigger = ""  # what the desktop says the shortcut is, once it is bound
        self._token = ""

    def start(self) -> None:
        """Open a portal session at once (a desktop without the portal says so here); the shortcut is bound on
        the listening thread, as the desktop may first ask the user in a dialog of its own."""
        self._connection = connect(self._bus)
        self._token = "mms" + secrets.token_hex(4)
        options = {"handle_token": ("s", self._token + "a"), "session_handle_token": ("s", self._token)}
        try:
            created = request(self._connection, INTERFACE, "CreateSession", "a{sv}", (options,), self._token + "a")
            self.session = str(created["session_handle"])
        except BaseException:
            self._connection.close()
            raise
        self._thread = threading.Thread(target=self._bind_and_listen, name="global-shortcut", daemon=True)
        self._thread.start()

    def _bind_and_listen(self) -> None:
        wanted = {"description": ("s", "Start or stop dictation"), "preferred_trigger": ("s", trigger(self.chord))}
        body = (self.session, [(SHORTCUT, wanted)], "", {"handle_token": ("s", self._token + "b")})
        try:
            bound = request(self._connection, INTERFACE, "BindShortcuts", "oa(sa{sv})sa{sv}", body, self._token + "b")
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


REMOTE_DESKTOP = "org.freedesktop.portal.RemoteDesktop"
KEYBOARD_DEVICE = 1
MODIFIER_KEYSYMS = {"ctrl": 0xFFE3, "alt": 0xFFE9, "shift": 0xFFE1, "super": 0xFFEB}
NAMED_KEYSYMS = {
    "space": 0x20,
    "Insert": 0xFF63,
    "BackSpace": 0xFF08,
    "Return": 0xFF0D,
    "Tab": 0xFF09,
    "Delete": 0xFFFF,
    "Escape": 0xFF1B,
}


def keysym(key: str) -> int:
    """The X keysym of a key name (a letter or digit, or a named key) or of one character of text."""
    if key in NAMED_KEYSYMS:
        return NAMED_KEYSYMS[key]
    if key == "\n":
        return NAMED_KEYSYMS["Return"]
    if len(key) != 1:
        raise ValueError(f"no keysym for {key}")
    return ord(key) if ord(key) < 0x100 else 0x01000000 + ord(key)


class PortalKeyboard:
    """Presses keys through the portal's RemoteDesktop interface. The desktop asks the user, once per start
    of the program, whether MMS Desktop may control the keyboard: when the first dictation into other
    applications starts (:meth:`prepare`), on a thread of its own, so that the dialog never holds up the
    window. Until it is allowed, typing raises and the words stay on the clipboard."""

    name = "Wayland portal"

    def __init__(self, bus: str = "SESSION"):
        from jeepney import DBusAddress, Properties
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        self._connection = connect(bus)
        portal = DBusAddress(PATH, bus_name=PORTAL, interface=REMOTE_DESKTOP)
        try:
            types = unwrap_msg(self._connection.send_and_get_reply(Properties(portal).get("AvailableDeviceTypes")))
        except DBusErrorResponse as exc:
            self._connection.close()
            raise PortalUnavailable(f"the desktop does not offer remote keyboards ({exc.name})") from exc
        if not types[0][1] & KEYBOARD_DEVICE:
            self._connection.close()
            raise PortalUnavailable("the desktop's portal offers no keyboard")
        self.session = ""
        self.error = ""
        self._ready = threading.Event()
        self._lock = threading.Lock()  # one D-Bus conversation at a time
        self._opening: threading.Thread | None = None

    def prepare(self) -> None:
        """Ask the desktop for the keyboard now (a dictation into other applications starts): the user
        answers the desktop's dialog while saying the first sentence."""
        if self._opening is None:
            self._opening = threading.Thread(target=self._open, name="remote-keyboard", daemon=True)
            self._opening.start()

    def _open(self) -> None:
        token = "mms" + secrets.token_hex(4)
        try:
            with self._lock:
                options = {"handle_token": ("s", token + "a"), "session_handle_token": ("s", token)}
                session = str(
                    request(self._connection, REMOTE_DESKTOP, "CreateSession", "a{sv}", (options,), token + "a")[
                        "session_handle"
                    ]
                )
                select = {"handle_token": ("s", token + "b"), "types": ("u", KEYBOARD_DEVICE)}
                request(self._connection, REMOTE_DESKTOP, "SelectDevices", "oa{sv}", (session, select), token + "b")
                start = {"handle_token": ("s", token + "c")}
                request(self._connection, REMOTE_DESKTOP, "Start", "osa{sv}", (session, "", start), token + "c")
            self.session = session
        except (PortalUnavailable, TimeoutError, OSError) as exc:
            self.error = f"the desktop did not allow typing ({exc})"
            log.warning("%s", self.error)
        finally:
            self._ready.set()

    def _keys(self, events: list[tuple[int, bool]]) -> None:
        """Send (keysym, pressed) pairs."""
        from jeepney import DBusAddress, new_method_call

        self.prepare()
        if not self._ready.wait(0.5) or not self.session:
            raise PortalUnavailable(self.error or "the desktop has not allowed typing yet")
        portal = DBusAddress(PATH, bus_name=PORTAL, interface=REMOTE_DESKTOP)
        with self._lock:
            for symbol, pressed in events:
                body: tuple[Any, ...] = (self.session, {}, symbol, int(pressed))
                self._connection.send(new_method_call(portal, "NotifyKeyboardKeysym", "oa{sv}iu", body))

    def press(self, chord: Chord) -> None:
        held = [MODIFIER_KEYSYMS[m] for m in sorted(chord.modifiers)]
        key = keysym(chord.key)
        self._keys([(s, True) for s in [*held, key]] + [(s, False) for s in reversed([*held, key])])

    def backspace(self, count: int) -> None:
        self._keys([(keysym("BackSpace"), pressed) for _ in range(count) for pressed in (True, False)])

    def type_text(self, text: str) -> None:
        self._keys([(keysym(char), pressed) for char in text for pressed in (True, False)])

    def focus_is_ours(self, own_windows: set[int]) -> bool:
        return False  # Wayland does not say; Qt's own focus window is asked first
