"""Speech to text: the recognizer and its CTC decoding, word lists, live streams and their pacing,
language identification, whole-file transcription and live dictation.
"""

from __future__ import annotations

from mms_desktop.core.recognition import ctc, wordlist
from mms_desktop.core.recognition.dictation import Dictation, DictationStopped
from mms_desktop.core.recognition.families import (
    MMS_ADAPTERS,
    OMNILINGUAL,
    SHARED_VOCABULARY,
    Alphabet,
    Family,
    family_of,
)
from mms_desktop.core.recognition.lid import LanguageIdentifier, first_speech, speech_to_identify
from mms_desktop.core.recognition.pacing import (
    END_PAD_S,
    Lag,
    StreamOptions,
    affordable_window,
    describe,
    keeps_up,
    label,
    lag_after,
    window_ladder,
)
from mms_desktop.core.recognition.recognizer import Recognizer, available_languages
from mms_desktop.core.recognition.streaming import RecognitionStream
from mms_desktop.core.recognition.transcribe import (
    LanguageUnsure,
    Transcriber,
    detect_adapter,
    only_speech,
    transcribe,
)
from mms_desktop.core.recognition.windows import PassCosts, WindowOptions, plan_windows, window_frames
from mms_desktop.core.recognition.writing import SEPARATORS, DictatedText, Edit

__all__ = [
    "Family",
    "MMS_ADAPTERS",
    "OMNILINGUAL",
    "SHARED_VOCABULARY",
    "family_of",
    "Transcriber",
    "Alphabet",
    "Dictation",
    "DictatedText",
    "Edit",
    "SEPARATORS",
    "DictationStopped",
    "END_PAD_S",
    "Lag",
    "LanguageIdentifier",
    "PassCosts",
    "RecognitionStream",
    "Recognizer",
    "StreamOptions",
    "WindowOptions",
    "affordable_window",
    "available_languages",
    "ctc",
    "describe",
    "detect_adapter",
    "LanguageUnsure",
    "first_speech",
    "keeps_up",
    "label",
    "lag_after",
    "only_speech",
    "plan_windows",
    "speech_to_identify",
    "transcribe",
    "window_frames",
    "window_ladder",
    "wordlist",
]
