"""The ground floor: errors that carry their remedy, events that cross threads, safe file writes, language
codes and the wording of counts and sizes. It imports nothing else of the engine.
"""

from __future__ import annotations

from mms_desktop.core.base import fsutil, languages
from mms_desktop.core.base.errors import AudioError, Cancelled, ModelError, StoreError, UserError, disk_full
from mms_desktop.core.base.events import (
    CaughtUp,
    FallingBehind,
    FinalResult,
    LanguageDetected,
    LanguageScore,
    MicrophoneOpen,
    PartialResult,
    Progress,
    RecognizerReady,
    Segment,
    Speech,
    SpeechStarted,
    StreamEvent,
    Transcript,
    Word,
    behind_notice,
)
from mms_desktop.core.base.fsutil import (
    atomic_write_text,
    copy_verified,
    decode_text,
    git_blob_sha1,
    is_plain_name,
    link_or_copy,
    parse_json,
    read_text_file,
    save_text,
    set_aside,
    sha256_file,
)
from mms_desktop.core.base.languages import (
    AUTO,
    adapter_for,
    check_code,
    check_name,
    display_name,
    is_valid_name,
    lid_code_for,
)
from mms_desktop.core.base.phrases import batch_outcome, counted, human_size
from mms_desktop.core.base.writer import LatestWriter

__all__ = [
    "AUTO",
    "AudioError",
    "Cancelled",
    "CaughtUp",
    "FallingBehind",
    "FinalResult",
    "LanguageDetected",
    "LanguageScore",
    "LatestWriter",
    "MicrophoneOpen",
    "ModelError",
    "PartialResult",
    "Progress",
    "RecognizerReady",
    "Segment",
    "Speech",
    "SpeechStarted",
    "StoreError",
    "StreamEvent",
    "Transcript",
    "UserError",
    "Word",
    "adapter_for",
    "atomic_write_text",
    "batch_outcome",
    "behind_notice",
    "check_code",
    "check_name",
    "copy_verified",
    "counted",
    "decode_text",
    "disk_full",
    "display_name",
    "fsutil",
    "git_blob_sha1",
    "human_size",
    "is_plain_name",
    "is_valid_name",
    "languages",
    "lid_code_for",
    "link_or_copy",
    "parse_json",
    "read_text_file",
    "save_text",
    "set_aside",
    "sha256_file",
]
