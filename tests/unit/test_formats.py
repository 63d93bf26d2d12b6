"""Every transcript format round-trips: export, import, same segments and times within 1 ms."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mms_desktop.core import formats
from mms_desktop.core.base import Segment, Transcript, UserError, Word


def seg(start, end, words, speaker="", text=None):
    timed = tuple(Word(w, s, e, c) for w, s, e, c in words)
    return Segment(start, end, text if text is not None else " ".join(w.word for w in timed), timed, speaker)


SAMPLES = {
    "latin": Transcript("eng", 4.0, (seg(0.52, 1.91, [("hello", 0.52, 1.0, 0.91), ("world", 1.1, 1.91, 0.42)]),
                                     seg(2.3, 3.875, [("again", 2.3, 3.875, 0.8)]))),
    "non-latin": Transcript("cmn-script_simplified", 3.0, (
        seg(0.1, 1.5, [("你好", 0.1, 0.7, 0.6), ("世界", 0.8, 1.5, 0.7)]),
        seg(1.6, 2.9, [("Привет", 1.6, 2.2, 0.5), ("ἀλήθεια", 2.3, 2.9, 0.99)]))),
    "overlapping speakers": Transcript("eng", 5.0, (
        seg(0.5, 2.5, [("yes", 0.5, 1.0, 0.9), ("indeed", 1.2, 2.5, 0.8)], speaker="S1"),
        seg(1.5, 3.0, [("no", 1.5, 3.0, 0.7)], speaker="S2"))),
    "very long": Transcript("eng", 3 * 3600.0, tuple(
        seg(i * 5.4 + 0.001, i * 5.4 + 4.999, [("word", i * 5.4 + 0.001, i * 5.4 + 2.0, 0.5),
                                                ("next", i * 5.4 + 2.5, i * 5.4 + 4.999, 0.25)])
        for i in range(2000))),
}  # fmt: skip
TIMED = ["json", "srt", "vtt", "eaf", "textgrid"]


def export_import(transcript: Transcript, fmt: str, tmp_path: Path, media: Path | None = None) -> Transcript:
    path = tmp_path / f"t{formats.SUFFIXES[fmt]}"
    path.write_text(formats.render(transcript, fmt, media), encoding="utf-8")
    return formats.load(path)


def assert_same(a: Transcript, b: Transcript, words: bool) -> None:
    assert len(a.segments) == len(b.segments)
    for x, y in zip(a.segments, b.segments, strict=True):
        assert x.text == y.text and x.speaker == y.speaker
        assert abs(x.start - y.start) < 0.001 and abs(x.end - y.end) < 0.001
        if words:
            assert [w.word for w in x.words] == [w.word for w in y.words]
            for v, w in zip(x.words, y.words, strict=True):
                assert abs(v.start - w.start) < 0.001 and abs(v.end - w.end) < 0.001
                assert abs(v.confidence - w.confidence) < 1e-4


@pytest.mark.parametrize("fmt", TIMED)
@pytest.mark.parametrize("name", list(SAMPLES))
def test_round_trip(fmt: str, name: str, tmp_path: Path) -> None:
    transcript = SAMPLES[name]
    if fmt in ("srt", "vtt") and name == "overlapping speakers":
        transcript = Transcript(
            transcript.language,
            transcript.duration,
            tuple(Segment(s.start, s.end, s.text, s.words) for s in transcript.segments),
        )
    back = export_import(transcript, fmt, tmp_path)
    assert_same(transcript, back, words=fmt not in ("srt", "vtt"))


@pytest.mark.parametrize("fmt", ["json", "eaf"])
def test_empty_segments_survive(fmt: str, tmp_path: Path) -> None:
    transcript = Transcript("eng", 3.0, (seg(0.5, 1.0, []), seg(1.5, 2.0, [("hi", 1.5, 2.0, 0.9)])))
    assert_same(transcript, export_import(transcript, fmt, tmp_path), words=True)


def test_eaf_has_the_structure_elan_requires(tmp_path: Path) -> None:
    media = tmp_path / "speaker1.wav"
    root = ET.fromstring(formats.render(SAMPLES["overlapping speakers"], "eaf", media))
    assert root.tag == "ANNOTATION_DOCUMENT" and root.get("VERSION") == "3.0"
    descriptor = root.find("HEADER/MEDIA_DESCRIPTOR")
    assert descriptor is not None and descriptor.get("RELATIVE_MEDIA_URL") == "./speaker1.wav"
    assert descriptor.get("MEDIA_URL") == media.absolute().as_uri()
    slots = {ts.get("TIME_SLOT_ID"): int(ts.get("TIME_VALUE")) for ts in root.iter("TIME_SLOT")}
    declared = {lt.get("LINGUISTIC_TYPE_ID"): lt for lt in root.iter("LINGUISTIC_TYPE")}
    tiers = {t.get("TIER_ID"): t for t in root.iter("TIER")}
    assert set(tiers) == {f"{k} - {s}" for k in ("transcription", "words", "confidence") for s in ("S1", "S2")}
    for tier in tiers.values():
        assert tier.get("LINGUISTIC_TYPE_REF") in declared
        assert tier.get("PARENT_REF") in (None, *tiers)
    for annotation in root.iter("ALIGNABLE_ANNOTATION"):
        assert annotation.get("TIME_SLOT_REF1") in slots and annotation.get("TIME_SLOT_REF2") in slots
    assert not list(root.iter("REF_ANNOTATION"))
    assert declared["confidence"].get("CONSTRAINTS") == "Included_In"
    assert declared["words"].get("CONSTRAINTS") == "Included_In"
    assert tiers["confidence - S1"].get("PARENT_REF") == "words - S1"
    assert tiers["words - S1"].get("PARENT_REF") == "transcription - S1"


def test_eaf_export_reads_in_pympi_tier_by_tier(tmp_path: Path) -> None:
    """Scripts read exports with pympi: every tier, confidence included, on the words' own times."""
    import pympi

    path = tmp_path / "t.eaf"
    path.write_text(formats.render(SAMPLES["overlapping speakers"], "eaf"), encoding="utf-8")
    eaf = pympi.Elan.Eaf(str(path))
    read = {tier: sorted(eaf.get_annotation_data_for_tier(tier)) for tier in eaf.get_tier_names()}
    assert read["words - S1"] == [(500, 1000, "yes"), (1200, 2500, "indeed")]
    assert read["confidence - S1"] == [(500, 1000, "0.9000"), (1200, 2500, "0.8000")]
    assert read["transcription - S2"] == [(1500, 3000, "no")]


