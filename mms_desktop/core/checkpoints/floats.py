"""Float models built from their weights: memory-mapped into the model code of ``wav2vec2.py`` where it
computes the architecture, through transformers otherwise."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from mms_desktop.core.checkpoints.copies import WEIGHTS, mapped_tensors

log = logging.getLogger(__name__)

# transformers imports its model code lazily, on first access; two threads doing that at once can each
# hold a module the other needs, which Python reports as a failed import. One lock serializes it.
_IMPORT_LOCK = threading.Lock()


def hf_class(name: str) -> Any:
    """A transformers class, typed loosely (its decorated ``from_pretrained`` confuses type checkers)."""
    with _IMPORT_LOCK:
        import transformers

        return getattr(transformers, name)


def fix_positional_weights(model: Any) -> None:
    """Compute the weight-normalized positional convolution's weights once, for inference.

    Left as a parametrization, the 52 MB kernel of MMS-1B is recomputed from its two factors on every
    forward pass (time and a transient copy); fixed, the outputs are the same.
    """
    from torch.nn.utils import parametrize

    conv = getattr(getattr(getattr(model, "wav2vec2", None), "encoder", None), "pos_conv_embed", None)
    conv = getattr(conv, "conv", None)
    if conv is not None and parametrize.is_parametrized(conv, "weight"):
        parametrize.remove_parametrizations(conv, "weight", leave_parametrized=True)


def load_float(model_class: str, model_dir: Path, folder: Path, dtype: Any) -> Any:
    """``model_dir``'s model with the float weights in ``folder`` (the model's own, or a converted copy),
    in ``dtype``: memory-mapped into the modules of ``wav2vec2.py``, or through transformers for another
    architecture or a file that lacks one of the tensors."""
    from mms_desktop.core.checkpoints import wav2vec2  # imports torch

    model = mapped_model(model_class, model_dir)
    if model is not None:
        if wav2vec2.assign(model, mapped_tensors(folder / WEIGHTS), dtype):
            return model
        log.info("the weights in %s do not match their model; loading them through transformers", folder)
    load = hf_class(model_class).from_pretrained
    return load(str(folder), use_safetensors=True, dtype=dtype, local_files_only=True)


def mapped_model(model_class: str, model_dir: Path) -> Any | None:
    """An empty model of ``model_dir``'s architecture from ``wav2vec2.py``, to assign memory-mapped
    weights to (nothing is read until a forward pass touches it, and the pages stay shared with the
    disk cache); None for an architecture that only transformers computes."""
    from mms_desktop.core.checkpoints import wav2vec2  # imports torch

    config = wav2vec2.read_config(model_dir)
    return wav2vec2.build(model_class, config) if wav2vec2.supported(model_class, config) else None
