"""Teaching the model: the CTC training loop, training material gathered from a linguist's files, and new
language adapters trained on them.
"""

from __future__ import annotations

from mms_desktop.core.training import loop
from mms_desktop.core.training.adapter import AdapterJob, check_base, check_job, teach, train_adapter
from mms_desktop.core.training.advice import FIGURES, material_advice
from mms_desktop.core.training.loop import (
    Example,
    TrainOptions,
    TrainProgress,
    character_error_rate,
    prepare_model,
    train_step,
)
from mms_desktop.core.training.material import Dataset, Normalization, collect

__all__ = [
    "FIGURES",
    "material_advice",
    "check_base",
    "AdapterJob",
    "Dataset",
    "Example",
    "Normalization",
    "TrainOptions",
    "TrainProgress",
    "character_error_rate",
    "check_job",
    "collect",
    "loop",
    "prepare_model",
    "teach",
    "train_adapter",
    "train_step",
]
