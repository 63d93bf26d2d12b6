"""What ``mms-desktop benchmark file`` found on this machine, kept so the automatic precision can use it.

Without findings the automatic CPU precision follows the processor (bf16 where it computes it natively,
int8 where PyTorch has quantized kernels, fp32 otherwise). Once the benchmark has run, the automatic
choice is the precision that transcribed fastest, and among those within 10 % of the fastest, the one
that needed the least memory: on a 2-core AVX-512 CPU int8 and bf16 run at the same speed and int8 needs
0.6 times the memory.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mms_desktop.core.base import atomic_write_text, parse_json

log = logging.getLogger(__name__)
SPEED_MARGIN = 1.10


def best_cpu_precision(figures: Iterable[dict[str, Any]]) -> str | None:
    """The precision to use on the CPU, from benchmark figures (``precision``, ``transcribe_s``,
    ``peak_rss_mb`` each)."""
    rows = list(figures)
    if not rows:
        return None
    fastest = min(r["transcribe_s"] for r in rows)
    near = [r for r in rows if r["transcribe_s"] <= fastest * SPEED_MARGIN]
    return str(min(near, key=lambda r: (r["peak_rss_mb"], r["transcribe_s"]))["precision"])


def record(path: Path, figures: Iterable[dict[str, Any]]) -> str | None:
    """Save the figures and the precision chosen from them; returns that precision."""
    rows = list(figures)
    choice = best_cpu_precision(rows)
    atomic_write_text(path, json.dumps({"cpu_precision": choice, "figures": rows}, indent=2))
    return choice


def cpu_precision(path: Path) -> str | None:
    """The CPU precision the last benchmark chose, or None (no benchmark yet, or an unreadable file)."""
    try:
        choice = parse_json(path.read_text(encoding="utf-8")).get("cpu_precision")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("ignoring benchmark findings in %s: %s", path, exc)
        return None
    return choice if choice in ("float32", "bfloat16", "int8") else None
