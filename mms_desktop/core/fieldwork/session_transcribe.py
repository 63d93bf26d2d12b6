"""Transcribing a session's recordings one after the other, each saved as soon as it is done; the segments
found so far travel with the progress, and a cancelled transcription carries those of the recording in hand.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path

from mms_desktop.core.base import Cancelled, Progress, Transcript
from mms_desktop.core.fieldwork.sessions import _saved_state, save_transcript, transcript_path
from mms_desktop.core.recognition import Transcriber, WindowOptions


def spoken_by(transcript: Transcript, speaker: str) -> Transcript:
    """``transcript`` with every segment given to ``speaker`` (unchanged without one)."""
    if not speaker:
        return transcript
    return dataclasses.replace(
        transcript, segments=tuple(dataclasses.replace(seg, speaker=speaker) for seg in transcript.segments)
    )


def transcribe_recordings(
    recordings: list[Path],
    host: Transcriber,
    language: str,
    among: list[str],
    options: WindowOptions,
    speaker: str = "",
    only_new: bool = False,
    overwrite_edits: bool = False,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    finished: list[Path] | None = None,
) -> list[Path]:
    """Transcribe ``recordings`` one after the other and save each transcript beside its recording as soon as
    it is done, so that stopping keeps those finished.

    Args:
        host: what transcribes (the program's shared models); ``language`` may be ``auto``, to
            identify it among ``among`` (empty: among all).
        speaker: the speaker every segment is given (the session's first), until the linguist says otherwise.
        only_new: leave alone the recordings that have a transcript already (one that cannot be read is
            transcribed anew, and the damaged file set aside).
        progress: progress over them all; its detail names the recording in hand.
        finished: filled with the recordings done, as they are done (what a cancelled run kept).

    Returns:
        the recordings transcribed.

    Raises:
        HandCorrections: a transcript holds hand corrections and ``overwrite_edits`` is not set.
        Cancelled: ``cancel`` was set; the recordings finished before keep their transcripts, and its
            ``partial`` is what was found of the recording in hand.
    """
    done = finished if finished is not None else []
    todo = [r for r in recordings if not (only_new and _saved_state(transcript_path(r)))]
    for i, recording in enumerate(todo):
        detail = f"{recording.name} ({i + 1} of {len(todo)})" if len(todo) > 1 else recording.name

        def part(p: Progress, i: int = i, detail: str = detail) -> None:
            if progress is not None:
                done, total = i * 1000 + round(p.fraction * 1000), len(todo) * 1000
                progress(Progress("transcribe", done, total, detail, p.partial and spoken_by(p.partial, speaker)))

        try:
            result = spoken_by(host.transcribe(recording, language, among, options, part, cancel), speaker)
        except Cancelled as exc:
            raise Cancelled(partial=exc.partial and spoken_by(exc.partial, speaker)) from None
        save_transcript(transcript_path(recording), result, edited=False, overwrite_edits=overwrite_edits)
        done.append(recording)
    return done
