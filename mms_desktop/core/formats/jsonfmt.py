"""JSON transcripts: language, duration, text and segments with timed, scored words."""

from __future__ import annotations

import json
from typing import Any

from mms_desktop.core.events import Segment, Transcript, Word


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
    """Read a transcript written by :func:`dumps`."""
    return from_dict(json.loads(text))


def from_dict(data: dict[str, Any]) -> Transcript:
    """The transcript :func:`to_dict` made ``data`` from."""
    return Transcript(
        language=data["language"],
        duration=float(data["duration"]),
        language_probability=data.get("language_probability"),
        segments=tuple(
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=s["text"],
                words=tuple(
                    Word(w["word"], float(w["start"]), float(w["end"]), float(w["confidence"]))
                    for w in s.get("words", [])
                ),
                speaker=s.get("speaker", ""),
            )
            for s in data["segments"]
        ),
    )