def test_eaf_zero_length_words_are_exported_with_one_millisecond(tmp_path: Path) -> None:
    words = [("a", 0.5, 0.5, 0.9), ("b", 0.6, 0.9, 0.8), ("c", 1.0, 1.0, 0.7)]  # "c" ends the segment
    back = export_import(Transcript("eng", 2.0, (seg(0.5, 1.0, words),)), "eaf", tmp_path)
    assert [(w.word, w.start, w.end) for w in back.segments[0].words] == [
        ("a", 0.5, 0.501),
        ("b", 0.6, 0.9),
        ("c", 0.999, 1.0),
    ]


def test_eaf_confidence_as_reference_annotations_still_loads(tmp_path: Path) -> None:
    """Exports from earlier versions held confidence as symbolic associations to the word ids."""
    import pympi

    eaf = pympi.Eaf(author="MMS Desktop")
    eaf.add_linguistic_type("transcription")
    eaf.add_linguistic_type("words", constraints="Included_In")
    eaf.add_linguistic_type("confidence", constraints="Symbolic_Association", timealignable=False)
    eaf.add_tier("transcription - A", ling="transcription")
    eaf.add_tier("words - A", ling="words", parent="transcription - A")
    eaf.add_tier("confidence - A", ling="confidence", parent="words - A")
    eaf.add_annotation("transcription - A", 0, 2000, "hello world")
    eaf.add_annotation("words - A", 0, 900, "hello")
    eaf.add_annotation("words - A", 1000, 2000, "world")
    eaf.add_ref_annotation("confidence - A", "words - A", 450, "0.3")
    eaf.add_ref_annotation("confidence - A", "words - A", 1500, "0.7")
    path = tmp_path / "old.eaf"
    pympi.Elan.to_eaf(str(path), eaf)
    words = formats.load(path).segments[0].words
    assert [(w.word, w.confidence) for w in words] == [("hello", 0.3), ("world", 0.7)]


