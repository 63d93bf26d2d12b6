"""The two programs a user starts, each falling back on the other where it cannot do what was asked.

``mms-desktop`` is the command line, and opens the window when given no command on a desktop;
``mms-desktop-gui`` is the window, and where there is no display still transcribes the file it was given
on the command line. This module joins the two front ends so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence

from mms_desktop import app, cli


def _window_on_a_desktop(argv: list[str]) -> int | None:
    """The window's exit status, or None where no window can open (the command line then says its help)."""
    return app.main(argv) if app.has_display() else None


def command_line(argv: Sequence[str] | None = None) -> int:
    """``mms-desktop``: run one command; with none, open the window (on a desktop)."""
    return cli.main(argv, open_window=_window_on_a_desktop)


def window(argv: Sequence[str] | None = None) -> int:
    """``mms-desktop-gui``: open the window; with no display, transcribe its file on the command line."""
    return app.main(argv, command_line=cli.main)
