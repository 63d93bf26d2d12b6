"""Int8 weights for the transformer's linear layers (dynamic quantization), converted once and cached.

The linear layers of the transformer hold 96 % of MMS-1B's parameters. Kept as int8 with one scale per
output channel and multiplied by PyTorch's int8 CPU kernels, with the activations quantized on the fly,
they take a quarter of their fp32 memory. oneDNN's kernels (x86 builds) are used where they run: an
MMS-1B model packed for them takes 1,009 MiB against 1,056 MiB packed for fbgemm (983 MiB on disk), and
they quantize activations to 8 bits where fbgemm uses 7 (half the error against fp32), at the same speed,
on processors whose int8 instructions add in 32 bits (VNNI or AMX); on the others (AVX2, early AVX-512)
pairs of products are added in 16 bits, which 8-bit activations would overflow, so there they get 7 bits
too. Elsewhere PyTorch's quantized engine runs them (fbgemm, or qnnpack on ARM). Everything
else stays in float32: the convolutional feature encoder, layer norms, the positional convolution, and
the language adapters and output heads, which are swapped per language and are small.

The first load reads the fp32 checkpoint and converts one layer at a time (each fp32 weight is released
as soon as its int8 copy exists, so converting never needs more memory than an fp32 load), then stores
the int8 copy beside the other converted copies; later loads build the model from that copy without
ever holding fp32 linear weights.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import torch

from mms_desktop.core.checkpoints import memory, wav2vec2
from mms_desktop.core.checkpoints.copies import DTYPES, WEIGHTS, cache_folder, publish, safetensors_header
from mms_desktop.core.checkpoints.floats import fix_positional_weights, hf_class, load_float, mapped_model
from mms_desktop.core.checkpoints.kernels import eight_bit_activations, onednn, onednn_product

log = logging.getLogger(__name__)
INT8 = "int8"
_QWEIGHT, _SCALE, _BIAS = ".int8_weight", ".int8_scale", ".int8_bias"

# Creating qint8 tensors is flagged as deprecated in favour of torchao; the kernels used here are not.
warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor, torch\.quantize_per_channel")


def _codes(q: torch.Tensor) -> torch.Tensor:
    """The uint8 codes of a quint8 tensor, sharing its memory (``int_repr`` copies them: 3 % of an int8
    pass of MMS-1B)."""
    return torch.empty(0, dtype=torch.uint8).set_(q.untyped_storage(), q.storage_offset(), q.shape, q.stride())


class Int8Linear(torch.nn.Module):
    """A linear layer with int8 weights, one scale per output channel, and float inputs and outputs."""

    def __init__(self, weight: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor | None):
        super().__init__()
        self.out_features, self.in_features = weight.shape
        self._scale = scale.float().contiguous()
        self._bias = None if bias is None else bias.float().contiguous()
        self._zero_points = torch.zeros(len(scale), dtype=torch.long)
        self._onednn = onednn()
        if self._onednn:
            self._packed = torch.ops.onednn.qlinear_prepack(weight, None)
            self._seven_bits = not eight_bit_activations()
        else:
            qweight = torch._make_per_channel_quantized_tensor(weight, scale.double(), self._zero_points, 0)
            self._packed = torch.ops.quantized.linear_prepack(qweight, self._bias)

    @classmethod
    def from_float(cls, weight: torch.Tensor, bias: torch.Tensor | None) -> Int8Linear:
        """Symmetric per-channel quantization of a float linear layer's weights."""
        w = weight.detach().float()
        scale = (w.abs().amax(dim=1) / 127.0).clamp(min=1e-12)
        q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8)
        return cls(q, scale, None if bias is None else bias.detach().float())

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """The int8 weights, their float32 scales and the bias, as stored in the cached copy."""
        if self._onednn:
            return self._packed.to_dense().t().contiguous(), self._scale, self._bias  # packed (in, out)
        qweight, _ = torch.ops.quantized.linear_unpack(self._packed)
        return qweight.int_repr(), self._scale, self._bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self._onednn:
            out: torch.Tensor = torch.ops.quantized.linear_dynamic(x, self._packed, True)  # 7-bit, as fbgemm needs
            return out
        if x.numel() == 0:
            return x.new_zeros(*x.shape[:-1], self.out_features)
        q = torch.quantize_per_tensor_dynamic(x, torch.quint8, self._seven_bits)  # scale and zero point of x
        product: torch.Tensor = onednn_product(
            _codes(q), q.q_scale(), q.q_zero_point(), self._packed, self._scale, self._zero_points, self._bias, x.dtype
        )
        return product

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, int8"


def quantizable(name: str, module: torch.nn.Module) -> bool:
    """The transformer's attention and feed-forward projections; not adapters, heads or the feature path."""
    return type(module) is torch.nn.Linear and ".layers." in name and "adapter" not in name


def quantize(model: torch.nn.Module, source: Path | None = None) -> torch.nn.Module:
    """Replace the quantizable linear layers of ``model`` in place, one at a time.

    Args:
        source: the safetensors file the model was loaded from; each layer's fp32 weights are read from
            it into ordinary memory and released at once, instead of through the model's memory map, whose
            touched pages would stay resident until the whole model is released.
    """
    names = [name for name, module in model.named_modules() if quantizable(name, module)]
    with TensorFile(source) if source else _no_file() as weights:
        for name in names:  # by name: holding the modules would keep every fp32 weight alive to the end
            if weights is not None and f"{name}.weight" in weights.entries:
                weight = weights.get(f"{name}.weight")
                bias = weights.get(f"{name}.bias") if f"{name}.bias" in weights.entries else None
            else:
                linear: Any = model.get_submodule(name)
                weight, bias = linear.weight, linear.bias
            _replace(model, name, Int8Linear.from_float(weight, bias))
            del weight, bias
    return model


