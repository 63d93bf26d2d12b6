"""The output alphabets of a multilingual MMS model: one token list per language in ``vocab.json``.

Recognition only needs the token of each output row, the blank (padding) token and the word delimiter;
reading them here spares transformers' tokenizer module and its import at every start.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from mms_desktop.core.base import ModelError, parse_json


def vocab_json(model_dir: Path) -> Any:
    """The parsed ``vocab.json`` of ``model_dir``, read once per version of the file (MMS-1B's is 1,162
    alphabets; telling a model's family, listing its languages and loading it all ask for it). Shared:
    not to be changed.

    Raises:
        ModelError: it is missing or unreadable.
    """
    path = model_dir / "vocab.json"
    try:
        return _parsed(path, path.stat().st_mtime_ns)
    except (OSError, ValueError) as exc:
        raise ModelError(f"The vocabulary of {model_dir} is missing or unreadable; reinstall the model.") from exc


@functools.lru_cache(maxsize=8)
def _parsed(path: Path, version: int) -> Any:
    return parse_json(path.read_text(encoding="utf-8"))


def read_vocab(model_dir: Path) -> dict[str, dict[str, int]]:
    """The nested ``{language: {token: id}}`` vocabulary of an MMS model folder."""
    vocab = vocab_json(model_dir)
    if not isinstance(vocab, dict) or not all(isinstance(v, dict) for v in vocab.values()):
        raise ModelError(f"{model_dir}/vocab.json is not a multilingual MMS vocabulary.")
    return vocab


class Vocabulary:
    """The tokens of the current language; :meth:`set_target_lang` switches language (reading the file
    then, so that a language added since, such as a newly trained adapter's, is found)."""

    def __init__(self, model_dir: Path):
        self.model_dir = model_dir
        config_file = model_dir / "tokenizer_config.json"
        try:
            config = parse_json(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
        except (OSError, ValueError) as exc:
            raise ModelError(f"The tokenizer settings of {model_dir} cannot be read; reinstall the model.") from exc
        self.word_delimiter_token = _token(config.get("word_delimiter_token"), "|")
        self.pad_token = _token(config.get("pad_token"), "<pad>")
        self.unk_token = _token(config.get("unk_token"), "<unk>")
        self.encoder: dict[str, int] = {}

    def set_target_lang(self, language: str) -> None:
        vocabs = read_vocab(self.model_dir)
        if language not in vocabs:
            raise ModelError(f"The vocabulary has no alphabet for '{language}'; reinstall the model.")
        self.encoder = {str(token): int(i) for token, i in vocabs[language].items()}

    @property
    def decoder(self) -> dict[int, str]:
        return {i: token for token, i in self.encoder.items()}

    @property
    def pad_token_id(self) -> int:
        return self.convert_tokens_to_ids(self.pad_token)

    def convert_tokens_to_ids(self, token: str) -> int:
        """The id of ``token``; the unknown token's for one the alphabet lacks."""
        return self.encoder.get(token, self.encoder.get(self.unk_token, 0))


def _token(value: Any, default: str) -> str:
    """A special token as tokenizer configs store it: a string, or an object with its ``content``."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) and value else default
