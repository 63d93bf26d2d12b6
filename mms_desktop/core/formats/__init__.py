"""Transcript writers, chosen by format name."""

from __future__ import annotations

from collections.abc import Callable

from mms_desktop.core.events import Transcript
from mms_desktop.core.formats import jsonfmt, subtitles

WRITERS: dict[str, Callable[[Transcript], str]] = {
    "txt": lambda t: t.text + "\n",
    "json": jsonfmt.dumps,
    "srt": subtitles.srt,
    "vtt": subtitles.vtt,
}


def render(transcript: Transcript, fmt: str) -> str:
    """The transcript as text in ``fmt`` (one of :data:`WRITERS`)."""
    return WRITERS[fmt](transcript)
