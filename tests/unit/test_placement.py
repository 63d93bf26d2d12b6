from pathlib import Path

import pytest
import torch

from mms_desktop.core.base import ModelError
from mms_desktop.core.checkpoints import choose_placement, loading, wav2vec2


def test_auto_uses_bf16_where_the_cpu_computes_it_else_int8(tiny_repos, monkeypatch) -> None:
    from mms_desktop.core.checkpoints import int8_available

    if torch.ops.mkldnn._is_mkldnn_bf16_supported():
        expected = "bfloat16"
    else:
        expected = "int8" if int8_available() else "float32"
    if not torch.cuda.is_available():
        assert choose_placement("auto", "auto").dtype == expected
        tiny = tiny_repos["facebook/mms-1b-all"]
        assert choose_placement("cpu", "auto", tiny).dtype == "float32"  # a small model runs exactly
        assert choose_placement("cpu", "auto", tiny, cpu_preference="int8").dtype == "float32"
        assert choose_placement("cpu", "bfloat16", tiny).dtype == "bfloat16"  # unless asked otherwise
        monkeypatch.setattr(loading, "SMALL_MODEL_BYTES", 0)  # the tiny model stands in for a large one
        assert choose_placement("cpu", "auto", tiny).dtype == expected
        assert choose_placement("cpu", "auto", tiny, cpu_preference="float32").dtype == "float32"
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

    from mms_desktop.core.checkpoints import converted_folder
    from mms_desktop.core.recognition import Recognizer

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
    weights = dict(cached._model.named_parameters())
    assert all(p.dtype == torch.bfloat16 for p in weights.values())
    assert mapped_from(weights["wav2vec2.encoder.layers.0.attention.q_proj.weight"]) == folder / "model.safetensors"
    assert mapped_from(weights["wav2vec2.encoder.pos_conv_embed.conv.weight"]) is None  # computed once, in memory
    assert np.array_equal(direct.log_probs(audio, "eng"), cached.log_probs(audio, "eng"))
    stored = (folder / "model.safetensors").read_bytes()
    # adapters still come from the model's own folder
    assert np.array_equal(direct.log_probs(audio, "fra"), cached.log_probs(audio, "fra"))
    assert (folder / "model.safetensors").read_bytes() == stored  # written into the map, never into the file

    os.utime(model / "model.safetensors", (1, 1))  # the model was updated: a new copy replaces the old
    newer = converted_folder(model, "bfloat16", cache)
    assert newer != folder and not folder.exists() and newer.exists()
    assert converted_folder(newer, "bfloat16", tmp_path / "again") is None  # already bf16: nothing to do


def mapped_from(tensor: torch.Tensor) -> Path | None:
    """The file whose memory map holds ``tensor``'s data, if any (from /proc/self/maps)."""
    address = tensor.data_ptr()
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)  # address range, permissions, offset, device, inode, path
        name = fields[5] if len(fields) == 6 else ""
        low, high = (int(x, 16) for x in fields[0].split("-"))
        if low <= address < high:
            return Path(name) if name.startswith("/") else None
    return None


def test_int8_copy_is_made_once_and_loads_to_the_same_model(tiny_repos, tmp_path) -> None:
    import shutil

    import numpy as np
    from helpers import noise

    from mms_desktop.core.checkpoints import cache_folder
    from mms_desktop.core.checkpoints.int8 import Int8Linear
    from mms_desktop.core.recognition import Recognizer

    model = tmp_path / "mms-1b-all"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], model)
    cache = tmp_path / "converted"
    audio = noise(2.0)
    full = Recognizer.load(model, "eng", "cpu", "float32")
    exact = full.log_probs(audio, "eng")
    first = Recognizer.load(model, "eng", "cpu", "int8", cache_dir=cache)  # converts and stores the copy
    copy = cache_folder(model, "int8", cache) / "model.safetensors"
    assert copy.stat().st_size < (model / "model.safetensors").stat().st_size
    written = copy.stat().st_mtime_ns
    again = Recognizer.load(model, "eng", "cpu", "int8", cache_dir=cache)  # built from the copy
    assert copy.stat().st_mtime_ns == written
    layers = [m for m in again._model.modules() if isinstance(m, Int8Linear)]
    assert len(layers) == 6 * again._model.config.num_hidden_layers  # q, k, v, out and the feed-forward pair
    assert not any(isinstance(m, Int8Linear) for m in again._model.lm_head.modules())
    assert isinstance(again._model, wav2vec2.ForCTC)  # PyTorch's fused attention, as in float

    quantized = again.log_probs(audio, "eng")
    assert np.array_equal(first.log_probs(audio, "eng"), quantized)
    assert np.abs(np.exp(quantized) - np.exp(exact)).max() < 0.05  # close to fp32, not equal
    # adapters and heads stay in float32 and still swap in place
    assert np.abs(np.exp(again.log_probs(audio, "fra")) - np.exp(full.log_probs(audio, "fra"))).max() < 0.05


