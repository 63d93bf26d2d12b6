"""ELAN ``.eaf`` (EAF 3.0) through pympi-ling: tiers for transcription, words and word confidence.

Per speaker: a time-alignable ``transcription`` tier, a ``words`` tier included in it, and a
``confidence`` tier included in the words, one annotation per word on the word's own time slots. (A
symbolic-association tier would be ELAN's other idiom, but pympi cannot read reference annotations whose
words sit on a child tier, and scripts that read exports use pympi.) Files from earlier versions, with
confidence as reference annotations, still load. The media file is linked in the header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any  # pympi has no type hints

from mms_desktop.core.errors import UserError
from mms_desktop.core.events import Segment, Transcript, Word
from mms_desktop.core.formats.confidence import number_or_certain

TRANSCRIPTION, WORDS, CONFIDENCE = "transcription", "words", "confidence"
LANGUAGE_PROPERTY = "mms-desktop-language"
_MIME = {".wav": "audio/x-wav", ".mp3": "audio/mpeg", ".flac": "audio/flac", ".ogg": "audio/ogg"}


def _tier(kind: str, speaker: str) -> str:
    return f"{kind} - {speaker}" if speaker else kind


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def dumps(transcript: Transcript, media: Path | None = None) -> str:
    """The transcript as EAF XML text."""
    import pympi

    eaf = pympi.Eaf(author="MMS Desktop")
    # pympi declares EAF 2.8; the document written here is valid EAF 3.0, which ELAN writes today.
    eaf.adocument.update({"VERSION": "3.0", "FORMAT": "3.0"})
    for key in [k for k in eaf.adocument if k.endswith("noNamespaceSchemaLocation")]:
        eaf.adocument[key] = "http://www.mpi.nl/tools/elan/EAFv3.0.xsd"
    eaf.remove_tier("default")
    eaf.add_linguistic_type(TRANSCRIPTION, timealignable=True)
    eaf.add_linguistic_type(WORDS, constraints="Included_In", timealignable=True)
    eaf.add_linguistic_type(CONFIDENCE, constraints="Included_In", timealignable=True)
    eaf.add_property(LANGUAGE_PROPERTY, transcript.language)
    if media is not None:
        eaf.add_linked_file(media.absolute().as_uri(), relpath=f"./{media.name}",
                            mimetype=_MIME.get(media.suffix.lower(), "audio/x-wav"))  # fmt: skip
    for speaker in dict.fromkeys(s.speaker for s in transcript.segments):
        main, words, conf = (_tier(k, speaker) for k in (TRANSCRIPTION, WORDS, CONFIDENCE))
        eaf.add_tier(main, ling=TRANSCRIPTION, part=speaker or None)
        eaf.add_tier(words, ling=WORDS, parent=main, part=speaker or None)
        eaf.add_tier(conf, ling=CONFIDENCE, parent=words, part=speaker or None)
        for segment in (s for s in transcript.segments if s.speaker == speaker):
            eaf.add_annotation(main, _ms(segment.start), _ms(segment.end), segment.text)
            for word in segment.words:
                start, end = _word_span(word, _ms(segment.end))
                eaf.add_annotation(words, start, end, word.word)
                eaf.add_annotation(conf, start, end, f"{word.confidence:.4f}")
    return str(pympi.Elan.to_string(eaf))


def _word_span(word: Word, segment_end: int) -> tuple[int, int]:
    """A word's annotation in ms; ELAN refuses empty ones, so a word of no length gets 1 ms, taken before
    it when there is no room after it in its segment."""
    start, end = _ms(word.start), _ms(word.end)
    if end > start:
        return start, end
    return (start, start + 1) if start < segment_end else (start - 1, start)


def load(path: Path, tier: str | None = None) -> Transcript:
    """Read segments (from ``tier`` or every transcription tier), their words and confidences.

    Raises:
        UserError: not an EAF file, or the tier does not exist.
    """
    import pympi

    try:
        eaf = pympi.Eaf(str(path), suppress_version_warning=True)
    except Exception as exc:  # pympi raises bare exceptions on malformed XML
        raise UserError(f"{path} is not a readable ELAN file ({exc}).") from exc
    tiers = eaf.get_tier_names()
    if tier is not None and tier not in tiers:
        raise UserError(f"{path} has no tier '{tier}'; its tiers are: {', '.join(tiers)}.")
    mains = [tier] if tier else [t for t in tiers if eaf.tiers[t][2].get("LINGUISTIC_TYPE_REF") == TRANSCRIPTION]
    if not mains:
        mains = [t for t in tiers if "PARENT_REF" not in eaf.tiers[t][2]][:1]
    segments = []
    for main in mains:
        speaker = eaf.tiers[main][2].get("PARTICIPANT", "")
        words = _words(eaf, main)
        for start, end, text in _sorted(eaf, main):
            inside = tuple(w for w in words if start / 1000 <= w.start and w.end <= end / 1000)
            segments.append(Segment(start / 1000, end / 1000, text, inside, speaker))
    segments.sort(key=lambda s: (s.start, s.speaker))
    language = dict(eaf.get_properties()).get(LANGUAGE_PROPERTY, "")
    duration = max((s.end for s in segments), default=0.0)
    return Transcript(language=language, duration=duration, segments=tuple(segments))


def _sorted(eaf: Any, tier: str) -> list[tuple[int, int, str]]:
    rows = eaf.get_annotation_data_for_tier(tier)
    return sorted((int(r[0]), int(r[1]), str(r[2])) for r in rows)


def _words(eaf: Any, main: str) -> list[Word]:
    children = eaf.get_child_tiers_for(main)
    word_tier = next((c for c in children if eaf.tiers[c][2].get("LINGUISTIC_TYPE_REF") == WORDS), None)
    if word_tier is None:
        return []
    slots = eaf.timeslots
    word_ids = eaf.tiers[word_tier][0]  # {id: (slot1, slot2, value, svg)}
    by_word, by_time = {}, {}
    for c in eaf.get_child_tiers_for(word_tier):
        aligned, refs = eaf.tiers[c][0], eaf.tiers[c][1]
        for b, e, value, _svg in aligned.values():  # confidence on the word's own times
            by_time[(slots[b], slots[e])] = number_or_certain(value)
        for word_id, value, *_ in refs.values():  # earlier exports: references to word ids
            by_word[word_id] = number_or_certain(value)
    words = [
        Word(value, slots[b] / 1000, slots[e] / 1000, by_word.get(word_id, by_time.get((slots[b], slots[e]), 1.0)))
        for word_id, (b, e, value, _svg) in word_ids.items()
    ]
    return sorted(words, key=lambda w: (w.start, w.end))