def load(model_class: str, model_dir: Path, cache_root: Path | None) -> Any:
    """``model_class`` from ``model_dir`` with int8 linear layers, from the cached copy when there is one.

    Args:
        model_class: the name of a transformers model class (``Wav2Vec2ForCTC`` and the like).
        cache_root: where the int8 copy is kept (None: convert on every load).
    """
    folder = cache_folder(model_dir, INT8, cache_root) if cache_root is not None else None
    with memory.loading():
        if folder is not None and (folder / WEIGHTS).exists():
            return _from_copy(model_class, model_dir, folder)
        # mapped: quantize reads the linear layers from the file a layer at a time; their pages are never touched
        model = load_float(model_class, model_dir, model_dir, torch.float32)
        quantize(model.eval(), model_dir / WEIGHTS)
        fix_positional_weights(model)
    if folder is not None and publish(_stored_tensors(model), model_dir, folder):
        log.info("int8 copy of %s stored in %s", model_dir, folder)
    return model


def _stored_tensors(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    tensors = {name: t.contiguous() for name, t in model.state_dict().items()}
    for name, module in model.named_modules():
        if isinstance(module, Int8Linear):
            weight, scale, bias = module.tensors()
            tensors[name + _QWEIGHT], tensors[name + _SCALE] = weight, scale
            if bias is not None:
                tensors[name + _BIAS] = bias
    return tensors


def _from_copy(model_class: str, model_dir: Path, folder: Path) -> Any:
    pool = ThreadPoolExecutor(max(1, torch.get_num_threads()))
    with TensorFile(folder / WEIGHTS) as f, pool:
        keys = set(f.entries)
        names = sorted(k[: -len(_QWEIGHT)] for k in keys if k.endswith(_QWEIGHT))

        # oneDNN copies the weights into its own layout, so one buffer per thread serves every layer
        # instead of a gigabyte of fresh pages (packing MMS-1B: 1.84-2.06 s against 2.13-2.28 s); fbgemm
        # keeps the weights it was given, so they get their own memory.
        largest = max(f.nbytes(name + _QWEIGHT) for name in names) if onednn() else 0
        per_thread = threading.local()

        def layer(name: str) -> Int8Linear:
            bias = f.get(name + _BIAS) if name + _BIAS in keys else None
            if largest and not hasattr(per_thread, "buffer"):
                per_thread.buffer = torch.empty(largest, dtype=torch.uint8)
            weight = f.get(name + _QWEIGHT, getattr(per_thread, "buffer", None))
            return Int8Linear(weight, f.get(name + _SCALE), bias)

        layers = pool.map(layer, names)  # packing, the slow part, runs while the model is built
        model = mapped_model(model_class, model_dir)
        if model is None:  # an architecture only transformers has: its model code is imported meanwhile
            cls = hf_class(model_class)
            with torch.device("meta"):  # no memory for weights that the copy replaces anyway
                model = cls(cls.config_class.from_pretrained(str(folder)))
                fix_positional_weights(model)  # the copy holds the fixed weights
        rest = {k: f.get(k) for k in keys if not k.endswith((_QWEIGHT, _SCALE, _BIAS))}  # while packing
        for name, module in zip(names, layers, strict=True):
            _replace(model, name, module)
    if not wav2vec2.assign(model, rest):
        raise ValueError(f"the int8 copy in {folder} lacks some of its model's weights")
    return model


class TensorFile:
    """The tensors of a safetensors file, read one at a time into ordinary memory.

    Not memory-mapped on purpose: the pages of a mapped file count as resident memory once touched and
    stay so while the mapping lives, so reading a whole model through a map costs its full size in peak
    memory even when each tensor is converted and dropped at once. Safe to read from several threads.
    """

    def __init__(self, path: Path):
        self.entries, self._base = safetensors_header(path)
        self._fd = os.open(path, os.O_RDONLY)

    def nbytes(self, name: str) -> int:
        start, end = self.entries[name]["data_offsets"]
        return int(end - start)

    def get(self, name: str, into: torch.Tensor | None = None) -> torch.Tensor:
        """The tensor ``name``; read into the start of ``into`` (bytes, at least :meth:`nbytes` of them)
        when given, so that it shares that memory and is valid until the next read into it."""
        entry = self.entries[name]
        start, end = entry["data_offsets"]
        dtype = getattr(torch, DTYPES[entry["dtype"]])
        if into is None:
            tensor = torch.empty(entry["shape"], dtype=dtype)
        else:
            tensor = into[: end - start].view(dtype).view(entry["shape"])
        buffer = memoryview(tensor.view(-1).view(torch.uint8).numpy())  # type: ignore[arg-type]
        done = 0
        while done < end - start:
            read = os.preadv(self._fd, [buffer[done:]], self._base + start + done)
            if read <= 0:
                raise OSError(f"{name} is cut short in the weights file")
            done += read
        return tensor

    def __enter__(self) -> TensorFile:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self._fd)


@contextlib.contextmanager
def _no_file() -> Iterator[None]:
    yield None


def _replace(model: torch.nn.Module, name: str, module: torch.nn.Module) -> None:
    parent, _, attr = name.rpartition(".")
    setattr(model.get_submodule(parent), attr, module)
