"""Sound output: plays speech through PortAudio's default output without blocking the caller.

Speech can be handed over a piece at a time (:meth:`SoundDevicePlayer.play_stream`): the first sentence
sounds while the next ones are still being made, and a piece that is late leaves silence, not a gap in
the stream.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

import numpy as np

from mms_desktop.core.audio.capture import _sounddevice
from mms_desktop.core.base import AudioError


class Player(Protocol):
    def play(self, samples: np.ndarray, sample_rate: int) -> None: ...
    def play_stream(self, pieces: Iterable[np.ndarray], sample_rate: int) -> None: ...
    def stop(self) -> None: ...
    @property
    def playing(self) -> bool: ...


def play_kept(player: Player, pieces: Iterable[np.ndarray], sample_rate: int,
              first: Callable[[], None] | None = None) -> tuple[list[np.ndarray], bool]:  # fmt: skip
    """Play ``pieces`` as they come and keep them; returns them, and whether every piece was taken (False when
    playing was stopped first, here or by another use of the player). ``first`` is called once the first
    piece is handed over."""
    kept: list[np.ndarray] = []
    complete = False

    def taken() -> Iterator[np.ndarray]:
        nonlocal complete
        for piece in pieces:
            kept.append(piece)
            if first is not None and len(kept) == 1:
                first()
            yield piece
        complete = True

    player.play_stream(taken(), sample_rate)
    return kept, complete


def _unplayable(exc: Exception) -> AudioError:
    return AudioError(f"The speech could not be played ({exc}); check the sound output device.")


class _Feed:
    """Samples waiting to be played, filled by the caller's thread and drained by PortAudio's callback."""

    def __init__(self) -> None:
        self._pieces: collections.deque[np.ndarray] = collections.deque()
        self._lock = threading.Lock()
        self.closed = False  # nothing more will come
        self.stopped = False  # playing was stopped: whatever comes is dropped

    def put(self, piece: np.ndarray) -> None:
        with self._lock:
            self._pieces.append(np.asarray(piece, np.float32).reshape(-1))

    def fill(self, out: np.ndarray) -> bool:
        """Fill ``out`` (frames, 1) with what has come, silence after it; False once everything has been played."""
        filled = 0
        with self._lock:
            while filled < len(out) and self._pieces:
                piece = self._pieces[0]
                take = min(len(piece), len(out) - filled)
                out[filled : filled + take, 0] = piece[:take]
                filled += take
                if take == len(piece):
                    self._pieces.popleft()
                else:
                    self._pieces[0] = piece[take:]
            out[filled:] = 0
            return bool(self._pieces) or not self.closed


class SoundDevicePlayer:
    """Plays on the default output device; PortAudio runs the stream on its own thread."""

    def __init__(self) -> None:
        self._stream: Any = None
        self._feed: _Feed | None = None
        self._lock = threading.Lock()

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        """Start playing ``samples`` (what was playing stops) and return at once."""
        self.play_stream([samples], sample_rate)

    def play_stream(self, pieces: Iterable[np.ndarray], sample_rate: int) -> None:
        """Play ``pieces`` one after the other, starting with the first as soon as it comes; returns once the
        last has been handed over (or playing was stopped), while the sound goes on."""
        sd = _sounddevice()
        self.stop()
        feed = _Feed()

        def callback(out: np.ndarray, frames: int, time: Any, status: Any) -> None:
            if not feed.fill(out):
                raise sd.CallbackStop

        try:
            stream = sd.OutputStream(samplerate=sample_rate, channels=1, dtype="float32", callback=callback)
        except (sd.PortAudioError, ValueError) as exc:
            raise _unplayable(exc) from exc
        with self._lock:
            self._stream, self._feed = stream, feed
        try:
            for piece in pieces:
                if feed.stopped:
                    break
                feed.put(piece)
                if not stream.active:
                    self._start(stream, feed)
        finally:
            feed.closed = True
            close = getattr(pieces, "close", None)
            if close is not None:  # a generator left early lets go of what it holds
                close()

    @staticmethod
    def _start(stream: Any, feed: _Feed) -> None:
        sd = _sounddevice()
        try:
            stream.start()
        except sd.PortAudioError as exc:
            if not feed.stopped:  # else stopped (and closed) from another thread meanwhile: nothing to say
                raise _unplayable(exc) from exc

    def stop(self) -> None:
        with self._lock:
            stream, feed, self._stream, self._feed = self._stream, self._feed, None, None
        if feed is not None:
            feed.stopped = True
        if stream is not None:
            stream.abort()
            stream.close()

    @property
    def playing(self) -> bool:
        with self._lock:
            stream, feed = self._stream, self._feed
        return stream is not None and feed is not None and (stream.active or not feed.closed)
