"""The desktop application's composition root: paths, settings, store, models, window.

mms-desktop-gui [--data-dir DIR] [--tray] [--dictate] [AUDIO]      (also: ``mms-desktop`` with no command)
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import logging.handlers
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mms_desktop import paths as paths_module
from mms_desktop.core.base import UserError

log = logging.getLogger("mms_desktop")
STARTED = time.monotonic()  # when the program started (this module is among the first imported)


def configure_logging(debug: bool = False) -> Any:
    """Log to a rotating file in the user log folder (a windowed program may have no console);
    crashes in native code leave their traces there too."""
    folder = paths_module.log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / "mms-desktop.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        crash_file = open(folder / "crash.log", "a", encoding="utf-8")  # noqa: SIM115 - open for the process
        faulthandler.enable(crash_file)
    except OSError:
        handler = logging.StreamHandler(sys.stderr) if sys.stderr else logging.NullHandler()
        crash_file = None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ("transformers", "huggingface_hub", "httpx", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    sys.excepthook = _log_uncaught
    return crash_file


def start_importing_model_code() -> threading.Thread:
    """Import the model code on a background thread while the window is built, so that loading the
    models (which starts once the window is up) does not begin with seconds of imports."""

    def run() -> None:
        from mms_desktop.core.checkpoints import import_model_code

        started = time.monotonic()
        try:
            import_model_code()
        except Exception:  # the load that needs it reports the error to the user
            log.debug("importing the model code ahead of time failed", exc_info=True)
        log.info("model code imported in %.1f s", time.monotonic() - started)

    thread = threading.Thread(target=run, name="import model code", daemon=True)
    thread.start()
    return thread


def has_display() -> bool:
    """Whether a window can open: a display on Linux (or a Qt platform chosen explicitly); always elsewhere."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _log_uncaught(kind: type[BaseException], value: BaseException, trace: Any) -> None:
    log.critical("uncaught exception", exc_info=(kind, value, trace))


def build_window(data_dir: str | None = None, capture_factory: Any = None, detector_factory: Any = None,
                 player: Any = None, hub_endpoint: str | None = None, bundled: Any = None) -> Any:  # fmt: skip
    """The main window over the user's data (a QApplication must exist).

    Tests pass fakes for the hardware, the local hub's address, and ``bundled`` model folders (an empty
    list: a first run with nothing installed)."""
    from mms_desktop.context import Context
    from mms_desktop.core.audio import SoundDevicePlayer
    from mms_desktop.gui.dictation_controller import DictationController, open_microphone
    from mms_desktop.gui.main_window import MainWindow
    from mms_desktop.gui.services import Services

    context = Context.create(data_dir, None, bundled=bundled)
    host = context.model_host()
    dictation = DictationController(host, capture_factory or open_microphone, detector_factory)
    services = Services(context, host, dictation, player or SoundDevicePlayer(), hub_endpoint)
    window = MainWindow(services)
    services.setParent(window)  # the application's: it lives as long as the window it opened
    return window


def _close_on_signals(window: Any, close_program: Callable[[], None]) -> None:
    """Ctrl+C or a polite kill closes the window the normal way (a dictation is finished and saved)."""
    import signal

    from PySide6.QtCore import QTimer

    def close(signum: int, frame: Any) -> None:
        QTimer.singleShot(0, close_program)

    signal.signal(signal.SIGINT, close)
    signal.signal(signal.SIGTERM, close)
    ticker = QTimer(window)  # Python runs signal handlers only between bytecodes: wake up now and then
    ticker.timeout.connect(_idle)
    ticker.start(200)


def _idle() -> None:
    """Nothing to do: the timer only hands control back to Python so that pending signal handlers run."""


