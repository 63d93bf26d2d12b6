"""The bundled demonstration pack recognizes real espeak-ng speech through the real program."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import run_cli

from mms_desktop.core.audio import write_wav
from mms_desktop.core.training import character_error_rate
from mms_desktop.demo import build, corpus
from mms_desktop.demo.lidtrain import clips
from mms_desktop.paths import resources_dir

LANGUAGES = build.LANGUAGES
IDENTIFIED = build.identified_languages(build.BuildOptions())  # Russian and Hindi are chosen by hand
SAMPLE_TEXT = "the old man can read a book"
# Regression guards at the quality the shipped pack has, with room for another espeak-ng build: held-out
# CER from `make demo-eval` with the pack's word lists is eng 0.4 %, deu 0.5 %, spa 1.8 % (0 % on each
# language's three sentences here), fra 5.7 % (its 20,000 listed words let close ones compete), and
# RUS_HIN_CER for Russian and Hindi, which learned only everyday words; random output scores near 100 %.
RUS_HIN_CER = 0.35  # held-out CER in `make demo-eval`: Russian 8.8 %, Hindi 12.5 %
MAX_CER = {"eng": 0.08, "deu": 0.05, "spa": 0.05, "fra": 0.15, "rus": RUS_HIN_CER, "hin": RUS_HIN_CER}


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> dict[str, list[tuple[Path, str]]]:
    """Three held-out sentences per language, in voices and speeds drawn from another seed than training."""
    folder = tmp_path_factory.mktemp("spoken")
    result = {}
    for lang in LANGUAGES:
        texts = build.sentences(lang, 40, 1000)[:3]  # the build's held-out sentences (seed 0 + 1000)
        result[lang] = []
        for i, utterance in enumerate(corpus.generate(lang, texts, seed=77)):
            path = folder / f"{lang}-{i}.wav"
            write_wav(path, utterance.samples, 16000)
            result[lang].append((path, utterance.text))
    return result


def test_the_demo_pack_ships_in_the_mms_layout() -> None:
    asr = resources_dir() / "models/mms-desktop/demo-asr"
    lid = resources_dir() / "models/mms-desktop/demo-lid"
    names = {p.name for p in asr.iterdir()}
    assert {"config.json", "model.safetensors", "vocab.json", "tokenizer_config.json",
            "preprocessor_config.json", "special_tokens_map.json"} <= names  # fmt: skip
    assert {f"adapter.{lang}.safetensors" for lang in LANGUAGES} <= names
    assert set(json.loads((asr / "vocab.json").read_text())) == set(LANGUAGES)
    config = json.loads((lid / "config.json").read_text())
    assert sorted(config["id2label"].values()) == sorted([*IDENTIFIED, "und"]), "und: none of these"
    size = sum(p.stat().st_size for p in [*asr.iterdir(), *lid.iterdir()])
    assert size < 10.5e6


@pytest.mark.parametrize("lang", LANGUAGES)
def test_espeak_speech_is_transcribed_to_the_right_words(spoken, lang, home: Path, tmp_path: Path) -> None:
    files = [str(path) for path, _ in spoken[lang]]
    result = run_cli("transcribe", *files, "--lang", lang, "-o", str(tmp_path), home=home)
    assert result.returncode == 0, result.stderr
    hypotheses = [(tmp_path / f"{Path(f).stem}.txt").read_text().strip() for f in files]
    references = [text for _, text in spoken[lang]]
    cer = character_error_rate(references, hypotheses)
    assert cer <= MAX_CER[lang], list(zip(references, hypotheses, strict=True))


def test_auto_language_picks_the_spoken_language(spoken, home: Path, tmp_path: Path) -> None:
    files = []
    for lang in IDENTIFIED:
        utterances = [corpus.Utterance(lang, t, _read(p)) for p, t in spoken[lang]]
        clip = clips(utterances)[0]
        path = tmp_path / f"{lang}.wav"
        write_wav(path, clip, 16000)
        files.append(str(path))
    result = run_cli("transcribe", *files, "--lang", "auto", "--format", "json", "-o", str(tmp_path / "out"),
                     home=home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    detected = [json.loads((tmp_path / "out" / f"{lang}.json").read_text())["language"] for lang in IDENTIFIED]
    assert detected == IDENTIFIED


def test_auto_language_says_it_is_unsure_of_languages_outside_the_pack(home: Path, tmp_path: Path) -> None:
    """Italian and Polish, which the identifier never heard, in voice variants the build never used: most
    files are called unsure (82 % of such speech in `make demo-eval`) and none is given a transcript in a
    pack language without saying so; the pack's own languages in the same voices are still transcribed."""
    from mms_desktop.demo.evaluate import UNHEARD_VARIANTS

    outside, inside = tmp_path / "outside", tmp_path / "inside"
    for folder, voices in ((outside, {"ita": "it", "pol": "pl"}), (inside, {"eng": "en-us", "deu": "de"})):
        folder.mkdir()
        for lang, voice in voices.items():
            for i, text in enumerate(corpus.open_sentences(lang, 4, 11, (3000, 8000))):
                samples = corpus.speak_one(text, voice + UNHEARD_VARIANTS[i % 3], i)
                write_wav(folder / f"{lang}-{i}.wav", samples, 16000)
    result = run_cli("transcribe", str(outside), "--lang", "auto", home=home)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    transcribed = [line for line in result.stdout.splitlines() if line.startswith("==>")]
    assert len(transcribed) <= 2, result.stdout
    assert "The language is unsure: the likeliest of the candidates (deu, eng, fra, spa) is" in result.stderr
    out = tmp_path / "out"
    kept = run_cli("transcribe", str(inside), "--lang", "auto", "--format", "json", "-o", str(out), home=home)
    done = sorted(p.stem for p in out.glob("*.json"))
    assert len(done) >= 7, kept.stderr
    assert all(json.loads((out / f"{n}.json").read_text())["language"] == n[:3] for n in done)


