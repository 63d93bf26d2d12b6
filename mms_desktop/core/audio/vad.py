"""Voice activity detection with silero-vad, whose model ships inside its wheel (no download)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from mms_desktop.core.base import Cancelled

CHUNK = 512  # samples per silero-vad decision at 16 kHz (32 ms)
_load_lock = threading.Lock()


def _load_model() -> Any:
    import torch

    with _load_lock:
        threads = torch.get_num_threads()
        import silero_vad  # its import sets torch to one thread for the whole process; undo that

        torch.set_num_threads(threads)
        return silero_vad.load_silero_vad()


class SpeechDetector:
    """Speech probability for each 32 ms of 16 kHz audio, fed in blocks of any size."""

    def __init__(self, model: Any | None = None):
        self._model = model if model is not None else _load_model()
        self._pending = np.zeros(0, np.float32)

    def reset(self) -> None:
        self._pending = np.zeros(0, np.float32)
        self._model.reset_states()

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        """Probabilities of the whole 512-sample chunks completed by ``samples``."""
        import torch

        self._pending = np.concatenate([self._pending, np.asarray(samples, np.float32)])
        count = len(self._pending) // CHUNK
        probs = np.empty(count, np.float32)
        with torch.inference_mode():
            for i in range(count):
                chunk = torch.from_numpy(self._pending[i * CHUNK : (i + 1) * CHUNK].copy())
                probs[i] = float(self._model(chunk, 16000))
        self._pending = self._pending[count * CHUNK :]
        return probs


SPEECH_THRESHOLD = 0.5  # silero-vad's own default
MIN_SPEECH_S = 0.2  # less than a syllable: a click or a breath
PAD_S = 0.3  # kept around each stretch of speech, for the onsets and tails the detector misses


def speech_spans(
    samples: np.ndarray, detector: SpeechDetector | None = None, cancel: threading.Event | None = None
) -> list[tuple[int, int]]:
    """The stretches of 16 kHz ``samples`` that hold speech, as ``(first, end)`` sample indices, each widened
    by PAD_S and merged with its neighbours; empty when nothing there is speech (noise, hum, DC, silence).

    Stretches of speech shorter than MIN_SPEECH_S in all are not counted as speech.

    Raises:
        Cancelled: ``cancel`` was set (checked every minute of audio).
    """
    detector = detector if detector is not None else SpeechDetector()
    detector.reset()
    probabilities = []
    for first in range(0, len(samples), 60 * 16000):
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        probabilities.append(detector(samples[first : first + 60 * 16000]))
    speech = np.concatenate(probabilities or [np.zeros(0, np.float32)]) >= SPEECH_THRESHOLD
    if speech.sum() * CHUNK < MIN_SPEECH_S * 16000:
        return []
    pad = int(PAD_S * 16000)
    spans: list[tuple[int, int]] = []
    for i in np.flatnonzero(speech).tolist():
        first, end = max(0, i * CHUNK - pad), min(len(samples), (i + 1) * CHUNK + pad)
        if spans and first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((first, end))
    return spans
