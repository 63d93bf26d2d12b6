"""Background jobs: every result comes back once, on the GUI thread, without harming the interpreter."""

from __future__ import annotations

import gc
import sys
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from mms_desktop.core.base import Cancelled, Progress, UserError
from mms_desktop.gui.jobs import JobRunner, describe_error


def references() -> tuple[int, int]:
    """The counts of True and None, once the garbage earlier tests left (their windows) is collected: freeing
    it meanwhile would lower the counts as a bug does."""
    gc.collect()
    return sys.getrefcount(True), sys.getrefcount(None)


def assert_kept(before: tuple[int, int], after: tuple[int, int]) -> None:
    """PySide6 6.12.0 drops a reference to True at each emit and to None at each run of a Python QRunnable;
    on Python 3.11, where they are ordinary objects, the process aborts once a count reaches zero."""
    assert after[0] > before[0] - 100 and after[1] > before[1] - 100, (before, after)


def test_thousands_of_jobs_deliver_every_result_once_on_the_gui_thread(qtbot) -> None:
    runner = JobRunner()
    gui = threading.get_ident()
    results: list[Any] = []
    progress: list[float] = []
    threads: set[int] = set()

    def work(i: int) -> Any:
        def run(report: Any, cancel: threading.Event) -> int:
            report(Progress("step", 1, 2))
            return i

        return run

    def done(result: Any, error: BaseException | None) -> None:
        threads.add(threading.get_ident())
        results.append(error or result)

    before = references()
    for i in range(3000):
        runner.start(f"job {i}", work(i), done, lambda p: progress.append(p.fraction))
    qtbot.waitUntil(lambda: len(results) == 3000, timeout=60000)
    runner.wait()
    after = references()
    assert sorted(results) == list(range(3000)) and progress == [0.5] * 3000 and threads == {gui}
    assert not runner.running
    assert_kept(before, after)


def test_signals_emitted_on_the_gui_thread_keep_references(qtbot) -> None:
    class Meter(QObject):
        level = Signal(float)

    meter, heard = Meter(), []
    meter.level.connect(heard.append)
    before = references()
    for i in range(5000):  # 4 minutes of the dictation level meter at 20 updates a second
        meter.level.emit(i / 5000)
    after = references()
    assert len(heard) == 5000
    assert_kept(before, after)


def test_a_failing_job_reports_one_sentence_and_a_cancelled_one_keeps_nothing(qtbot) -> None:
    runner = JobRunner()
    outcomes: list[BaseException | None] = []

    def fails(report: Any, cancel: threading.Event) -> None:
        raise UserError("The file is not audio; choose a WAV, FLAC, OGG or MP3 file.")

    def waits(report: Any, cancel: threading.Event) -> None:
        cancel.wait(30)
        raise Cancelled()

    runner.start("fails", fails, lambda result, error: outcomes.append(error))
    job = runner.start("waits", waits, lambda result, error: outcomes.append(error))
    job.cancel()
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=30000)
    messages = sorted(describe_error(e) for e in outcomes if e is not None)
    assert messages == [
        "Cancelled; nothing partial was kept.",
        "The file is not audio; choose a WAV, FLAC, OGG or MP3 file.",
    ]
