"""One running instance per user and data folder. The window's process listens on a local socket
(QLocalServer); ``mms-desktop dictation toggle|start|stop`` and a second start of the program talk to it,
so that any desktop's own keyboard-shortcut settings can drive dictation and two instances never both
listen to the microphone.

The protocol is one line per connection: a command from :data:`COMMANDS`, answered by one line, ``ok``
or ``unknown``. ``quit`` ends the program as its tray's Quit does.

Threads: :class:`InstanceServer` lives on the GUI thread; :func:`send` blocks the calling thread (no event
loop needed).
"""

from __future__ import annotations

import getpass
import hashlib
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

COMMANDS = ("toggle", "start", "stop", "show", "quit", "ping")


def socket_name(data_dir: Path) -> str:
    """The socket of the instance working on ``data_dir`` for this user (a lock file in ``data_dir`` says
    which process that is)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(str(data_dir.expanduser().resolve()).encode()).hexdigest()[:12]
    return f"mms-desktop-{user}-{digest}"


def send(name: str, command: str, timeout_ms: int = 3000) -> str | None:
    """Send ``command`` to the instance listening on ``name``; its answer, or None when none runs."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return None
    socket.write(f"{command}\n".encode())
    socket.waitForBytesWritten(timeout_ms)
    answer = b""
    while b"\n" not in answer and socket.waitForReadyRead(timeout_ms):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer.decode(errors="replace").strip() or None


class InstanceServer(QObject):
    """Listens for commands from the command line and from later starts of the program.

    Signals:
        command(str): one of :data:`COMMANDS` (``ping`` is answered here and not passed on).
    """

    command = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.name = socket_name(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(data_dir / "running.lock"))
        # never stale by age (Qt would take over a lock older than 30 s from a live instance); one whose process
        # is gone (a crash) is still taken over
        self._lock.setStaleLockTime(0)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._connected)

    def listen(self) -> bool:
        """Become the running instance; False when another one already is (it holds the lock)."""
        if not self._lock.tryLock(0):
            return False
        QLocalServer.removeServer(self.name)  # left behind by an instance that crashed
        if not self._server.listen(self.name):
            self._lock.unlock()
            raise OSError(f"the program's local socket {self.name} cannot be opened: {self._server.errorString()}")
        return True

    def close(self) -> None:
        self._server.close()
        self._lock.unlock()

    @Slot()
    def _connected(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        command = bytes(socket.readLine().data()).decode(errors="replace").strip()
        socket.write(b"ok\n" if command in COMMANDS else b"unknown\n")
        socket.flush()
        if command in COMMANDS and command != "ping":
            self.command.emit(command)


def start_in_tray(data_dir: str | None, dictate: bool) -> None:
    """Start the program in the tray, detached from this process (``dictate``: dictating at once)."""
    args = [*(["--data-dir", data_dir] if data_dir else []), "--tray", *(["--dictate"] if dictate else [])]
    if getattr(sys, "frozen", False):  # the bundle: the window's program sits beside this one
        suffix = ".exe" if sys.platform == "win32" else ""
        command = [str(Path(sys.executable).with_name(f"mms-desktop-gui{suffix}")), *args]
    else:
        command = [sys.executable, "-c", "from mms_desktop.launch import window; raise SystemExit(window())", *args]
    subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
