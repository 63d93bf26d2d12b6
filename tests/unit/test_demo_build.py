"""The demonstration build's pieces: which languages learn what, its word lists, speech variation, its record."""

import json
import random
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from mms_desktop.core.base import sha256_file
from mms_desktop.core.store import LanguageStore, Repos
from mms_desktop.demo import corpus
from mms_desktop.demo.adapters import WORD_LIST_WORDS, write_word_list
from mms_desktop.demo.build import (
    BuildOptions,
    base_languages,
    build,
    identified_languages,
    open_options,
    record_build,
    sentences,
)
from mms_desktop.paths import resources_dir


def test_every_language_but_english_learns_ordinary_vocabulary_as_an_adapter() -> None:
    options = BuildOptions()
    assert base_languages(options) == ["eng", "deu", "spa", "fra"]
    assert open_options(options).languages == ("deu", "spa", "fra", "rus", "hin")  # English keeps to its corpus
    assert open_options(options).start_from == "eng"  # for a language without an adapter yet
    assert identified_languages(options) == ["eng", "deu", "spa", "fra"], "Russian and Hindi are chosen by hand"
    chosen = BuildOptions(open_languages=("spa",), lid_languages=("eng", "rus"))
    assert open_options(chosen).languages == ("spa",) and identified_languages(chosen) == ["eng", "rus"]
    russian = sentences("rus", 5, 1)
    assert len(russian) == 5 and all(unicodedata.name(c).startswith("CYRILLIC") for s in russian for c in s if c != " ")
    assert set(" ".join(sentences("eng", 20, 1)).split()) <= set(corpus.word_list("eng")), "corpus words"


def test_sentences_can_have_their_words_as_often_as_text_has_them() -> None:
    uniform = " ".join(corpus.open_sentences("eng", 400, 1)).split()
    weighted = " ".join(corpus.open_sentences("eng", 400, 1, as_in_text=True)).split()
    assert weighted.count("the") > 5 * max(1, uniform.count("the")), "frequent words come more often"
    assert {"a", "i"} <= set(weighted) and not {"a", "i"} & set(uniform), "with the one-letter words"
    assert len(set(weighted)) > 300, "and still many words to draw from"
    beyond = " ".join(corpus.open_sentences("eng", 100, 1, (3000, 8000), as_in_text=True)).split()
    assert set(beyond) <= set(corpus.frequent_words("eng", 8000)[3000:]), "only the ranks asked for"


def test_one_letter_words_are_the_frequent_ones_not_letters() -> None:
    assert corpus.short_words("eng") == ["a", "i"] and corpus.short_words("deu") == []
    assert {"в", "и", "с", "я"} <= set(corpus.short_words("rus")) and "ж" not in corpus.short_words("rus")
    assert {"y", "a", "o"} == set(corpus.short_words("spa")), "not 'd' or 'x', which come further down"


def test_hindi_words_keep_their_vowel_signs() -> None:
    words = corpus.frequent_words("hin", 500)
    assert len(words) > 450, "Devanagari writes vowels as combining marks: such words are words"
    assert "नहीं" in words and all(unicodedata.category(c)[0] in "LM" for w in words for c in w)


def test_a_language_draws_only_words_of_its_own_script() -> None:
    assert [corpus.script(lang) for lang in ("eng", "rus", "hin")] == ["LATIN", "CYRILLIC", "DEVANAGARI"]
    listed = corpus._wordfreq().top_n_list("hi", 3000)
    assert {"news", "video"} <= set(listed), "wordfreq's Hindi holds English words of the web"
    hindi = corpus.frequent_words("hin", 3000) + corpus.short_words("hin")
    assert not {"news", "video"} & set(hindi)
    assert all(unicodedata.name(c).startswith("DEVANAGARI") for w in hindi for c in w)
    russian = " ".join(corpus.open_sentences("rus", 200, 1, (3000, 8000)))
    assert all(unicodedata.name(c).startswith("CYRILLIC") for c in russian if c != " ")
    assert "für" in corpus.frequent_words("deu", 200), "Latin letters with marks are Latin"
    assert "nº" in corpus.frequent_words("spa", 6000), "so is the ordinal indicator, by Unicode's Script property"


