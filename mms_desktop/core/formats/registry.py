"""Transcript writers and readers, chosen by format name or file suffix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mms_desktop.core.base import Segment, Transcript, UserError, read_text_file
from mms_desktop.core.formats import eaf, jsonfmt, subtitles, textgrid

Writer = Callable[[Transcript, Path | None], str]

WRITERS: dict[str, Writer] = {
    "txt": lambda t, media: t.text + "\n",
    "json": lambda t, media: jsonfmt.dumps(t),
    "srt": lambda t, media: subtitles.srt(t),
    "vtt": lambda t, media: subtitles.vtt(t),
    "eaf": eaf.dumps,
    "textgrid": textgrid.dumps,
}
SUFFIXES = {"txt": ".txt", "json": ".json", "srt": ".srt", "vtt": ".vtt", "eaf": ".eaf", "textgrid": ".TextGrid"}


def render(transcript: Transcript, fmt: str, media: Path | None = None, target: Path | None = None) -> str:
    """The transcript as text in ``fmt`` (one of :data:`WRITERS`); ``media`` is linked where the format can,
    relative to ``target``, where the text will be saved (without it: beside the media)."""
    if fmt == "eaf":
        return eaf.dumps(transcript, media, target)
    return WRITERS[fmt](transcript, media)


@dataclass
class Tiers:
    """The tiers of an ELAN or Praat file, read once: segments by tier name, the language the file records,
    the media it links to that exist here, and (ELAN) the document, to write back with words."""

    segments: dict[str, list[Segment]]
    language: str = ""
    media: list[Path] = field(default_factory=list)
    elan: Any = None


def load_tiers(path: Path, names: list[str] | None = None) -> Tiers:
    """The named tiers of an ``.eaf`` or ``.TextGrid`` file (default: its transcription tiers; in an EAF made
    elsewhere, every top-level tier).

    Raises:
        UserError: a missing or unreadable file, one of another kind, or a tier it lacks.
    """
    if not path.is_file():
        raise UserError(f"{path} does not exist; check the file name.")
    if path.suffix.lower() == ".eaf":
        doc = eaf.read(path)
        return Tiers(eaf.load_tiers(doc, path, names), eaf.language_of(doc), eaf.linked_media(doc, path), doc)
    if path.suffix.lower() == ".textgrid":
        return Tiers(textgrid.load_tiers(path, names))
    raise UserError(f"{path.name} has no tiers; tiers are for .eaf and .TextGrid files.")


def load(path: Path, tier: str | None = None) -> Transcript:
    """Read a transcript by its suffix: .eaf, .TextGrid, .json, .srt, .vtt, or plain text (one segment a line).

    Raises:
        UserError: a missing or unreadable file, or an unknown suffix.
    """
    if not path.is_file():
        raise UserError(f"{path} does not exist; check the file name.")
    suffix = path.suffix.lower()
    if suffix == ".eaf":
        return eaf.load(path, tier)
    if suffix == ".textgrid":
        return textgrid.load(path, tier)
    text = read_text_file(path)
    if suffix == ".json":
        try:
            return jsonfmt.loads(text)
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(f"{path} is not a transcript written by MMS Desktop.") from exc
    if suffix in (".srt", ".vtt"):
        return subtitles.loads(text)
    if suffix in (".txt", ""):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return Transcript(language="", duration=0.0, segments=tuple(Segment(0.0, 0.0, line) for line in lines))
    raise UserError(f"{path} is not a transcript format MMS Desktop reads (.eaf, .TextGrid, .json, .srt, .vtt, .txt).")
