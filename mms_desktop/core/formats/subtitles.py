"""SubRip (.srt) and WebVTT (.vtt) subtitles, one cue per segment."""

from __future__ import annotations

from mms_desktop.core.events import Transcript


def _timestamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt(transcript: Transcript) -> str:
    cues = [
        f"{i}\n{_timestamp(s.start, ',')} --> {_timestamp(s.end, ',')}\n{s.text}\n"
        for i, s in enumerate((s for s in transcript.segments if s.text), start=1)
    ]
    return "\n".join(cues)


def vtt(transcript: Transcript) -> str:
    cues = [
        f"{_timestamp(s.start, '.')} --> {_timestamp(s.end, '.')}\n{s.text}\n" for s in transcript.segments if s.text
    ]
    return "WEBVTT\n\n" + "\n".join(cues)
