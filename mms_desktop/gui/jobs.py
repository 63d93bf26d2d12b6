"""One-shot background work (downloads, file transcription, model loading, speech synthesis).

A job runs a plain function on a thread pool; its progress and its ``(result, error)`` come back on the
GUI thread through the queued signals of one bridge object that lives as long as the runner, so callers
only ever touch widgets in their callbacks.

The pool's threads are Python's own, not Qt's, and no Qt object is created or deleted on them: only the
bridge's signals cross threads. A QRunnable subclass, by contrast, is a Python wrapper that Qt deletes on
its pool thread, and it is the kind of cross-thread object PySide6 has got wrong: 6.12.0 dropped a
reference to None at each run of a Python QRunnable (20,000 jobs abort the process), and a window test
crashed in shiboken's deferred deletion of such wrappers.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from mms_desktop.core.base import Cancelled, Progress, RemedyWords, UserError, disk_full

log = logging.getLogger(__name__)

Work = Callable[[Callable[[Progress], None], threading.Event], Any]
Done = Callable[[Any, BaseException | None], None]


# The engine's remedies as the window's menus and controls.
MENU_WORDS: RemedyWords = {
    "install": "Tools → Languages ({subject})",
    "languages": "Tools → Languages",
    "choose-language": "in the language chooser",
}


def describe_error(error: BaseException) -> str:
    """One sentence for the user: the engine's own message for errors they can fix."""
    if isinstance(error, Cancelled):
        return "Cancelled; nothing partial was kept."
    if isinstance(error, UserError):
        return error.say(MENU_WORDS)
    full = disk_full(error)
    if full is not None:
        return str(full)
    if isinstance(error, MemoryError):
        return "The computer ran out of memory; close other programs or choose a smaller model in Settings."
    return f"Something went wrong ({type(error).__name__}: {error}); the details are in the log file."


class Job:
    """A running job: cancel it, or ask to be told when it has delivered its result.

    A plain object, not a QObject: what crosses threads is the runner's long-lived bridge, so no Qt object
    is ever deleted on a pool thread or while its signal is in flight.
    """

    def __init__(self, name: str, work: Work, on_done: Done, on_progress: Callable[[Progress], None] | None):
        self.name = name
        self.cancel_event = threading.Event()
        self.work = work
        self.on_done = on_done
        self.on_progress = on_progress
        self.afterwards: list[Callable[[], object]] = []

    def cancel(self) -> None:
        self.cancel_event.set()

    def then(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` (on the GUI thread) once the job's result has been delivered."""
        self.afterwards.append(callback)


class _Bridge(QObject):
    """Carries progress and results from pool threads to the GUI thread (queued connections)."""

    progress = Signal(object, object)  # job, Progress
    finished = Signal(object, object, object)  # job, result, error


def _run(job: Job, bridge: _Bridge) -> None:
    """The work of ``job`` on a pool thread; its result or error goes to the GUI thread through ``bridge``."""
    try:
        result = job.work(lambda p: bridge.progress.emit(job, p), job.cancel_event)
    except BaseException as exc:  # delivered to the caller, who shows it; nothing escapes the pool
        if not isinstance(exc, UserError | Cancelled):
            log.exception("job %s failed", job.name)
        bridge.finished.emit(job, None, exc)
    else:
        bridge.finished.emit(job, result, None)


class JobRunner(QObject):
    """Starts jobs on its own thread pool and keeps track of the ones still running.

    Signals:
        idle(): the last running job has delivered its result.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None, threads: int = 2):
        super().__init__(parent)
        self._pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="job")
        self._submitted: list[concurrent.futures.Future[None]] = []
        self._running: list[Job] = []
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self._progress)
        self._bridge.finished.connect(self._finished)

    def start(self, name: str, work: Work, on_done: Done, on_progress: Callable[[Progress], None] | None = None) -> Job:
        """Run ``work(report, cancel)`` in the background; ``on_done(result, error)`` runs on the GUI thread."""
        job = Job(name, work, on_done, on_progress)
        self._running.append(job)
        self._submitted = [f for f in self._submitted if not f.done()]
        self._submitted.append(self._pool.submit(_run, job, self._bridge))
        return job

    def wait(self) -> None:
        """Block until the work of every job started so far has ended (their results may still be on
        their way to the GUI thread)."""
        concurrent.futures.wait(self._submitted)

    @property
    def running(self) -> list[str]:
        return [job.name for job in self._running]

    def cancel_all(self) -> None:
        for job in self._running:
            job.cancel()

    @Slot(object, object)
    def _progress(self, job: Job, progress: Progress) -> None:
        if job.on_progress is not None:
            job.on_progress(progress)

    @Slot(object, object, object)
    def _finished(self, job: Job, result: Any, error: BaseException | None) -> None:
        if job in self._running:
            self._running.remove(job)
        job.on_done(result, error)
        for callback in job.afterwards:
            callback()
        if not self._running:
            self.idle.emit()
