"""How live recognition keeps up with the speaker: what a pass costs here, and how far behind it is.

A forward pass over ``n`` frames costs about ``fixed + per_frame * n`` seconds. On a CPU the fixed part is
reading the weights once (MMS-1B in int8 on a 2-core AVX2 CPU: about 0.2 s, and 0.38 s per second of
audio on top), on a GPU it is launching kernels. The recognizer's :class:`PassCosts`
fits both on its latest passes, so live recognition can choose windows and partial results this machine
can afford.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from mms_desktop.core.audio import SAMPLE_RATE
from mms_desktop.core.base import CaughtUp, FallingBehind
from mms_desktop.core.recognition import ctc
from mms_desktop.core.recognition.windows import PassCosts, WindowOptions, plan_windows, window_frames

MIN_CHUNK_S = 2.0  # live windows are never cut shorter than this
KEEP_UP = 0.75  # a window keeps up when a second of new audio takes at most this long to recognize
LEAST_CONTEXT_S = 0.25  # the context a busy machine keeps on each side of a window
BEHIND_S = 3.0  # a lag that the speaker is told about (or twice the delay limit, when that is longer)
END_PAD_S = 0.2  # audio kept after the voice stops, the end of an utterance's final windows


class Lag:
    """How many seconds the stream's results trail the newest audio it was given.

    Audio is taken to arrive in real time: while the stream works, that much new audio comes in, and
    each second of audio received lets one second of lag go.
    """

    def __init__(self) -> None:
        self._seconds = 0.0  # the lag when the work in progress began (between work: the lag then)
        self._since: float | None = None
        self._told: float | None = None  # the lag last told about, while the text is behind

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

    def change(self, target_s: float) -> list[FallingBehind | CaughtUp]:
        """What the speaker should now be told: that the text has fallen behind (past :data:`BEHIND_S`, or
        twice ``target_s``; again as it grows by a second more), or that it has caught up (back within
        ``target_s``); nothing when nothing changed."""
        lag = self.seconds
        if lag > max(BEHIND_S, 2 * target_s) and (self._told is None or lag >= self._told + 1.0):
            self._told = lag
            return [FallingBehind(round(lag, 1))]
        if self._told is not None and lag <= target_s:
            self._told = None
            return [CaughtUp()]
        return []


def window_ladder(longest: WindowOptions) -> list[WindowOptions]:
    """The windows live recognition may use, longest first: the chosen one, then shorter ones down to 2 s
    with at most a quarter of their length as context."""
    ladder = [longest]
    for chunk in (6.0, 4.0, 3.0, MIN_CHUNK_S):
        if chunk < longest.chunk_s:
            ladder.append(WindowOptions(chunk, min(longest.context_s, chunk / 4)))
    return ladder


def affordable_window(longest: WindowOptions, costs: PassCosts, target_s: float) -> WindowOptions:
    """The window live recognition takes on this machine: the longest of the ladder whose pass leaves room
    within ``target_s`` seconds of lag and that keeps up with the speaker.

    A window's pass must run while the speaker goes on, and an utterance's final pass can follow it, so
    one pass may take at most 0.8 of the target; and a window keeps up when a second of new audio costs at
    most :data:`KEEP_UP` of a second, with the rest left for the detector and the final passes. On a busy
    machine, where none does both, keeping up comes first: the quickest pass among the windows that keep
    up, then among the same windows with less context (:data:`LEAST_CONTEXT_S`: less audio decoded twice,
    at some cost in accuracy). Where nothing keeps up, the shortest window, as on a slow machine: the text
    falls behind, and the stream says so. With nothing measured yet the longest window is used.
    """
    if not costs.known:
        return longest
    ladder = window_ladder(longest)
    keeping = [w for w in ladder if keeps_up(w, costs)]
    fitting = [w for w in keeping if costs.window(w) <= 0.8 * target_s]
    lean = [WindowOptions(w.chunk_s, min(w.context_s, LEAST_CONTEXT_S)) for w in ladder]
    keeping = keeping or [w for w in lean if keeps_up(w, costs)]
    return fitting[0] if fitting else min(keeping, key=costs.window) if keeping else ladder[-1]


def keeps_up(window: WindowOptions, costs: PassCosts) -> bool:
    """Whether passes over ``window`` run faster than the speech they recognize, with room to spare."""
    return costs.window(window) <= KEEP_UP * window.chunk_s


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
    if not keeps_up(chosen, costs) or costs.window(chosen) > 0.8 * target_s:
        return (
            f"{label(chosen)} s: this machine is too busy to keep within the live delay limit of {target_s:g} s "
            f"(a second of speech takes {costs.window(chosen) / chosen.chunk_s:.2f} s to recognize)"
        )
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


@dataclass(frozen=True)
class StreamOptions:
    """How live recognition cuts and paces its work.

    ``compute_budget`` bounds the frames run through the model, counted from the start of the stream, to
    that many times the frames of audio received (one offline pass is 1). Committed windows and final
    results always run; a partial result is left out when it would exceed the budget, so in a long stretch
    of speech without pauses they come less often instead of falling behind. Pauses earn the budget back.

    Partial results are also paced by what passes cost on this machine (the recognizer's
    :class:`PassCosts`): the next one waits at least as long as it is expected to
    take, so that they never queue up behind the speaker, and one is left out when it, followed by the final
    pass should the voice stop then or by the next window due, would leave the text more than
    ``lag_target_s`` behind the speaker.

    ``window`` is the longest window an utterance uses; each takes the longest this machine runs in time.
    """

    window: WindowOptions = WindowOptions(chunk_s=8.0, context_s=1.0)
    partial_every_s: float = 1.0
    compute_budget: float = 1.5
    threshold: float = 0.5
    min_silence_s: float = 0.6
    pre_roll_s: float = 0.3
    max_utterance_s: float = 30.0
    detect_s: float = 3.0
    lag_target_s: float = 1.8
