"""Counts, sizes and batch outcomes worded the way every message of the program words them."""

from __future__ import annotations

from pathlib import Path


def counted(n: int, noun: str) -> str:
    """``1 recording``, ``3 recordings``: a count with its noun (plural by adding s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def batch_outcome(verb: str, total: int, failures: list[tuple[Path, str]]) -> str:
    """How a batch of ``total`` files went when ``failures`` (each file with the sentence saying why) were
    left out: ``Transcribed 3 of 4 files. <why the first was not> Not transcribed either: b.wav.``"""
    (_, why), *more = failures
    done = f"{verb.capitalize()} {total - len(failures)} of {total} files. " if total > 1 else ""
    also = f" Not {verb} either: {', '.join(path.name for path, _ in more)}." if more else ""
    return done + why + also


def human_size(n: float) -> str:
    """Bytes in decimal units: ``950 B``, ``3.4 MB``."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def clock(seconds: float) -> str:
    """Elapsed time as m:ss, or h:mm:ss from an hour on."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{rest:02d}" if minutes >= 60 else f"{minutes}:{rest:02d}"


def disk_left(free_bytes: int, written: int, seconds: float) -> str:
    """How long the free disk lasts at the rate written so far, in words ("" until there is a rate)."""
    if written <= 0 or seconds < 1:
        return ""
    left = free_bytes / (written / seconds)
    hours, minutes = divmod(int(left // 60), 60)
    return f"disk: {hours} h {minutes:02d} min left" if hours < 100 else "disk: over 100 h left"
