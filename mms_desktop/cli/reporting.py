"""Progress of long commands on standard error."""

from __future__ import annotations

import sys
from typing import Any

from mms_desktop.core.base import Progress, RemedyWords, UserError

# The engine's remedies as commands to type.
COMMAND_WORDS: RemedyWords = {
    "install": "`mms-desktop languages install {subject}`",
    "languages": "`mms-desktop languages list`",
    "choose-language": "with --lang",
}


def sentence(error: UserError) -> str:
    """What the command line says of an error the user can fix (its remedies as commands)."""
    return error.say(COMMAND_WORDS)


class Reporter:
    """Progress on standard error: a line rewritten in place on a terminal; elsewhere a line per tenth, or
    nothing for commands whose standard error should stay quiet in scripts.

    Used as a context manager, so that the line is ended even when the command fails and its error
    sentence starts on a line of its own.

    Args:
        label: what the line says instead of the work's own name and detail (for example the file's name).
        terminal_only: report only on a terminal.
    """

    def __init__(self, label: str = "", terminal_only: bool = False) -> None:
        self._label = label
        self._quiet = terminal_only and not sys.stderr.isatty()
        self._last = -1

    def __call__(self, p: Progress) -> None:
        percent = int(p.fraction * 100)
        what, detail = (self._label, "") if self._label else (p.what, p.detail)
        if sys.stderr.isatty():
            padded = f" {detail[-60:]:<60}" if detail else ""  # covers a longer detail shown before
            print(f"\r{what} {percent:3d}%{padded}", end="", file=sys.stderr, flush=True)
        elif not self._quiet and (percent // 10 != self._last // 10 or percent == 100 and self._last != 100):
            print(f"{what} {percent}% {detail}".rstrip(), file=sys.stderr)
        self._last = percent

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc: Any) -> None:
        if sys.stderr.isatty() and self._last >= 0:
            print(file=sys.stderr)
