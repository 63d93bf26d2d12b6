"""The wav2vec2 inference modules compute what transformers' classes compute, from the same files."""

import json
import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from mms_desktop.core.base import ModelError
from mms_desktop.core.checkpoints import Placement, Vocabulary, hf_class, loading, mapped_tensors, wav2vec2

CTC, LID = "Wav2Vec2ForCTC", "Wav2Vec2ForSequenceClassification"


def own_model(model_class: str, folder, weights=None):
    model = wav2vec2.build(model_class, wav2vec2.read_config(folder))
    assert wav2vec2.assign(model, mapped_tensors(weights or folder / "model.safetensors"))
    return model


def test_recognition_equals_transformers_for_the_base_and_every_adapter(tiny_repos) -> None:
    folder = tiny_repos["facebook/mms-1b-all"]
    ours = own_model(CTC, folder)
    theirs = hf_class(CTC).from_pretrained(str(folder)).eval()
    torch.manual_seed(1)
    audio = torch.randn(1, 40_000)
    for language in (None, "fra", "cmn-script_simplified", "eng"):  # alphabets of 32, 42 and 305 tokens
        if language:
            ours.load_adapter(language)
            theirs.load_adapter(language)
        with torch.inference_mode():
            got, expected = ours(audio).logits, theirs(audio).logits
        assert got.shape == expected.shape
        assert torch.allclose(got, expected, atol=1e-5), language
    assert ours.target_lang == "eng" and ours.config.vocab_size == ours.lm_head.out_features


def test_identification_equals_transformers(tiny_repos) -> None:
    folder = tiny_repos["facebook/mms-lid-126"]
    ours = own_model(LID, folder)
    theirs = hf_class(LID).from_pretrained(str(folder)).eval()
    audio = torch.randn(1, 24_000)
    with torch.inference_mode():
        assert torch.allclose(ours(audio).logits, theirs(audio).logits, atol=1e-5)
    assert ours.config.id2label == {0: "eng", 1: "fra", 2: "cmn", 3: "deu"}


def test_older_names_extra_and_missing_tensors(tiny_repos, tmp_path) -> None:
    """MMS checkpoints store the positional convolution as ``weight_g``/``weight_v``."""
    folder = tiny_repos["facebook/mms-1b-all"]
    tensors = load_file(str(folder / "model.safetensors"))
    prefix = "wav2vec2.encoder.pos_conv_embed.conv."
    tensors[prefix + "weight_g"] = tensors.pop(prefix + "parametrizations.weight.original0")
    tensors[prefix + "weight_v"] = tensors.pop(prefix + "parametrizations.weight.original1")
    tensors["wav2vec2.masked_spec_embed"] = torch.zeros(32)  # kept from pre-training: left out
    save_file(tensors, str(tmp_path / "older.safetensors"))
    older, newer = own_model(CTC, folder, tmp_path / "older.safetensors"), own_model(CTC, folder)
    assert older.state_dict().keys() == newer.state_dict().keys()
    assert all(torch.equal(older.state_dict()[k], t) for k, t in newer.state_dict().items())

    del tensors["lm_head.bias"]
    save_file(tensors, str(tmp_path / "lacking.safetensors"))
    empty = wav2vec2.build(CTC, wav2vec2.read_config(folder))
    assert not wav2vec2.assign(empty, mapped_tensors(tmp_path / "lacking.safetensors"))


def test_a_lacking_file_or_another_architecture_loads_through_transformers(tiny_repos, tmp_path) -> None:
    lid = tmp_path / "lid"
    shutil.copytree(tiny_repos["facebook/mms-lid-126"], lid)
    tensors = load_file(str(lid / "model.safetensors"))
    del tensors["classifier.bias"]  # transformers initializes it (and warns)
    save_file(tensors, str(lid / "model.safetensors"))
    model, _ = loading.load_checkpoint(LID, lid, Placement("cpu", "float32"))
    assert not isinstance(model, wav2vec2.ForSequenceClassification)
    assert type(model).__name__ == LID

    config = wav2vec2.read_config(tiny_repos["facebook/mms-lid-126"])
    assert wav2vec2.supported(LID, config)
    config.do_stable_layer_norm = False  # the post-norm layers of wav2vec2-base: not computed here
    assert not wav2vec2.supported(LID, config)


def test_a_mismatched_adapter_is_refused_and_the_model_kept(tiny_repos, tmp_path) -> None:
    folder = tmp_path / "asr"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], folder)
    adapter = load_file(str(folder / "adapter.fra.safetensors"))
    adapter.pop("wav2vec2.encoder.layers.1.adapter_layer.linear_2.bias")
    save_file(adapter, str(folder / "adapter.fra.safetensors"))
    model = own_model(CTC, folder)
    before = {k: t.clone() for k, t in model.state_dict().items()}
    with pytest.raises(ValueError, match="does not fit"):
        model.load_adapter("fra")
    assert all(torch.equal(before[k], t) for k, t in model.state_dict().items())


def test_vocabulary_reads_what_the_tokenizer_reads(tiny_repos, tmp_path) -> None:
    folder = tiny_repos["facebook/mms-1b-all"]
    tokenizer = hf_class("Wav2Vec2CTCTokenizer").from_pretrained(str(folder), target_lang="eng")
    vocabulary = Vocabulary(folder)
    for language in ("eng", "cmn-script_simplified"):
        tokenizer.set_target_lang(language)
        vocabulary.set_target_lang(language)
        assert vocabulary.decoder == dict(tokenizer.decoder)
        assert vocabulary.pad_token_id == tokenizer.pad_token_id
        assert vocabulary.word_delimiter_token == tokenizer.word_delimiter_token
        assert vocabulary.convert_tokens_to_ids("|") == tokenizer.convert_tokens_to_ids("|")
    with pytest.raises(ModelError, match="no alphabet for 'xyz'"):
        vocabulary.set_target_lang("xyz")
    assert vocabulary.decoder == dict(tokenizer.decoder)  # a refused language changes nothing

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    vocabulary = Vocabulary(copy)
    vocabs = json.loads((copy / "vocab.json").read_text())
    vocabs["xyz"] = {"<pad>": 0, "|": 1, "a": 2}  # a language trained after the model was loaded
    (copy / "vocab.json").write_text(json.dumps(vocabs))
    vocabulary.set_target_lang("xyz")
    assert vocabulary.decoder == {0: "<pad>", 1: "|", 2: "a"} and vocabulary.pad_token_id == 0
    (copy / "vocab.json").write_text('{"<pad>": 0, "a": 1}')  # one alphabet, not one per language
    with pytest.raises(ModelError, match="not a multilingual MMS vocabulary"):
        vocabulary.set_target_lang("eng")