def test_choosing_a_tier_and_reading_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "t.eaf"
    path.write_text(formats.render(SAMPLES["overlapping speakers"], "eaf"), encoding="utf-8")
    only = formats.load(path, tier="transcription - S2")
    assert [s.text for s in only.segments] == ["no"]
    with pytest.raises(UserError, match="has no tier 'x'; its tiers are"):
        formats.load(path, tier="x")
    text = tmp_path / "t.txt"
    text.write_text("first line\n\nsecond line\n", encoding="utf-8")
    assert [s.text for s in formats.load(text).segments] == ["first line", "second line"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("x.eaf", "<not-elan", "is not a readable ELAN file"),
    ("x.TextGrid", "garbage", "is not a readable Praat TextGrid"),
    ("x.json", "{}", "is not a transcript written by MMS Desktop"),
    ("x.docx", "", "is not a transcript format"),
])  # fmt: skip
def test_bad_transcript_files_are_one_clear_sentence(tmp_path: Path, name: str, content: str, message: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(UserError, match=message):
        formats.load(tmp_path / name)


LONG_GRID = """File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 2
tiers? <exists>
size = 2
item []:
    item [1]:
        class = "IntervalTier"
        name = "utterances"
        xmin = 0
        xmax = 2
        intervals: size = 2
        intervals [1]:
            xmin = 0
            xmax = 1.5
            text = "hello there"
        intervals [2]:
            xmin = 1.5
            xmax = 2
            text = ""
    item [2]:
        class = "TextTier"
        name = "events"
        xmin = 0
        xmax = 2
        points: size = 1
        points [1]:
            number = 1.2
            mark = "click"
"""
# The same grid as Praat writes it in its short text form.
SHORT_GRID = """File type = "ooTextFile"
Object class = "TextGrid"

0
2
<exists>
2
"TextTier"
"events"
0
2
1
1.2
"click"
"IntervalTier"
"utterances"
0
2
2
0
1.5
"hello there"
1.5
2
""
"""


@pytest.mark.parametrize("content", [LONG_GRID, SHORT_GRID], ids=["long", "short"])
def test_praat_text_grids_with_point_tiers(content: str, tmp_path: Path) -> None:
    path = tmp_path / "praat.TextGrid"
    path.write_text(content, encoding="utf-8")
    for tier in (None, "utterances"):  # the interval tier is found beside the point tier, or named
        transcript = formats.load(path, tier)
        assert [(s.start, s.end, s.text) for s in transcript.segments] == [(0.0, 1.5, "hello there")]
    with pytest.raises(UserError, match="'events' .* is a point tier.* choose an interval tier \\(utterances\\)"):
        formats.load(path, "events")


def test_a_grid_of_points_only_and_a_binary_grid_are_refused_clearly(tmp_path: Path) -> None:
    points = tmp_path / "points.TextGrid"
    points.write_text(
        LONG_GRID.replace("size = 2\nitem", "size = 1\nitem").split("    item [1]")[0]
        + "    item [1]"
        + LONG_GRID.split("    item [2]")[1],
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="has only point tiers"):
        formats.load(points)
    binary = tmp_path / "binary.TextGrid"
    binary.write_bytes(b"ooBinaryFile\x08TextGrid" + bytes(range(40)))
    with pytest.raises(UserError, match="binary TextGrid; in Praat use Save as text file"):
        formats.load(binary)


@pytest.mark.parametrize("value", ["hello", "nan", "7", ""])
def test_a_confidence_tier_holding_something_else_counts_as_certain(value: str, tmp_path: Path) -> None:
    for fmt in ("textgrid", "eaf"):
        text = formats.render(SAMPLES["latin"], fmt).replace('"0.9100"', f'"{value}"').replace(">0.9100<", f">{value}<")
        path = tmp_path / f"t{formats.SUFFIXES[fmt]}"
        path.write_text(text, encoding="utf-8")
        words = [w for s in formats.load(path).segments for w in s.words]
        assert [w.confidence for w in words] == [1.0, 0.42, 0.8]


def spoken(sentences: list[str], start: float = 0.0, word_s: float = 0.3, pause_s: float = 0.25) -> Segment:
    """One segment of timed words, a short pause after each sentence."""
    words, t = [], start
    for sentence in sentences:
        for word in sentence.split():
            words.append(Word(word, round(t, 3), round(t + word_s, 3), 0.9))
            t += word_s
        t += pause_s
    return Segment(words[0].start, words[-1].end, " ".join(w.word for w in words), tuple(words))


FOUR_SENTENCES = [
    "The river rose after the rain.",
    "Nobody crossed the old bridge that week.",
    "Children watched the water from the hill.",
    "By Sunday it was calm again.",
]


def test_subtitles_are_cut_at_words_to_subtitle_norms(tmp_path: Path) -> None:
    import srt as srt_parser
    import webvtt

    segment = spoken(FOUR_SENTENCES[:2])
    late = spoken(FOUR_SENTENCES[2:], start=segment.end + 2.5)  # a long pause inside the recording
    transcript = Transcript("eng", late.end + 0.5, (segment, late))
    srt_cues = list(srt_parser.parse(formats.render(transcript, "srt")))
    (tmp_path / "t.vtt").write_text(formats.render(transcript, "vtt"), encoding="utf-8")
    vtt_cues = webvtt.read(str(tmp_path / "t.vtt")).captions
    assert len(srt_cues) == len(vtt_cues) >= 4, "one cue per sentence at least"
    for cue in srt_cues:
        lines = cue.content.split("\n")
        seconds = (cue.end - cue.start).total_seconds()
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), lines
        assert 1.0 <= seconds <= 7.0, (cue.content, seconds)
        assert not (cue.start.total_seconds() < segment.end + 1 < cue.end.total_seconds()), "never across the pause"
    said = " ".join(" ".join(c.content.split()) for c in srt_cues)
    assert said == " ".join(FOUR_SENTENCES)
    assert [" ".join(c.text.split()) for c in vtt_cues] == [" ".join(c.content.split()) for c in srt_cues]


