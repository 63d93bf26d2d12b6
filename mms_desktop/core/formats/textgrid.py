"""Praat TextGrid through praatio: interval tiers for segments, words and word confidence per speaker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mms_desktop.core.base import Segment, Transcript, UserError, Word
from mms_desktop.core.formats.confidence import number_or_certain

TRANSCRIPTION, WORDS, CONFIDENCE = "transcription", "words", "confidence"


def _name(kind: str, speaker: str) -> str:
    return f"{kind} - {speaker}" if speaker else kind


def write(path: Path, transcript: Transcript, media: Path | None = None) -> None:
    """Write a long-format TextGrid (what Praat itself writes)."""
    from praatio import textgrid
    from praatio.utilities.constants import Interval

    end = max([transcript.duration, *(s.end for s in transcript.segments)], default=0.0) or 0.001
    grid = textgrid.Textgrid(minTimestamp=0.0, maxTimestamp=end)
    for speaker in dict.fromkeys(s.speaker for s in transcript.segments):
        segments = [s for s in transcript.segments if s.speaker == speaker]
        words = [w for s in segments for w in s.words]
        tiers = {
            TRANSCRIPTION: [Interval(s.start, s.end, s.text) for s in segments],
            WORDS: [Interval(w.start, w.end, w.word) for w in words],
            CONFIDENCE: [Interval(w.start, w.end, f"{w.confidence:.4f}") for w in words],
        }
        for kind, entries in tiers.items():
            grid.addTier(textgrid.IntervalTier(_name(kind, speaker), _one_after_another(entries), 0.0, end))
    tmp = path.with_name(f".{path.name}.tmp")
    grid.save(str(tmp), format="long_textgrid", includeBlankSpaces=True)
    tmp.replace(path)


def _one_after_another(entries: list[Any]) -> list[Any]:
    """Intervals as a Praat tier must hold them: in time order, each ended where the next begins when they
    overlap (times corrected by hand can), none of no length."""
    ordered = sorted(entries, key=lambda e: (e.start, e.end))
    kept = []
    for i, entry in enumerate(ordered):
        end = min(entry.end, ordered[i + 1].start) if i + 1 < len(ordered) else entry.end
        if end > entry.start:
            kept.append(entry._replace(end=end))
    return kept


def load(path: Path, tier: str | None = None) -> Transcript:
    """Read segments from ``tier`` (or every ``transcription`` tier) with their words and confidences.

    Text TextGrids in Praat's long and short forms are read; a binary one, or a point tier asked for by
    name, is refused with the way out.

    Raises:
        UserError: not a text TextGrid, or the tier does not exist or holds points instead of intervals.
    """
    grid, by_tier = _read_tiers(path, [tier] if tier else None)
    segments = sorted((s for segments in by_tier.values() for s in segments), key=lambda s: (s.start, s.speaker))
    return Transcript(language="", duration=round(grid.maxTimestamp, 6), segments=tuple(segments))


def load_tiers(path: Path, tiers: list[str] | None = None) -> dict[str, list[Segment]]:
    """The segments of each interval tier asked for (default: every ``transcription`` tier), by name.

    Raises:
        UserError: as :func:`load`.
    """
    return _read_tiers(path, tiers)[1]


def _read_tiers(path: Path, tiers: list[str] | None) -> tuple[Any, dict[str, list[Segment]]]:
    from praatio import textgrid

    try:
        with path.open("rb") as file:
            binary = file.read(16).startswith(b"ooBinaryFile")
    except OSError as exc:
        raise UserError(f"{path} could not be read ({exc.strerror}).") from exc
    if binary:
        raise UserError(f"{path} is a binary TextGrid; in Praat use Save as text file, then give that file.")
    try:
        grid = textgrid.openTextgrid(str(path), includeEmptyIntervals=False)
    except Exception as exc:  # praatio raises several kinds on malformed files
        raise UserError(f"{path} is not a readable Praat TextGrid ({exc}).") from exc
    names = grid.tierNames
    intervals = [n for n in names if isinstance(grid.getTier(n), textgrid.IntervalTier)]
    for tier in tiers or []:
        if tier not in names:
            raise UserError(f"{path} has no tier '{tier}'; its tiers are: {', '.join(names)}.")
        if tier not in intervals:
            raise UserError(
                f"Tier '{tier}' of {path} is a point tier, which has no text spans to use; "
                f"choose an interval tier ({', '.join(intervals) or 'it has none'})."
            )
    if not intervals:
        raise UserError(f"{path} has only point tiers, which have no text spans to use; add an interval tier.")
    mains = tiers or [n for n in intervals if n.split(" - ")[0] == TRANSCRIPTION] or intervals[:1]
    return grid, {main: _segments(grid, main, intervals) for main in mains}


def _segments(grid: Any, main: str, intervals: list[str]) -> list[Segment]:
    speaker = main.split(" - ", 1)[1] if " - " in main else ""
    words = _words(grid, speaker, intervals)
    segments = []
    for start, end, text in grid.getTier(main).entries:
        inside = tuple(w for w in words if start - 1e-6 <= w.start and w.end <= end + 1e-6)
        segments.append(Segment(round(start, 6), round(end, 6), text, inside, speaker))
    return segments


def _words(grid: object, speaker: str, intervals: list[str]) -> list[Word]:
    """The words of ``speaker``'s word tier, each with its confidence when the confidence tier has a number
    on the same span (anything else there, a linguist's note, counts as certain)."""
    if _name(WORDS, speaker) not in intervals:
        return []
    confidence = {}
    if _name(CONFIDENCE, speaker) in intervals:
        for start, end, value in grid.getTier(_name(CONFIDENCE, speaker)).entries:  # type: ignore[attr-defined]
            confidence[(round(start, 6), round(end, 6))] = number_or_certain(value)
    return [
        Word(text, round(s, 6), round(e, 6), confidence.get((round(s, 6), round(e, 6)), 1.0))
        for s, e, text in grid.getTier(_name(WORDS, speaker)).entries  # type: ignore[attr-defined]
    ]


def dumps(transcript: Transcript, media: Path | None = None) -> str:
    """The TextGrid as text."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.TextGrid"
        write(path, transcript, media)
        return path.read_text(encoding="utf-8")
