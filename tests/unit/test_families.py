"""The three model families behind one recognizer, on tiny checkpoints in their real layouts."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import espeak, noise

from mms_desktop.core.base import ModelError
from mms_desktop.core.checkpoints import read_masks
from mms_desktop.core.checkpoints.masks import MASKS, PICKLED, read_pickled_masks
from mms_desktop.core.recognition import MMS_ADAPTERS, OMNILINGUAL, SHARED_VOCABULARY, Recognizer, family_of, transcribe

XLSR, OMNI = "voidful/wav2vec2-xlsr-multilingual-56", "facebook/omniASR-CTC-300M"


@pytest.fixture()
def xlsr(tiny_repos, tmp_path: Path) -> Path:
    folder = tmp_path / "xlsr"
    shutil.copytree(tiny_repos[XLSR], folder)
    return folder


def test_each_family_is_told_apart_by_its_files(tiny_repos) -> None:
    assert family_of(tiny_repos["facebook/mms-1b-all"]) is MMS_ADAPTERS
    assert family_of(tiny_repos[XLSR]) is SHARED_VOCABULARY
    assert family_of(tiny_repos[OMNI]) is OMNILINGUAL


@pytest.mark.parametrize("protocol", range(6))
def test_pickled_masks_are_read_without_unpickling(tmp_path: Path, protocol: int) -> None:
    masks = {"en": {5, 6, 7}, "zh-CN": [8, 9], "sah": (10,)}
    path = tmp_path / PICKLED
    path.write_bytes(pickle.dumps(masks, protocol=protocol))
    assert read_pickled_masks(path) == {"en": [5, 6, 7], "zh-CN": [8, 9], "sah": [10]}


class _Runs:
    """What a hostile pickle would carry: unpickling it creates the file ``canary``."""

    def __init__(self, canary: Path):
        self.canary = canary

    def __reduce__(self):
        return (open, (str(self.canary), "w"))


@pytest.mark.parametrize("protocol", range(6))
def test_a_pickle_that_would_run_code_is_refused_in_one_sentence_and_runs_nothing(tmp_path: Path, protocol) -> None:
    canary = tmp_path / "canary"
    path = tmp_path / PICKLED
    path.write_bytes(pickle.dumps({"en": [1, 2], "fr": _Runs(canary)}, protocol=protocol))
    with pytest.raises(ModelError) as caught:
        read_pickled_masks(path)
    message = str(caught.value)
    assert "could run code" in message and "\n" not in message
    assert not canary.exists()


def test_the_masks_are_kept_as_json_keyed_by_language_name(xlsr: Path) -> None:
    masks = read_masks(xlsr)
    assert sorted(masks) == ["eng", "fra", "sah"]  # Common Voice's en, fr, sah
    assert (xlsr / MASKS).is_file()
    (xlsr / PICKLED).unlink()  # from now on the JSON is what is read
    assert read_masks(xlsr) == masks


def test_a_shared_vocabulary_decodes_each_language_with_its_own_tokens_as_its_reference_does(xlsr: Path) -> None:
    recognizer = Recognizer.load(xlsr, "eng", "cpu", "float32")
    audio = noise(3.0, seed=4)
    free = recognizer.log_probs(audio, "")  # no language: the whole vocabulary
    for language in ("eng", "sah"):
        restricted = recognizer.log_probs(audio, language)
        allowed = set(read_masks(xlsr)[language])
        blank = recognizer.alphabet(language).blank_id
        # the model card's decoding: blank frames stay blank, the others take their best allowed token
        logits = torch.from_numpy(free)
        mask = torch.zeros(logits.shape[-1])
        mask[sorted(allowed | {recognizer.alphabet(language).token_ids["|"]})] = 1
        reference = torch.where(logits.argmax(-1) == blank, blank, (mask * logits.softmax(-1)).argmax(-1))
        assert np.array_equal(restricted.argmax(-1), reference.numpy())
        assert set(restricted.argmax(-1).tolist()) - {blank} <= allowed
    assert np.allclose(np.exp(recognizer.log_probs(audio, "eng")).sum(-1), 1.0, atol=1e-4)


def test_auto_without_an_identifier_decodes_a_shared_vocabulary_unrestricted(xlsr: Path, tmp_path: Path) -> None:
    recognizer = Recognizer.load(xlsr, None, "cpu", "float32")
    speech = np.concatenate([np.zeros(8000, np.float32), espeak("one two three four five", "en", tmp_path)])
    free = transcribe(speech, recognizer, "auto")
    assert free.language == "" and free.segments  # the speech, in the whole vocabulary
    assert free.text == transcribe(speech, recognizer, "").text != transcribe(speech, recognizer, "sah").text
    with pytest.raises(ModelError, match="'deu' is not installed"):
        recognizer.transcribe(speech, "deu")


def test_an_omnilingual_model_takes_token_0_as_blank_and_normalizes_its_input(tiny_repos) -> None:
    from transformers import Wav2Vec2ForCTC
    from transformers.models.wav2vec2.configuration_wav2vec2 import Wav2Vec2Config

    folder = tiny_repos[OMNI]
    recognizer = Recognizer.load(folder, "sah", "cpu", "float32")
    alphabet = recognizer.alphabet("sah")
    assert alphabet.blank_id == 0 and alphabet.id_to_token[0] == "<s>" and alphabet.id_to_token[1] == "<pad>"
    assert recognizer.languages == ["eng", "fra", "rus", "sah"]
    recognizer.check_language("wol")  # one head for every language: any code labels the text
    # the reference: the same weights (a plain positional kernel) in transformers, on normalized input
    from safetensors.torch import load_file

    tensors = load_file(str(folder / "model.safetensors"))
    reference = Wav2Vec2ForCTC(Wav2Vec2Config.from_pretrained(str(folder))).eval()
    torch.nn.utils.parametrize.remove_parametrizations(reference.wav2vec2.encoder.pos_conv_embed.conv, "weight")
    reference.load_state_dict(tensors, strict=True)
    audio = noise(2.0, seed=6) * 5 + 0.3  # far from zero mean and unit variance
    x = torch.from_numpy((audio - audio.mean()) / np.sqrt(audio.var() + 1e-7))[None]
    with torch.inference_mode():
        expected = torch.log_softmax(reference(x).logits[0], -1).numpy()
    assert np.allclose(recognizer.log_probs(audio, "sah"), expected, atol=1e-4)


def test_a_folder_with_a_vocabulary_by_language_but_no_adapters_is_refused_in_one_sentence(
    tiny_repos, tmp_path: Path
) -> None:
    folder = tmp_path / "odd"
    shutil.copytree(tiny_repos[OMNI], folder)
    (folder / "vocab.json").write_text('{"eng": {"a": 0}}', encoding="utf-8")
    with pytest.raises(ModelError, match="no language adapters"):
        Recognizer.load(folder, None, "cpu", "float32")


def test_a_model_folder_that_cannot_be_written_still_gives_its_masks(xlsr: Path, monkeypatch) -> None:
    from mms_desktop.core.checkpoints import masks as masks_module

    def refuse(path, text):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(masks_module, "atomic_write_text", refuse)
    assert sorted(read_masks(xlsr)) == ["eng", "fra", "sah"] and not (xlsr / MASKS).exists()


@pytest.mark.parametrize("repo", [XLSR, OMNI])
def test_live_streams_run_on_each_family(tiny_repos, tmp_path: Path, repo: str) -> None:
    from mms_desktop.core.base import FinalResult
    from mms_desktop.core.recognition import RecognitionStream, StreamOptions

    recognizer = Recognizer.load(tiny_repos[repo], "eng", "cpu", "float32")
    speech = espeak("one two three four", "en", tmp_path)
    audio = np.concatenate([np.zeros(8000, np.float32), speech, np.zeros(24000, np.float32)])
    stream = RecognitionStream(recognizer, StreamOptions(compute_budget=1e9), "eng")
    events = []
    for start in range(0, len(audio), 1600):
        stream.accept_waveform(16000, audio[start : start + 1600])
        events += stream.decode()
    finals = [e for e in events + stream.finish() if isinstance(e, FinalResult)]
    assert finals and all(f.language == "eng" for f in finals)
    spoken = audio[round(finals[0].segment.start * 16000) : round(finals[0].segment.end * 16000)]
    window = stream.windows_used[0] if stream.windows_used else StreamOptions().window
    assert finals[0].segment.text == recognizer.transcribe(spoken, "eng", window).text  # as offline
