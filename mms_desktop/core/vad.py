"""Voice activity detection with silero-vad, whose model ships inside its wheel (no download)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

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
