"""Throughput of ``batch`` on this machine: the same recordings with 1, 2, … worker processes of the local
engine, and with Ray's actors.

The recordings are made from the shipped sample (each a different stretch of it repeated, so that each has
audio of its own); the figures include starting the workers (and Ray) and loading the model in each, as a
real run does, and count audio hours transcribed per hour of wall time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class BatchFigures:
    engine: str
    workers: int
    precision: str
    recordings: int
    audio_s: float
    wall_s: float

    @property
    def rate(self) -> float:
        """Audio hours per hour."""
        return self.audio_s / self.wall_s


def make_recordings(folder: Path, count: int, seconds: float) -> Path:
    import soundfile as sf

    from mms_desktop.core.audio import load_audio
    from mms_desktop.paths import resources_dir

    sample = load_audio(resources_dir() / "sample.wav")
    source = folder / "recordings"
    source.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        pieces = [np.zeros(1600 + 160 * (i % 50), np.float32)]
        while sum(len(p) for p in pieces) < seconds * 16000:
            pieces += [sample, np.zeros(8000, np.float32)]
        sf.write(source / f"r{i:04d}.wav", np.concatenate(pieces)[: int(seconds * 16000)], 16000)
    return source


def run(load: Callable[[], Any], folder: Path, source: Path, runs: list[tuple[str, int]]) -> list[BatchFigures]:
    """Each run is an engine ("local" or "ray") and its worker count."""
    from mms_desktop.core.batch import Ledger, plan, recordings, run_local

    found = recordings([source])
    figures = []
    for engine, count in runs:
        out = folder / f"out-{engine}-{count}"
        ledger = Ledger(out)
        tasks, _ = plan(found, ledger, out, ["txt"], "benchmark")
        started = time.monotonic()
        if engine == "ray":
            from mms_desktop.core.batch.cluster import run_ray

            run_ray(tasks, load, ledger.append, workers=count)
        else:
            run_local(tasks, load, count, ledger.append)
        wall = time.monotonic() - started
        rows = ledger.rows().values()
        if any(r.status != "done" for r in rows):
            raise RuntimeError(f"a benchmark recording failed: {next(r.error for r in rows if r.status != 'done')}")
        precision = next(iter(rows)).precision if rows else ""
        figures.append(BatchFigures(engine, count, precision, len(tasks), sum(r.duration_s for r in rows), wall))
    return figures


def report(figures: list[BatchFigures]) -> str:
    base = figures[0]
    lines = [f"{base.recordings} recordings, {base.audio_s / 3600:.2f} h of audio, {base.precision}"]
    for f in figures:
        lines.append(
            f"  {f.engine:5} {f.workers} worker{'s' if f.workers > 1 else ' '}  {f.wall_s:7.1f} s  "
            f"{f.rate:8.2f} audio h/h  ({f.rate / base.rate:.2f} x {base.engine} {base.workers} worker)"
        )
    return "\n".join(lines)
