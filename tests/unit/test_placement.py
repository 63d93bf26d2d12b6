import pytest
import torch

from mms_desktop.core.errors import ModelError
from mms_desktop.core.modelfiles import choose_placement


def test_auto_uses_bf16_only_where_the_cpu_computes_it() -> None:
    expected = "bfloat16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "float32"
    if not torch.cuda.is_available():
        assert choose_placement("auto", "auto").dtype == expected
        assert choose_placement("cpu", "float32").dtype == "float32"


@pytest.mark.parametrize(
    ("device", "precision", "message"),
    [("cpu", "float16", "float16 is for GPUs"), ("tpu", "auto", "Unknown compute device"),
     ("cpu", "int4", "Unknown precision")],
)  # fmt: skip
def test_bad_choices_are_clear_errors(device: str, precision: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        choose_placement(device, precision)
