"""Read aloud: synthesis on a background job, playback through sounddevice without blocking the window."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from mms_desktop.core.errors import Cancelled
from mms_desktop.core.events import Speech
from mms_desktop.core.models import ModelHost
from mms_desktop.gui.jobs import Job, JobRunner, describe_error

log = logging.getLogger(__name__)


class Player(Protocol):
    def play(self, samples: np.ndarray, sample_rate: int) -> None: ...
    def stop(self) -> None: ...
    @property
    def playing(self) -> bool: ...


class SoundDevicePlayer:
    """Plays on the default output device; sounddevice runs the stream on its own thread."""

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        from mms_desktop.core.capture import _sounddevice

        sd = _sounddevice()
        try:
            sd.play(samples, sample_rate)
        except Exception as exc:
            from mms_desktop.core.errors import AudioError

            raise AudioError(f"The speech could not be played ({exc}); check the sound output device.") from exc

    def stop(self) -> None:
        from mms_desktop.core.capture import _sounddevice

        _sounddevice().stop()

    @property
    def playing(self) -> bool:
        from mms_desktop.core.capture import _sounddevice

        try:
            return bool(_sounddevice().get_stream().active)
        except RuntimeError:  # nothing was ever played
            return False


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
        self._watch = QTimer(self)
        self._watch.setInterval(200)
        self._watch.timeout.connect(self._check_playing)

    @property
    def player(self) -> Player:
        return self._player

    def speak(self, text: str, language: str) -> None:
        """Synthesize ``text`` in the background, then play it."""
        self.status.emit(f"Preparing speech in {language}…")
        if self._preparing is not None:  # a newer request replaces the one still being prepared
            self._preparing.cancel()
        job = self._jobs.start("read aloud", lambda report, cancel: self._synthesize(text, language, cancel, True),
                               lambda result, error: self._spoken(job, result, error))  # fmt: skip
        self._preparing = job

    def save(self, text: str, language: str, path: Path) -> None:
        """Write the speech of ``text`` to a WAV file (reusing what was just spoken when it is the same)."""
        self.status.emit(f"Saving speech to {path.name}…")

        def work(report: Any, cancel: threading.Event) -> Path:
            from mms_desktop.core.audio import write_wav
            from mms_desktop.core.errors import UserError

            speech = self._synthesize(text, language, cancel, False)
            try:
                write_wav(path, speech.samples, speech.sample_rate)  # type: ignore[arg-type]
            except (OSError, RuntimeError) as exc:
                raise UserError(f"{path} could not be written ({exc}); choose another place.") from exc
            return path

        self._jobs.start("save speech", work, self._saved)

    @property
    def busy(self) -> bool:
        """Whether speech is being prepared for reading or being read."""
        return self._preparing is not None or self._player.playing

    def stop(self) -> None:
        """Stop reading, also while the speech is still being prepared (it is then never played)."""
        if self._preparing is not None:
            self._preparing.cancel()
        self._player.stop()
        self._check_playing()

    def _synthesize(self, text: str, language: str, cancel: threading.Event, play: bool) -> Speech:
        from mms_desktop.core.errors import Cancelled, UserError

        if not text.strip():
            raise UserError("There is no text to read; type or dictate some first.")
        if self._last is not None and self._last[:2] == (text, language):
            speech = self._last[2]
        else:
            speech = self._host.voice(language).speak(text, cancel=cancel)
            self._last = (text, language, speech)
        if cancel.is_set():
            raise Cancelled()
        if play:
            self._player.play(np.asarray(speech.samples), speech.sample_rate)
        return speech

    def _spoken(self, job: Job, result: Any, error: BaseException | None) -> None:
        if job is not self._preparing:
            return  # a newer request replaced it; that one reports
        self._preparing = None
        if isinstance(error, Cancelled):
            self.status.emit("Stopped reading.")
            return
        if error is not None:
            self.status.emit(describe_error(error))
            return
        self.status.emit("Reading aloud…")
        self.playing.emit(True)
        self._watch.start()

    @Slot(object, object)
    def _saved(self, result: Any, error: BaseException | None) -> None:
        self.status.emit(describe_error(error) if error is not None else f"Saved the speech to {result}.")

    @Slot()
    def _check_playing(self) -> None:
        if not self._player.playing:
            self._watch.stop()
            self.playing.emit(False)
