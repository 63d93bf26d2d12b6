"""Puts dictation-anywhere around the main window: the running instance's socket, the tray, the overlay,
the keyboard and the shortcut of the window system the program runs on."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from mms_desktop.desktop.anywhere import DesktopDictation
from mms_desktop.desktop.instance import InstanceServer
from mms_desktop.desktop.overlay import Overlay
from mms_desktop.desktop.system import hotkey_factory_for, keyboard_for
from mms_desktop.desktop.tray import Tray
from mms_desktop.desktop.typist import Typist


def own_windows() -> set[int]:
    """The native ids of this program's windows that exist (none is created by asking)."""
    return {int(w.internalWinId()) for w in QApplication.topLevelWidgets() if w.internalWinId()}


def bring_forward(window: Any) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()


def attach(window: Any, server: InstanceServer | None) -> DesktopDictation:
    """Dictation anywhere for ``window`` (the main window), driven by ``server``'s commands too (None: the
    program could not become the one running instance, and only its own shortcut and tray drive it)."""
    platform = QGuiApplication.platformName()
    keyboard, unavailable = keyboard_for(platform)
    typist = Typist(keyboard, QGuiApplication.clipboard(), own_windows, unavailable)
    tray = Tray()
    desktop = DesktopDictation(
        window.services, typist, Overlay(), tray if tray.show() else None, hotkey_factory_for(platform), parent=window
    )
    typist.setParent(desktop)
    tray.setParent(desktop)
    desktop.overlay.setParent(None)  # a window of its own

    def command(name: str) -> None:
        if name == "show":
            bring_forward(window)
        elif name == "quit":
            desktop.quit_program()
        else:
            desktop.handle(name)

    def closed() -> None:
        desktop.shutdown()
        if server is not None:
            server.close()
        desktop.overlay.close()
        QApplication.quit()

    QGuiApplication.setQuitOnLastWindowClosed(False)  # hidden in the tray, the window is not closed: it says when it is
    if server is not None:
        server.setParent(desktop)
        server.command.connect(command)
    tray.open_window.connect(lambda: bring_forward(window))
    tray.quit.connect(desktop.quit_program)
    window.closed.connect(closed)
    desktop.apply_settings()
    desktop.close_to_tray(window)
    window.readiness.surveyed.connect(desktop.show_languages)  # the window's own survey, not a second one
    return desktop
