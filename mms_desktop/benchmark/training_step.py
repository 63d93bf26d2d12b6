"""Wall time and peak memory of one adapter training step on the full-size MMS-1B architecture."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StepFigures:
    batch: int
    seconds_audio: float
    step_s: float
    peak_rss_gb: float
    trainable: int


def run(batch: int = 4, seconds: float = 5.0, steps: int = 2, device: str = "cpu") -> StepFigures:
    import torch

    from mms_desktop.benchmark.fullsize import full_size_config, random_model
    from mms_desktop.core.training import Example, TrainOptions, prepare_model, train_step

    model = random_model(full_size_config(60))
    params = prepare_model(model, adapters_only=True)
    model.to(device).train()
    optimizer = torch.optim.AdamW(params, lr=1e-3)
    rng = np.random.RandomState(0)
    examples = [Example((rng.randn(int(seconds * 16000)) * 0.1).astype(np.float32), tuple(rng.randint(5, 60, 40)))
                for _ in range(batch)]  # fmt: skip
    options = TrainOptions(device=device)
    times = []
    for _ in range(steps + 1):  # the first step warms up allocations and kernels
        started = time.perf_counter()
        train_step(model, examples, optimizer, params, options)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB → GB
    return StepFigures(batch, seconds, float(np.median(times[1:])), peak, sum(p.numel() for p in params))


def report(f: StepFigures) -> str:
    return (
        f"adapter training step, MMS-1B architecture (random weights), batch {f.batch} x {f.seconds_audio:g} s:\n"
        f"  {f.step_s:.2f} s per step, peak resident memory {f.peak_rss_gb:.1f} GB, "
        f"{f.trainable:,} trainable weights"
    )
