"""Shared helpers for loading MMS checkpoints from local folders: device choice and layout checks."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mms_desktop.core.base import ModelError, parse_json
from mms_desktop.core.checkpoints import memory
from mms_desktop.core.checkpoints.copies import drop_copies, weights_folder
from mms_desktop.core.checkpoints.floats import fix_positional_weights, hf_class, load_float
from mms_desktop.core.checkpoints.kernels import int8_available

log = logging.getLogger(__name__)

# transformers switches torch's process-wide default dtype while it builds a model: two loads in different
# threads (the window loads in the background) must not overlap, or one gets the other's precision.
LOADING = threading.Lock()


@dataclass(frozen=True)
class Placement:
    """Where and in which precision a model runs."""

    device: str  # "cpu" or "cuda"
    dtype: str  # "float32", "float16", "bfloat16" or "int8" (int8 linear layers, float32 elsewhere)

    def torch_dtype(self) -> Any:
        """The dtype of the model's inputs and float weights."""
        import torch

        return torch.float32 if self.dtype == "int8" else getattr(torch, self.dtype)


PRECISIONS = ("auto", "float32", "bfloat16", "float16", "int8")


SMALL_MODEL_BYTES = 100_000_000  # weights below this run in fp32 on the CPU unless a precision is chosen


def require_cuda() -> None:
    """Raises ModelError when this program sees no CUDA GPU, with what to choose instead."""
    import torch

    if not torch.cuda.is_available():
        raise ModelError("No CUDA GPU is available on this machine; choose the cpu device.")


def choose_placement(
    device: str = "auto", precision: str = "auto", model_dir: Path | None = None, cpu_preference: str | None = None
) -> Placement:
    """Where and in which precision to run.

    ``auto`` picks CUDA in fp16 when a GPU is present; on the CPU, bf16 where the processor computes it
    natively (AVX-512 BF16 or AMX, measured 2.7 x faster than fp32 on MMS-1B here), otherwise int8 linear
    layers where PyTorch has quantized kernels for it (x86-64 and ARM), otherwise fp32. ``mms-desktop
    benchmark file`` measures the CPU choice, passed in as ``cpu_preference`` (see ``findings.py``). A
    small model (the base weights in ``model_dir`` under 100 MB, like the demonstration pack) runs in fp32
    on the CPU: it is fast anyway, and a reduced precision would only cost accuracy and a converted copy.

    Raises:
        ModelError: an unknown choice, ``cuda`` without a usable GPU, or fp16 on the CPU.
    """
    import torch

    if device not in ("auto", "cpu", "cuda"):
        raise ModelError(f"Unknown compute device '{device}'; choose auto, cpu or cuda.")
    if precision not in PRECISIONS:
        raise ModelError(f"Unknown precision '{precision}'; choose one of {', '.join(PRECISIONS)}.")
    if device == "cuda":
        require_cuda()
    has_cuda = torch.cuda.is_available()
    if device == "cuda" or (device == "auto" and has_cuda):
        if precision == "int8":
            raise ModelError("int8 is for the CPU; on a GPU choose float16, bfloat16 or float32.")
        return Placement("cuda", "float16" if precision == "auto" else precision)
    if precision == "float16":
        raise ModelError("float16 is for GPUs; on the CPU choose int8, bfloat16 or float32.")
    if precision == "int8" and not int8_available():
        raise ModelError("This build of PyTorch has no int8 kernels for this processor; choose float32.")
    if precision == "auto" and model_dir is not None and _is_small(model_dir):
        precision = "float32"
    if precision == "auto" and cpu_preference in ("float32", "bfloat16", "int8"):
        precision = cpu_preference if cpu_preference != "int8" or int8_available() else "auto"
    if precision == "auto":
        if torch.ops.mkldnn._is_mkldnn_bf16_supported():
            precision = "bfloat16"
        else:
            precision = "int8" if int8_available() else "float32"
    return Placement("cpu", precision)


def _is_small(model_dir: Path) -> bool:
    weights = model_dir / "model.safetensors"
    return weights.is_file() and weights.stat().st_size < SMALL_MODEL_BYTES


def check_model_dir(path: Path, what: str) -> dict[str, Any]:
    """Check that ``path`` holds a checkpoint in the Hugging Face layout and return its config.

    Raises:
        ModelError: the folder or its ``config.json`` / ``model.safetensors`` is missing or unreadable.
    """
    if not path.is_dir():
        raise ModelError(f"The {what} folder {path} does not exist; install the model or give another folder.")
    config_file = path / "config.json"
    if not config_file.is_file() or not (path / "model.safetensors").is_file():
        raise ModelError(
            f"{path} is not a complete {what} (config.json and model.safetensors are needed); reinstall it."
        )
    try:
        config = parse_json(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"The configuration of {path} cannot be read; reinstall the model.") from exc
    if not isinstance(config, dict):
        raise ModelError(f"The configuration of {path} is not valid; reinstall the model.")
    return config