def test_the_shipped_sample_is_transcribed_with_no_download(home: Path) -> None:
    result = run_cli("transcribe", str(resources_dir() / "sample.wav"), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SAMPLE_TEXT


def test_a_users_word_list_is_checked_used_and_removed(home: Path, tmp_path: Path) -> None:
    sample = str(resources_dir() / "sample.wav")
    bad = tmp_path / "bad.txt"
    bad.write_text("book\nbuch\nstraße\n", encoding="utf-8")
    result = run_cli("words", "add", "eng", str(bad), home=home)
    assert result.returncode == 2, result.stderr
    assert "A word in bad.txt uses letters that 'eng' does not have (straße)" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("words", "add", "xyz", str(bad), home=home)
    assert result.returncode == 2 and "'xyz' is not installed for recognition" in result.stderr

    animals = tmp_path / "animals.txt"
    animals.write_text("Cat dog\nbird 12\nfish\n", encoding="utf-8")  # a count for "bird", the others once
    result = run_cli("words", "add", "eng", str(animals), home=home)
    assert result.returncode == 0 and "your 4 words, the frequent ones first" in result.stdout, result.stderr
    listing = run_cli("words", "list", home=home).stdout.splitlines()
    assert any(line.startswith("eng\t4 words with counts\tyours") for line in listing), listing
    assert any(re.match(r"deu\t\d{5} words with counts\tshipped", line) for line in listing), listing
    assert any(re.match(r"hin\t\d{5} words with counts\tshipped", line) for line in listing), listing
    heard = run_cli("transcribe", sample, "--lang", "eng", home=home).stdout.split()
    assert heard and set(heard) <= {"cat", "dog", "bird", "fish"}, heard
    free = run_cli("transcribe", sample, "--lang", "eng", "--word-list", "ignore", home=home).stdout.split()
    assert character_error_rate([SAMPLE_TEXT], [" ".join(free)]) <= 0.2, free  # "theold man can readher book"

    assert run_cli("words", "remove", "eng", home=home).returncode == 0
    listing = run_cli("words", "list", home=home).stdout.splitlines()
    assert any(re.match(r"eng\t\d+ words\tshipped", line) for line in listing), "the shipped list, without counts"
    result = run_cli("words", "remove", "eng", home=home)
    assert result.returncode == 2 and "You have no word list for 'eng'" in result.stderr


def _read(path: Path) -> np.ndarray:
    from mms_desktop.core.audio import load_audio

    return load_audio(path)
