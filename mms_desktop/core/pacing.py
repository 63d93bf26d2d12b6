"""How live recognition keeps up with the speaker: what a pass costs here, and how far behind it is.

A forward pass over ``n`` frames costs about ``fixed + per_frame * n`` seconds. On a CPU the fixed part is
reading the weights once (MMS-1B in int8 on a 2-core AVX2 CPU: about 0.2 s, and 0.38 s per second of
audio on top), on a GPU it is launching kernels. The recognizer's :class:`~mms_desktop.core.asr.PassCosts`
fits both on its latest passes, so live recognition can choose windows and partial results this machine
can afford.
"""

from __future__ import annotations

import time

from mms_desktop.core import ctc
from mms_desktop.core.asr import PassCosts, WindowOptions, plan_windows, window_frames
from mms_desktop.core.audio import SAMPLE_RATE

MIN_CHUNK_S = 2.0  # live windows are never cut shorter than this
END_PAD_S = 0.2  # audio kept after the voice stops, the end of an utterance's final windows


class Lag:
    """How many seconds the stream's results trail the newest audio it was given.

    Audio is taken to arrive in real time: while the stream works, that much new audio comes in, and
    each second of audio received lets one second of lag go.
    """

    def __init__(self) -> None:
        self._seconds = 0.0  # the lag when the work in progress began (between work: the lag then)
        self._since: float | None = None

    def begin(self, received_s: float) -> None:
        """Work starts on ``received_s`` seconds of audio received since the last work."""
        self._seconds = max(0.0, self._seconds - received_s)
        self._since = time.perf_counter()

    def end(self) -> None:
        self._seconds = self.seconds
        self._since = None

    @property
    def seconds(self) -> float:
        """The lag now, counting the work in progress."""
        return self._seconds + (time.perf_counter() - self._since if self._since is not None else 0.0)


def window_ladder(longest: WindowOptions) -> list[WindowOptions]:
    """The windows live recognition may use, longest first: the chosen one, then shorter ones down to 2 s
    with at most a quarter of their length as context."""
    ladder = [longest]
    for chunk in (6.0, 4.0, 3.0, MIN_CHUNK_S):
        if chunk < longest.chunk_s:
            ladder.append(WindowOptions(chunk, min(longest.context_s, chunk / 4)))
    return ladder


def affordable_window(longest: WindowOptions, costs: PassCosts, target_s: float) -> WindowOptions:
    """The longest window of the ladder whose pass leaves room within ``target_s`` seconds of lag.

    A window's pass must run while the speaker goes on, and an utterance's final pass can follow it, so
    one pass may take at most 0.8 of the target. With nothing measured yet the longest window is used;
    when none fits, the shortest.
    """
    ladder = window_ladder(longest)
    if not costs.known:
        return longest
    return next((w for w in ladder if costs.window(w) <= 0.8 * target_s), ladder[-1])


def label(window: WindowOptions) -> str:
    """A window as people read it: ``8 + 1`` (seconds of new audio + context on each side)."""
    return f"{window.chunk_s:g} + {window.context_s:g}"


def describe(longest: WindowOptions, costs: PassCosts, target_s: float) -> str:
    """The windows live recognition takes on this machine, and why, for the log and the About dialog."""
    if not costs.known:
        return f"up to {label(longest)} s, as fast as this machine runs the model (known once it has run)"
    chosen, cost = affordable_window(longest, costs, target_s), costs.window(longest)
    if chosen == longest:
        return f"{label(longest)} s (a pass over them takes {cost:.1f} s here)"
    return (
        f"{label(chosen)} s: a pass over {label(longest)} s would take {cost:.1f} s here, too long for the "
        f"live delay limit of {target_s:g} s"
    )


def lag_after(lag: float, costs: PassCosts, window: WindowOptions, committed: int, n: int) -> float:
    """The lag once the pass that may come next has run, from ``lag`` now, in an utterance of ``n`` samples
    so far with ``committed`` windows run: its final windows should the voice stop now, or its next window,
    due when that window's right context has arrived."""
    windows = plan_windows(n + int(END_PAD_S * SAMPLE_RATE), window)
    final = sum(costs.predict(ctc.frames_for_samples(w.end - w.start)) for w in windows[committed:])
    chunk, context = window_frames(window)
    until_due = ((committed + 1) * chunk + context - ctc.frames_for_samples(n)) * ctc.FRAME_SECONDS
    return max(lag + final, max(0.0, lag - until_due) + costs.window(window))
