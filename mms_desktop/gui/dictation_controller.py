"""Starts and stops dictations for the window: builds the engine objects on the worker thread."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from mms_desktop import paths as paths_module
from mms_desktop.core.audio import Capture
from mms_desktop.core.base import (
    AUTO,
    AudioError,
    CaughtUp,
    FallingBehind,
    FinalResult,
    MicrophoneOpen,
    RecognizerReady,
    behind_notice,
)
from mms_desktop.core.engine import ModelHost
from mms_desktop.core.recognition import DictatedText, Dictation, Edit
from mms_desktop.gui.dictation_worker import DictationWorker, start_thread
from mms_desktop.settings import Settings, live_options

log = logging.getLogger(__name__)

CaptureFactory = Callable[[str | None], Capture]
OPENING = "Opening the microphone…"
LISTENING = "Listening…"
RECORDING_WHILE_LOADING = (
    "Recording; the speech recognition model is loading, and what you say now is transcribed once it is ready…"
)


@dataclass(frozen=True)
class Written:
    """A final utterance as written text: ``edit`` turns the dictation's text so far into the new text
    (for an application typed into), ``utterance`` is what the utterance adds (for a window that lays out its
    own utterances), after removing the last one where ``edit.scratched``."""

    edit: Edit
    utterance: str
    final: FinalResult


def open_microphone(spec: str | None) -> Capture:
    """The capture of the input device named by ``spec`` (part of its name, or an index), or the default."""
    from mms_desktop.core.audio import find_device

    return Capture(find_device(spec))


class DictationController(QObject):
    """One dictation at a time, recorded into the recordings folder while it is transcribed.

    Signals:
        status(str): what is happening, in a few words.
        happened(object): recognition and recorder events from the engine.
        written(object): each final utterance as written text (a :class:`Written`).
        level(float): the microphone's latest peak, about 20 times a second while dictating.
        clipping(int): how many captured blocks of this dictation reached full scale, when it grows.
        running(bool): a dictation started, or it ended and its thread is gone.
        ended(object): the :class:`DictationStopped`, or the exception that stopped it from starting.
    """

    status = Signal(str)
    happened = Signal(object)
    written = Signal(object)
    level = Signal(float)
    clipping = Signal(int)
    running = Signal(bool)
    ended = Signal(object)

    def __init__(self, host: ModelHost, capture_factory: CaptureFactory = open_microphone,
                 detector_factory: Callable[[], Any] | None = None, parent: QObject | None = None):  # fmt: skip
        super().__init__(parent)
        self._host = host
        self._capture_factory = capture_factory
        self._detector_factory = detector_factory
        self._worker: DictationWorker | None = None
        self._thread: QThread | None = None
        self._open = False  # the microphone of the dictation in progress has delivered audio
        self.text = DictatedText()  # the written text of the dictation in progress, or of the last one
        self.behind = ""  # while the text trails the voice on a busy machine: what to say instead of progress
        self._clipped = 0
        self._meter = QTimer(self)
        self._meter.setInterval(50)
        self._meter.timeout.connect(self._poll_level)

    def sibling(self, parent: QObject | None = None) -> DictationController:
        """Another controller on the same models and the same kind of microphone (a second window's)."""
        return DictationController(self._host, self._capture_factory, self._detector_factory, parent)

    @property
    def is_running(self) -> bool:
        return self._worker is not None or self._thread is not None

    def start(self, settings: Settings, language: str, recording: Callable[[], Path] | None = None) -> None:
        """Start dictating in ``language`` (or ``auto``) with a snapshot of the settings, recording into the
        file ``recording()`` names (it runs on the dictation thread; default: a new file in the recordings
        folder)."""
        if self.is_running:
            return
        self._open, self.behind = False, ""
        self.text = DictatedText(settings.between_utterances, settings.spoken_commands == "use")
        self._worker = DictationWorker(
            lambda status, on_event: self._build(settings, language, recording, status, on_event)
        )
        self._worker.status.connect(self.status)
        self._worker.happened.connect(self._event)
        self._worker.ended.connect(self._ended)
        self._thread = start_thread(self._worker, self)
        self._thread.finished.connect(self._thread_done)
        self._clipped = 0
        self._meter.start()
        self.running.emit(True)

    def stop(self) -> None:
        """Finish the dictation: the text of the last words and the recording are completed first."""
        if self._worker is not None:
            self.status.emit("Finishing…")
            self._worker.stop()

    def choose_language(self, language: str) -> None:
        """Switch language from the next utterance on (the model is not reloaded); switching to ``auto``
        starts loading the identifier if the dictation began without it.

        Raises:
            ModelError: ``auto`` was chosen and no identifier is installed.
        """
        if self._worker is not None:
            self._worker.choose_language(language, self._host.identifier_soon() if language == AUTO else None)

    def _build(self, settings: Settings, language: str, recording: Callable[[], Path] | None,
               status: Callable[[str], None],
               on_event: Callable[[object], None]) -> Dictation:  # fmt: skip
        """Runs on the dictation thread: open the microphone and the recording at once; the models load
        while the first words are recorded (they are recognized once the models are ready)."""
        from mms_desktop.core.audio import Recorder
        from mms_desktop.core.recognition import RecognitionStream

        capture = self._capture_factory(settings.input_device or None)
        recorder = None
        if recording is not None or settings.keep_dictation_recordings == "yes":
            if recording is None:
                wav = self._recordings_folder(settings) / time.strftime("dictation-%Y%m%d-%H%M%S.wav")
            else:
                wav = recording()
            recorder = Recorder(
                wav, capture.sample_rate, capture.channels, on_event=on_event, device=capture.device.name
            )

        def stream() -> RecognitionStream:
            recognizer = self._host.recognizer(None, language)
            # the identifier finishes loading while the first seconds of speech are recorded
            identifier = self._host.identifier_soon() if language == AUTO else None
            detector = self._detector_factory() if self._detector_factory else None
            return RecognitionStream(
                recognizer, live_options(settings), language, identifier, settings.auto_among, detector
            )

        status(OPENING)
        return Dictation(capture, stream, recorder, on_event)

    @staticmethod
    def _recordings_folder(settings: Settings) -> Path:
        from mms_desktop.core.audio import repair_unfinished

        folder = paths_module.recordings_dir(settings.recordings_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AudioError(f"The recordings folder {folder} cannot be created ({exc.strerror}); "
                             "choose another one in Settings.") from exc  # fmt: skip
        for wav, copy in repair_unfinished(folder):
            log.warning("%s was not finished (a crash?); repaired into %s", wav, copy)
        return folder

    @Slot(object)
    def _event(self, event: object) -> None:
        """Say when the microphone really listens, whether the models are still loading and whether the text
        trails the voice, then pass the event on."""
        if isinstance(event, MicrophoneOpen):
            self._open = True
            self.status.emit(LISTENING if event.recognizing else RECORDING_WHILE_LOADING)
        elif isinstance(event, RecognizerReady) and self._open:
            self.status.emit(LISTENING)
        elif isinstance(event, FallingBehind | CaughtUp):  # said until the text has caught up
            self.behind = behind_notice(event.lag_s) if isinstance(event, FallingBehind) else ""
            self.status.emit(self.behind or LISTENING)
        self.happened.emit(event)
        if isinstance(event, FinalResult):
            edit = self.text.add(event.segment.text, event.language)
            self.written.emit(Written(edit, edit.insert.lstrip(" \n"), event))

    @Slot()
    def _poll_level(self) -> None:
        if self._worker is not None:
            self.level.emit(self._worker.level)
            if self._worker.clipped > self._clipped:
                self._clipped = self._worker.clipped
                self.clipping.emit(self._clipped)

    @Slot(object)
    def _ended(self, result: object) -> None:
        self._poll_level()  # the last blocks' clipping too
        self._meter.stop()
        self.level.emit(0.0)
        self.ended.emit(result)

    @Slot()
    def _thread_done(self) -> None:
        self._worker = None  # released only now that its thread has stopped
        self._thread = None
        self.running.emit(False)