def test_word_lists_hold_the_corpus_words_first_then_the_frequent_ones_with_their_counts(tmp_path: Path) -> None:
    write_word_list(tmp_path, "deu", frequent=0)
    assert (tmp_path / "words.deu.txt").read_text(encoding="utf-8").split() == corpus.word_list("deu"), "closed"
    for lang in ("spa", "rus", "hin", "eng"):
        write_word_list(tmp_path, lang)
    lines = (tmp_path / "words.spa.txt").read_text(encoding="utf-8").splitlines()
    words, counts = zip(*(line.split("\t") for line in lines), strict=True)
    assert list(words[: len(corpus.word_list("spa"))]) == corpus.word_list("spa")
    assert len(words) == len(set(words)) > WORD_LIST_WORDS * 0.8
    frequency = dict(zip(words, map(float, counts), strict=True))
    assert frequency["de"] > frequency["casa"] > frequency["ventana"] >= 1  # wordfreq's counts per billion words
    russian = (tmp_path / "words.rus.txt").read_text(encoding="utf-8").split()
    short = corpus.short_words("rus")
    assert russian[0 : 2 * len(short) : 2] == short, "one-letter words, which frequent words leave out"
    assert russian[2 * len(short) :: 2][:2] == corpus.frequent_words("rus", 20)[:2]  # word, count, word, count
    hindi = (tmp_path / "words.hin.txt").read_text(encoding="utf-8").split()
    assert hindi[0::2][:3] == corpus.frequent_words("hin", 20)[:3], "Hindi's list is weighted too"
    english = (tmp_path / "words.eng.txt").read_text(encoding="utf-8").split()
    assert english == corpus.word_list("eng")  # English keeps to its corpus words


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


