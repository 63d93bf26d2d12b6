"""What the program's windows share, owned by the application rather than by any one window.

Each window is given this object, never the main window: the main window, the sessions window and the
training window start their background work on its one :class:`JobRunner`, dictate through its
:class:`DictationController` (which anything, not only the main window, may start and stop), and say
that the language store changed by its signal.

Signals:
    store_changed(): languages were installed, removed or trained; the models are reloaded on next use.
    settings_unsaved(str): the settings could not be written (the sentence says why); they still apply.
    settings_changed(): the settings were changed (and are being saved).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QObject, Signal

from mms_desktop import settings as settings_module
from mms_desktop.context import Context
from mms_desktop.core.audio import Player
from mms_desktop.core.engine import ModelHost
from mms_desktop.gui.dictation_controller import DictationController
from mms_desktop.gui.jobs import JobRunner
from mms_desktop.gui.places import Places


class Services(QObject):
    """The shared collaborators of the windows: data, models, background work, dictation, sound output
    and places.

    Args:
        hub_endpoint: the hub the language manager installs from (None: the default hub).
    """

    store_changed = Signal()
    settings_unsaved = Signal(str)
    settings_changed = Signal()

    def __init__(self, context: Context, host: ModelHost, dictation: DictationController, player: Player,
                 hub_endpoint: str | None = None):  # fmt: skip
        super().__init__()
        self.context = context
        self.host = host
        self.player = player  # the sound output: read-aloud and a session's playback
        self.hub_endpoint = hub_endpoint
        self.jobs = JobRunner(self)
        self.dictation = dictation
        self.dictation.setParent(self)
        self.places = Places()  # where file dialogs start, and what they offer to save as
        self.installed: list[str] = []  # the installed languages, as last surveyed: language pickers list them first

    def save_settings(self) -> None:
        """Write the settings as they are now, in the background."""
        snapshot = dataclasses.replace(self.context.settings)
        path = self.context.paths.settings_file
        self.jobs.start("save settings", lambda report, cancel: settings_module.save(snapshot, path), self._saved)
        self.settings_changed.emit()

    def _saved(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.settings_unsaved.emit(f"The settings could not be saved ({error}); they apply until you quit.")

    def forget_models(self) -> None:
        """The store changed: drop the loaded models and tell every window."""
        self.host.forget()
        self.store_changed.emit()
