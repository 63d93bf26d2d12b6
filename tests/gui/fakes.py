"""Fakes for the hardware a window test cannot have: a microphone the test speaks into, a speaker."""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

import numpy as np

from mms_desktop.core.audio import Capture, InputDevice


class FakeMicrophone:
    """Stands in for a PortAudio input stream: delivers 20 ms blocks at real-time pace from its own
    thread, silence unless the test has given it something to say."""

    def __init__(self, rate: int = 16000) -> None:
        self.rate = rate
        self.device = InputDevice(0, "Test microphone", 1, rate, True)
        self._pending: queue.Queue[np.ndarray] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.active = False
        self.spoken = threading.Event()

    def capture(self, spec: str | None) -> Capture:
        return Capture(self.device, stream_factory=self._open)

    def say(self, samples: np.ndarray) -> None:
        self.spoken.clear()
        self._pending.put(np.asarray(samples, np.float32))

    def _open(self, *, callback: Any, blocksize: int, **_: Any) -> FakeMicrophone:
        self._callback, self._blocksize = callback, blocksize
        return self

    def start(self) -> None:
        self.active = True
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="fake-microphone", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        buffer = np.zeros(0, np.float32)
        next_time = time.monotonic()
        while not self._stop.is_set():
            while len(buffer) < self._blocksize:
                try:
                    buffer = np.concatenate([buffer, self._pending.get_nowait()])
                except queue.Empty:
                    if len(buffer) == 0:
                        self.spoken.set()
                    buffer = np.concatenate([buffer, np.zeros(self._blocksize - len(buffer), np.float32)])
            block, buffer = buffer[: self._blocksize], buffer[self._blocksize :]
            self._callback(block[:, None], self._blocksize, None, None)
            next_time += self._blocksize / self.rate
            time.sleep(max(0.0, next_time - time.monotonic()))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.active = False

    def close(self) -> None:
        pass


class FakePlayer:
    """Stands in for the sound output: remembers what it was asked to play, and lets a test hold a stream
    of pieces before it takes the first (``before_first``) or the second (``after_first``)."""

    def __init__(self) -> None:
        self.played: list[tuple[np.ndarray, int]] = []  # whole sounds, a stream once it has ended
        self.streamed: list[np.ndarray] = []  # the pieces of streams as they were taken
        self.playing = False
        self.before_first, self.after_first = threading.Event(), threading.Event()
        self.before_first.set(), self.after_first.set()

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        self.played.append((samples, sample_rate))
        self.playing = True

    def play_stream(self, pieces: Any, sample_rate: int) -> None:
        taken: list[np.ndarray] = []
        self.before_first.wait(30)
        for piece in pieces:
            taken.append(piece)
            self.streamed.append(piece)
            self.playing = True
            if len(taken) == 1:
                self.after_first.wait(30)
        if taken:
            self.played.append((np.concatenate(taken), sample_rate))

    def stop(self) -> None:
        self.playing = False


from helpers import espeak  # noqa: E402,F401  (the GUI tests take it from here)
