"""The three recognizers MMS Desktop offers ELAN, described once: the CMDI files ELAN reads are written from
these descriptions, and the runner reads the same parameter names back.

- transcribe: speech (found in the media, or the annotations of an input tier) becomes an annotation tier
  and a word tier;
- align: an existing transcription tier is timed word by word;
- identify: each stretch of speech is labelled with its language and probability.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mms_desktop.api import Engine
from mms_desktop.core.audio import SAMPLE_RATE, load_audio, speech_spans
from mms_desktop.core.base import AUTO, Segment, UserError
from mms_desktop.core.formats import avatech
from mms_desktop.elan.protocol import Report

AUDIO, TIER = "audio/x-wav", "text/xml"  # the media types ELAN offers for a recording and for a tier file


@dataclass(frozen=True)
class Param:
    """One CMDI parameter: ``kind`` is input, output or textparam; ``type`` audio or tier for files."""

    kind: str
    name: str
    info: str
    type: str = ""
    optional: bool = False
    default: str = ""


@dataclass(frozen=True)
class Spec:
    key: str  # the runner's name: mms-desktop elan run KEY
    ident: str  # the recognizer's short id in ELAN
    info: str  # the name ELAN shows
    params: tuple[Param, ...]


SOURCE = Param("input", "source", "The recording (WAV)", "audio")
LANGUAGE = Param("textparam", "language", "Language: an installed ISO 639-3 code, or auto to detect it", default=AUTO)
AMONG = Param("textparam", "among", "With auto: the codes to choose among, separated by commas (empty: all)")
MODEL = Param("textparam", "model", "Recognition model: an installed owner/name or a folder (empty: MMS Desktop's)")

SPECS = {
    spec.key: spec
    for spec in (
        Spec(
            "transcribe",
            "MMS_Desktop_Transcribe",
            "MMS Desktop: transcribe speech (words beneath)",
            (
                SOURCE,
                Param(
                    "input",
                    "input_tier",
                    "Annotations to transcribe (optional: without it, speech is found in the recording)",
                    "tier",
                    optional=True,
                ),
                LANGUAGE,
                AMONG,
                MODEL,
                Param("textparam", "tier_name", "Name of the transcription tier", default="mms-transcription"),
                Param("textparam", "word_tier_name", "Name of the word tier", default="mms-words"),
                Param("output", "output_tier", "The transcription, one annotation per stretch of speech", "tier"),
                Param("output", "word_tier", "The words, each with its own times", "tier", optional=True),
            ),
        ),
        Spec(
            "align",
            "MMS_Desktop_Align",
            "MMS Desktop: align a transcription (word times)",
            (
                SOURCE,
                Param("input", "input_tier", "The transcription tier to align", "tier"),
                Param("textparam", "language", "Language of the transcription: an installed ISO 639-3 code"),
                MODEL,
                Param("textparam", "word_tier_name", "Name of the word tier", default="mms-aligned-words"),
                Param("output", "word_tier", "The words of the transcription, each with its own times", "tier"),
            ),
        ),
        Spec(
            "identify",
            "MMS_Desktop_Identify",
            "MMS Desktop: identify the language of each stretch of speech",
            (
                SOURCE,
                Param(
                    "input",
                    "input_tier",
                    "Annotations to identify (optional: without it, speech is found in the recording)",
                    "tier",
                    optional=True,
                ),
                AMONG,
                Param("textparam", "tier_name", "Name of the language tier", default="mms-language"),
                Param("output", "output_tier", "The language of each stretch of speech and its probability", "tier"),
            ),
        ),
    )
}


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.replace(";", ",").split(",") if c.strip()]


def _stretches(params: dict[str, str], samples: np.ndarray) -> list[Segment]:
    """The input tier's annotations, or else the stretches of speech in the recording."""
    if params.get("input_tier"):
        return [s for s in avatech.read_tier(params["input_tier"]) if s.end > s.start]
    return [Segment(a / SAMPLE_RATE, b / SAMPLE_RATE, "") for a, b in speech_spans(samples)]


def _piece(samples: np.ndarray, segment: Segment) -> np.ndarray:
    return samples[round(segment.start * SAMPLE_RATE) : round(segment.end * SAMPLE_RATE)]


def _output(params: dict[str, str], key: str) -> str:
    if not params.get(key):
        raise UserError(f"ELAN gave no file for '{key}'; choose where the tier goes in the recognizer's panel.")
    return params[key]


