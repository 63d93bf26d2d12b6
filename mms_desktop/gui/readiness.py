"""Getting ready to dictate: which models are installed, loading them ahead of the first word, and the
microphones there are, each found on a background job.

Signals:
    surveyed(object): what is installed (an :class:`Installed`).
    preloaded(str, object): the recognizer of that language loaded, or the error that stopped it.
    microphones(list): the names of the input devices.
    status(str): a sentence for the status line (a survey, an identifier or a device list that failed).
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from mms_desktop.core.audio import list_devices
from mms_desktop.core.base import AUTO
from mms_desktop.gui.jobs import describe_error
from mms_desktop.gui.services import Services
from mms_desktop.gui.survey import Installed, survey

LOADING = "Loading the speech recognition model…"


class Readiness(QObject):
    """Surveys the store, preloads models and lists microphones for a window."""

    surveyed = Signal(object)
    preloaded = Signal(str, object)
    microphones = Signal(list)
    status = Signal(str)

    def __init__(self, services: Services, parent: QObject | None = None):
        super().__init__(parent)
        self.services = services

    def refresh(self) -> None:
        """Find out again what is installed (after a start, an install or a training)."""
        context = self.services.context
        self.services.jobs.start("survey", lambda report, cancel: survey(context), self._surveyed)

    @Slot(object, object)
    def _surveyed(self, found: Installed | None, error: BaseException | None) -> None:
        if error is not None or found is None:
            self.status.emit(describe_error(error or RuntimeError("no result")))
        else:
            self.services.installed = list(found.languages)
            self.surveyed.emit(found)

    def preload(self, language: str) -> None:
        """Load the recognizer of ``language`` (and the identifier for ``auto``) so that the first word
        comes quickly."""
        self.status.emit(LOADING)
        host = self.services.host

        def work(report: Any, cancel: threading.Event) -> str:
            host.recognizer(None, language)
            return language

        self.services.jobs.start("load models", work, lambda result, error: self._preloaded(language, error))

    def _preloaded(self, language: str, error: BaseException | None) -> None:
        if language == AUTO:  # needed seconds into the first utterance: loaded next, while the user starts
            self.load_identifier()
        self.preloaded.emit(language, error)

    def load_identifier(self) -> None:
        """Load the language identifier in the background (at once if it is loaded); a failure is said
        unless a dictation, which reports it itself, is running."""
        host = self.services.host
        self.services.jobs.start("load language identifier", lambda report, cancel: host.identifier(),
                                 self._identifier_loaded)  # fmt: skip

    @Slot(object, object)
    def _identifier_loaded(self, result: Any, error: BaseException | None) -> None:
        if error is not None and not self.services.dictation.is_running:
            self.status.emit(describe_error(error))

    def list_microphones(self) -> None:
        self.services.jobs.start("microphones", lambda report, cancel: [d.name for d in list_devices()],
                                 self._listed)  # fmt: skip

    @Slot(object, object)
    def _listed(self, names: list[str] | None, error: BaseException | None) -> None:
        self.microphones.emit(names or [])
        if error is not None:
            self.status.emit(describe_error(error))
