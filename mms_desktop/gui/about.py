"""Help menu: the folders the application keeps things in, and what it is (versions, models, licences).

The details are plain text that the About dialog can copy, so that a bug report says which versions,
models and precision were in use.
"""

from __future__ import annotations

import html
import importlib
import platform
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from mms_desktop import __version__
from mms_desktop import paths as paths_module
from mms_desktop.core.base import UserError
from mms_desktop.core.recognition import family_of
from mms_desktop.gui.jobs import describe_error

if TYPE_CHECKING:
    from mms_desktop.context import Context
    from mms_desktop.core.engine import ModelHost

LICENCE = ("The code of MMS Desktop is MIT-licensed. The MMS model weights (recognition, language identification "
           "and voices) are licensed by Meta under CC-BY-NC 4.0: non-commercial use only.")  # fmt: skip
PACKAGES = ("torch", "transformers", "PySide6", "numpy")


def folders(context: Context) -> dict[str, Path]:
    """The folders a user may want to open, by what they hold."""
    return {
        "Recordings": paths_module.recordings_dir(context.settings.recordings_dir),
        "Models and settings": context.paths.data,
        "Log": paths_module.log_dir(),
    }


def _version(package: str) -> str:
    try:
        return str(importlib.import_module(package).__version__)
    except (ImportError, AttributeError):
        return "not installed"


def _model(kind: str, host: ModelHost) -> str:
    """Which model of ``kind`` (asr, lid) is used, where and in which precision (no model is loaded)."""
    try:
        folder = host.recognizer_dir() if kind == "asr" else host.identifier_dir()
        placement = host.placement(folder)
        family = f"{family_of(folder).title}, " if kind == "asr" else ""
    except UserError as exc:
        return describe_error(exc)
    return f"{folder.parent.name}/{folder.name} ({family}{placement.dtype} on {placement.device})"


def _live_windows(context: Context, host: ModelHost) -> str:
    """The windows dictation takes on this machine, from what the loaded recognizer's passes cost."""
    from mms_desktop.core.recognition import PassCosts, describe
    from mms_desktop.settings import live_options

    try:
        recognizer = host.loaded_recognizer()
    except UserError as exc:
        return describe_error(exc)
    options = live_options(context.settings)
    return describe(options.window, recognizer.pass_costs if recognizer else PassCosts(), options.lag_target_s)


def details(context: Context, host: ModelHost) -> list[tuple[str, str]]:
    """What the About dialog lists, as (what, value) pairs (imports torch: not for the GUI thread)."""
    rows = [
        ("MMS Desktop", __version__),
        ("Python", platform.python_version()),
        *((package, _version(package)) for package in PACKAGES),
        ("System", f"{platform.system()} {platform.release()} ({platform.machine()})"),
        ("Recognition model", _model("asr", host)),
        ("Live windows", _live_windows(context, host)),
        ("Language identifier", _model("lid", host)),
    ]
    rows += [(f"{what} folder", str(path)) for what, path in folders(context).items()]
    return rows


def open_folder(path: Path) -> str:
    """Show ``path`` in the file manager, creating it if it is missing; returns the status line's sentence."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"The folder {path} could not be created ({exc.strerror}); choose another in Settings."
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return f"No file manager could open {path}; open it yourself."
    return f"Opened {path}."


class AboutDialog(QDialog):
    """Version, models, folders (as links) and licences (``rows``: from :func:`details`), with a button that
    copies the details."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About MMS Desktop")
        self.rows = rows
        links = {value for what, value in rows if what.endswith(" folder")}  # see details()

        def cell(value: str) -> str:
            if value in links:
                return f'<a href="{QUrl.fromLocalFile(value).toString()}">{html.escape(value)}</a>'
            return html.escape(value)

        table = "".join(f"<tr><td>{html.escape(what)}</td><td>{cell(value)}</td></tr>" for what, value in self.rows)
        intro = ("<h3>MMS Desktop</h3><p>Offline dictation, transcription, language identification and read-aloud "
                 "in the world's languages, on Meta's Massively Multilingual Speech models.</p>")  # fmt: skip
        self.text = QLabel(f"{intro}<table cellspacing='4'>{table}</table><p>{html.escape(LICENCE)}</p>",
                           wordWrap=True, openExternalLinks=True)  # fmt: skip
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy details")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def copy(self) -> None:
        """Put the details on the clipboard, one ``what: value`` per line (for a bug report)."""
        QGuiApplication.clipboard().setText("\n".join(f"{what}: {value}" for what, value in self.rows))
