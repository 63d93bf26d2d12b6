"""SubRip (.srt) and WebVTT (.vtt) subtitles, one cue per segment."""

from __future__ import annotations

import re

from mms_desktop.core.events import Segment, Transcript


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


_CUE = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3})\s*-->\s*(\d+):(\d\d):(\d\d)[,.](\d{3})")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def loads(text: str) -> Transcript:
    """Read SubRip or WebVTT cues as segments (subtitles carry no word timings)."""
    segments = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            match = _CUE.search(line)
            if match:
                g = match.groups()
                body = " ".join(lines[i + 1 :]).strip()
                segments.append(Segment(_seconds(*g[:4]), _seconds(*g[4:]), body))
                break
    duration = max((s.end for s in segments), default=0.0)
    return Transcript(language="", duration=duration, segments=tuple(segments))