def transcribe(engine: Engine, params: dict[str, str], samples: np.ndarray, report: Report) -> str:
    language, among = params.get("language") or AUTO, _codes(params.get("among", ""))
    if params.get("input_tier"):  # each annotation on its own, keeping its times
        stretches = _stretches(params, samples)
        found: list[tuple[Segment, list[Segment]]] = []
        for i, stretch in enumerate(stretches):
            report.progress(0.1 + 0.85 * i / len(stretches), f"transcribing {i + 1} of {len(stretches)}")
            piece = _piece(samples, stretch)
            result = engine.transcribe(piece, language, among) if len(piece) else None
            found.append((stretch, [s.shifted(stretch.start) for s in result.segments] if result else []))
    else:  # the whole recording, cut where its speech is
        result = engine.transcribe(
            samples, language, among, progress=lambda p: report.progress(0.1 + 0.85 * p.fraction, "transcribing")
        )
        found = [(s, [s]) for s in result.segments]
    spans = [(outer.start, outer.end, " ".join(s.text for s in inner if s.text)) for outer, inner in found]
    spans = [span for span in spans if span[2]]
    words = [(w.start, w.end, w.word) for _, inner in found for s in inner for w in s.words]
    avatech.write_tier(_output(params, "output_tier"), params.get("tier_name") or "mms-transcription", spans)
    if params.get("word_tier"):
        avatech.write_tier(params["word_tier"], params.get("word_tier_name") or "mms-words", words)
    return f"Transcribed {len(spans)} stretches of speech ({len(words)} words)."


def align(engine: Engine, params: dict[str, str], samples: np.ndarray, report: Report) -> str:
    language = params.get("language", "")
    if not language or language == AUTO:
        raise UserError("Give the language of the transcription (an installed ISO 639-3 code) to align it.")
    if not params.get("input_tier"):
        raise UserError("Choose the transcription tier to align as the input tier.")
    annotations = [s for s in avatech.read_tier(params["input_tier"]) if s.text and s.end > s.start]
    if not annotations:
        raise UserError("The input tier has no annotation with text; choose the tier that holds the transcription.")
    report.progress(0.2, f"aligning {len(annotations)} annotations")
    aligned = engine.align(samples, annotations, language)
    words = [(w.start, w.end, w.word) for s in aligned.segments for w in s.words]
    avatech.write_tier(_output(params, "word_tier"), params.get("word_tier_name") or "mms-aligned-words", words)
    return f"Aligned {len(words)} words in {len(annotations)} annotations."


def identify(engine: Engine, params: dict[str, str], samples: np.ndarray, report: Report) -> str:
    among = _codes(params.get("among", ""))
    stretches = _stretches(params, samples)
    spans = []
    for i, stretch in enumerate(stretches):
        report.progress(0.1 + 0.85 * i / len(stretches), f"identifying {i + 1} of {len(stretches)}")
        piece = _piece(samples, stretch)
        best = engine.identify(piece, among, top=1) if len(piece) else []
        if best:
            spans.append((stretch.start, stretch.end, f"{best[0].code} {best[0].probability:.2f}"))
    avatech.write_tier(_output(params, "output_tier"), params.get("tier_name") or "mms-language", spans)
    return f"Identified the language of {len(spans)} of {len(stretches)} stretches."


RUNNERS: dict[str, Callable[[Engine, dict[str, str], np.ndarray, Report], str]] = {
    "transcribe": transcribe,
    "align": align,
    "identify": identify,
}


def run(key: str, params: dict[str, str], load: Callable[[str | None], Engine], report: Report) -> None:
    """Do recognizer ``key`` with ELAN's ``params``; ``load`` gives the engine for a model (None: the
    user's). Ends with ELAN's result line either way."""
    try:
        source = params.get("source", "")
        if not source or not Path(source).is_file():
            raise UserError(f"The recording '{source}' cannot be found; link the recording's WAV file to the document.")
        report.progress(0.02, "reading the recording")
        samples = load_audio(Path(source))
        report.progress(0.05, "loading the models")
        engine = load(params.get("model") or None)
        summary = RUNNERS[key](engine, params, samples, report)
    except UserError as exc:
        report.failed(str(exc))
        raise SystemExit(2) from None
    except Exception as exc:  # ELAN shows the report: one sentence there, never a traceback
        report.failed(f"An unexpected error stopped the recognizer ({type(exc).__name__}: {exc}).")
        raise SystemExit(1) from None
    report.done(summary)
