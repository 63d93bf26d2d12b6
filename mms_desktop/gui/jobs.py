"""One-shot background work (downloads, file transcription, model loading, speech synthesis).

A job runs a plain function on a thread pool; its progress and its ``(result, error)`` come back on the
GUI thread through queued signals, so callers only ever touch widgets in their callbacks.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from mms_desktop.core.errors import Cancelled, UserError
from mms_desktop.core.events import Progress

log = logging.getLogger(__name__)

Work = Callable[[Callable[[Progress], None], threading.Event], Any]
Done = Callable[[Any, BaseException | None], None]


# The engine's messages name command-line remedies; in the window the same remedy is a menu away.
_WINDOW_REMEDIES = [
    (re.compile(r"`mms-desktop languages install ([^`]+)`"), r"Tools → Languages (\1)"),
    (re.compile(r"`mms-desktop languages list`"), "Tools → Languages"),
    (re.compile(r" with --lang\b"), " in the language chooser"),
]


def describe_error(error: BaseException) -> str:
    """One sentence for the user: the engine's own message for errors they can fix."""
    if isinstance(error, Cancelled):
        return "Cancelled; nothing partial was kept."
    if isinstance(error, UserError):
        text = str(error)
        for pattern, replacement in _WINDOW_REMEDIES:
            text = pattern.sub(replacement, text)
        return text
    if isinstance(error, MemoryError):
        return "The computer ran out of memory; close other programs or choose a smaller model in Settings."
    return f"Something went wrong ({type(error).__name__}: {error}); the details are in the log file."


class Job(QObject):
    """A running job: cancel it with :meth:`cancel`.

    Signals:
        progress(Progress): from the work, delivered on the GUI thread.
        finished(object, object): the result and the error (one of them is None), on the GUI thread.
    """

    progress = Signal(object)
    finished = Signal(object, object)

    def __init__(self, name: str, work: Work, on_done: Done, on_progress: Callable[[Progress], None] | None):
        super().__init__()
        self.name = name
        self.cancel_event = threading.Event()
        self._work = work
        self._on_done = on_done
        self._on_progress = on_progress
        self.progress.connect(self._relay_progress)
        self.finished.connect(self._relay_finished)

    def cancel(self) -> None:
        self.cancel_event.set()

    def execute(self) -> None:
        """Runs on a pool thread."""
        try:
            result = self._work(self.progress.emit, self.cancel_event)
        except BaseException as exc:  # delivered to the caller, who shows it; nothing escapes the pool
            if not isinstance(exc, UserError | Cancelled):
                log.exception("job %s failed", self.name)
            self.finished.emit(None, exc)
        else:
            self.finished.emit(result, None)

    @Slot(object)
    def _relay_progress(self, progress: Progress) -> None:
        if self._on_progress is not None:
            self._on_progress(progress)

    @Slot(object, object)
    def _relay_finished(self, result: Any, error: BaseException | None) -> None:
        self._on_done(result, error)


class _Runnable(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job.execute()


class JobRunner(QObject):
    """Starts jobs on its own thread pool and keeps track of the ones still running.

    Signals:
        idle(): the last running job has delivered its result.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None, threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._running: list[Job] = []

    def start(self, name: str, work: Work, on_done: Done, on_progress: Callable[[Progress], None] | None = None) -> Job:
        """Run ``work(report, cancel)`` in the background; ``on_done(result, error)`` runs on the GUI thread."""
        job = Job(name, work, on_done, on_progress)
        job.finished.connect(self._forget)
        self._running.append(job)
        self.pool.start(_Runnable(job))
        return job

    @property
    def running(self) -> list[str]:
        return [job.name for job in self._running]

    def cancel_all(self) -> None:
        for job in self._running:
            job.cancel()

    @Slot(object, object)
    def _forget(self, result: Any, error: BaseException | None) -> None:
        job = self.sender()
        if job in self._running:
            self._running.remove(job)  # type: ignore[arg-type]
        if not self._running:
            self.idle.emit()
