"""Model files on disk: where and in which precision a model runs, loading it (memory-mapped, converted
copies, int8), the wav2vec2 model code, vocabularies, and writing checkpoints in the MMS layout.

The modules that import torch as they load (``int8``, ``wav2vec2``) stay out of this face, so that
importing it costs no torch; ``loading`` imports them when a model is first loaded.
"""

from __future__ import annotations

from mms_desktop.core.checkpoints import layout, memory
from mms_desktop.core.checkpoints.copies import (
    WEIGHTS,
    cache_folder,
    converted_folder,
    mapped_tensors,
    release_mapped_pages,
)
from mms_desktop.core.checkpoints.floats import hf_class
from mms_desktop.core.checkpoints.kernels import int8_available
from mms_desktop.core.checkpoints.loading import (
    LOADING,
    PRECISIONS,
    Placement,
    check_model_dir,
    choose_placement,
    encode_features_in_blocks,
    import_model_code,
    load_checkpoint,
    normalize,
    require_cuda,
)
from mms_desktop.core.checkpoints.masks import MASKS, has_masks, read_masks
from mms_desktop.core.checkpoints.masks import PICKLED as MASKS_SOURCE
from mms_desktop.core.checkpoints.threads import ThreadGovernor, fit_threads
from mms_desktop.core.checkpoints.vocab import Vocabulary, read_vocab, vocab_json

__all__ = [
    "vocab_json",
    "ThreadGovernor",
    "fit_threads",
    "MASKS",
    "MASKS_SOURCE",
    "has_masks",
    "read_masks",
    "LOADING",
    "PRECISIONS",
    "Placement",
    "Vocabulary",
    "WEIGHTS",
    "cache_folder",
    "check_model_dir",
    "choose_placement",
    "converted_folder",
    "encode_features_in_blocks",
    "hf_class",
    "import_model_code",
    "int8_available",
    "layout",
    "load_checkpoint",
    "mapped_tensors",
    "memory",
    "normalize",
    "read_vocab",
    "release_mapped_pages",
    "require_cuda",
]
