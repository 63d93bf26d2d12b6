"""The long-lived worker of one dictation: a QObject on its own QThread.

The engine's :class:`Dictation` blocks while it runs, so it gets a thread of its own; everything it
reports crosses back to the GUI thread as queued signals carrying the frozen events of ``core.events``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from mms_desktop.core.recognition import Dictation, DictationStopped

log = logging.getLogger(__name__)

Builder = Callable[[Callable[[str], None], Callable[[object], None]], Dictation]


class DictationWorker(QObject):
    """Builds the dictation (loading models, opening the microphone) and runs it until stopped.

    Args:
        build: ``build(status, on_event)`` returns the ready :class:`Dictation`; runs on the worker thread.

    Signals:
        status(str): what the worker is doing now.
        event(object): recognition and recorder events, in order.
        ended(object): a :class:`DictationStopped`, or the exception that prevented the dictation.
    """

    status = Signal(str)
    happened = Signal(object)
    ended = Signal(object)

    def __init__(self, build: Builder):
        super().__init__()
        self._build = build
        self._stop = threading.Event()
        self._dictation: Dictation | None = None
        self._language: str | None = None
        self._identifier: Any = None

    @Slot()
    def run(self) -> None:
        result: Any
        try:
            self._dictation = self._build(self.status.emit, self.happened.emit)
            if self._language is not None:
                self.choose_language(self._language, self._identifier)
            if not self._stop.is_set():  # "Listening…" is said once the microphone delivers audio
                result = self._dictation.run(self._stop)
            else:
                result = DictationStopped("stopped", "Stopped.", 0, 0, None)
        except Exception as exc:  # shown to the user by the window; the thread must end normally
            log.debug("dictation failed", exc_info=True)
            result = exc
        self.ended.emit(result)

    def stop(self) -> None:
        """Ask the dictation to finish; it flushes, finalizes the text and closes the recording first."""
        self._stop.set()

    @property
    def level(self) -> float:
        return self._dictation.level if self._dictation is not None else 0.0

    @property
    def clipped(self) -> int:
        return self._dictation.clipped if self._dictation is not None else 0

    def choose_language(self, language: str, identifier: Any = None) -> None:
        """Recognize in ``language`` from the next utterance on (``identifier``: what ``auto`` detects with,
        when the dictation started without one)."""
        self._language, self._identifier = language, identifier
        dictation = self._dictation
        if dictation is not None:
            dictation.choose_language(language, identifier)


def start_thread(worker: DictationWorker, parent: QObject) -> QThread:
    """Move the worker to a new thread that ends (and is deleted) once the worker has ended.

    The caller keeps the worker referenced until the thread has finished: the worker is then released on
    the GUI thread, never while its own thread still runs.
    """
    thread = QThread(parent)
    thread.setObjectName("dictation")
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.ended.connect(thread.quit)
    thread.finished.connect(thread.deleteLater)
    thread.start()
    return thread
