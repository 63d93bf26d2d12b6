"""The model families the recognizer runs, told apart by their files, behind one set of questions: which
languages, which output tokens for a language, what to swap in before a pass in it, and how its decoding
is restricted.

- **MMS with adapters** (``facebook/mms-1b-all``, ``mms-1b-fl102``, ``mms-1b-l1107``): a vocabulary nested
  by language and one ``adapter.<language>.safetensors`` (adapter layers and output head) per language.
- **One model, one shared vocabulary, language masks** (``voidful/wav2vec2-xlsr-multilingual-56``): a flat
  vocabulary and per-language token masks (``lang_ids.pk``, kept as ``language_masks.json``). As its
  reference decoding does, frames whose best token is the blank stay blank and every other frame takes
  its best token among the language's; with no language (``auto`` and no identifier) nothing is masked.
- **Omnilingual ASR CTC** (``omniASR_CTC_300M/1B/3B/7B`` converted to the ``Wav2Vec2ForCTC`` layout): one
  head for every language, in fairseq's vocabulary order (``<s>``, ``<pad>``, ``</s>``, ``<unk>``) where
  the CTC blank is token 0, not the padding token; the input waveform is always layer-normalized. Its
  languages are those listed in ``languages.json`` beside it, if any; it takes any language code, which
  then only labels the text and picks the word list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.base import ModelError, is_valid_name, parse_json, read_text_file
from mms_desktop.core.checkpoints import (
    Vocabulary,
    check_model_dir,
    has_masks,
    layout,
    read_masks,
    read_vocab,
    vocab_json,
)

LANGUAGES_FILE = "languages.json"  # the languages a model with one shared head is offered for


@dataclass(frozen=True)
class Alphabet:
    """The output tokens of one language: what each row of its log-probabilities spells."""

    language: str
    id_to_token: dict[int, str]
    blank_id: int  # the CTC blank
    delimiter: str  # the token between words
    allowed: tuple[int, ...] | None = None  # the tokens decoding keeps to (None: all)

    @property
    def token_ids(self) -> dict[str, int]:
        return {token: i for i, token in self.id_to_token.items()}


@dataclass(frozen=True)
class Family:
    """What kind of multilingual CTC model a folder holds."""

    name: str  # "mms-adapters", "shared-vocabulary" or "omnilingual"
    title: str  # as the language manager and About show it
    adapters: bool  # one adapter per language (its languages can be installed, removed and taught)
    normalize: bool | None  # the input is always normalized (None: as its preprocessor config says)
    masked: bool = False  # each language decodes with its tokens only (language masks)
    any_language: bool = False  # one head for every language: any code is taken, and labels the text

    def languages(self, model_dir: Path) -> list[str]:
        """The languages this model recognizes, by name."""
        if self.adapters:
            vocab = read_vocab(model_dir)
            names = (p.name[len("adapter.") : -len(".safetensors")] for p in model_dir.glob("adapter.*.safetensors"))
            return sorted(name for name in names if name in vocab)
        if self.masked:
            return sorted(read_masks(model_dir))
        return _listed_languages(model_dir)

    def accepts(self, model_dir: Path, language: str) -> bool:
        """Whether a pass may run in ``language``."""
        if self.any_language:
            return is_valid_name(language)
        return language in self.languages(model_dir)

    def alphabet(self, model_dir: Path, language: str) -> Alphabet:
        """The output tokens of ``language`` (an empty language: those of the whole shared vocabulary)."""
        vocabulary = Vocabulary(model_dir)
        if self.adapters:
            vocabulary.set_target_lang(language)
            tokens = vocabulary.encoder
        else:
            tokens = flat_vocabulary(model_dir)
        id_to_token = {i: token for token, i in tokens.items()}
        fairseq = (id_to_token.get(0), id_to_token.get(1)) == layout.FAIRSEQ_ORDER[:2]
        blank = 0 if fairseq else tokens.get(vocabulary.pad_token, 0)
        delimiter = str(vocabulary.word_delimiter_token)
        allowed = None
        if self.masked and language:
            keep = {blank, tokens.get(delimiter, blank), *read_masks(model_dir)[language]}
            allowed = tuple(sorted(i for i in keep if i in id_to_token))
        return Alphabet(language, id_to_token, blank, delimiter, allowed)

    def activate(self, model: Any, language: str) -> None:
        """Put what a pass in ``language`` needs into ``model`` (the recognizer's lock is held)."""
        if self.adapters:
            model.load_adapter(language, use_safetensors=True, local_files_only=True)


MMS_ADAPTERS = Family("mms-adapters", "MMS with language adapters", adapters=True, normalize=None)
SHARED_VOCABULARY = Family("shared-vocabulary", "one vocabulary with language masks", False, None, masked=True)
OMNILINGUAL = Family("omnilingual", "Omnilingual ASR (CTC)", False, normalize=True, any_language=True)


def family_of(model_dir: Path) -> Family:
    """The family of the CTC checkpoint in ``model_dir`` (its ``config.json`` read, and its vocabulary).

    Raises:
        ModelError: the folder is not a complete model, or its vocabulary fits no family.
    """
    config = check_model_dir(model_dir, "speech recognition model")
    vocab = vocab_json(model_dir)
    if not isinstance(vocab, dict) or not vocab:
        raise ModelError(f"{model_dir} is not a speech recognition model this program knows; reinstall it.")
    nested = all(isinstance(v, dict) for v in vocab.values())
    if config.get("adapter_attn_dim") is not None and nested:
        return MMS_ADAPTERS
    if nested or not all(isinstance(v, int) for v in vocab.values()):
        raise ModelError(
            f"{model_dir} has a vocabulary by language but no language adapters; it is not a model this "
            "program can run."
        )
    if has_masks(model_dir):
        return SHARED_VOCABULARY
    return OMNILINGUAL


def restrict(log_probs: np.ndarray, alphabet: Alphabet) -> np.ndarray:
    """``log_probs`` decoded in ``alphabet``'s language: frames whose best token is the blank are left as
    they are; every other frame keeps only the language's tokens (its blank among the rest removed), and
    is normalized again over them."""
    if alphabet.allowed is None or not len(log_probs):
        return log_probs
    keep = np.zeros(log_probs.shape[-1], bool)
    keep[list(alphabet.allowed)] = True
    blank_frames = log_probs.argmax(axis=-1) == alphabet.blank_id
    speech = np.where(keep, log_probs, -np.inf)
    speech[:, alphabet.blank_id] = -np.inf
    speech -= np.logaddexp.reduce(speech, axis=-1, keepdims=True)
    return np.where(blank_frames[:, None], log_probs, speech).astype(np.float32)


def flat_vocabulary(model_dir: Path) -> dict[str, int]:
    """The one ``{token: id}`` vocabulary of a model whose languages share their output head."""
    vocab = vocab_json(model_dir)
    if not isinstance(vocab, dict) or not all(isinstance(v, int) for v in vocab.values()):
        raise ModelError(f"{model_dir}/vocab.json is not a flat vocabulary; reinstall the model.")
    return {str(k): int(v) for k, v in vocab.items()}


def _listed_languages(model_dir: Path) -> list[str]:
    path = model_dir / LANGUAGES_FILE
    if not path.is_file():
        return []
    listed = parse_json(read_text_file(path))
    if not isinstance(listed, list):
        raise ModelError(f"{path} is not a list of languages; reinstall the model.")
    return sorted({str(name) for name in listed if is_valid_name(name)})
