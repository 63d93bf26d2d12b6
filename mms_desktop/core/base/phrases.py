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