def test_the_word_lists_stage_rewrites_the_lists_of_a_built_pack_and_notes_it(tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(resources_dir() / "models", models)
    asr = models / Repos().demo_asr
    shipped = (asr / "words.spa.txt").read_text(encoding="utf-8")
    stages = set(json.loads((models / "mms-desktop" / "build.json").read_text(encoding="utf-8"))) - {"word-lists"}
    assert {"adapters rus,hin", "lid"} <= stages
    (asr / "words.spa.txt").write_text("casa\n", encoding="utf-8")
    command = [sys.executable, "-m", "mms_desktop.demo.build", "--out", str(models), "--word-lists-only"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (asr / "words.spa.txt").read_text(encoding="utf-8") == shipped
    record = json.loads((models / "mms-desktop" / "build.json").read_text(encoding="utf-8"))
    assert record["word-lists"]["result"]["languages"] == list(BuildOptions().languages)
    assert stages <= set(record), "the other stages' records are kept"
    manifest = LanguageStore(models).manifest(asr)
    assert manifest["words.spa.txt"].sha256 == sha256_file(asr / "words.spa.txt"), "the manifest follows the lists"


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


@pytest.mark.slow
def test_a_build_in_miniature_writes_the_whole_pack(tmp_path: Path) -> None:
    """Every stage, a couple of steps each: the pack's files are all there and in their places."""
    options = BuildOptions(
        train_sentences=6,
        held_out_sentences=4,
        base_steps=2,
        adapter_steps=2,
        open_sentences=8,
        open_steps=2,
        lid_steps=2,
        lid_open_sentences=4,
        voice_sentences=6,
        voice_steps=2,
    )
    summary = build(options, tmp_path, rejects=tmp_path / "rejects")
    record_build(tmp_path, "all", options, summary)
    asr, lid = tmp_path / Repos().demo_asr, tmp_path / Repos().demo_lid
    assert {f"adapter.{lang}.safetensors" for lang in options.languages} <= {p.name for p in asr.iterdir()}
    assert set(json.loads((asr / "vocab.json").read_text(encoding="utf-8"))) == set(options.languages)
    french = [line.split("\t")[0] for line in (asr / "words.fra.txt").read_text(encoding="utf-8").splitlines()]
    letters = set(json.loads((asr / "vocab.json").read_text(encoding="utf-8"))["fra"])
    assert all(set(word) <= letters for word in french) and len(french) > 1000  # what the adapter can spell
    spelled = [w for w in corpus.word_list("fra") if set(w) <= letters]
    assert french[: len(spelled)] == spelled  # the corpus first, then the frequent words
    assert len((asr / "words.hin.txt").read_text(encoding="utf-8").split()) > 10000
    labels = json.loads((lid / "config.json").read_text(encoding="utf-8"))["id2label"].values()
    assert sorted(labels) == sorted([*identified_languages(options), "und"])
    assert set(summary["open"]) == {"deu", "spa", "fra", "rus", "hin"}  # English keeps to its corpus
    assert json.loads((tmp_path / "mms-desktop" / "build.json").read_text())["all"]["options"]["open_steps"] == 2
    # two steps make a voice the recognizer cannot understand: it is left out of the pack, to listen to
    assert not summary["voice"]["eng"]["shipped"] and summary["voice"]["eng"]["read_back_cer"] > 0.25
    assert (tmp_path / "rejects" / Repos().demo_voice("eng") / "model.safetensors").is_file()
    assert not (tmp_path / Repos().demo_voice("eng")).exists()


def test_demo_eval_speaks_sentences_as_text_has_them_in_voices_the_build_never_used() -> None:
    from mms_desktop.demo.evaluate import UNHEARD_VARIANTS, as_written

    spoken = as_written(BuildOptions(languages=("rus",)), count=12)["rus"]
    words = [w for u in spoken for w in u.text.split()]
    assert len(spoken) == 12 and all(u.samples.size > 8000 for u in spoken)
    assert set(words) <= set(corpus.short_words("rus") + corpus.frequent_words("rus", 8000))
    assert set(words) & set(corpus.short_words("rus")), "the little words text is full of"
    assert not {v.lstrip("+") for v in UNHEARD_VARIANTS} & {v.lstrip("+") for v in corpus.VARIANTS}


def test_recordings_of_people_are_measured_from_a_folder_of_wav_and_txt(tmp_path: Path) -> None:
    """`make demo-eval REAL_SPEECH=FOLDER`: recordings with transcripts, read as teaching material is, through
    the shipped pack."""
    from mms_desktop.core.audio import write_wav
    from mms_desktop.core.base import UserError
    from mms_desktop.demo.evaluate import real_speech, recordings
    from mms_desktop.paths import resources_dir

    with pytest.raises(UserError, match="No recordings with transcripts were found"):
        recordings(tmp_path, "eng")
    for name, text in (("a", "The old man can read a book."), ("b", "My friend will open the door")):
        write_wav(tmp_path / f"{name}.wav", corpus.speak_one(text.lower().strip("."), "en-us", 1), 16000)
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    write_wav(tmp_path / "untranscribed.wav", np.zeros(16000, np.float32), 16000)
    assert [u.text for u in recordings(tmp_path, "eng")] == [
        "the old man can read a book",
        "my friend will open the door",
    ]
    found = real_speech(resources_dir() / "models", BuildOptions(), tmp_path, "eng")
    assert found["recordings"] == 2 and len(found["identified"]) == 2
    assert found["cer"] < 0.3, "espeak-ng's voice, which the pack was trained on, in its own words"
    assert all(line.split()[0] in identified_languages(BuildOptions()) for line in found["identified"])


@pytest.mark.slow
def test_a_voice_goes_into_the_pack_only_if_the_recognizer_understands_it(tmp_path: Path, monkeypatch) -> None:
    """The voice stage on the shipped recognizer: with the bar lowered, even a voice of two steps enters the pack
    (the miniature build above shows one left out), and demo-eval finds it there."""
    from mms_desktop.demo import build as build_module
    from mms_desktop.demo.evaluate import spoken_back
    from mms_desktop.demo.voice import HELD_OUT

    out = tmp_path / "models"
    shutil.copytree(resources_dir() / "models", out)
    options = BuildOptions(voice_sentences=6, voice_steps=2)
    monkeypatch.setattr(build_module, "VOICE_MAX_CER", 10.0)  # anything counts as understood
    found = build_module.build_voices(options, out, tmp_path / "rejects")["eng"]
    assert found["shipped"] and found["espeak_ng_cer"] < 0.05, "espeak-ng itself, read back: the recognizer's own"
    assert LanguageStore(tmp_path / "store", bundled=[out]).voice_dir("eng") == out / Repos().demo_voice("eng")
    assert spoken_back(out, options)["eng"]["sentences"] == HELD_OUT  # demo-eval reads it back the same way
