"""Recordings made elsewhere (a field recorder's memory card, a colleague's files) added to a session.

The originals are never touched. Each copy is named as the session's next recording, keeps its format,
and appears only once it has been read back equal to its original; where it came from is kept in the
session folder's ``.sources.json``, with its sha256.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from mms_desktop.core.audio import audio_files, check_audio
from mms_desktop.core.base import Progress, UserError, copy_verified
from mms_desktop.core.fieldwork.sessions import Project, saving
from mms_desktop.core.fieldwork.side_files import SOURCES, read_record, record_path, write_record


def add_recordings(project: Project, session_id: str, files: list[Path],
                   progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None,
                   added: list[Path] | None = None) -> list[Path]:  # fmt: skip
    """Copy ``files`` into the session, in the order given (a folder: the audio files in it, by name); returns
    the session's new recordings.

    Every file is checked as audio before anything is copied.

    Args:
        added: where each recording is listed as soon as it is in the session (it stays there when the work
            is cancelled or fails later).

    Raises:
        AudioError: a file is not audio that can be read.
        UserError: a file is one of the session's own, or a copy failed (nothing of it is left).
        Cancelled: ``cancel`` was set; the recordings copied before stay.
    """

    files = audio_files(files)  # a folder (a card's) stands for the recordings in it
    folder = project.session_folder(session_id).resolve()
    for source in files:
        check_audio(source)
        if source.resolve().parent == folder:
            raise UserError(f"{source.name} is already one of this session's recordings.")
    added = [] if added is None else added
    sizes = [source.stat().st_size for source in files]
    for i, source in enumerate(files):
        target = project.next_recording(session_id, source.suffix.lower())
        detail, before = f"{source.name} ({i + 1} of {len(files)})", sum(sizes[:i])

        def copied(done: int, detail: str = detail, before: int = before) -> None:
            if progress is not None:
                progress(Progress("Adding recordings", before + done, max(sum(sizes), 1), detail))

        try:
            digest = copy_verified(source, target, copied, cancel)
        except OSError as exc:
            raise UserError(f"{source.name} could not be copied into the session ({exc.strerror or exc}); check the "
                            "disk or card it is on and the space left, then add it again.") from exc  # fmt: skip
        sources = read_record(folder, SOURCES)
        sources[target.name] = {"from": str(source.absolute()), "sha256": digest}
        with saving(record_path(folder, SOURCES)):
            write_record(folder, SOURCES, sources)
        added.append(target)
    return added
