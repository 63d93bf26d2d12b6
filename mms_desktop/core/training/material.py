"""Training material for a new language adapter, from the places a linguist keeps it.

Sources: a folder of ``audio + .txt`` pairs, ELAN / TextGrid files next to their audio (segments cut by
their times), a Common Voice style ``.tsv`` with a ``clips`` folder, and session folders (recordings
with transcripts). Bad items are skipped and listed, never fatal.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mms_desktop.core import formats
from mms_desktop.core.audio import SAMPLE_RATE, SUPPORTED_SUFFIXES, load_audio
from mms_desktop.core.base import UserError
from mms_desktop.core.checkpoints import layout
from mms_desktop.core.fieldwork import is_corrected

MIN_SECONDS_PER_CHAR = 0.02  # a CTC model needs at least one 20 ms frame per character


@dataclass(frozen=True)
class Normalization:
    """How transcripts are cleaned before training, as in the MMS adapter recipe."""

    lowercase: bool = True
    remove_punctuation: bool = True
    replacements: tuple[tuple[str, str], ...] = (("’", "'"), ("`", "'"))

    def apply(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        for old, new in self.replacements:
            text = text.replace(old, new)
        if self.lowercase:
            text = text.lower()
        if self.remove_punctuation:
            # Punctuation and symbols go; apostrophes inside words stay (they are letters in many orthographies).
            text = "".join(c if not unicodedata.category(c).startswith(("P", "S")) or c == "'" else " " for c in text)
        return re.sub(r"\s+", " ", text).strip()


@dataclass
class Item:
    samples: np.ndarray
    text: str
    source: str


@dataclass
class Dataset:
    train: list[Item] = field(default_factory=list)
    held_out: list[Item] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "source: reason"

    def vocabulary(self) -> dict[str, int]:
        """The MMS vocabulary of the training text: special tokens, ``|``, then the characters."""
        return layout.ctc_vocabulary(sorted({c for item in self.train for c in item.text if not c.isspace()}))

    @property
    def seconds(self) -> float:
        return sum(len(i.samples) for i in self.train) / SAMPLE_RATE


def collect(sources: Iterable[Path], normalization: Normalization = Normalization(), held_out: float = 0.1,
            seed: int = 0, tiers: Sequence[str] = ()) -> Dataset:  # fmt: skip
    """Load every usable item from ``sources`` and split off a held-out part; ``tiers``: the tiers of ELAN
    and Praat files to learn from (default: every transcription tier).

    Raises:
        UserError: nothing usable was found.
    """
    data = Dataset()
    items = []
    for source in sources:
        if not source.exists():
            raise UserError(f"{source} does not exist; give folders or files with recordings and transcripts.")
        for item_or_reason in _read(source, tiers):
            if isinstance(item_or_reason, str):
                data.skipped.append(item_or_reason)
                continue
            item = item_or_reason
            item.text = normalization.apply(item.text)
            reason = _problem(item)
            if reason:
                data.skipped.append(f"{item.source}: {reason}")
            else:
                items.append(item)
    if len(items) < 2:
        raise UserError(_too_few(len(items), data.skipped))
    random.Random(seed).shuffle(items)
    count = max(1, round(len(items) * held_out))
    data.held_out, data.train = items[:count], items[count:]
    return data


def _too_few(usable: int, skipped: list[str]) -> str:
    """The one sentence for material that cannot train: what was found, and the first reason something was not."""
    if not skipped:
        return ("No recordings with transcripts were found; put each recording beside a .txt of the same name, "
                "or give ELAN or Praat files beside their audio, session folders or a Common Voice .tsv.")  # fmt: skip
    found = "Only one usable recording with a transcript was found" if usable else "No usable recording was found"
    more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
    return f"{found}, and at least two are needed; skipped {skipped[0]}{more}."


def _problem(item: Item) -> str:
    if not item.text:
        return "empty transcript"
    if len(item.samples) / SAMPLE_RATE < len(item.text) * MIN_SECONDS_PER_CHAR:
        return "audio too short for its text"
    return ""


def _read(source: Path, tiers: Sequence[str]) -> Iterator[Item | str]:
    if source.suffix.lower() == ".tsv":
        yield from _common_voice(source)
    elif source.suffix.lower() in (".eaf", ".textgrid"):
        yield from _annotated(source, tiers)
    elif source.is_dir():
        yield from _folder(source, tiers)
    else:
        yield f"{source}: not a folder, .eaf, .TextGrid or .tsv"


def _folder(source: Path, tiers: Sequence[str]) -> Iterator[Item | str]:
    """Every recording in ``source`` (and below) with one of its transcripts.

    A session's recording may have several (its ``.json`` and the ``.eaf``, ``.TextGrid`` or ``.txt``
    exported from it); reading them all would give the same speech several times over, and copies of
    training items among the held-out ones. One is used, the others are listed: the timed transcript worked
    on last (in the window, or in ELAN or Praat), else a plain ``.txt``, else a machine transcript that
    nobody corrected (it teaches the model its own mistakes).
    """
    found: dict[Path, list[tuple[Path, Path | None]]] = {}  # root name: its transcripts (a .txt with its audio)
    recordings = []
    for path in sorted(source.rglob("*")):
        suffix = path.suffix.lower()
        if suffix in (".eaf", ".textgrid") or (suffix == ".json" and path.name != "session.json" and _audio_for(path)):
            found.setdefault(path.with_suffix(""), []).append((path, None))
        elif suffix in SUPPORTED_SUFFIXES and path.with_suffix(".txt").is_file():
            found.setdefault(path.with_suffix(""), []).append((path.with_suffix(".txt"), path))
        elif suffix in SUPPORTED_SUFFIXES:
            recordings.append(path)
    for path in recordings:
        if path.with_suffix("") not in found:
            yield f"{path}: no transcript of the same name (.txt, .eaf, .TextGrid or a session's .json)"
    for transcripts in found.values():
        chosen, audio = max(transcripts, key=_preference)
        for other, _ in transcripts:
            if other != chosen:
                yield f"{other}: {chosen.name} is used instead, a transcript of the same recording"
        yield from _annotated(chosen, tiers) if audio is None else _pair(audio, chosen)


def _preference(transcript: tuple[Path, Path | None]) -> tuple[int, int]:
    """How much a transcript of a recording is to be trusted for training, then how recent it is."""
    path, audio = transcript
    if audio is not None:  # a plain text beside its audio
        return 1, path.stat().st_mtime_ns
    if path.suffix.lower() == ".json" and not is_corrected(path):
        return 0, path.stat().st_mtime_ns
    return 2, path.stat().st_mtime_ns


def _audio_for(transcript: Path) -> Path | None:
    for suffix in (".wav", ".flac", ".ogg", ".mp3"):
        if transcript.with_suffix(suffix).is_file():
            return transcript.with_suffix(suffix)
    return None


def _load(path: Path) -> np.ndarray | str:
    try:
        return load_audio(path)
    except UserError as exc:
        return f"{path}: {exc}"


def _pair(audio: Path, text: Path) -> Iterator[Item | str]:
    samples = _load(audio)
    if isinstance(samples, str):
        yield samples
        return
    try:
        yield Item(samples, text.read_text(encoding="utf-8-sig"), str(audio))
    except (OSError, UnicodeDecodeError):
        yield f"{text}: not readable as UTF-8 text"


def _annotated(path: Path, tiers: Sequence[str] = ()) -> Iterator[Item | str]:
    """The annotations of the transcription tiers (or those named) of an ELAN or Praat file, cut from its
    audio: the media an EAF links to (relative links resolved as ELAN does), else the audio of the same name."""
    try:
        read = formats.load_tiers(path, list(tiers) or None)
    except UserError as exc:
        yield f"{path}: {exc}"
        return
    linked = [m for m in read.media if m.suffix.lower() in SUPPORTED_SUFFIXES]
    audio = linked[0] if linked else _audio_for(path)
    if audio is None:
        yield f"{path}: its audio was not found (neither the media it links to nor a file of the same name)"
        return
    samples = _load(audio)
    if isinstance(samples, str):
        yield samples
        return
    for segment in (s for segments in read.segments.values() for s in segments):
        where = f"{path.name} {segment.start:.2f}-{segment.end:.2f}" + (
            f" ({segment.speaker})" if segment.speaker else ""
        )
        start, end = int(segment.start * SAMPLE_RATE), int(segment.end * SAMPLE_RATE)
        if not segment.text.strip():
            yield f"{where}: no text"
        elif end > len(samples) or end <= start:
            yield f"{where}: outside the audio's {len(samples) / SAMPLE_RATE:.2f} s"
        else:
            yield Item(samples[start:end], segment.text, where)


def _common_voice(tsv: Path) -> Iterator[Item | str]:
    clips = tsv.parent / "clips"
    with open(tsv, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if "path" not in row or "sentence" not in row:
                yield f"{tsv}: not a Common Voice table (it needs 'path' and 'sentence' columns)"
                return
            samples = _load(clips / row["path"])
            if isinstance(samples, str):
                yield samples
            else:
                yield Item(samples, row["sentence"], row["path"])
