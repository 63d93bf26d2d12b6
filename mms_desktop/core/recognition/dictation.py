"""A live dictation: capture feeds the recording and the recognition stream, off the capture thread.

A dispatcher thread moves captured blocks to the recorder first (so a slow recognizer can never cost the
recording a sample) and then to the recognition queue; :meth:`Dictation.run` decodes on the caller's
thread until ``stop`` is set or the device is lost, then finalizes everything.

The microphone opens before the recognizer is ready: a stream given as a function is built on a thread of
its own while the first words are recorded, and what was said meanwhile is recognized once it is ready.
Nothing is announced as heard before the device has delivered its first block (PortAudio may take
seconds to).

Threads: ``on_event`` is called on the thread that called :meth:`run`; the loader thread only builds.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mms_desktop.core.audio import Capture, DeviceLost, Recorder
from mms_desktop.core.base import MicrophoneOpen, RecognizerReady, UserError
from mms_desktop.core.recognition.streaming import Event, RecognitionStream

log = logging.getLogger(__name__)
CLIP_LEVEL = 0.999  # a peak this close to full scale: the input clipped (16-bit full scale is 0.99997)


@dataclass(frozen=True)
class DictationStopped:
    """The dictation ended: why, and what the capture counted."""

    reason: str  # "stopped", "device-lost", "disk-full", "recognition-failed"
    message: str
    overflows: int
    dropped: int
    recording: str | None
    error: UserError | None = None  # why recognition failed (the recording went on to the end)


class Dictation:
    """Runs one capture into an optional recorder and an optional recognition stream.

    Args:
        on_event: receives recognition events, recorder events and the final :class:`DictationStopped`,
            on the thread that called :meth:`run`.
    """

    def __init__(
        self,
        capture: Capture,
        stream: RecognitionStream | Callable[[], RecognitionStream] | None,
        recorder: Recorder | None,
        on_event: Callable[[object], None],
    ):
        self.capture = capture
        self.stream: RecognitionStream | None = None if callable(stream) else stream
        self._loader = _Loader(stream) if callable(stream) else None
        self._held: list[np.ndarray] = []  # what was said while the recognizer loaded
        self._opened = 0.0
        self._heard = False
        self.recorder = recorder
        self._on_event = on_event
        self._mono: queue.Queue[np.ndarray | None] = queue.Queue()
        self._stop = threading.Event()
        self._lost: DeviceLost | None = None
        self._failure: UserError | None = None
        self._crash: BaseException | None = None  # what building the stream raised, not the user's to fix
        self._chosen: tuple[str, Any] | None = None
        self.level = 0.0  # peak of the latest captured block, 0..1, for a level meter to poll
        self.clipped = 0  # captured blocks that reached full scale (the input is set too loud)

    def _dispatch(self) -> None:
        try:
            while not self._stop.is_set():
                block = self.capture.read(timeout=0.1)
                if block is not None:
                    self._forward(block)
        except DeviceLost as exc:
            self._lost = exc
        finally:
            self.capture.stop()
            for block in self.capture.drain():
                self._forward(block)
            self._mono.put(None)

    def _forward(self, block: np.ndarray) -> None:
        if self.recorder is not None:
            self.recorder.write(block)
        self.level = float(np.max(np.abs(block))) if block.size else 0.0
        self.clipped += self.level >= CLIP_LEVEL
        self._mono.put(block.mean(axis=1) if block.ndim == 2 else block)

    def run(self, stop: threading.Event) -> DictationStopped:
        """Dictate until ``stop`` is set (or the device is lost or the disk fills); returns why it ended.

        Raises:
            Exception: building the stream failed with an error that is not the user's to fix (the
                recording is complete all the same).
        """
        self.capture.start()
        self._opened = time.monotonic()
        dispatcher = threading.Thread(target=self._dispatch, name="capture-dispatch", daemon=True)
        dispatcher.start()
        if self._loader is not None:
            self._loader.start()
        try:
            while True:
                if stop.is_set() or (self.recorder is not None and self.recorder.stopped_by_disk):
                    self._stop.set()
                block = self._mono.get()
                if block is None:
                    break
                self._take_stream()  # first: whether it is recognizing yet is said with the first block
                if not self._heard:
                    self._heard = True
                    self._on_event(MicrophoneOpen(round(time.monotonic() - self._opened, 3), self._loader is None))
                if self._failure is None:
                    self._recognize(block)
        finally:
            self._stop.set()
            dispatcher.join()
            self._take_stream(wait=True)
            self._finish()
        if self._crash is not None:
            raise self._crash
        return self._stopped()

    def _take_stream(self, wait: bool = False) -> None:
        """Use the stream once its loader is done (``wait``: once it is, at the end)."""
        loader = self._loader
        if loader is None or not (wait or loader.done.is_set()):
            return
        self._loader = None
        loader.done.wait()
        if isinstance(loader.error, UserError):
            self._failure = loader.error
            self._stop.set()
        elif loader.error is not None:
            self._crash = loader.error
            self._stop.set()
        else:
            self.stream = loader.stream
            if self._chosen is not None and self.stream is not None:  # chosen while it loaded
                self.stream.choose_language(*self._chosen)
            self._on_event(RecognizerReady())

    def choose_language(self, language: str, identifier: Any = None) -> None:
        """Recognize in ``language`` from the next utterance on, also when the recognizer is still loading
        (any thread)."""
        self._chosen = (language, identifier)
        stream = self.stream
        if stream is not None:
            stream.choose_language(language, identifier)

    def _recognize(self, block: np.ndarray) -> None:
        """Decode ``block``; a failure the user can act on (say, a detected language that is not
        installed) ends the dictation, after the recording has all that was captured."""
        try:
            self._decode(block)
        except UserError as exc:
            self._failure = exc
            self._stop.set()

    def _decode(self, block: np.ndarray) -> None:
        if self.stream is None:
            if self._loader is not None:  # kept for the recognizer that is loading
                self._held.append(block)
            return
        blocks = [*self._held, block]
        self._held = []
        while not self._mono.empty():  # catch up in one decode when recognition fell behind
            more = self._mono.get_nowait()
            if more is None:
                self._mono.put(None)
                break
            blocks.append(more)
        self.stream.accept_waveform(self.capture.sample_rate, np.concatenate(blocks))
        self._emit(self.stream.decode())

    def _emit(self, events: list[Event]) -> None:
        for event in events:
            self._on_event(event)

    def _finish(self) -> None:
        try:
            if self.stream is not None and self._failure is None:
                if self._held:  # stopped before the recognizer was ready: what was said is recognized now
                    self._decode(np.zeros(0, np.float32))
                self._emit(self.stream.finish())
        finally:  # the recording is completed even when recognition failed (a model that would not load)
            if self.recorder is not None:
                self.recorder.close()

    def _stopped(self) -> DictationStopped:
        path = str(self.recorder.path) if self.recorder is not None else None
        c = self.capture
        if self._lost is not None:
            return DictationStopped("device-lost", str(self._lost), c.overflows, c.dropped, path)
        if self._failure is not None:
            return DictationStopped("recognition-failed", str(self._failure), c.overflows, c.dropped, path,
                                    self._failure)  # fmt: skip
        if self.recorder is not None and self.recorder.stopped_by_disk:
            message = "Recording stopped because the disk is nearly full; everything so far was saved."
            return DictationStopped("disk-full", message, c.overflows, c.dropped, path)
        return DictationStopped("stopped", "Stopped.", c.overflows, c.dropped, path)


class _Loader:
    """Builds a recognition stream on a thread of its own, keeping what it raised."""

    def __init__(self, build: Callable[[], RecognitionStream]):
        self._build = build
        self.done = threading.Event()
        self.stream: RecognitionStream | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name="recognizer-loader", daemon=True).start()

    def _run(self) -> None:
        try:
            self.stream = self._build()
        except BaseException as exc:  # handed to the dictation's thread, which says or raises it
            self.error = exc
        finally:
            self.done.set()
