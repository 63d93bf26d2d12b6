"""Which int8 matrix kernels this build of PyTorch runs on this processor, probed without importing
the int8 model code (choosing a precision must not cost the import of torch's quantized modules)."""

from __future__ import annotations

import functools
from typing import Any


def int8_available() -> bool:
    """Whether this build of PyTorch has a CPU kernel to run int8 linear layers with."""
    import torch

    engines = torch.backends.quantized.supported_engines
    return onednn() or any(engine in engines for engine in ("x86", "fbgemm", "qnnpack"))


@functools.cache
def onednn() -> bool:
    """Whether oneDNN's int8 matrix product runs here (it is built into PyTorch for x86)."""
    import torch

    try:
        packed = torch.ops.onednn.qlinear_prepack(torch.ones(8, 8, dtype=torch.int8), None)
        ones, zeros = torch.ones(2, 8, dtype=torch.uint8), torch.zeros(8, dtype=torch.long)
        out = onednn_product(ones, 1.0, 0, packed, torch.ones(8), zeros, None, torch.float32)
        return bool(torch.equal(out, torch.full((2, 8), 8.0)))
    except (AttributeError, RuntimeError):
        return False


@functools.cache
def eight_bit_activations() -> bool:
    """Whether oneDNN's int8 product is exact here with activations of 8 bits.

    Processors without VNNI or AMX multiply uint8 by int8 with an instruction that adds each pair of
    products in 16 bits, saturating: 255 x 127 x 2 is over 32,767, so 8-bit activations would give wrong
    sums (measured on an AVX2 CPU: up to a quarter of the output off). Seven bits never overflow.
    """
    import torch

    packed = torch.ops.onednn.qlinear_prepack(torch.full((8, 8), 127, dtype=torch.int8), None)
    largest, zeros = torch.full((2, 8), 255, dtype=torch.uint8), torch.zeros(8, dtype=torch.long)
    out = onednn_product(largest, 1.0, 0, packed, torch.ones(8), zeros, None, torch.float32)
    return bool(torch.equal(out, torch.full((2, 8), 255.0 * 127 * 8)))


def onednn_product(
    qx: Any, x_scale: float, x_zero: int, packed: Any, w_scale: Any, w_zeros: Any, bias: Any, dtype: Any
) -> Any:
    """uint8 activations (with their scale and zero point) times packed int8 weights, in float ``dtype``."""
    import torch

    return torch.ops.onednn.qlinear_pointwise(
        qx, x_scale, x_zero, packed, w_scale, w_zeros, bias, 1.0, 0, dtype, "none", [], ""
    )  # fmt: skip
