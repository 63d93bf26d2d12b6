"""A live dictation: capture feeds the recording and the recognition stream, off the capture thread.

A dispatcher thread moves captured blocks to the recorder first (so a slow recognizer can never cost the
recording a sample) and then to the recognition queue; :meth:`Dictation.run` decodes on the caller's
thread until ``stop`` is set or the device is lost, then finalizes everything.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mms_desktop.core.capture import Capture, DeviceLost
from mms_desktop.core.errors import UserError
from mms_desktop.core.recorder import Recorder
from mms_desktop.core.streaming import Event, RecognitionStream

log = logging.getLogger(__name__)


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
        stream: RecognitionStream | None,
        recorder: Recorder | None,
        on_event: Callable[[object], None],
    ):
        self.capture = capture
        self.stream = stream
        self.recorder = recorder
        self._on_event = on_event
        self._mono: queue.Queue[np.ndarray | None] = queue.Queue()
        self._stop = threading.Event()
        self._lost: DeviceLost | None = None
        self._failure: UserError | None = None
        self.level = 0.0  # peak of the latest captured block, 0..1, for a level meter to poll

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
        self._mono.put(block.mean(axis=1) if block.ndim == 2 else block)

    def run(self, stop: threading.Event) -> DictationStopped:
        """Dictate until ``stop`` is set (or the device is lost or the disk fills); returns why it ended."""
        self.capture.start()
        dispatcher = threading.Thread(target=self._dispatch, name="capture-dispatch", daemon=True)
        dispatcher.start()
        try:
            while True:
                if stop.is_set() or (self.recorder is not None and self.recorder.stopped_by_disk):
                    self._stop.set()
                block = self._mono.get()
                if block is None:
                    break
                if self._failure is None:
                    self._recognize(block)
        finally:
            self._stop.set()
            dispatcher.join()
            self._finish()
        return self._stopped()

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
            return
        blocks = [block]
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
