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


def test_reduced_precision_weights_are_converted_once_and_loaded_from_the_copy(tiny_repos, tmp_path) -> None:
    import os
    import shutil

    import numpy as np
    from helpers import noise

    from mms_desktop.core.asr import Recognizer
    from mms_desktop.core.converted import converted_folder

    model = tmp_path / "mms-1b-all"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], model)
    cache = tmp_path / "converted"
    folder = converted_folder(model, "bfloat16", cache)
    assert (
        folder is not None
        and (folder / "model.safetensors").stat().st_size < (model / "model.safetensors").stat().st_size
    )
    written = (folder / "model.safetensors").stat().st_mtime_ns
    assert converted_folder(model, "bfloat16", cache) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == written, "a second load converts nothing"

    audio = noise(2.0)
    direct = Recognizer.load(model, "eng", "cpu", "bfloat16")
    cached = Recognizer.load(model, "eng", "cpu", "bfloat16", cache_dir=cache)
    assert np.array_equal(direct.log_probs(audio), cached.log_probs(audio))
    cached.set_language("fra")  # adapters still come from the model's own folder
    direct.set_language("fra")
    assert np.array_equal(direct.log_probs(audio), cached.log_probs(audio))

    os.utime(model / "model.safetensors", (1, 1))  # the model was updated: a new copy replaces the old
    newer = converted_folder(model, "bfloat16", cache)
    assert newer != folder and not folder.exists() and newer.exists()
    assert converted_folder(newer, "bfloat16", tmp_path / "again") is None  # already bf16: nothing to do