def test_long_untimed_text_is_cut_into_readable_cues() -> None:
    text = " ".join(FOUR_SENTENCES * 2)
    transcript = Transcript("eng", 20.0, (Segment(0.0, 20.0, text),))
    cues = formats.subtitles.cues(transcript)
    assert len(cues) > 2 and all(len(c.text.split("\n")) <= 2 for c in cues)
    assert cues[0].start == 0.0 and cues[-1].end == 20.0
    assert all(a.end == pytest.approx(b.start) for a, b in zip(cues, cues[1:], strict=False))


def test_webvtt_text_is_escaped_so_readers_keep_it(tmp_path: Path) -> None:
    import html

    import webvtt

    hard = ["<unclear> said A & B", "the arrow --> points", "x < y > z &amp; done"]
    transcript = Transcript("eng", 9.0, tuple(Segment(i * 3.0, i * 3.0 + 2.0, t) for i, t in enumerate(hard)))
    path = tmp_path / "t.vtt"
    path.write_text(formats.render(transcript, "vtt"), encoding="utf-8")
    # webvtt-py strips cue tags and leaves character references to the viewer, which decodes them
    assert [html.unescape(c.text) for c in webvtt.read(str(path)).captions] == hard
    assert [s.text for s in formats.load(path).segments] == hard, "and our own reader reads them back"
    srt_path = tmp_path / "t.srt"
    srt_path.write_text(formats.render(transcript, "srt"), encoding="utf-8")
    assert [s.text for s in formats.load(srt_path).segments] == hard


def test_a_line_break_in_a_transcript_never_ends_a_cue() -> None:
    import srt as srt_parser

    transcript = Transcript("eng", 4.0, (Segment(0.0, 2.0, "first line\n\nsecond line"), Segment(2.0, 4.0, "next")))
    assert [" ".join(c.content.split()) for c in srt_parser.parse(formats.render(transcript, "srt"))] == [
        "first line second line",
        "next",
    ]


def _json_variants() -> list[str]:
    """Transcripts of the right shape with one field of the wrong type or value, and broken JSON."""
    good = json.loads(formats.render(SAMPLES["latin"], "json"))
    variants = []
    wrong_values = [5, None, True, "text", [], {}, -1.0, [1], 1e400]
    for key in ("language", "duration", "segments", "language_probability"):
        variants += [json.dumps(good | {key: v}) for v in wrong_values if not (key == "language" and v == "text")]
    for key in ("start", "end", "text", "words", "speaker"):
        for v in wrong_values:
            data = json.loads(json.dumps(good))
            data["segments"][0][key] = v
            variants.append(json.dumps(data))
    for key in ("word", "start", "end", "confidence"):
        for v in wrong_values:
            data = json.loads(json.dumps(good))
            data["segments"][0]["words"][0][key] = v
            variants.append(json.dumps(data))
    variants += ["[" * 100_000 + "]" * 100_000, '{"segments": ' + "[" * 50_000, "null", "[]", '"text"', "5"]
    return variants


def test_a_transcript_json_with_any_field_wrong_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    refused = read = 0
    for text in _json_variants():
        path.write_text(text.replace("Infinity", "1e400"), encoding="utf-8")
        try:
            transcript = formats.load(path)
        except UserError as exc:
            assert "is not a transcript written by MMS Desktop" in str(exc)
            refused += 1
        else:  # what is read is usable everywhere a transcript goes
            read += 1
            for fmt in formats.WRITERS:
                formats.render(transcript, fmt)
    assert refused >= 100, (refused, read)
