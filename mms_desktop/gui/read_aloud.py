"""Read aloud: synthesis on a background job, playback through sounddevice without blocking the window."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from mms_desktop.core.audio import Player, play_kept
from mms_desktop.core.base import Cancelled, Progress, Speech
from mms_desktop.core.engine import ModelHost
from mms_desktop.gui.jobs import Job, JobRunner, describe_error

log = logging.getLogger(__name__)
SOUNDING = Progress("reading aloud", 1, 1)  # the first sentence has been handed to the player


NO_TEXT = "There is no text to read; type or dictate some first."
STOPPED = "Stopped reading."


class ReadAloud(QObject):
    """Speaks text in a language with its installed voice, and saves speech to WAV files.

    Signals:
        status(str): one sentence about what happens (or went wrong).
        playing(bool): playback started or ended.
    """

    status = Signal(str)
    playing = Signal(bool)

    def __init__(self, host: ModelHost, jobs: JobRunner, player: Player, parent: QObject | None = None):
        super().__init__(parent)
        self._host = host
        self._jobs = jobs
        self._player = player
        self._last: tuple[str, str, Speech] | None = None
        self._preparing: Job | None = None  # the speech being synthesized for playing
        self._reading = False  # a reading has begun to sound and its end has not been said
        self._watch = QTimer(self)
        self._watch.setInterval(200)
        self._watch.timeout.connect(self._check_playing)

    @property
    def player(self) -> Player:
        return self._player

    def speak(self, text: str, language: str) -> None:
        """Read ``text`` aloud in the background: the first sentence sounds as soon as it is made, while the
        others are made."""
        self.status.emit(f"Preparing speech in {language}…")
        if self._preparing is not None:  # a newer request replaces the one still being prepared
            self._preparing.cancel()
        job = self._jobs.start("read aloud", lambda report, cancel: self._synthesize(text, language, cancel, report),
                               lambda result, error: self._spoken(job, result, error),
                               lambda progress: self._started(job))  # fmt: skip
        self._preparing = job

    def save(self, text: str, language: str, path: Path) -> None:
        """Write the speech of ``text`` to a WAV file (reusing what was just spoken when it is the same)."""
        self.status.emit(f"Saving speech to {path.name}…")

        def work(report: Any, cancel: threading.Event) -> Path:
            from mms_desktop.core.audio import wav_writer
            from mms_desktop.core.base import UserError

            if not text.strip():
                raise UserError(NO_TEXT)
            if self._last is not None and self._last[:2] == (text, language):
                pieces, rate = iter([np.asarray(self._last[2].samples)]), self._last[2].sample_rate
            else:  # written sentence by sentence, as made: a long text is never held in memory
                voice = self._host.voice(language)
                pieces, rate = voice.sentences(text, cancel=cancel), voice.sample_rate
            with wav_writer(path, rate) as write:
                for piece in pieces:
                    write(piece)
            return path

        self._jobs.start("save speech", work, self._saved)

    @property
    def busy(self) -> bool:
        """Whether speech is being prepared for reading or being read (a sound that ended is not)."""
        return self._preparing is not None or (self._reading and self._player.playing)

    def stop(self) -> None:
        """Stop reading, also while the speech is still being prepared (it is then never played)."""
        was_busy, self._reading = self.busy, False
        if self._preparing is not None:
            self._preparing.cancel()
        self._player.stop()
        self._check_playing()
        if was_busy and self._preparing is None:
            self.status.emit(STOPPED)

    def _synthesize(self, text: str, language: str, cancel: threading.Event, report: Any = None) -> Speech:
        """The speech of ``text``; with ``report``, also played as it is made, and reported once it sounds."""
        from mms_desktop.core.base import Cancelled, UserError

        if not text.strip():
            raise UserError(NO_TEXT)
        if self._last is not None and self._last[:2] == (text, language):
            speech = self._last[2]
            if report is not None:
                self._player.play(np.asarray(speech.samples), speech.sample_rate)
                report(SOUNDING)
        else:
            voice = self._host.voice(language)
            sentences = voice.sentences(text, cancel=cancel)
            if report is not None:  # the first sentence is handed over, and sounds, as soon as it is made
                made, complete = play_kept(self._player, sentences, voice.sample_rate, lambda: report(SOUNDING))
            else:
                made, complete = list(sentences), True
            if cancel.is_set() or not complete:  # stopped, here or by another use of the player
                raise Cancelled()
            speech = Speech(np.concatenate(made), voice.sample_rate)
            self._last = (text, language, speech)
        if cancel.is_set():
            raise Cancelled()
        return speech

    def _started(self, job: Job) -> None:
        if job is self._preparing and not job.cancel_event.is_set():
            self._reading = True
            self.status.emit("Reading aloud…")
            self.playing.emit(True)
            self._watch.start()

    def _spoken(self, job: Job, result: Any, error: BaseException | None) -> None:
        if job is not self._preparing:
            return  # a newer request replaced it; that one reports
        self._preparing = None
        if isinstance(error, Cancelled):
            self.status.emit(STOPPED)
        elif error is not None:
            self.status.emit(describe_error(error))

    @Slot(object, object)
    def _saved(self, result: Any, error: BaseException | None) -> None:
        self.status.emit(describe_error(error) if error is not None else f"Saved the speech to {result}.")

    @Slot()
    def _check_playing(self) -> None:
        if not self._player.playing:
            self._watch.stop()
            self.playing.emit(False)
            if self._reading and self._preparing is None:  # the reading sounded to its end: said once
                self._reading = False
                self.status.emit("Finished reading aloud.")
