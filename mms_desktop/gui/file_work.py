"""Files in and out of the main window: audio files transcribed one after the other, text and transcripts
saved, each on a background job.

Signals:
    status(str): a sentence for the status line.
    busy(bool, bool): a transcription is running (and whether its progress is known).
    progress(int): how far the file in hand is, in thousandths.
    transcribed(object): a file's Transcript, to add to the window's text.
    partial(object): the Transcript found so far in the file in hand (its last segment perhaps still growing).
    cancelled(object): the Transcript found before the user cancelled (its segments may be none), for the user
        to keep or discard.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from mms_desktop.core.audio import audio_files
from mms_desktop.core.base import AudioError, Cancelled, Progress, Transcript, UserError, batch_outcome, save_text
from mms_desktop.core.formats import render
from mms_desktop.core.recognition import WindowOptions
from mms_desktop.gui.jobs import Job, describe_error
from mms_desktop.gui.services import Services


class FileWork(QObject):
    """Transcribes dropped or chosen audio files and saves the window's text and transcript."""

    status = Signal(str)
    busy = Signal(bool, bool)
    progress = Signal(int)
    transcribed = Signal(object)
    partial = Signal(object)
    cancelled = Signal(object)

    def __init__(self, services: Services, parent: QObject | None = None):
        super().__init__(parent)
        self.services = services
        self._transcription: Job | None = None
        self._queue: list[Path] = []  # files dropped or chosen together, waiting for the one before
        self._current: Path | None = None  # the file being transcribed
        self._language = ""
        self._batch_size = 0  # how many files were dropped or chosen together; those unreadable, with why:
        self._unreadable: list[tuple[Path, str]] = []
        self._echo = False  # print the transcript of the file in progress on standard output as well

    @property
    def transcribing(self) -> bool:
        return self._transcription is not None

    def transcribe_file(self, path: Path, language: str, echo: bool = False) -> None:
        self.transcribe_files([path], language, echo)

    def transcribe_files(self, paths: list[Path], language: str, echo: bool = False) -> None:
        """Transcribe ``paths`` in ``language`` one after the other, each one's text after the one before (a
        folder: the audio files in it; ``echo``: print each text on standard output too)."""
        if not paths:
            return
        if self.services.dictation.is_running or self._transcription is not None:
            self.status.emit(f"Finish the dictation or transcription in progress before opening {paths[0].name}.")
            return
        self.services.places.used(paths[0].absolute())  # the next dialog starts there
        try:
            paths = audio_files(paths)
        except UserError as exc:
            self.status.emit(describe_error(exc))
            return
        self._queue, self._echo, self._language = list(paths[1:]), echo, language
        self._batch_size, self._unreadable = len(paths), []
        self._start(paths[0])

    def _start(self, path: Path) -> None:
        self._current = path
        language, settings, host = (
            self._language,
            dataclasses.replace(self.services.context.settings),
            self.services.host,
        )
        more = f" ({len(self._queue)} more after it)" if self._queue else ""
        self.status.emit(f"Transcribing {path.name}…{more}")
        self.busy.emit(True, False)

        def work(report: Any, cancel: threading.Event) -> Transcript:
            options = WindowOptions(settings.window_s, settings.context_s)
            return host.transcribe(path, language, settings.auto_among, options, report, cancel)

        jobs = self.services.jobs
        self._transcription = jobs.start(f"transcribe {path.name}", work, self._transcribed, self._progress)

    @Slot(object)
    def _progress(self, p: Progress) -> None:
        self.busy.emit(True, True)
        self.progress.emit(int(p.fraction * 1000))
        if p.partial is not None:
            self.partial.emit(p.partial)

    @Slot(object, object)
    def _transcribed(self, transcript: Transcript | None, error: BaseException | None) -> None:
        self._transcription = None
        self.busy.emit(False, False)
        if isinstance(error, AudioError):  # this file only: the others go on, and the end says what was left out
            assert self._current is not None
            self._unreadable.append((self._current, describe_error(error)))
            self._echo_error(error)
            self._next()
            return
        if error is not None or transcript is None:
            left, self._queue = self._queue, []
            not_done = f" {', '.join(p.name for p in left)} not transcribed." if left else ""
            if isinstance(error, Cancelled):
                self.status.emit("Transcription cancelled." + not_done)
                self.cancelled.emit(error.partial or Transcript(self._language, 0.0, ()))
                return
            self.status.emit(describe_error(error or RuntimeError("no result")) + not_done)
            self._echo_error(error)
            return
        if self._echo:
            print(transcript.text, flush=True)
        if self._current is not None:
            self.services.places.text_from(self._current)
        self.transcribed.emit(transcript)
        words = sum(len(s.words) for s in transcript.segments)
        name = self._current.name if self._current is not None else "the recording"
        self.status.emit(
            f"Transcribed {transcript.duration:.1f} s of audio: {words} words."
            if transcript.segments
            else f"No speech was found in {name} ({transcript.duration:.1f} s); nothing was transcribed."
        )
        self._next()

    def _echo_error(self, error: BaseException | None) -> None:
        if self._echo and error is not None:
            print(describe_error(error), file=sys.stderr, flush=True)

    def _next(self) -> None:
        """Start the next file of the batch, or say which files of it could not be read."""
        if self._queue:
            self._start(self._queue.pop(0))
        elif self._unreadable:
            self.status.emit(batch_outcome("transcribed", self._batch_size, self._unreadable))

    @Slot()
    def cancel(self) -> None:
        if self._transcription is not None:
            self._transcription.cancel()
            self.status.emit("Cancelling…")

    def write_text(self, path: Path, text: str) -> None:
        def work(report: Any, cancel: threading.Event) -> Path:
            save_text(path, text)
            return path

        self.services.jobs.start("save text", work, self._written)

    def export(self, path: Path, fmt: str, transcript: Transcript, text: str) -> None:
        """Save the window's ``transcript`` in ``fmt`` (``txt``: its ``text`` as the window shows it)."""
        if fmt == "txt":
            self.write_text(path, text)
        elif not transcript.segments:
            self.status.emit("There are no timings to export yet; dictate or transcribe a file first, "
                             "or export as text.")  # fmt: skip
        else:
            self.write_text(path, render(transcript, fmt))

    @Slot(object, object)
    def _written(self, path: Any, error: BaseException | None) -> None:
        self.status.emit(describe_error(error) if error is not None else f"Saved {path}.")
