"""Field-recording projects: a visible folder of sessions, each with human-readable metadata.

Layout::

    <project>/<session-id>/session.json       metadata (speakers, language, date, place, consent …)
    <project>/<session-id>/<session-id>_01.wav  a recording; its transcripts share the root:
    <project>/<session-id>/<session-id>_01.json / .eaf / .TextGrid
    <project>/<session-id>/.mms-desktop/          side files, out of ELAN's and Praat's way (see side_files)

Names are archive-safe: letters, digits, ``-`` and ``_`` only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mms_desktop.core import formats
from mms_desktop.core.audio import SUPPORTED_SUFFIXES, is_live, load_audio, repair_unfinished
from mms_desktop.core.base import (
    Transcript,
    UserError,
    atomic_write_text,
    is_plain_name,
    parse_json,
    set_aside,
    sha256_file,
)
from mms_desktop.core.fieldwork import side_files
from mms_desktop.core.fieldwork.session_info import SessionInfo, check, safe_name
from mms_desktop.core.fieldwork.side_files import EXPORTS, SOURCES, backup_path, old_backup_path, read_record
from mms_desktop.core.formats import jsonfmt

METADATA = "session.json"


class HandCorrections(UserError):
    """A machine transcript would replace a transcript that holds hand corrections; the user may confirm."""


class ExportChanged(UserError):
    """An export would replace a file changed since it was exported (or never exported); the user may confirm."""


class Project:
    """A folder of sessions the user chose (never a cache directory)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def sessions(self, unreadable: list[UserError] | None = None) -> list[SessionInfo]:
        """The project's sessions in folder order.

        Raises:
            UserError: the project folder does not exist, or (unless ``unreadable`` is given, where each
                such sentence is then added while the other sessions are listed) a session's metadata
                cannot be read.
        """
        if not self.folder.is_dir():
            raise UserError(f"The project folder {self.folder} does not exist; create a session in it first.")
        infos = []
        for folder in sorted(self.folder.iterdir()):
            if (folder / METADATA).is_file() and not folder.name.startswith("."):
                try:
                    infos.append(self.session(folder.name))
                except UserError as exc:
                    if unreadable is None:
                        raise
                    unreadable.append(exc)
        return infos

    def session_folder(self, session_id: str) -> Path:
        """The folder of session ``session_id``, which must be a plain folder name inside the project.

        Raises:
            UserError: the name would lead outside the project folder.
        """
        if not is_plain_name(session_id):
            raise UserError(
                f"'{session_id}' is not the name of a session folder in {self.folder}; give the name "
                "that `session list` shows."
            )
        return self.folder / session_id

    def session(self, session_id: str) -> SessionInfo:
        """The session whose folder is ``session_id``; its id is that folder's name, whatever its metadata
        says (a project copied from someone else may hold any id there).

        Raises:
            UserError: there is no such session, or its metadata cannot be read.
        """
        path = self.session_folder(session_id) / METADATA
        try:
            info = SessionInfo.from_dict(parse_json(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise UserError(f"There is no session '{session_id}' in {self.folder}.") from None
        except (OSError, ValueError, RecursionError) as exc:
            reason = (
                exc.strerror
                if isinstance(exc, OSError)
                else str(exc)
                if isinstance(exc, ValueError)
                else "nested too deeply"
            )
            raise UserError(f"The details of session '{session_id}' could not be read ({reason}); its recordings "
                            f"are untouched: repair {path} in a text editor, or restore it from a backup."
                            ) from exc  # fmt: skip
        info.id = session_id
        return info

    def create(self, info: SessionInfo) -> SessionInfo:
        """Create a new session folder; its id is made unique and archive-safe.

        Raises:
            UserError: the metadata is incomplete or invalid (see :func:`problem`), or the project folder
                cannot hold the session.
        """
        check(info)
        if self.folder.exists() and not self.folder.is_dir():
            raise UserError(f"{self.folder} is a file, not a folder; choose a folder for the project.")
        base = safe_name(info.id or f"{info.date}_{info.title}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            session_id, n = base, 2
            while (self.folder / session_id).exists():
                session_id, n = f"{base}-{n}", n + 1
            (self.folder / session_id).mkdir()
            info.id = session_id
            self._write(info)
        except OSError as exc:
            raise UserError(f"The session could not be created in {self.folder} ({exc.strerror or exc}); choose a "
                            "project folder that can be written.") from exc  # fmt: skip
        return info

    def save(self, info: SessionInfo) -> None:
        """Write the metadata of the existing session ``info.id``.

        Raises:
            UserError: the metadata is incomplete or invalid (see :func:`problem`), or cannot be written.
        """
        check(info)
        with saving(self.session_folder(info.id) / METADATA):
            self._write(info)

    def _write(self, info: SessionInfo) -> None:
        """Write the metadata, keeping the values of the file this program does not know."""
        path = self.session_folder(info.id) / METADATA
        try:
            kept = parse_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        kept = kept if isinstance(kept, dict) else {}
        data = {**kept, **asdict(info)}
        before = {s.get("id"): s for s in kept.get("speakers", []) if isinstance(s, dict)}
        data["speakers"] = [{**before.get(s["id"], {}), **s} for s in data["speakers"]]  # a speaker's own too
        atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False))

    def next_recording(self, session_id: str, suffix: str = ".wav") -> Path:
        """The path for the session's next recording: ``<session-id>_NN.wav`` (or another ``suffix``)."""
        folder = self.session_folder(session_id)
        n = 1
        while any(folder.glob(f"{session_id}_{n:02d}.*")):
            n += 1
        return folder / f"{session_id}_{n:02d}{suffix}"

    def recordings(self, session_id: str) -> list[Path]:
        """The session's recordings (WAV, FLAC, OGG, MP3); one repaired after a crash is listed as its repaired
        copy. Side files an older version left beside them are moved into the hidden folder first."""

        folder = self.session_folder(session_id)
        side_files.tidy(folder)
        found = []
        for audio in sorted(folder.iterdir()):
            if audio.suffix.lower() not in SUPPORTED_SUFFIXES or audio.name.startswith("."):
                continue
            if audio.name.endswith(".recovered.wav"):
                continue
            repaired = audio.with_name(audio.stem + ".recovered.wav")
            found.append(repaired if audio.suffix == ".wav" and repaired.exists() else audio)
        return found

    def repair(self, session_id: str) -> list[Path]:
        """Repair the session's recordings that a crash or a kill left unfinished; returns the repaired copies."""

        folder = self.session_folder(session_id)
        side_files.tidy(folder)
        return [copy for _, copy in repair_unfinished(folder)]


def transcript_path(recording: Path) -> Path:
    """Where a recording's transcript is kept: beside it, with the same root name."""
    return recording.with_suffix(".json")


def _read_saved(transcript: Path) -> dict[str, Any] | None:
    """A saved transcript's JSON object, or None when what the file holds is not one (damaged).

    Raises:
        OSError: the file cannot be read at all.
    """
    try:
        data = parse_json(transcript.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _saved_state(transcript: Path) -> dict[str, Any] | None:
    """As :func:`_read_saved`, with a file that cannot be read taken for a damaged one."""
    try:
        return _read_saved(transcript)
    except OSError:
        return None


def is_corrected(transcript: Path) -> bool:
    """Whether a saved transcript (``.json``) holds hand corrections; False for one that cannot be read."""
    return (_saved_state(transcript) or {}).get("edited") is True


def describe_recording(recording: Path) -> str:
    """How long a recording is and how far its transcript has got, as a list of recordings shows it."""
    import soundfile as sf

    if is_live(recording):
        return "being recorded"
    try:
        seconds = round(sf.info(os.fsencode(recording)).duration)
        length = f"{seconds // 60}:{seconds % 60:02d}"
    except (RuntimeError, OSError):  # soundfile's errors derive from RuntimeError
        length = "unreadable"
    saved = transcript_path(recording)
    state = _saved_state(saved) if saved.exists() else {}
    if state is None:
        described = "transcript unreadable"
    else:
        described = ("corrected by hand" if state.get("edited") else "transcribed") if state else "no transcript"
    source = origin(recording)
    return f"{length} · {described}" + (f" · from {Path(source).name}" if source else "")


def origin(recording: Path) -> str | None:
    """Where a recording added from elsewhere came from (None: it was recorded into the session)."""
    entry = read_record(recording.parent, SOURCES).get(recording.name)
    return str(entry["from"]) if isinstance(entry, dict) and "from" in entry else None


def open_recording(recording: Path) -> tuple[Any, Transcript | None]:
    """The recording as 16 kHz samples and its saved transcript, if it has one."""

    return load_audio(recording), open_transcript(recording)


def open_transcript(recording: Path) -> Transcript | None:
    """The recording's saved transcript, if it has one.

    Raises:
        UserError: it cannot be read, with how to get it back (its ``.bak``, or a new transcription).
    """
    saved = transcript_path(recording)
    if not saved.exists():
        return None
    try:
        return formats.load(saved)
    except UserError as exc:
        backup = next((b for b in (backup_path(saved), old_backup_path(saved)) if b.exists()), None)
        before = (
            f"copy {backup.relative_to(saved.parent)} (its version before the last save) over it, or " if backup else ""
        )
        raise UserError(f"{saved.name} could not be read as a transcript; {before}transcribe {recording.name} "
                        "again: the damaged file is then set aside, not deleted.") from exc  # fmt: skip


def export_beside(recording: Path, transcript: Transcript, fmt: str, replace: bool = False) -> Path:
    """Write ``transcript`` in ``fmt`` (a key of ``formats.SUFFIXES``) beside ``recording``, with its root name.

    A file there is replaced at once only when it is still as an export left it; one changed since (a tier
    added in ELAN, boundaries moved in Praat) or not made by an export is replaced only with ``replace``.
    What each export wrote is remembered in the session folder's record of exports (``side_files``).

    Raises:
        ExportChanged: the file there was changed since it was exported, or was not made by an export.
        UserError: ``fmt`` is JSON, whose file there is the transcript itself (writing it as an export would
            drop the mark that keeps hand corrections from being replaced), or the file cannot be written.
    """
    target = recording.with_suffix(formats.SUFFIXES[fmt])
    if target == transcript_path(recording):
        raise UserError(f"{target.name} is the transcript itself, in JSON with word timings, and is saved with "
                        "every correction; choose another format to export.")  # fmt: skip
    record = read_record(target.parent, EXPORTS)
    if not replace and target.exists() and record.get(target.name) != sha256_file(target):
        raise ExportChanged(f"{target.name} has changed since it was exported, perhaps in ELAN or Praat; a new "
                            "export would replace that work.")  # fmt: skip
    text = formats.render(transcript, fmt, media=recording)
    with saving(target):
        atomic_write_text(target, text)
    record[target.name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with contextlib.suppress(OSError):  # without the record, the next export of this file asks first
        side_files.write_record(target.parent, EXPORTS, record)
    return target


@contextlib.contextmanager
def saving(path: Path) -> Iterator[None]:
    """Saving ``path`` in a project: a disk that refuses it becomes a sentence for the user."""
    try:
        yield
    except OSError as exc:
        raise UserError(f"{path.name} could not be saved ({exc.strerror or exc}); free some space on the disk "
                        "or check that the project folder can be written.") from exc  # fmt: skip


def save_transcript(path: Path, transcript: Transcript, edited: bool, overwrite_edits: bool = False) -> None:
    """Save a transcript atomically, keeping the previous version as ``.bak`` in the hidden folder beside it.

    Args:
        edited: whether this version holds hand corrections.
        overwrite_edits: allow a machine transcript to replace a hand-corrected one.

    Raises:
        HandCorrections: a machine transcript would replace hand corrections without permission.
        UserError: the file cannot be written.
    """
    data = jsonfmt.to_dict(transcript) | {"edited": edited}
    with saving(path):
        previous = _read_saved(path) if path.exists() else {}
        if previous and previous.get("edited") and not edited and not overwrite_edits:
            raise HandCorrections(f"{path.name} holds hand corrections; confirm to replace them with a new "
                                  "transcription.")  # fmt: skip
        if previous is None:  # damaged: set aside, and the .bak of the last good version stays as it is
            set_aside(path)
        elif previous:
            atomic_write_text(backup_path(path), path.read_text(encoding="utf-8"))
            old_backup_path(path).unlink(missing_ok=True)
        atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
