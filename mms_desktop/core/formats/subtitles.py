"""SubRip (.srt) and WebVTT (.vtt) subtitles, cut into cues the way subtitle editors do.

A segment with word timings is cut at its words into cues of at most two lines of about 42 characters,
at most 7 s long, never across a pause of more than 1 s, and at the end of a sentence once a cue has
lasted a second; a cue shorter than a second is held on screen up to a second when the next one leaves
room. A segment without word timings (edited text) is one cue, wrapped, or cut by its characters in
proportion to its time when it is longer than two lines. WebVTT text is escaped as its specification
asks (``&``, ``<``, ``>``), so that ``<unclear>`` reaches the viewer; SubRip has no escapes, but a line
break in a transcript never ends a cue early in either.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

from mms_desktop.core.base import Segment, Transcript, Word

LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_S = 7.0
MIN_CUE_S = 1.0
PAUSE_S = 1.0
SENTENCE_END = (".", "?", "!", "…", "。", "？", "！", "।", "؟")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str  # already wrapped into lines


def _timestamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _wrap(text: str) -> list[str]:
    """``text`` on lines of at most LINE_CHARS (a longer word stays whole), balanced when two lines do."""
    lines = textwrap.wrap(text, LINE_CHARS, break_long_words=False, break_on_hyphens=False) or [""]
    if len(lines) == 2:  # two lines of about equal length read better than a full one and a stub
        balanced = textwrap.wrap(
            text,
            max(len(text) // 2 + 1, max(len(w) for w in text.split())),
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines = balanced if len(balanced) == 2 else lines
    return lines


def _fits(words: list[Word]) -> bool:
    return len(_wrap(" ".join(w.word for w in words))) <= MAX_LINES


def _word_cues(words: tuple[Word, ...]) -> Iterator[list[Word]]:
    current: list[Word] = []
    for word in words:
        if current and (
            word.start - current[-1].end > PAUSE_S
            or word.end - current[0].start > MAX_CUE_S
            or not _fits([*current, word])
            or (current[-1].word.endswith(SENTENCE_END) and current[-1].end - current[0].start >= MIN_CUE_S)
        ):
            yield current
            current = []
        current.append(word)
    if current:
        yield current


def _text_cues(segment: Segment, text: str) -> Iterator[Cue]:
    """An untimed text cut into cues of at most two lines, each given time in proportion to its characters."""
    lines = _wrap(text)
    groups = [" ".join(lines[i : i + MAX_LINES]) for i in range(0, len(lines), MAX_LINES)]
    total, done = sum(len(g) for g in groups), 0
    span = segment.end - segment.start
    for group in groups:
        start = segment.start + span * done / total
        done += len(group)
        yield Cue(start, segment.start + span * done / total, "\n".join(_wrap(group)))


def cues(transcript: Transcript) -> list[Cue]:
    """The transcript's cues, in time order."""
    found: list[Cue] = []
    for segment in transcript.segments:
        text = " ".join(segment.text.split())  # a line break in a transcript would end a cue
        if not text:
            continue
        if segment.words and " ".join(w.word for w in segment.words) == text:
            for group in _word_cues(segment.words):
                found.append(Cue(group[0].start, group[-1].end, "\n".join(_wrap(" ".join(w.word for w in group)))))
        else:
            found.extend(_text_cues(segment, text))
    found.sort(key=lambda c: c.start)
    return [_held(cue, found[i + 1].start if i + 1 < len(found) else None) for i, cue in enumerate(found)]


def _held(cue: Cue, next_start: float | None) -> Cue:
    """A cue too short to read is held up to MIN_CUE_S, never into the next one."""
    if cue.end - cue.start >= MIN_CUE_S:
        return cue
    end = cue.start + MIN_CUE_S if next_start is None else min(cue.start + MIN_CUE_S, max(next_start, cue.end))
    return Cue(cue.start, end, cue.text)


def srt(transcript: Transcript) -> str:
    blocks = [
        f"{i}\n{_timestamp(c.start, ',')} --> {_timestamp(c.end, ',')}\n{c.text}\n"
        for i, c in enumerate(cues(transcript), start=1)
    ]
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(transcript: Transcript) -> str:
    blocks = [
        f"{_timestamp(c.start, '.')} --> {_timestamp(c.end, '.')}\n{_vtt_escape(c.text)}\n" for c in cues(transcript)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


_CUE = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3})\s*-->\s*(\d+):(\d\d):(\d\d)[,.](\d{3})")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def loads(text: str) -> Transcript:
    """Read SubRip or WebVTT cues as segments (subtitles carry no word timings); WebVTT's escapes are undone."""
    vtt_file = text.lstrip("\ufeff").startswith("WEBVTT")
    segments = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            match = _CUE.search(line)
            if match:
                g = match.groups()
                body = " ".join(lines[i + 1 :]).strip()
                segments.append(Segment(_seconds(*g[:4]), _seconds(*g[4:]), html.unescape(body) if vtt_file else body))
                break
    duration = max((s.end for s in segments), default=0.0)
    return Transcript(language="", duration=duration, segments=tuple(segments))
