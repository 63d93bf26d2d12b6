"""Speech synthesis with MMS-TTS (VITS) voices, romanizing non-Latin text with uroman when a voice asks."""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.base import Cancelled, ModelError, Speech, UserError, parse_json
from mms_desktop.core.checkpoints import Placement, check_model_dir, choose_placement, load_checkpoint

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"(?<=[.!?;:।။።。！？])\s+|\n+")
PAUSE_SECONDS = 0.25
MAX_SENTENCE_CHARS = 400


def split_sentences(text: str) -> list[str]:
    """Sentences (and over-long runs cut at spaces), so that each fits the model's context."""
    parts = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        while len(sentence) > MAX_SENTENCE_CHARS:
            cut = sentence.rfind(" ", 0, MAX_SENTENCE_CHARS)
            cut = cut if cut > 0 else MAX_SENTENCE_CHARS
            parts.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            parts.append(sentence)
    return parts


@functools.lru_cache(maxsize=1)
def _romanizer() -> Any:
    import uroman

    return uroman.Uroman()  # loads its tables once; the tokenizer would build a new one per call


def romanize(text: str) -> str:
    """Latin-script transliteration of ``text`` with uroman."""
    return str(_romanizer().romanize_string(text))


class Synthesizer:
    """One MMS-TTS voice."""

    def __init__(self, model: Any, tokenizer: Any, placement: Placement, name: str, is_uroman: bool):
        self._model = model
        self._tokenizer = tokenizer
        self.placement = placement
        self.name = name
        self.is_uroman = is_uroman
        self.sample_rate = int(model.config.sampling_rate)
        self._lock = threading.Lock()

    @classmethod
    def load(cls, voice_dir: Path, device: str = "auto") -> Synthesizer:
        """Load a voice from a local folder in the ``facebook/mms-tts-<code>`` layout."""
        check_model_dir(voice_dir, "voice")
        try:
            tok_config = parse_json((voice_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"The voice in {voice_dir} has no readable tokenizer; reinstall it.") from exc
        placement = choose_placement(device, "float32")  # VITS is small; full precision keeps its sound

        model, tokenizer = load_checkpoint("VitsModel", voice_dir, placement, "voice", None, "VitsTokenizer")
        return cls(model, tokenizer, placement, voice_dir.name, bool(tok_config.get("is_uroman")))

    def _input_ids(self, sentence: str) -> Any | None:
        if self.is_uroman and any(ord(c) > 0x24F for c in sentence):
            sentence = romanize(sentence)
        ids = self._tokenizer(sentence, return_tensors="pt")["input_ids"]
        # With add_blank the tokenizer intersperses id 0; a sentence of only blanks has nothing to say.
        if ids.numel() == 0 or not bool((ids != self._tokenizer.pad_token_id).any()):
            return None
        return ids

    def speak(self, text: str, seed: int | None = None, cancel: threading.Event | None = None) -> Speech:
        """Synthesize ``text``, sentence by sentence, with a short pause between sentences.

        Args:
            seed: makes the output repeatable; VITS samples noise otherwise.
            cancel: stops the work after the sentence in progress.

        Raises:
            UserError: nothing in the text can be pronounced by this voice.
            Cancelled: ``cancel`` was set.
        """
        return Speech(np.concatenate(list(self.sentences(text, seed, cancel))), self.sample_rate)

    def sentences(self, text: str, seed: int | None = None,
                  cancel: threading.Event | None = None) -> Iterator[np.ndarray]:  # fmt: skip
        """The speech of ``text`` one sentence at a time, as each is made (the pause after a sentence is part
        of the next one), so that the first can sound while the others are made. Arguments and errors as
        for :meth:`speak`; the text is checked before the first sentence is made."""
        inputs = [ids for ids in map(self._input_ids, split_sentences(text)) if ids is not None]
        if not inputs:
            raise UserError(
                f"Nothing in this text can be spoken by the {self.name} voice; "
                "check that the text is in that voice's language."
            )
        return self._waves(inputs, seed, cancel)

    def _waves(self, inputs: list[Any], seed: int | None, cancel: threading.Event | None) -> Iterator[np.ndarray]:
        import torch

        pause = np.zeros(int(PAUSE_SECONDS * self.sample_rate), np.float32)
        with self._lock:  # held while the caller takes the sentences: one text at a time per voice
            generator_state = torch.random.get_rng_state()
            if seed is not None:
                torch.manual_seed(seed)
            try:
                for n, ids in enumerate(inputs):
                    if cancel is not None and cancel.is_set():
                        raise Cancelled()
                    with torch.inference_mode():  # not across the yield: the caller's code runs there
                        wave = self._model(input_ids=ids.to(self.placement.device)).waveform[0].float().cpu().numpy()
                    yield np.concatenate([pause, wave]) if n else wave
            finally:
                if seed is not None:
                    torch.random.set_rng_state(generator_state)
