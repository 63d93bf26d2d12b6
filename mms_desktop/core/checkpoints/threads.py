"""How many threads a forward pass runs on: the cores other programs leave free.

PyTorch starts one compute thread per core. When another program keeps a core busy, the threads of one
pass wait for each other at every step, and the pass takes longer than it would on one thread alone:
measured with MMS-1B in int8 on a 2-core machine with one core kept busy, a pass over 9 s of audio took
7.4 s on two threads and 3.7 s on one (1.9 s on two when the machine is quiet). The governor looks at the
CPU time the whole system spent since its last look (``/proc/stat``), takes away this process's own, and
gives inference the cores that are left, at least one.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

Reading = tuple[float, float]  # CPU seconds the system has spent busy; this process's own CPU seconds
EVERY_S = 1.0  # how often the free cores are judged again


def _system_and_own() -> Reading | None:
    """Busy CPU seconds of the whole system and of this process so far; None where the system says not."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    ticks = os.sysconf("SC_CLK_TCK")
    own = os.times()
    return (sum(fields[:8]) - idle) / ticks, own.user + own.system


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class ThreadGovernor:
    """The cores inference may use now: those of this process's cores that other programs left free since
    the last look (at most every ``every_s``); all of them where the system cannot tell."""

    def __init__(
        self,
        read: Callable[[], Reading | None] = _system_and_own,
        cores: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        every_s: float = EVERY_S,
    ):
        self._read, self._clock, self._every = read, clock, every_s
        self.cores = cores or _usable_cores()
        self._threads = self.cores
        self._last: tuple[float, Reading] | None = None
        self._lock = threading.Lock()

    def threads(self) -> int:
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last[0] < self._every:
                return self._threads
            reading = self._read()
            if reading is None:
                return self._threads
            if self._last is not None:
                then, (busy_before, own_before) = self._last
                others = max(0.0, (reading[0] - busy_before) - (reading[1] - own_before))
                free = self.cores - others / max(now - then, 1e-3)
                self._threads = max(1, min(self.cores, round(free)))
            self._last = (now, reading)
            return self._threads


_governor = ThreadGovernor()
_ceiling: list[int] = []  # the threads PyTorch was given to start with (OMP_NUM_THREADS, say): never more


def fit_threads() -> int:
    """Give PyTorch's CPU kernels as many threads as there are free cores now; returns that number."""
    import torch

    with _governor._lock:
        if not _ceiling:
            _ceiling.append(torch.get_num_threads())
            _governor.cores = min(_governor.cores, _ceiling[0])
    threads = _governor.threads()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads
