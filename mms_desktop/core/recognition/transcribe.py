"""Transcription of a whole recording, with the language given or detected first."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from mms_desktop.core.audio import SAMPLE_RATE, speech_spans
from mms_desktop.core.base import (
    AUTO,
    CHOOSE_LANGUAGE,
    Cancelled,
    LanguageScore,
    Progress,
    Transcript,
    UserError,
    adapter_for,
    install,
    lid_code_for,
)
from mms_desktop.core.recognition.lid import LanguageIdentifier, first_speech
from mms_desktop.core.recognition.recognizer import Recognizer
from mms_desktop.core.recognition.windows import WindowOptions


def unidentified(recognizer: Recognizer) -> str:
    """What ``auto`` decodes in when there is no identifier: a model with one head for every language with
    all its tokens (``""``), as its reference code does.

    Raises:
        UserError: MMS needs the identifier to choose an adapter.
    """
    if recognizer.family.adapters:
        raise UserError("Automatic language detection needs a language identifier; choose the language.")
    return ""


class Transcriber(Protocol):
    """Anything that transcribes a recording with models of its own choosing (the program's shared models,
    a batch worker's): what field sessions and batch runs are given."""

    def transcribe(
        self,
        audio: Path | np.ndarray,
        language: str = ...,
        among: Sequence[str] = ...,
        options: WindowOptions = ...,
        progress: Callable[[Progress], None] | None = ...,
        cancel: threading.Event | None = ...,
    ) -> Transcript: ...


class LanguageUnsure(UserError):
    """Identification found no candidate language likely enough to transcribe in."""


def detect_adapter(
    samples: np.ndarray,
    identifier: LanguageIdentifier,
    adapters: Iterable[str],
    among: Iterable[str] = (),
    sure: bool = False,
) -> tuple[str, LanguageScore]:
    """Identify the language of the first seconds of speech and pick the adapter that serves it; the score's
    probability is the language's among all those the identifier knows (calibrated), not only the candidates.

    Without ``among``, the choice is limited to languages with an installed adapter, so the answer can
    always be transcribed; with it, to the user's set.

    Raises:
        LanguageUnsure: with ``sure``, the likeliest candidate's probability is under the identifier's
            ``unsure_below``.
        UserError: the detected language has no installed adapter, or nothing installed can be detected.
    """
    adapters = list(adapters)
    among = [a for a in among if a]
    if not among:
        among = sorted({lid_code_for(a) for a in adapters} & set(identifier.labels))
        if not among:
            raise UserError(
                "None of the installed languages can be detected by the language identifier; choose the language ",
                CHOOSE_LANGUAGE,
                ".",
            )
    best = identifier.best_among(first_speech(samples), among)
    if sure and best.probability < identifier.unsure_below:
        candidates = f"the candidates ({', '.join(among)})" if len(among) <= 6 else f"{len(among)} candidates"
        raise LanguageUnsure(
            f"The language is unsure: the likeliest of {candidates} is '{best.code}' at only "
            f"{best.probability:.0%}, so the speech is probably in another language; choose the language ",
            CHOOSE_LANGUAGE,
            ", or install the one spoken.",
        )
    adapter = adapter_for(best.code, adapters)
    if adapter is None:
        raise UserError(
            f"The detected language '{best.code}' is not installed for recognition; install it with ",
            install(best.code),
            " or choose the language ",
            CHOOSE_LANGUAGE,
            ".",
        )
    return adapter, best


def transcribe(
    samples: np.ndarray,
    recognizer: Recognizer,
    language: str,
    identifier: LanguageIdentifier | None = None,
    among: Iterable[str] = (),
    options: WindowOptions = WindowOptions(),
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> Transcript:
    """Transcribe the speech in 16 kHz audio in ``language``, or in the detected language when it is ``auto``.

    Voice activity detection finds the speech first, as in dictation: audio without any (noise, hum, DC,
    silence) gives a transcript without segments, in which nothing is detected or made up, and words the
    model spells out of the noise between stretches of speech are left out.
    """
    spans = speech_spans(samples, cancel=cancel)
    if not spans:
        return Transcript("" if language == AUTO else language, round(len(samples) / SAMPLE_RATE, 3), ())
    probability = None
    if language == AUTO and identifier is None:
        language = unidentified(recognizer)
    elif language == AUTO and identifier is not None:
        language, score = detect_adapter(samples[spans[0][0] :], identifier, recognizer.languages, among, sure=True)
        probability = score.probability

    def speech_only(p: Progress) -> None:  # the partial transcript kept to the speech, as the final one is
        assert progress is not None
        progress(dataclasses.replace(p, partial=only_speech(p.partial, spans)) if p.partial else p)

    try:
        transcript = recognizer.transcribe(samples, language, options, progress and speech_only, cancel)
    except Cancelled as exc:
        raise Cancelled(partial=exc.partial and only_speech(exc.partial, spans)) from None
    return dataclasses.replace(only_speech(transcript, spans), language_probability=probability)


def only_speech(transcript: Transcript, spans: list[tuple[int, int]]) -> Transcript:
    """``transcript`` without the words that lie wholly outside the stretches of speech ``spans`` (samples)."""
    seconds = [(first / SAMPLE_RATE, end / SAMPLE_RATE) for first, end in spans]
    segments = []
    for segment in transcript.segments:
        words = tuple(w for w in segment.words if any(w.start < end and w.end > first for first, end in seconds))
        if words == segment.words:
            segments.append(segment)
        elif words:
            text = " ".join(w.word for w in words)
            segments.append(
                dataclasses.replace(segment, start=words[0].start, end=words[-1].end, text=text, words=words)
            )
    return dataclasses.replace(transcript, segments=tuple(segments))
