"""Writing checkpoints in exactly the file layout of Meta's MMS repositories.

Used by the demonstration model, by adapter training and by the tests, so that everything the engine
loads looks like what the hub serves: ``config.json``, ``model.safetensors``, ``adapter.<name>.safetensors``,
a nested ``vocab.json`` and the tokenizer and preprocessor configs (not what ``save_pretrained`` of a
processor would write).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mms_desktop.core.base import atomic_write_text, parse_json

SPECIAL_TOKENS = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3}
WORD_DELIMITER = "|"

PREPROCESSOR_CONFIG = {
    "do_normalize": True,
    "feature_extractor_type": "Wav2Vec2FeatureExtractor",
    "feature_size": 1,
    "padding_side": "right",
    "padding_value": 0,
    "return_attention_mask": True,
    "sampling_rate": 16000,
}


def ctc_vocabulary(characters: str | list[str]) -> dict[str, int]:
    """An MMS vocabulary: the four special tokens, then ``|`` and the characters in the order given."""
    vocab = dict(SPECIAL_TOKENS)
    for char in [WORD_DELIMITER, *characters]:
        if char == " ":
            continue
        vocab.setdefault(char, len(vocab))
    return vocab


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def save_tensors(path: Path, tensors: Mapping[str, Any]) -> None:
    """Save tensors as safetensors, readable by everyone (``save_file`` alone leaves mode 0600)."""
    from safetensors.torch import save_file

    tmp = path.with_name(f".{path.name}.tmp")
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp), metadata={"format": "pt"})
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def adapter_state(model: Any) -> dict[str, Any]:
    """The tensors of one language: every layer's adapter plus the output head."""
    state = model.state_dict()
    return {k: v for k, v in state.items() if ".adapter_layer." in k or k.startswith("lm_head.")}


def write_asr_base(folder: Path, model: Any, vocab: Mapping[str, Mapping[str, int]], default_language: str) -> None:
    """Write the base repo files: config, weights (with ``default_language``'s adapter baked in) and tokenizer."""
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(str(folder))
    save_tensors(folder / "model.safetensors", model.state_dict())
    write_json(folder / "vocab.json", {name: dict(v) for name, v in vocab.items()})
    write_json(
        folder / "tokenizer_config.json",
        {
            "bos_token": "<s>",
            "do_lower_case": False,
            "eos_token": "</s>",
            "pad_token": "<pad>",
            "replace_word_delimiter_char": " ",
            "target_lang": default_language,
            "tokenizer_class": "Wav2Vec2CTCTokenizer",
            "unk_token": "<unk>",
            "word_delimiter_token": WORD_DELIMITER,
        },
    )
    write_json(
        folder / "special_tokens_map.json",
        {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"},
    )
    write_json(folder / "preprocessor_config.json", PREPROCESSOR_CONFIG)


def write_adapter(folder: Path, name: str, model: Any, vocab: Mapping[str, int]) -> None:
    """Add or replace one language: ``adapter.<name>.safetensors`` and its entry in ``vocab.json``."""
    if model.lm_head.out_features != len(vocab):
        raise ValueError(f"output head has {model.lm_head.out_features} rows, vocabulary {len(vocab)}")
    save_tensors(folder / f"adapter.{name}.safetensors", adapter_state(model))
    vocab_file = folder / "vocab.json"
    nested = parse_json(vocab_file.read_text(encoding="utf-8")) if vocab_file.exists() else {}
    nested[name] = dict(vocab)
    write_json(vocab_file, nested)


def write_lid(folder: Path, model: Any) -> None:
    """Write a language identifier in the MMS-LID layout (labels are ISO 639-3 codes in the config)."""
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(str(folder))
    save_tensors(folder / "model.safetensors", model.state_dict())
    write_json(folder / "preprocessor_config.json", PREPROCESSOR_CONFIG)


def write_tts(folder: Path, model: Any, vocab: Mapping[str, int], language: str, is_uroman: bool) -> None:
    """Write a VITS voice in the layout of ``facebook/mms-tts-<code>``; id 0 is the pad (blank) token."""
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(str(folder))
    save_tensors(folder / "model.safetensors", model.state_dict())
    write_json(folder / "vocab.json", dict(vocab))
    pad = next(token for token, index in vocab.items() if index == 0)
    write_json(
        folder / "tokenizer_config.json",
        {
            "add_blank": True,
            "is_uroman": is_uroman,
            "language": language,
            "normalize": True,
            "pad_token": pad,
            "phonemize": False,
            "tokenizer_class": "VitsTokenizer",
            "unk_token": "<unk>",
        },
    )
    write_json(folder / "special_tokens_map.json", {"pad_token": pad, "unk_token": "<unk>"})


FAIRSEQ_ORDER = ("<s>", "<pad>", "</s>", "<unk>")  # Omnilingual's vocabulary starts so; its blank is <s>


def write_flat_repo(
    folder: Path,
    model: Any,
    vocab: Mapping[str, int],
    pad: str = "<pad>",
    normalize: bool = True,
    languages: list[str] | None = None,
    plain_positions: bool = False,
) -> None:
    """Write a CTC model whose languages share one output head, in the layout the hub serves such models:
    config, weights, a flat ``vocab.json``, tokenizer and preprocessor configs, and ``languages.json`` when
    ``languages`` are given.

    Args:
        plain_positions: store the weight-normalized positional kernel computed, as converters from
            fairseq2 leave it (otherwise as its two factors, as transformers saves it).
    """
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(str(folder))
    stem = "wav2vec2.encoder.pos_conv_embed.conv."
    tensors = dict(model.state_dict())
    if plain_positions:
        tensors = {k: v for k, v in tensors.items() if not k.startswith(stem + "parametrizations")}
        tensors[stem + "weight"] = model.wav2vec2.encoder.pos_conv_embed.conv.weight.detach()
    save_tensors(folder / "model.safetensors", tensors)
    write_json(folder / "vocab.json", dict(vocab))
    specials = {"pad_token": pad, "unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>"}
    write_json(folder / "tokenizer_config.json", {**specials, "word_delimiter_token": WORD_DELIMITER,
                                                  "tokenizer_class": "Wav2Vec2CTCTokenizer"})  # fmt: skip
    write_json(folder / "special_tokens_map.json", specials)
    write_json(folder / "preprocessor_config.json", {**PREPROCESSOR_CONFIG, "do_normalize": normalize})
    if languages is not None:
        write_json(folder / "languages.json", languages)
