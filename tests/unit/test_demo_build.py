"""The demonstration build's pieces: which languages learn what, its word lists, speech variation, its record."""

import json
import random
import unicodedata
from pathlib import Path

import numpy as np

from mms_desktop.demo import corpus
from mms_desktop.demo.adapters import WORD_LIST_WORDS, write_word_list
from mms_desktop.demo.build import (
    BuildOptions,
    base_languages,
    identified_languages,
    open_options,
    record_build,
    sentences,
)


def test_languages_without_a_corpus_come_as_adapters_on_ordinary_vocabulary() -> None:
    options = BuildOptions()
    assert base_languages(options) == ["eng", "deu", "spa", "fra"]
    assert open_options(options).languages == ("rus", "hin") and open_options(options).start_from == "eng"
    assert identified_languages(options) == ["eng", "deu", "spa", "fra"], "Russian and Hindi are chosen by hand"
    chosen = BuildOptions(open_languages=("spa",), lid_languages=("eng", "rus"))
    assert open_options(chosen).languages == ("spa",) and identified_languages(chosen) == ["eng", "rus"]
    russian = sentences("rus", 5, 1)
    assert len(russian) == 5 and all(unicodedata.name(c).startswith("CYRILLIC") for s in russian for c in s if c != " ")
    assert set(" ".join(sentences("eng", 20, 1)).split()) <= set(corpus.word_list("eng")), "corpus words"


def test_hindi_words_keep_their_vowel_signs() -> None:
    words = corpus.frequent_words("hin", 500)
    assert len(words) > 450, "Devanagari writes vowels as combining marks: such words are words"
    assert "नहीं" in words and all(unicodedata.category(c)[0] in "LM" for w in words for c in w)


def test_word_lists_hold_the_corpus_words_first_then_the_frequent_ones(tmp_path: Path) -> None:
    write_word_list(tmp_path, "spa")
    write_word_list(tmp_path, "rus")
    spanish = (tmp_path / "words.spa.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert spanish[: len(corpus.word_list("spa"))] == corpus.word_list("spa")
    assert len(spanish) == len(set(spanish)) > WORD_LIST_WORDS * 0.8
    russian = (tmp_path / "words.rus.txt").read_text(encoding="utf-8").split()
    assert russian[:3] == corpus.frequent_words("rus", 20)[:3]


def test_speech_is_varied_in_level_and_noise_the_same_way_for_the_same_seed() -> None:
    tone = (0.5 * np.sin(np.arange(16000) * 0.05)).astype(np.float32)
    first = corpus.vary(tone, random.Random("a"))
    again = corpus.vary(tone, random.Random("a"))
    assert np.array_equal(first, again) and first.dtype == np.float32
    rng = random.Random(3)
    varied = [corpus.vary(tone, rng) for _ in range(40)]
    peaks = [float(np.abs(v).max()) for v in varied]
    assert max(peaks) <= 1.0 and min(peaks) < 0.2 and max(peaks) > 0.5, "levels from -18 to +3 dB"
    noisy = [v for v in varied if np.abs(v - tone * (np.dot(v, tone) / np.dot(tone, tone))).max() > 1e-4]
    assert 5 < len(noisy) < 35, "about half have noise"


def test_the_build_notes_each_stage_with_its_seed(tmp_path: Path) -> None:
    record_build(tmp_path, "all", BuildOptions(seed=3), {"wall_seconds": 1})
    record_build(tmp_path, "lid", BuildOptions(seed=4, lid_steps=7), {"lid_accuracy": 0.5})
    record = json.loads((tmp_path / "mms-desktop" / "build.json").read_text())
    assert record["all"]["options"]["seed"] == 3 and record["lid"]["options"]["lid_steps"] == 7
    assert record["lid"]["result"] == {"lid_accuracy": 0.5}
    record_build(tmp_path, "all", BuildOptions(seed=5), {})
    assert list(json.loads((tmp_path / "mms-desktop" / "build.json").read_text())) == ["all"], (
        "a full build starts over"
    )
