"""How audio of any length is cut into overlapping windows for the model, and what a pass over a window
costs on this machine."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from mms_desktop.core.recognition import ctc

RECENT_PASSES = 24  # what pass costs are fitted on: enough to average the noise, few to follow a change in load


@dataclass(frozen=True)
class WindowOptions:
    """How long audio is cut into overlapping windows.

    Each window holds ``chunk_s`` seconds of new audio with ``context_s`` seconds on either side; only the
    frames of the new audio are kept, so every output frame comes from a window where it had context.
    """

    chunk_s: float = 20.0
    context_s: float = 2.0


@dataclass(frozen=True)
class Window:
    """One pass of the model: samples ``[start, end)``, keeping its output frames ``[keep_from, keep_to)``."""

    start: int
    end: int
    keep_from: int
    keep_to: int


def plan_windows(n_samples: int, options: WindowOptions) -> list[Window]:
    """Cut ``n_samples`` into windows aligned to the 20 ms frame grid.

    Windows start on multiples of 320 samples, so frame ``k`` of a window starting at sample ``s`` is
    global frame ``s / 320 + k``, and the kept frames of all windows tile the whole recording exactly once.
    Audio that fits in one chunk plus its right context is a single window: the same as one pass. A last
    chunk no longer than the context is kept from the window before it, which reaches the end already.
    """
    total = ctc.frames_for_samples(n_samples)
    chunk, context = window_frames(options)
    if total <= chunk + context:
        return [Window(0, n_samples, 0, total)]
    count = (total + chunk - 1) // chunk
    windows = [window_at(k, total, n_samples, options) for k in range(count)]
    if total - (count - 1) * chunk <= context:
        last = windows.pop()
        windows[-1] = Window(windows[-1].start, windows[-1].end, windows[-1].keep_from,
                             windows[-1].keep_to + last.keep_to - last.keep_from)  # fmt: skip
    return windows


def window_frames(options: WindowOptions) -> tuple[int, int]:
    """Chunk and context lengths in 20 ms frames."""
    return max(1, round(options.chunk_s / ctc.FRAME_SECONDS)), max(0, round(options.context_s / ctc.FRAME_SECONDS))


def window_at(k: int, total: int, n_samples: int, options: WindowOptions) -> Window:
    """Window ``k`` of a recording of ``total`` frames (``n_samples`` samples), when it has several.

    It depends on ``total`` only through clipping at the end, so once ``total`` exceeds
    ``(k + 1) * chunk + context`` frames the window is final: streaming can run it before the end is known.
    """
    chunk, context = window_frames(options)
    first, last = k * chunk, min(total, (k + 1) * chunk)
    w_first, w_last = max(0, first - context), min(total, last + context)
    end = min(n_samples, (w_last - 1) * ctc.SAMPLES_PER_FRAME + ctc.RECEPTIVE_FIELD)
    return Window(w_first * ctc.SAMPLES_PER_FRAME, end, first - w_first, last - w_first)


class PassCosts:
    """Seconds a forward pass takes for a number of frames, fitted on the latest passes.

    Thread-safe: a file transcription may run passes while a dictation plans with the same recognizer.
    """

    def __init__(self) -> None:
        self._recent: deque[tuple[int, float]] = deque(maxlen=RECENT_PASSES)
        self._lock = threading.Lock()

    def add(self, frames: int, seconds: float) -> None:
        if frames > 0:
            with self._lock:
                self._recent.append((frames, seconds))

    @property
    def known(self) -> bool:
        return bool(self._recent)

    def predict(self, frames: int) -> float:
        """Expected seconds for a pass over ``frames`` frames (0 while no pass has been seen)."""
        with self._lock:
            recent = list(self._recent)
        if frames <= 0 or not recent:
            return 0.0
        x = np.array([f for f, _ in recent], np.float64)
        y = np.array([s for _, s in recent], np.float64)
        if x.max() < 1.5 * x.min():  # one size of pass only: proportional to its frames
            return float(y.sum() / x.sum() * frames)
        per_frame, fixed = np.polyfit(x, y, 1)
        if per_frame <= 0:
            return float(y.mean())
        fixed = max(0.0, fixed)
        per_frame = (y - fixed).sum() / x.sum()  # refit the slope so that the clamped fixed part stays unbiased
        return float(fixed + per_frame * frames)

    def window(self, options: WindowOptions) -> float:
        """Expected seconds for one whole window of ``options`` (its chunk and both contexts)."""
        chunk, context = window_frames(options)
        return self.predict(chunk + 2 * context)
