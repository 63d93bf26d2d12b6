"""The Tools and Help windows of the main window: languages, field sessions, teaching a language,
settings, About and the folders, each opened once and raised again after; and transcribing a folder.

Signals:
    status(str): a sentence for the status line.
    settings_chosen(object): the settings the user accepted in the Settings dialog.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from mms_desktop.gui.jobs import describe_error
from mms_desktop.gui.services import Services

if TYPE_CHECKING:
    from mms_desktop.gui.folder_batch import FolderBatch
    from mms_desktop.gui.language_manager import LanguageManager
    from mms_desktop.gui.sessions_window import SessionsWindow
    from mms_desktop.gui.settings_dialog import SettingsDialog
    from mms_desktop.gui.training_window import TrainingWindow

# Each window's module is imported when it first opens: the main window comes up without them.


class ToolWindows(QObject):
    """Opens the tool windows over ``services``, as children of ``parent``."""

    status = Signal(str)
    settings_chosen = Signal(object)

    def __init__(self, services: Services, parent: QWidget):
        super().__init__(parent)
        self.services = services
        self._parent = parent
        self.manager: LanguageManager | None = None
        self.sessions: SessionsWindow | None = None
        self.trainer: TrainingWindow | None = None
        self.about: QDialog | None = None
        self.folder_batch: FolderBatch | None = None

    def open_language_manager(self) -> LanguageManager:
        from mms_desktop.gui.language_manager import LanguageManager

        s = self.services
        if self.manager is None:
            self.manager = LanguageManager(s.context.store, s.jobs, s.hub_endpoint, self._parent, s.places)
            self.manager.changed.connect(s.forget_models)
        return _shown(self.manager)

    def transcribe_folder(self, language: str) -> FolderBatch:
        """Ask for a folder of recordings and transcribe them all into another (File → Transcribe a folder)."""
        from mms_desktop.gui.folder_batch import FolderBatch

        if self.folder_batch is None:
            self.folder_batch = FolderBatch(self.services, self._parent)
            self.folder_batch.status.connect(self.status)
        self.folder_batch.choose_and_start(language)
        return self.folder_batch

    def open_sessions(self) -> SessionsWindow:
        from mms_desktop.gui.sessions_window import SessionsWindow

        if self.sessions is None:
            self.sessions = SessionsWindow(self.services, self._parent)
        return _shown(self.sessions)

    def open_training(self) -> TrainingWindow:
        from mms_desktop.gui.training_window import TrainingWindow

        if self.trainer is None:  # one window, so that a training in progress is never started twice
            self.trainer = TrainingWindow(self.services, self._parent)
        return _shown(self.trainer)

    def open_settings(self, microphones: list[str], demo: tuple[str, ...]) -> SettingsDialog:
        """The Settings dialog; ``demo``: the models not installed, whose demonstration runs instead."""
        from mms_desktop.gui.settings_dialog import SettingsDialog

        notes = {name: "Not installed yet: the bundled demonstration model runs instead." for name in demo}
        settings, installed = self.services.context.settings, self.services.installed
        dialog = SettingsDialog(settings, microphones, self._parent, notes, installed)
        dialog.accepted.connect(lambda: self._accepted(dialog))
        dialog.open()
        return dialog

    def _accepted(self, dialog: SettingsDialog) -> None:
        if dialog.result_settings is not None:
            self.settings_chosen.emit(dialog.result_settings)

    def open_about(self) -> None:
        """Show the About dialog once its details are gathered (on a job: they ask torch about the device)."""
        from mms_desktop.gui.about import details

        context, host = self.services.context, self.services.host

        def work(report: Any, cancel: threading.Event) -> list[tuple[str, str]]:
            return details(context, host)

        self.services.jobs.start("about", work, self._about_ready)

    @Slot(object, object)
    def _about_ready(self, rows: Any, error: BaseException | None) -> None:
        from mms_desktop.gui.about import AboutDialog

        if error is not None:
            self.status.emit(describe_error(error))
            return
        self.about = AboutDialog(rows, self._parent)
        self.about.open()

    def open_folder(self, what: str) -> None:
        """Show the folder of ``what`` (see ``about.folders``) in the file manager."""
        from mms_desktop.gui.about import folders, open_folder

        self.status.emit(open_folder(folders(self.services.context)[what]))

    @property
    def dictating(self) -> bool:
        """Whether the sessions window is recording."""
        return self.sessions is not None and self.sessions.dictation.is_running


def _shown(window: Any) -> Any:
    window.show()
    window.raise_()
    return window
