"""What ``mms-desktop benchmark file`` and ``benchmark streaming --load`` found on this machine, kept so the
automatic precision can use it.

Without findings the automatic CPU precision follows the processor (bf16 where it computes it natively,
int8 where PyTorch has quantized kernels, fp32 otherwise). Once ``benchmark file`` has run, the automatic
choice is the precision that transcribed fastest, and among those within 10 % of the fastest, the one
that needed the least memory: on a 2-core AVX-512 CPU int8 and bf16 run at the same speed and int8 needs
0.6 times the memory. Once ``benchmark streaming --load`` has run, live dictation on a busy machine has
the last word: a precision whose final text came more than :data:`LIVE_GOAL_S` after the voice with one
core busy gives way to one that kept within it (or, if none did, to the one that came closest).
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
LIVE_GOAL_S = 3.0  # the longest a sentence's final text may take after the voice stops, on a busy machine
PRECISIONS = ("float32", "bfloat16", "int8")


def best_cpu_precision(figures: Iterable[dict[str, Any]]) -> str | None:
    """The precision to use on the CPU, from benchmark figures (``precision``, ``transcribe_s``,
    ``peak_rss_mb`` each)."""
    rows = list(figures)
    if not rows:
        return None
    fastest = min(r["transcribe_s"] for r in rows)
    near = [r for r in rows if r["transcribe_s"] <= fastest * SPEED_MARGIN]
    return str(min(near, key=lambda r: (r["peak_rss_mb"], r["transcribe_s"]))["precision"])


def live_choice(live: dict[str, Any], preferred: str | None) -> str | None:
    """The precision for a busy machine, from ``live`` ({precision: {"final_max_loaded_s": s}}): the
    ``preferred`` one if it kept within :data:`LIVE_GOAL_S`, else the one that came closest to it."""
    delays = {}
    for precision, figures in live.items():
        delay = figures.get("final_max_loaded_s") if isinstance(figures, dict) else None
        if precision in PRECISIONS and isinstance(delay, int | float):
            delays[precision] = float(delay)
    if not delays:
        return preferred
    if preferred in delays and delays[preferred] <= LIVE_GOAL_S:
        return preferred
    return min(delays, key=lambda p: delays[p])


def _read(path: Path) -> dict[str, Any]:
    try:
        data = parse_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring benchmark findings in %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def record(path: Path, figures: Iterable[dict[str, Any]]) -> str | None:
    """Save ``benchmark file``'s figures (what ``streaming --load`` found is kept); returns the precision
    the automatic choice now takes."""
    rows = list(figures)
    data = {**_read(path), "file_precision": best_cpu_precision(rows), "figures": rows}
    atomic_write_text(path, json.dumps(data, indent=2))
    return cpu_precision(path)


def record_live(path: Path, live: dict[str, dict[str, float]]) -> str | None:
    """Save what ``benchmark streaming --load`` found per precision (``final_max_loaded_s`` at least), with
    what ``benchmark file`` found kept; returns the precision the automatic choice now takes."""
    data = _read(path)
    data["live"] = {**data.get("live", {}), **live} if isinstance(data.get("live"), dict) else live
    atomic_write_text(path, json.dumps(data, indent=2))
    return cpu_precision(path)


def cpu_precision(path: Path) -> str | None:
    """The CPU precision the benchmarks chose, or None (none has run, or an unreadable file)."""
    data = _read(path)
    preferred = data.get("file_precision", data.get("cpu_precision"))  # the key files written before had
    preferred = preferred if preferred in PRECISIONS else None
    live = data.get("live")
    return live_choice(live, preferred) if isinstance(live, dict) else preferred
