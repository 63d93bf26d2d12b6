"""Each model family through the real command line: installed from the test hub, then transcribe,
identify-then-transcribe, word timings, align, and what a family cannot do said in one sentence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import espeak, run_cli

XLSR, OMNI = "voidful/wav2vec2-xlsr-multilingual-56", "facebook/omniASR-CTC-300M"


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("family-audio")
    path = folder / "speech.wav"
    sf.write(path, np.concatenate([np.zeros(8000, np.float32), espeak("hello world again", "en", folder)]), 16000)
    return path


@pytest.fixture(scope="module")
def family_home(tmp_path_factory, hub_root: Path) -> Path:
    """A data folder with the identifier installed, then both new families installed through the CLI."""
    from hubserver import FakeHub

    home = tmp_path_factory.mktemp("family-home")
    with FakeHub(hub_root) as hub:
        env = {"HF_ENDPOINT": hub.url}
        for repo in ("facebook/mms-lid-126", XLSR, OMNI):
            result = run_cli("languages", "install", repo, home=home, env=env)
            assert result.returncode == 0, result.stderr
    return home


def test_installing_a_shared_vocabulary_model_keeps_its_masks_as_json(family_home: Path) -> None:
    folder = family_home / "store" / "voidful" / "wav2vec2-xlsr-multilingual-56"
    masks = json.loads((folder / "language_masks.json").read_text(encoding="utf-8"))
    assert sorted(masks) == ["eng", "fra", "sah"]
    listing = run_cli("languages", "models", home=family_home)
    assert f"{XLSR}\tone vocabulary with language masks\tApache-2.0" in listing.stdout
    assert "installed" in listing.stdout.split(XLSR)[1].splitlines()[0]


@pytest.mark.parametrize("repo", [XLSR, OMNI])
def test_transcribe_with_word_timings_in_each_family(family_home: Path, speech: Path, repo: str) -> None:
    result = run_cli("transcribe", str(speech), "--model", repo, "--lang", "eng", "--format", "json",
                     home=family_home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    transcript = json.loads(result.stdout)
    assert transcript["language"] == "eng" and transcript["segments"]
    words = [w for s in transcript["segments"] for w in s["words"]]
    assert words and all(0 <= w["start"] < w["end"] <= 3.5 for w in words)


@pytest.mark.parametrize("repo", [XLSR, OMNI])
def test_identify_then_transcribe_in_each_family(family_home: Path, speech: Path, repo: str) -> None:
    result = run_cli("transcribe", str(speech), "--model", repo, "--lang", "auto", "--among", "eng,fra",
                     "--unsure-below", "0", "--format", "json", home=family_home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["language"] in ("eng", "fra")


@pytest.mark.parametrize("repo", [XLSR, OMNI])
def test_align_in_each_family(family_home: Path, speech: Path, tmp_path: Path, repo: str) -> None:
    text = tmp_path / "known.txt"
    text.write_text("hello world again\n", encoding="utf-8")
    out = tmp_path / "aligned.json"
    result = run_cli("align", str(speech), str(text), "--lang", "eng", "--model", repo, "--format", "json",
                     "-o", str(out), home=family_home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    words = [w["word"] for s in json.loads(out.read_text(encoding="utf-8"))["segments"] for w in s["words"]]
    assert words == ["hello", "world", "again"]


def test_what_a_family_cannot_do_is_one_sentence(family_home: Path, speech: Path, tmp_path: Path) -> None:
    data = tmp_path / "recordings"
    data.mkdir()
    shutil.copy(speech, data / "0.wav")
    (data / "0.txt").write_text("hello world again", encoding="utf-8")
    result = run_cli("train-adapter", str(data), "--lang", "ita", "--steps", "1", "--model", XLSR, home=family_home)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "has no language adapters to train" in result.stderr
    result = run_cli("transcribe", str(speech), "--model", XLSR, "--lang", "deu", home=family_home)
    assert result.returncode == 2 and "'deu' is not installed" in result.stderr and "Traceback" not in result.stderr


def test_the_streaming_benchmark_takes_the_omnilingual_architecture(tiny_repos, tmp_path, monkeypatch, capsys) -> None:
    from mms_desktop import cli
    from mms_desktop.benchmark import fullsize

    def small_repo(folder: Path) -> Path:  # the tiny model stands in for the 1.3 GB one: the same layout
        if not folder.exists():
            shutil.copytree(tiny_repos[OMNI], folder)
        return folder

    monkeypatch.setattr(fullsize, "ensure_omnilingual_repo", small_repo)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert cli.main(["--data-dir", str(tmp_path / "home"), "benchmark", "streaming", "--model", "omni-300m"]) == 0
    printed = capsys.readouterr().out
    assert "Omnilingual CTC 300M architecture, random weights" in printed and "largest lag" in printed


def test_a_whole_model_is_removed_by_its_name(family_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(family_home, home)
    result = run_cli("languages", "remove", OMNI, home=home)
    assert result.returncode == 0 and f"Removed {OMNI}." in result.stdout, result.stderr
    assert not (home / "store" / OMNI).exists()
    again = run_cli("languages", "remove", OMNI, home=home)
    assert again.returncode == 2 and "is not installed, so there is nothing to remove" in again.stderr
    escape = run_cli("languages", "remove", "../store", home=home)
    assert escape.returncode == 2 and (home / "store").is_dir()


def test_a_whole_model_travels_in_a_pack_with_its_masks(family_home: Path, speech: Path, tmp_path: Path) -> None:
    pack = tmp_path / "xlsr.tar.gz"
    result = run_cli("languages", "export", XLSR, str(pack), home=family_home)
    assert result.returncode == 0, result.stderr
    other = tmp_path / "other"
    other.mkdir()
    result = run_cli("languages", "import", str(pack), home=other)
    assert result.returncode == 0, result.stderr
    folder = other / "store" / "voidful" / "wav2vec2-xlsr-multilingual-56"
    assert (folder / "language_masks.json").is_file() and (folder / "lang_ids.pk").is_file()
    result = run_cli("transcribe", str(speech), "--model", XLSR, "--lang", "sah", "--format", "json", home=other)
    assert result.returncode == 0 and json.loads(result.stdout)["language"] == "sah", result.stderr
