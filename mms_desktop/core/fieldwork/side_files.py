"""A session's side files live in its hidden folder ``.mms-desktop/``, not beside the recordings.

What the program keeps about a session's files (each recording's description while it is recorded, each
transcript's previous version, the record of what the exports wrote and of where added recordings came
from) would otherwise sit among the recordings, where ELAN's and Praat's file dialogs show it. Versions
before this folder wrote them beside the recordings; :func:`tidy` moves such files in when a session is
opened. Nothing is replaced in the move: records are merged, and a file whose place is taken keeps its
content under a new name. Until it is moved (a read-only disk), a side file is still read where it is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from mms_desktop.core.audio import Sidecar, is_live
from mms_desktop.core.base import SIDE_FOLDER, atomic_write_text, parse_json, side_file

log = logging.getLogger(__name__)

EXPORTS = "exports.json"  # what the exports beside the recordings wrote, by file name
SOURCES = "sources.json"  # where the recordings added from elsewhere came from (see session_import)
_OLD_RECORDS = {EXPORTS: ".exports.json", SOURCES: ".sources.json"}


def record_path(folder: Path, name: str) -> Path:
    """Where the session folder ``folder`` keeps its record ``name`` (:data:`EXPORTS` or :data:`SOURCES`)."""
    return folder / SIDE_FOLDER / name


def backup_path(transcript: Path) -> Path:
    """Where a transcript's version before its last save is kept."""
    return side_file(transcript, ".bak")


def old_backup_path(transcript: Path) -> Path:
    return transcript.with_name(transcript.name + ".bak")


def read_record(folder: Path, name: str) -> dict[str, Any]:
    """The record ``name`` of session folder ``folder`` (empty when there is none or it cannot be read),
    with what an older version left beside the recordings merged under it."""
    return _read(folder / _OLD_RECORDS[name]) | _read(record_path(folder, name))


def write_record(folder: Path, name: str, record: dict[str, Any]) -> None:
    """Write the record ``name`` whole (see ``atomic_write_text``).

    Raises:
        OSError: it could not be written.
    """
    atomic_write_text(record_path(folder, name), json.dumps(record, indent=1, ensure_ascii=False))
    (folder / _OLD_RECORDS[name]).unlink(missing_ok=True)


def tidy(folder: Path) -> list[Path]:
    """Move the side files an older version left beside the recordings of ``folder`` into its hidden folder;
    returns where they went. A disk that refuses leaves them where they are (they are read there)."""
    moved: list[Path] = []
    try:
        for name, old_name in _OLD_RECORDS.items():
            if (folder / old_name).is_file():
                write_record(folder, name, read_record(folder, name))
                moved.append(record_path(folder, name))
        for old in sorted(folder.glob("*.json.bak")):
            moved.append(_move(old, side_file(old)))
        for old in sorted(folder.glob("*.wav.json")):
            wav = old.with_name(old.name[: -len(".json")])
            if wav.exists() and not is_live(wav) and _read(old).keys() >= {"state", "sample_rate"}:
                moved.append(_move(old, Sidecar.path_for(wav)))
    except OSError as exc:
        log.warning("the side files of %s stay beside the recordings: %s", folder, exc)
    return moved


def _move(old: Path, new: Path) -> Path:
    """Rename ``old`` to ``new``, or beside it under a numbered name when ``new`` is taken."""
    new.parent.mkdir(exist_ok=True)
    target, n = new, 2
    while target.exists():
        target, n = new.with_name(f"{new.name}.{n}"), n + 1
    os.replace(old, target)
    return target


def _read(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        record = parse_json(path.read_text(encoding="utf-8"))
        if isinstance(record, dict):
            return record
    return {}
