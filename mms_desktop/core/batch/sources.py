"""What a batch transcribes: the audio files under folders (all the way down), or those a manifest lists
(CSV or TSV with a ``path`` column and an optional ``language`` column; relative paths are read from the
manifest's folder). Each recording keeps the path it will have under the output folder.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mms_desktop.core.audio import SUPPORTED_SUFFIXES
from mms_desktop.core.base import UserError

MANIFEST_SUFFIXES = (".csv", ".tsv")


@dataclass(frozen=True)
class Recording:
    """One recording: where it is, where its transcripts go under the output folder (without a suffix),
    and the language the manifest gave it ("" for the batch's own)."""

    path: Path
    relative: Path
    language: str = ""


def _under(folder: Path) -> list[Recording]:
    found = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in SUPPORTED_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    return [Recording(p, p.relative_to(folder).with_suffix("")) for p in found]


def _listed(manifest: Path) -> list[Recording]:
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"The manifest {manifest} cannot be read ({exc}).") from exc
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t" if manifest.suffix.lower() == ".tsv" else ","))
    if not rows or "path" not in rows[0]:
        raise UserError(
            f"The manifest {manifest} has no 'path' column; its first line must name the columns "
            "(path, and language if you give one per recording)."
        )
    found = []
    for number, row in enumerate(rows, start=2):
        name = (row.get("path") or "").strip()
        if not name:
            raise UserError(f"Line {number} of {manifest} has no path.")
        path = Path(name) if Path(name).is_absolute() else manifest.parent / name
        relative = Path(name).with_suffix("") if not Path(name).is_absolute() else Path(path.stem)
        if ".." in relative.parts:
            relative = Path(*[p for p in relative.parts if p != ".."])  # never written above the output folder
        found.append(Recording(path, relative, (row.get("language") or "").strip()))
    return found


def recordings(sources: Iterable[str | Path]) -> list[Recording]:
    """Every recording the sources name, each once; two with the same place under the output folder are
    refused, as one transcript would overwrite the other.

    Raises:
        UserError: a source that is not there, not a folder, an audio file or a manifest; a manifest that
            cannot be read; no recording at all; two recordings for one output.
    """
    found: list[Recording] = []
    for source in map(Path, sources):
        if source.is_dir():
            found += _under(source)
        elif source.is_file() and source.suffix.lower() in MANIFEST_SUFFIXES:
            found += _listed(source)
        elif source.is_file() and source.suffix.lower() in SUPPORTED_SUFFIXES:
            found.append(Recording(source, Path(source.stem)))
        elif not source.exists():
            raise UserError(f"{source} does not exist.")
        else:
            raise UserError(f"{source} is not a folder, an audio file or a manifest (.csv or .tsv).")
    if not found:
        raise UserError(
            "No recordings were found in what was given; give folders of WAV, FLAC, OGG or MP3 files, or a manifest."
        )
    unique = {r.path.resolve(): r for r in found}
    places: dict[Path, Path] = {}
    for recording in unique.values():
        other = places.setdefault(recording.relative, recording.path)
        if other != recording.path:
            raise UserError(
                f"{other} and {recording.path} would both be written as {recording.relative}; give "
                "them in separate batches or rename one."
            )
    return list(unique.values())
