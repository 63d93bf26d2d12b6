"""Spoken language identification with MMS-LID checkpoints (126 to 4,017 languages)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.audio import SAMPLE_RATE, SpeechDetector, speech_spans
from mms_desktop.core.base import LANGUAGE_LIST, UNSURE_BELOW, LanguageScore, ModelError, UserError, lid_code_for
from mms_desktop.core.checkpoints import (
    Placement,
    check_model_dir,
    choose_placement,
    fit_threads,
    load_checkpoint,
    normalize,
    release_mapped_pages,
)

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 10.0


class LanguageIdentifier:
    """Owns one ``Wav2Vec2ForSequenceClassification`` MMS-LID model.

    ``unsure_below``: the probability under which a file's language is called unsure rather than guessed
    (0: always take the likeliest).
    """

    def __init__(self, model: Any, labels: list[str], placement: Placement, unsure_below: float = UNSURE_BELOW):
        self._model = model
        self.labels = labels
        self.placement = placement
        self.unsure_below = unsure_below
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, model_dir: Path, device: str = "auto", precision: str = "auto", cache_dir: Path | None = None
    ) -> LanguageIdentifier:
        """Load an MMS-LID checkpoint from a local folder.

        Args:
            cache_dir: where weights converted to a reduced precision are kept for later loads.

        Raises:
            ModelError: the folder is not a complete language identification model.
        """
        config = check_model_dir(model_dir, "language identification model")
        if not config.get("id2label"):
            raise ModelError(f"{model_dir} is not a language identification model (it has no labels).")
        placement = choose_placement(device, precision, model_dir)

        model, _ = load_checkpoint("Wav2Vec2ForSequenceClassification", model_dir, placement, "model", cache_dir)
        id2label: dict[Any, str] = model.config.id2label
        labels = [id2label[i] for i in range(len(id2label))]
        return cls(model, labels, placement)

    def probabilities(self, samples: np.ndarray, max_seconds: float = DEFAULT_SECONDS) -> np.ndarray:
        """Probability of every label for the first ``max_seconds`` of 16 kHz audio."""
        import torch

        clip = normalize(samples[: int(max_seconds * SAMPLE_RATE)])
        if self.placement.device == "cpu":
            fit_threads()  # the cores other programs leave free
        with self._lock, torch.inference_mode():
            inputs = torch.from_numpy(np.ascontiguousarray(clip))[None].to(
                self.placement.device, self.placement.torch_dtype()
            )
            # identification is occasional: memory-mapped weights (this model's, and the recognizer's
            # while this one runs) are handed back around it instead of staying resident side by side
            release_mapped_pages()
            try:
                logits = self._model(inputs).logits[0].float()
            finally:
                release_mapped_pages()
            return torch.softmax(logits, dim=-1).cpu().numpy()

    def identify(
        self,
        samples: np.ndarray,
        top_k: int = 5,
        among: Iterable[str] | None = None,
        max_seconds: float = DEFAULT_SECONDS,
    ) -> list[LanguageScore]:
        """The ``top_k`` most likely languages, best first.

        Args:
            among: restrict the choice to these languages (ISO 639-3 codes or adapter names); the
                probabilities are renormalized over them.

        Raises:
            UserError: a code in ``among`` is not one this model knows.
        """
        probs = self.probabilities(samples, max_seconds)
        indices = self.restrict(among)
        chosen = probs[indices]
        total = float(chosen.sum())
        chosen = chosen / total if total > 0 else np.full(len(indices), 1.0 / len(indices))
        order = np.argsort(-chosen, kind="stable")[: max(1, top_k)]
        return [LanguageScore(self.labels[indices[i]], round(float(chosen[i]), 6)) for i in order]

    def best_among(self, samples: np.ndarray, among: Iterable[str] | None = None) -> LanguageScore:
        """The likeliest of ``among`` (every label when empty) with its probability among all the languages
        the model knows, not renormalized over ``among``: low when the speech is in none of them.

        Raises:
            UserError: a code in ``among`` is not one this model knows.
        """
        probs = self.probabilities(samples)
        best = max(self.restrict(among), key=lambda i: float(probs[i]))
        return LanguageScore(self.labels[best], round(float(probs[best]), 6))

    def restrict(self, among: Iterable[str] | None) -> list[int]:
        """Label indices for a user's set of languages (all labels when the set is empty)."""
        codes = [lid_code_for(c.strip()) for c in (among or []) if c.strip()]
        if not codes:
            return list(range(len(self.labels)))
        index = {label: i for i, label in enumerate(self.labels)}
        unknown = [c for c in codes if c not in index]
        if unknown:
            raise UserError(
                f"The language identifier does not know {', '.join(unknown)}; "
                f"it covers {len(self.labels)} languages (see ",
                LANGUAGE_LIST,
                ").",
            )
        return sorted({index[c] for c in codes})


def first_speech(samples: np.ndarray, seconds: float = DEFAULT_SECONDS, threshold_db: float = -40.0) -> np.ndarray:
    """Up to ``seconds`` of audio starting at the first 20 ms frame within ``threshold_db`` of the peak.

    Leading silence says nothing about the language; skipping it gives identification real speech.
    """
    frame = 320
    n = len(samples) // frame
    if n == 0:
        return samples[: int(seconds * SAMPLE_RATE)]
    rms = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(20 * np.log10(rms / rms.max()) > threshold_db)
    start = max(0, int(loud[0]) - 5) * frame if len(loud) else 0
    return samples[start : start + int(seconds * SAMPLE_RATE)]


def speech_to_identify(
    blocks: Iterable[np.ndarray], seconds: float = DEFAULT_SECONDS, within_s: float = 600.0
) -> np.ndarray | None:
    """Up to ``seconds`` of the first speech in a recording given as 16 kHz blocks, reading no more blocks
    than it needs (a recording of an hour is not read whole to identify its language); None when its first
    ``within_s`` seconds hold no speech (noise or hum would otherwise be given a language)."""
    detector = SpeechDetector()  # loaded once for every block
    held, read, spans = np.zeros(0, np.float32), 0, list[tuple[int, int]]()
    for block in blocks:
        held, read = np.concatenate([held, block]), read + len(block)
        spans = speech_spans(held, detector)
        if spans and len(held) - spans[0][0] >= seconds * SAMPLE_RATE:
            break
        if not spans:  # keep a little before the next block, for a word that begins at its edge
            held = held[-SAMPLE_RATE:]
        if read >= within_s * SAMPLE_RATE:
            break
    return first_speech(held[spans[0][0] :], seconds) if spans else None
