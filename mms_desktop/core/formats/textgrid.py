"""Praat TextGrid through praatio: interval tiers for segments, words and word confidence per speaker."""

from __future__ import annotations

from pathlib import Path

from mms_desktop.core.errors import UserError
from mms_desktop.core.events import Segment, Transcript, Word

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
            grid.addTier(textgrid.IntervalTier(_name(kind, speaker), entries, 0.0, end))
    tmp = path.with_name(f".{path.name}.tmp")
    grid.save(str(tmp), format="long_textgrid", includeBlankSpaces=True)
    tmp.replace(path)


def load(path: Path, tier: str | None = None) -> Transcript:
    """Read segments from ``tier`` (or every ``transcription`` tier) with their words and confidences.

    Raises:
        UserError: not a TextGrid, or the tier does not exist.
    """
    from praatio import textgrid

    try:
        grid = textgrid.openTextgrid(str(path), includeEmptyIntervals=False)
    except Exception as exc:  # praatio raises several kinds on malformed files
        raise UserError(f"{path} is not a readable Praat TextGrid ({exc}).") from exc
    names = grid.tierNames
    if tier is not None and tier not in names:
        raise UserError(f"{path} has no tier '{tier}'; its tiers are: {', '.join(names)}.")
    mains = [tier] if tier else [n for n in names if n.split(" - ")[0] == TRANSCRIPTION] or names[:1]
    segments = []
    for main in mains:
        speaker = main.split(" - ", 1)[1] if " - " in main else ""
        words = _words(grid, speaker)
        for start, end, text in grid.getTier(main).entries:
            inside = tuple(w for w in words if start - 1e-6 <= w.start and w.end <= end + 1e-6)
            segments.append(Segment(round(start, 6), round(end, 6), text, inside, speaker))
    segments.sort(key=lambda s: (s.start, s.speaker))
    return Transcript(language="", duration=round(grid.maxTimestamp, 6), segments=tuple(segments))


def _words(grid: object, speaker: str) -> list[Word]:
    names = grid.tierNames  # type: ignore[attr-defined]
    if _name(WORDS, speaker) not in names:
        return []
    confidence = {}
    if _name(CONFIDENCE, speaker) in names:
        for start, end, value in grid.getTier(_name(CONFIDENCE, speaker)).entries:  # type: ignore[attr-defined]
            confidence[(round(start, 6), round(end, 6))] = float(value)
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
