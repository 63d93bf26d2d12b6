"""JSON transcripts: language, duration, text and segments with timed, scored words."""

from __future__ import annotations

import json
import math
from typing import Any

from mms_desktop.core.base import Segment, Transcript, Word


def to_dict(transcript: Transcript) -> dict[str, Any]:
    data: dict[str, Any] = {
        "language": transcript.language,
        "duration": transcript.duration,
        "text": transcript.text,
        "segments": [
            {
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "words": [
                    {"start": w.start, "end": w.end, "word": w.word, "confidence": w.confidence} for w in s.words
                ],
            }
            | ({"speaker": s.speaker} if s.speaker else {})
            for s in transcript.segments
        ],
    }
    if transcript.language_probability is not None:
        data["language_probability"] = transcript.language_probability
    return data


def dumps(transcript: Transcript) -> str:
    return json.dumps(to_dict(transcript), ensure_ascii=False, indent=2) + "\n"


def loads(text: str) -> Transcript:
    """Read a transcript written by :func:`dumps`.

    Raises:
        ValueError: not such a transcript (wrong JSON, a field of the wrong type, nested too deeply).
    """
    try:
        return from_dict(json.loads(text))
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"'{name}' is not text")
    return value


def _number(value: Any, name: str) -> float:
    if type(value) not in (int, float) or not math.isfinite(value) or value < 0:
        raise ValueError(f"'{name}' is not a time in seconds")
    return float(value)


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError(f"'{name}' is not a list of objects")
    return value


def _span(start: float, end: float) -> tuple[float, float]:
    if end < start:
        raise ValueError("an 'end' comes before its 'start'")
    return start, end


def from_dict(data: Any) -> Transcript:
    """The transcript :func:`to_dict` made ``data`` from, every field checked by type.

    Raises:
        ValueError: ``data`` is not such a transcript, with the first field that is wrong.
    """
    if not isinstance(data, dict):
        raise ValueError("not an object")
    probability = data.get("language_probability")
    if probability is not None and type(probability) not in (int, float):
        raise ValueError("'language_probability' is not a number")
    return Transcript(
        language=_text(data.get("language", ""), "language"),
        duration=_number(data.get("duration", 0.0), "duration"),
        language_probability=probability,
        segments=tuple(_segment(s) for s in _list(data.get("segments"), "segments")),
    )


def _segment(data: dict[str, Any]) -> Segment:
    start, end = _span(_number(data.get("start"), "start"), _number(data.get("end"), "end"))
    words = tuple(_word(w) for w in _list(data.get("words", []), "words"))
    return Segment(start, end, _text(data.get("text"), "text"), words, _text(data.get("speaker", ""), "speaker"))


def _word(data: dict[str, Any]) -> Word:
    start, end = _span(_number(data.get("start"), "start"), _number(data.get("end"), "end"))
    return Word(_text(data.get("word"), "word"), start, end, _confidence(data.get("confidence", 1.0)))


def _confidence(value: Any) -> float:
    if type(value) not in (int, float) or not 0.0 <= value <= 1.0:
        raise ValueError("'confidence' is not a number between 0 and 1")
    return float(value)