def _screenshot_when_ready(window: Any, path: str, close: Callable[[], None], limit_s: float = 120.0) -> None:
    """Save the window as a PNG once its background work is done (or after ``limit_s``), then ``close`` it.

    Prints when the window opened, how long after that it was ready for dictation, and when the models
    still loading after that (the language identifier) were loaded (``mms-desktop benchmark startup``
    reads it)."""
    from PySide6.QtCore import QTimer

    opened = time.monotonic()
    deadline = opened + limit_s
    timer = QTimer(window)
    ready_at: list[float] = []

    def check() -> None:
        ready = window.status_text.text().startswith(("Ready", "Transcribed")) or window.banner.isVisible()
        if ready and not ready_at:
            ready_at.append(time.monotonic())
            print(f"window open after {opened - STARTED:.2f} s; ready {ready_at[0] - opened:.2f} s later",
                  flush=True)  # fmt: skip
        if (ready_at and not window.jobs.running) or time.monotonic() > deadline:
            timer.stop()
            if ready_at:
                print(f"background loading done {time.monotonic() - opened:.2f} s after the window opened",
                      flush=True)  # fmt: skip
            saved = window.grab().save(path)
            log.info("screenshot %s %s", path, "saved" if saved else "could not be saved")
            close()

    timer.timeout.connect(check)
    timer.start(50)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mms-desktop-gui", description="MMS Desktop: dictation and read-aloud.")
    parser.add_argument("--data-dir", help="where models and settings live (default: the user data folder)")
    parser.add_argument("--debug", action="store_true", help="log debug details to the log file")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the window once it is ready, then quit")
    parser.add_argument("--tray", action="store_true", help="start in the tray, without opening the window")
    parser.add_argument("--dictate", action="store_true", help="start dictating into the application in front")
    parser.add_argument("audio", nargs="?", help="an audio file to transcribe in the window (its text is also printed)")
    return parser


def _application(qt_args: list[str]) -> Any:
    """The QApplication, named and with its icon."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("MMS Desktop")
    app.setOrganizationName("mms-desktop")
    icon = paths_module.resources_dir() / "icons" / "mms-desktop.png"
    if icon.exists():
        QApplication.setWindowIcon(QIcon(str(icon)))
    return app


def _single_instance(data_dir: str | None, dictate: bool) -> tuple[Any, bool]:
    """Become the one running instance of this data folder: its socket (None where there can be none), and
    whether another instance was running instead (it was asked to dictate or to show its window)."""
    from mms_desktop.desktop.instance import InstanceServer, send

    try:
        server = InstanceServer(paths_module.resolve(data_dir).data)
        if server.listen():
            return server, False
    except OSError as exc:  # a data folder that cannot be one is said where the window would open
        log.warning("no single-instance socket: %s", exc)
        return None, False
    send(server.name, "start" if dictate else "show")
    what = "dictate" if dictate else "show its window"
    print(f"mms-desktop-gui: MMS Desktop is already running; it was asked to {what}.", file=sys.stderr)
    return None, True


def main(argv: Sequence[str] | None = None, command_line: Callable[[list[str]], int] | None = None) -> int:
    """Open the window; returns when it is closed.

    Args:
        command_line: runs a command-line command; with no display, the file given is transcribed by it.
    """
    args, qt_args = _parser().parse_known_args(argv)
    if not has_display():
        print("mms-desktop-gui: there is no display to open the window on; start it in a desktop session, "
              "or use the command line (mms-desktop --help).", file=sys.stderr)  # fmt: skip
        if not args.audio or command_line is None:
            return 2
        return command_line([*(["--data-dir", args.data_dir] if args.data_dir else []), "transcribe", args.audio])
    crash_file = configure_logging(args.debug)
    app = _application(qt_args)
    server, running = _single_instance(args.data_dir, args.dictate)
    if running:
        return 0
    try:
        window = build_window(args.data_dir)
    except UserError as exc:  # a data folder that cannot be one: nothing to open the window on
        from PySide6.QtWidgets import QMessageBox

        from mms_desktop.gui.jobs import describe_error

        print(f"mms-desktop-gui: {describe_error(exc)}", file=sys.stderr)
        if not args.screenshot:
            QMessageBox.critical(None, "MMS Desktop", describe_error(exc))
        return 2
    if args.audio:
        window.open_when_ready(Path(args.audio).resolve())
    # Only now: the window's own imports are done, so no other thread imports the same packages meanwhile.
    importer = start_importing_model_code()
    from mms_desktop.desktop.setup import attach

    desktop = attach(window, server)
    if not args.tray or desktop.tray is None:  # with no tray to stay in, the window is how to reach the program
        window.show()
    if args.dictate:
        desktop.start()
    _close_on_signals(window, desktop.quit_program)
    if args.screenshot:
        _screenshot_when_ready(window, args.screenshot, desktop.quit_program)
    log.info("window open (data in %s)", window.context.paths.data)
    status = int(app.exec())
    log.info("window closed")
    importer.join()  # never leave the interpreter while a native library is half loaded
    if crash_file is not None:
        crash_file.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