@pytest.mark.parametrize("kernel", ["onednn", "quantized engine"])
def test_int8_linear_layers_match_float_and_keep_their_weights(kernel: str, monkeypatch) -> None:
    from mms_desktop.core.checkpoints import int8

    if kernel == "onednn" and not int8.onednn():
        pytest.skip("this PyTorch has no oneDNN int8 kernels")
    if kernel != "onednn":
        monkeypatch.setattr(int8, "onednn", lambda: False)
    torch.manual_seed(0)
    linear = torch.nn.Linear(96, 40)
    layer = int8.Int8Linear.from_float(linear.weight, linear.bias)
    with torch.inference_mode():
        for shape in [(1, 50, 96), (3, 96), (1, 1, 96)]:
            x = torch.randn(*shape)
            expected, got = linear(x), layer(x)
            assert got.shape == expected.shape and got.dtype == torch.float32
            assert (got - expected).abs().max() < 0.03 * expected.abs().max()
        assert layer(torch.zeros(1, 0, 96)).shape == (1, 0, 40)  # nothing to recognize yet
    weight, scale, bias = layer.tensors()  # what the stored copy holds, and what it rebuilds
    assert weight.dtype == torch.int8 and weight.shape == (40, 96) and bias is not None
    assert torch.allclose(weight.float() * scale[:, None], linear.weight, atol=scale.max().item())
    rebuilt = int8.Int8Linear(weight, scale, bias)
    x = torch.randn(2, 96)
    with torch.inference_mode():
        assert torch.equal(rebuilt(x), layer(x))


def test_int8_sums_past_16_bits_are_right_on_processors_without_vnni() -> None:
    """Large positive activations times large weights: pairs of products over 32,767, which processors
    without VNNI add in saturating 16 bits."""
    from mms_desktop.core.checkpoints import int8

    if not int8.onednn():
        pytest.skip("this PyTorch has no oneDNN int8 kernels")
    torch.manual_seed(0)
    weight = torch.full((16, 64), 0.5)
    layer = int8.Int8Linear.from_float(weight, None)
    x = torch.rand(4, 64) + 1.0
    with torch.inference_mode():
        expected, got = x @ weight.T, layer(x)
    assert (got - expected).abs().max() < 0.02 * expected.abs().max()


def test_loads_at_once_keep_the_loading_settings_until_the_last_is_done() -> None:
    """The recognizer and the identifier may load together: the first to finish must not restore the
    process-wide settings under the other, nor the last leave the loading ones behind."""
    import sys

    from mms_desktop.core.checkpoints.memory import loading

    normal = sys.getswitchinterval()
    first, second = loading(), loading()
    first.__enter__()
    loading = sys.getswitchinterval()
    second.__enter__()
    first.__exit__(None, None, None)
    assert loading < normal and sys.getswitchinterval() == loading  # the second load is still under way
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == normal


def test_int8_is_for_the_cpu() -> None:
    if torch.cuda.is_available():
        with pytest.raises(ModelError, match="int8 is for the CPU"):
            choose_placement("cuda", "int8")
    placement = choose_placement("cpu", "int8")
    assert placement.dtype == "int8" and placement.torch_dtype() == torch.float32


def test_feature_encoder_in_blocks_gives_the_frames_of_one_pass(tiny_repos) -> None:
    from helpers import noise

    from mms_desktop.core.checkpoints import encode_features_in_blocks, hf_class

    model = hf_class("Wav2Vec2ForCTC").from_pretrained(str(tiny_repos["facebook/mms-1b-all"])).eval()
    inputs = torch.from_numpy(noise(3.3))[None]
    with torch.inference_mode():
        whole = model.wav2vec2.feature_extractor(inputs)
        encode_features_in_blocks(model, block_frames=7)  # 3.3 s is 164 frames: 24 blocks, the last one short
        blocks = model.wav2vec2.feature_extractor(inputs)
        short = model.wav2vec2.feature_extractor(inputs[:, :4000])  # two blocks or less: one pass
    assert blocks.shape == whole.shape == (1, model.config.conv_dim[-1], 164)
    assert torch.allclose(blocks, whole, atol=1e-5)
    assert short.shape[-1] == 12


@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
def test_a_damaged_converted_copy_is_made_again(tiny_repos, tmp_path, precision: str) -> None:
    import shutil

    from helpers import noise

    from mms_desktop.core.checkpoints import cache_folder
    from mms_desktop.core.recognition import Recognizer

    model = tmp_path / "mms-1b-all"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], model)
    cache = tmp_path / "converted"
    audio = noise(1.0)
    expected = Recognizer.load(model, "eng", "cpu", precision, cache_dir=cache).log_probs(audio, "eng")
    copy = cache_folder(model, precision, cache) / "model.safetensors"
    whole = copy.read_bytes()
    copy.write_bytes(whole[: len(whole) // 2])  # a disk error, a killed copy tool
    again = Recognizer.load(model, "eng", "cpu", precision, cache_dir=cache)
    assert (again.log_probs(audio, "eng") == expected).all()
    assert copy.read_bytes() == whole  # converted again, whole


def test_inference_runs_on_the_cores_other_programs_leave_free() -> None:
    from mms_desktop.core.checkpoints import ThreadGovernor

    now, readings = [0.0], [(100.0, 10.0)]  # the system's busy CPU seconds, this process's own

    def read():
        return readings[-1]

    governor = ThreadGovernor(read, cores=2, clock=lambda: now[0], every_s=1.0)
    assert governor.threads() == 2  # nothing known yet: every core
    now[0], readings[-1] = 1.0, (101.9, 11.9)  # the busy time was all this process's: both cores free
    assert governor.threads() == 2
    now[0], readings[-1] = 2.0, (103.9, 12.9)  # another program took a whole core
    assert governor.threads() == 1
    now[0], readings[-1] = 2.5, (105.0, 13.0)  # judged again only after a second
    assert governor.threads() == 1
    now[0], readings[-1] = 4.0, (107.0, 15.0)  # the other program stopped
    assert governor.threads() == 2
    now[0], readings[-1] = 5.0, (112.0, 15.1)  # both cores taken by others: still one thread, never none
    assert governor.threads() == 1
    assert ThreadGovernor(lambda: None, cores=2).threads() == 2  # a system that cannot tell: every core
