"""Field linguistics: projects of recording sessions with their speakers, recordings added from elsewhere,
transcripts kept beside hand corrections, and forced alignment of a known text.
"""

from __future__ import annotations

from mms_desktop.core.fieldwork.align import align, viterbi
from mms_desktop.core.fieldwork.session_import import add_recordings
from mms_desktop.core.fieldwork.session_info import SessionInfo, Speaker, problem, safe_name
from mms_desktop.core.fieldwork.session_log import note
from mms_desktop.core.fieldwork.session_transcribe import transcribe_recordings
from mms_desktop.core.fieldwork.sessions import (
    ExportChanged,
    HandCorrections,
    Project,
    describe_recording,
    export_beside,
    is_corrected,
    open_recording,
    open_transcript,
    origin,
    save_transcript,
    transcript_path,
)

__all__ = [
    "ExportChanged",
    "HandCorrections",
    "Project",
    "SessionInfo",
    "Speaker",
    "add_recordings",
    "align",
    "describe_recording",
    "export_beside",
    "is_corrected",
    "note",
    "open_recording",
    "open_transcript",
    "origin",
    "problem",
    "safe_name",
    "save_transcript",
    "transcribe_recordings",
    "transcript_path",
    "viterbi",
]