def normalize(samples: Any, stats: tuple[float, float] | None = None) -> Any:
    """Zero-mean, unit-variance normalization, as the MMS feature extractor does (``do_normalize``).

    Args:
        stats: the mean and variance to normalize with; default: those of ``samples``.
    """
    import numpy as np

    x = np.asarray(samples, dtype=np.float32)
    mean, var = (x.mean(), x.var()) if stats is None else (np.float32(stats[0]), np.float32(stats[1]))
    return (x - mean) / np.sqrt(var + 1e-7)


def import_model_code() -> None:
    """Import what loading a recognizer or an identifier needs (torch, the wav2vec2 modules, the int8
    kernels), so that a thread can do it ahead of the first load."""
    from safetensors import torch as _  # noqa: F401

    from mms_desktop.core.checkpoints import int8, wav2vec2  # noqa: F401  (both import torch)


def load_checkpoint(
    model_class: str,
    model_dir: Path,
    placement: Placement,
    what: str = "model",
    cache_dir: Path | None = None,
    tokenizer_class: str | None = None,
    **tokenizer_options: Any,
) -> tuple[Any, Any]:
    """A model (and its tokenizer) from a local folder, safetensors only, placed and in eval mode.

    Args:
        cache_dir: where weights converted to a reduced precision are kept for later loads.

    Raises:
        ModelError: the files cannot be read (damaged or incomplete); reinstalling fixes it.
    """
    tokenizer = None
    try:
        with LOADING:
            try:
                model = _load_weights(model_class, model_dir, placement, cache_dir)
            except MemoryError:
                raise
            except Exception:
                if cache_dir is None or not drop_copies(model_dir, cache_dir):
                    raise
                log.warning("the converted copy of %s was damaged; converting it again", model_dir, exc_info=True)
                model = _load_weights(model_class, model_dir, placement, cache_dir)
        model.config._name_or_path = str(model_dir)  # adapters and the like come from the model's own folder
        if tokenizer_class:
            tokenizer = hf_class(tokenizer_class).from_pretrained(
                str(model_dir), local_files_only=True, **tokenizer_options
            )
    except MemoryError:
        raise
    except Exception as exc:  # unreadable or damaged files of any kind: reinstalling fixes them
        log.debug("loading %s failed", model_dir, exc_info=True)
        raise ModelError(f"The {what} in {model_dir} could not be loaded ({exc}); reinstall it.") from exc
    encode_features_in_blocks(model)
    fix_positional_weights(model)
    memory.for_inference()
    return model.to(placement.device).eval(), tokenizer


def _load_weights(model_class: str, model_dir: Path, placement: Placement, cache_dir: Path | None) -> Any:
    if placement.dtype == "int8":
        from mms_desktop.core.checkpoints import int8  # imports torch

        return int8.load(model_class, model_dir, cache_dir)
    folder = weights_folder(model_dir, placement.dtype, cache_dir)
    return load_float(model_class, model_dir, folder, placement.torch_dtype())


FEATURE_BLOCK_FRAMES = 100  # 2 s of audio per pass of the convolutional feature encoder


def encode_features_in_blocks(model: Any, block_frames: int = FEATURE_BLOCK_FRAMES) -> None:
    """Run the convolutional feature encoder of a wav2vec2 model over long inputs a block at a time.

    With layer normalization (as in MMS; not group normalization, which spans time) each output frame
    depends only on the samples under its receptive field, so encoding overlapping blocks of samples
    gives exactly the frames of one pass, while the encoder's activations (512 channels at up to 3,200
    steps a second, several copies through layer norm and GELU) stay the size of one block. Measured on
    MMS-1B, a 24 s window: one pass peaks 0.6 GB above the weights, 5 s blocks 128 MB, 2 s blocks 13 MB,
    and 2 s blocks are also the fastest (they stay in the processor's cache): 1.9 s against 3.3 s for 5 s
    blocks. Inputs of up to two blocks go through in one pass.
    """
    base = getattr(model, "wav2vec2", None)
    config: Any = getattr(model, "config", None)
    if base is None or getattr(config, "feat_extract_norm", None) != "layer":
        return
    stride, field = 1, 1
    for kernel, step in zip(config.conv_kernel, config.conv_stride, strict=True):
        field += (kernel - 1) * stride
        stride *= step
    whole = base.feature_extractor.forward

    def forward(input_values: Any) -> Any:
        import torch

        frames = (input_values.shape[-1] - field) // stride + 1
        if frames <= 2 * block_frames:
            return whole(input_values)
        blocks = []
        for first in range(0, frames, block_frames):
            last = min(frames, first + block_frames)
            blocks.append(whole(input_values[..., first * stride : (last - 1) * stride + field]))
        return torch.cat(blocks, dim=-1)

    base.feature_extractor.forward = forward
