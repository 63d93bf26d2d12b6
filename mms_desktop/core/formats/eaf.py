"""ELAN ``.eaf`` (EAF 3.0) through pympi-ling: tiers for transcription, words and word confidence.

Per speaker: a time-alignable ``transcription`` tier, a ``words`` tier included in it, and a
``confidence`` tier included in the words, one annotation per word on the word's own time slots. (A
symbolic-association tier would be ELAN's other idiom, but pympi cannot read reference annotations whose
words sit on a child tier, and scripts that read exports use pympi.) Files from earlier versions, with
confidence as reference annotations, still load. The media file is linked in the header.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any  # pympi has no type hints
from urllib.parse import quote

from mms_desktop.core.base import Segment, Transcript, UserError, Word
from mms_desktop.core.formats.confidence import number_or_certain

TRANSCRIPTION, WORDS, CONFIDENCE = "transcription", "words", "confidence"
LANGUAGE_PROPERTY = "mms-desktop-language"
_MIME = {".wav": "audio/x-wav", ".mp3": "audio/mpeg", ".flac": "audio/flac", ".ogg": "audio/ogg"}


def _tier(kind: str, speaker: str) -> str:
    return f"{kind} - {speaker}" if speaker else kind


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def _link_media(eaf: Any, media: Path, target: Path | None) -> None:
    """Link ``media`` absolutely and relative to the EAF's own folder, which is how ELAN resolves a relative
    link (without ``target``, the EAF is taken to lie beside the media)."""
    relative = f"./{media.name}"
    if target is not None:
        try:
            relative = Path(os.path.relpath(media.absolute(), target.absolute().parent)).as_posix()
        except ValueError:  # another drive (Windows): the absolute link alone
            relative = ""
        relative = relative if relative.startswith("../") or not relative else f"./{relative}"
    if relative and not _is_utf8(relative):  # a name from a recorder's card: the bytes, percent-encoded
        relative = quote(os.fsencode(relative), safe="/.")
    eaf.add_linked_file(
        media.absolute().as_uri(), relpath=relative or None, mimetype=_MIME.get(media.suffix.lower(), "audio/x-wav")
    )


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def dumps(transcript: Transcript, media: Path | None = None, target: Path | None = None) -> str:
    """The transcript as EAF XML text; ``target`` is where it will be saved, for the relative media link."""
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
        _link_media(eaf, media, target)
    for speaker in dict.fromkeys(s.speaker for s in transcript.segments):
        main, words, conf = (_tier(k, speaker) for k in (TRANSCRIPTION, WORDS, CONFIDENCE))
        eaf.add_tier(main, ling=TRANSCRIPTION, part=speaker or None)
        eaf.add_tier(words, ling=WORDS, parent=main, part=speaker or None)
        eaf.add_tier(conf, ling=CONFIDENCE, parent=words, part=speaker or None)
        for segment in (s for s in transcript.segments if s.speaker == speaker):
            eaf.add_annotation(main, _ms(segment.start), max(_ms(segment.end), _ms(segment.start) + 1), segment.text)
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
    """Read segments (from ``tier`` or the tiers :func:`load_tiers` chooses), their words and confidences.

    Raises:
        UserError: not an EAF file, a tier does not exist, or an annotation has no time.
    """
    eaf = read(path)
    by_tier = load_tiers(eaf, path, [tier] if tier else None)
    segments = sorted(
        (s for tier_segments in by_tier.values() for s in tier_segments), key=lambda s: (s.start, s.speaker)
    )
    duration = max((s.end for s in segments), default=0.0)
    return Transcript(language=language_of(eaf), duration=duration, segments=tuple(segments))


def read(path: Path) -> Any:
    """The ELAN document at ``path`` (pympi's), for the functions here that take one.

    Raises:
        UserError: it is not a readable EAF file.
    """
    import pympi

    try:
        return pympi.Eaf(str(path), suppress_version_warning=True)
    except Exception as exc:  # pympi raises bare exceptions on malformed XML
        raise UserError(f"{path} is not a readable ELAN file ({exc}).") from exc


def language_of(eaf: Any) -> str:
    """The language MMS Desktop recorded in the document, or ""."""
    return str(dict(eaf.get_properties()).get(LANGUAGE_PROPERTY, ""))


def load_tiers(eaf: Any, path: Path, tiers: list[str] | None = None) -> dict[str, list[Segment]]:
    """The segments of each tier asked for, by tier name; without ``tiers``, of the transcription tiers MMS
    Desktop writes or, in a file made elsewhere, of every top-level tier with annotations (one per speaker,
    as ELAN users lay them out). A segment's speaker is its tier's participant.

    Args:
        eaf: the document (:func:`read`) of the file at ``path``.

    Raises:
        UserError: a tier does not exist, or one of its annotations has no time or points at a time slot
            the file lacks.
    """
    names = eaf.get_tier_names()
    missing = [t for t in tiers or [] if t not in names]
    if missing:
        raise UserError(f"{path} has no tier '{missing[0]}'; its tiers are: {', '.join(names)}.")
    if not tiers:
        tiers = [t for t in names if eaf.tiers[t][2].get("LINGUISTIC_TYPE_REF") == TRANSCRIPTION]
        tiers = tiers or [t for t in names if "PARENT_REF" not in eaf.tiers[t][2] and eaf.tiers[t][0]]
    found = {}
    for main in tiers:
        speaker = eaf.tiers[main][2].get("PARTICIPANT", "")
        words = _words(eaf, main)
        found[main] = [
            Segment(
                start / 1000,
                end / 1000,
                text,
                tuple(w for w in words if start / 1000 <= w.start and w.end <= end / 1000),
                speaker,
            )
            for start, end, text in _sorted(eaf, main, path)
        ]
    return found


def _sorted(eaf: Any, tier: str, path: Path) -> list[tuple[int, int, str]]:
    try:
        rows = eaf.get_annotation_data_for_tier(tier)
    except KeyError as exc:
        raise UserError(
            f"{path} is damaged: an annotation of tier '{tier}' points at a time slot it lacks; "
            "open it in ELAN and save it again."
        ) from exc
    timed = [(r[0], r[1], str(r[2])) for r in rows if isinstance(r[0], int) and isinstance(r[1], int)]
    if len(timed) < len(rows):
        raise UserError(
            f"{len(rows) - len(timed)} annotation(s) of tier '{tier}' in {path} have no time; give "
            "them times in ELAN, or choose a time-aligned tier."
        )
    return sorted(timed)


def _words(eaf: Any, main: str) -> list[Word]:
    word_tier = _child(eaf, main, WORDS)
    if word_tier is None:
        return []
    slots = eaf.timeslots
    word_ids = eaf.tiers[word_tier][0]  # {id: (slot1, slot2, value, svg)}
    by_word, by_time = {}, {}
    for c in eaf.get_child_tiers_for(word_tier):
        aligned, refs = eaf.tiers[c][0], eaf.tiers[c][1]
        for b, e, value, _svg in aligned.values():  # confidence on the word's own times
            by_time[(slots.get(b), slots.get(e))] = number_or_certain(value)
        for word_id, value, *_ in refs.values():  # earlier exports: references to word ids
            by_word[word_id] = number_or_certain(value)
    words = [
        Word(value, slots[b] / 1000, slots[e] / 1000, by_word.get(word_id, by_time.get((slots[b], slots[e]), 1.0)))
        for word_id, (b, e, value, _svg) in word_ids.items()
        if isinstance(slots.get(b), int) and isinstance(slots.get(e), int)  # a word not yet timed is left out
    ]
    return sorted(words, key=lambda w: (w.start, w.end))


def with_words(eaf: Any, aligned: dict[str, list[Segment]]) -> str:
    """The document (:func:`read`) as it is, with the words (and their confidences) of each tier in
    ``aligned`` as tiers beneath it: every other tier, annotation, link and setting of the file is kept, and
    the aligned tiers themselves keep their annotations. Word tiers made by an earlier alignment are
    replaced. The document is changed."""
    import pympi

    for kind in (WORDS, CONFIDENCE):
        if kind not in eaf.linguistic_types:
            eaf.add_linguistic_type(kind, constraints="Included_In", timealignable=True)
    for main, segments in aligned.items():
        participant = eaf.tiers[main][2].get("PARTICIPANT")
        words = _child(eaf, main, WORDS) or _free(eaf, f"{main} - {WORDS}")
        conf = (_child(eaf, words, CONFIDENCE) if words in eaf.tiers else None) or _free(eaf, f"{main} - {CONFIDENCE}")
        for tier in (conf, words):
            if tier in eaf.tiers:
                eaf.remove_tier(tier, clean=False)
        eaf.add_tier(words, ling=WORDS, parent=main, part=participant)
        eaf.add_tier(conf, ling=CONFIDENCE, parent=words, part=participant)
        for segment in segments:
            for word in segment.words:
                start, end = _word_span(word, _ms(segment.end))
                eaf.add_annotation(words, start, end, word.word)
                eaf.add_annotation(conf, start, end, f"{word.confidence:.4f}")
    eaf.clean_time_slots()
    return str(pympi.Elan.to_string(eaf))


def _child(eaf: Any, tier: str, kind: str) -> str | None:
    """The first tier beneath ``tier`` of the linguistic type ``kind``."""
    return next((c for c in eaf.get_child_tiers_for(tier) if eaf.tiers[c][2].get("LINGUISTIC_TYPE_REF") == kind), None)


def _free(eaf: Any, name: str) -> str:
    """``name``, or ``name (2)`` … when a tier of that name exists already for something else."""
    candidate, n = name, 2
    while candidate in eaf.tiers:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def linked_media(eaf: Any, path: Path) -> list[Path]:
    """The media files the document (:func:`read`) of the EAF at ``path`` links to that exist here, its
    relative links first (resolved against the EAF's folder, as ELAN does; they survive moving a project),
    then its absolute ones."""
    from urllib.parse import unquote, urlparse

    found: list[Path] = []
    for descriptor in eaf.media_descriptors:
        relative, absolute = descriptor.get("RELATIVE_MEDIA_URL", ""), descriptor.get("MEDIA_URL", "")
        candidates = []
        if relative:
            candidates.append(path.parent / unquote(relative.removeprefix("file:")))
        if absolute.startswith("file:"):
            candidates.append(Path(unquote(urlparse(absolute).path)))
        found += [c for c in candidates if c.is_file() and c not in found]
    return found
