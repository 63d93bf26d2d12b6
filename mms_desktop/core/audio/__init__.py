"""Sound in and out: reading any audio file as 16 kHz mono, the microphone, crash-safe recording and its
repair, playback, and voice activity detection.
"""

from __future__ import annotations

from mms_desktop.core.audio import capture
from mms_desktop.core.audio.capture import (
    NO_INPUT,
    Capture,
    DeviceLost,
    InputDevice,
    find_device,
    list_devices,
    plain_device_name,
)
from mms_desktop.core.audio.files import (
    SAMPLE_RATE,
    SUPPORTED_SUFFIXES,
    audio_blocks,
    audio_files,
    check_audio,
    load_audio,
    wav_writer,
    write_wav,
)
from mms_desktop.core.audio.playback import Player, SoundDevicePlayer, play_kept
from mms_desktop.core.audio.recorder import DiskLimits, Recorder, RecorderEvent, Sidecar, check_target, wav_header
from mms_desktop.core.audio.recovery import NothingRecorded, is_live, recover, repair_unfinished, unfinished
from mms_desktop.core.audio.vad import CHUNK, SpeechDetector, speech_spans

__all__ = [
    "CHUNK",
    "Capture",
    "DeviceLost",
    "DiskLimits",
    "InputDevice",
    "NO_INPUT",
    "NothingRecorded",
    "Player",
    "Recorder",
    "RecorderEvent",
    "SAMPLE_RATE",
    "SUPPORTED_SUFFIXES",
    "Sidecar",
    "SoundDevicePlayer",
    "SpeechDetector",
    "audio_blocks",
    "audio_files",
    "capture",
    "check_audio",
    "check_target",
    "find_device",
    "is_live",
    "list_devices",
    "plain_device_name",
    "load_audio",
    "play_kept",
    "recover",
    "repair_unfinished",
    "speech_spans",
    "unfinished",
    "wav_header",
    "wav_writer",
    "write_wav",
]
