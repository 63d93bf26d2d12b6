"""Wav2vec 2.0 inference as the MMS checkpoints use it, in plain PyTorch.

transformers' model code takes 2.3 s of a 2-core CPU to import (it pulls in torch's distributed tensors,
the compiler and sympy), more than building and loading MMS-1B itself; importing it while weights are
being packed is what kept a start above 5 s. These modules compute the same function for the
architecture every MMS checkpoint has (layer-normalized convolutional features, pre-norm transformer
layers, per-language attention adapters; a CTC head or MMS-LID's pooled classifier), with the
parameter names of transformers' classes, so the same files and adapters load into either. A tested
equivalence (``tests/unit/test_wav2vec2.py``) keeps them honest. Other architectures, and training,
use transformers.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import torch
from torch import nn
from torch.nn import functional

from mms_desktop.core.base import parse_json

CLASSES = ("Wav2Vec2ForCTC", "Wav2Vec2ForSequenceClassification")
# The positional convolution's weight as checkpoints store it: weight-normalized (dim 2), older and newer names.
_WEIGHT_NORM = (
    (".weight_g", ".weight_v"),
    (".parametrizations.weight.original0", ".parametrizations.weight.original1"),
)


class Output(NamedTuple):
    logits: torch.Tensor


class EncoderOutput(NamedTuple):
    last_hidden_state: torch.Tensor


def read_config(folder: Path) -> SimpleNamespace:
    """A checkpoint's ``config.json`` with attribute access, as the model code reads it."""
    config = SimpleNamespace(**parse_json((folder / "config.json").read_text(encoding="utf-8")))
    config._name_or_path = str(folder)
    if isinstance(getattr(config, "id2label", None), dict):
        config.id2label = {int(k): v for k, v in config.id2label.items()}
    return config


def supported(model_class: str, config: SimpleNamespace) -> bool:
    """Whether ``model_class`` with ``config`` is the architecture these modules compute."""
    get = config.__dict__.get
    return (
        model_class in CLASSES
        and get("model_type") == "wav2vec2"
        and get("feat_extract_norm") == "layer"
        and get("do_stable_layer_norm") is True
        and not get("add_adapter")
        and not get("use_weighted_layer_sum")
        and get("feat_extract_activation") == get("hidden_act") == "gelu"
    )


class ConvLayer(nn.Module):
    def __init__(self, config: Any, i: int):
        super().__init__()
        channels = config.conv_dim[i]
        self.conv = nn.Conv1d(config.conv_dim[i - 1] if i else 1, channels, config.conv_kernel[i],
                              stride=config.conv_stride[i], bias=config.conv_bias)  # fmt: skip
        self.layer_norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer_norm(self.conv(x).transpose(-2, -1)).transpose(-2, -1)
        return functional.gelu(x)


class FeatureEncoder(nn.Module):
    """Samples ``(batch, samples)`` to features ``(batch, channels, frames)``."""

    def __init__(self, config: Any):
        super().__init__()
        self.conv_layers = nn.ModuleList(ConvLayer(config, i) for i in range(len(config.conv_dim)))

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        x = samples[:, None]
        for layer in self.conv_layers:
            x = layer(x)
        return x


class FeatureProjection(nn.Module):
    def __init__(self, config: Any):
        super().__init__()
        self.layer_norm = nn.LayerNorm(config.conv_dim[-1], eps=config.layer_norm_eps)
        self.projection = nn.Linear(config.conv_dim[-1], config.hidden_size)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        normalized = self.layer_norm(features)
        return self.projection(normalized), normalized


class PositionalConv(nn.Module):
    def __init__(self, config: Any):
        super().__init__()
        kernel = config.num_conv_pos_embeddings
        self.conv = nn.Conv1d(config.hidden_size, config.hidden_size, kernel, padding=kernel // 2,
                              groups=config.num_conv_pos_embedding_groups)  # fmt: skip
        self._trim = 1 if kernel % 2 == 0 else 0  # an even kernel gives one frame too many

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x.transpose(1, 2))
        if self._trim:
            y = y[:, :, : -self._trim]
        return functional.gelu(y).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, config: Any):
        super().__init__()
        size = config.hidden_size
        self.heads = config.num_attention_heads
        self.q_proj, self.k_proj = nn.Linear(size, size), nn.Linear(size, size)
        self.v_proj, self.out_proj = nn.Linear(size, size), nn.Linear(size, size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = (*x.shape[:-1], self.heads, -1)
        q, k, v = (proj(x).view(shape).transpose(1, 2) for proj in (self.q_proj, self.k_proj, self.v_proj))
        out = functional.scaled_dot_product_attention(q, k, v)  # PyTorch's fused kernel
        projected: torch.Tensor = self.out_proj(out.transpose(1, 2).reshape(*x.shape[:-1], -1))
        return projected


class FeedForward(nn.Module):
    def __init__(self, config: Any):
        super().__init__()
        self.intermediate_dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.output_dense = nn.Linear(config.intermediate_size, config.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.output_dense(functional.gelu(self.intermediate_dense(x)))
        return out


class AdapterLayer(nn.Module):
    """A language adapter: swapped per language with the output head."""

    def __init__(self, config: Any):
        super().__init__()
        self.norm = nn.LayerNorm(config.hidden_size)
        self.linear_1 = nn.Linear(config.hidden_size, config.adapter_attn_dim)
        self.linear_2 = nn.Linear(config.adapter_attn_dim, config.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.linear_2(functional.relu(self.linear_1(self.norm(x))))
        return out


class EncoderLayer(nn.Module):
    def __init__(self, config: Any):
        super().__init__()
        self.layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.attention = Attention(config)
        self.final_layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.feed_forward = FeedForward(config)
        has_adapter = getattr(config, "adapter_attn_dim", None) is not None
        self.adapter_layer = AdapterLayer(config) if has_adapter else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.layer_norm(x))
        x = x + self.feed_forward(self.final_layer_norm(x))
        if self.adapter_layer is not None:
            x = x + self.adapter_layer(x)
        return x


class Encoder(nn.Module):
    def __init__(self, config: Any):
        super().__init__()
        self.pos_conv_embed = PositionalConv(config)
        self.layers = nn.ModuleList(EncoderLayer(config) for _ in range(config.num_hidden_layers))
        self.layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, x: torch.Tensor) -> EncoderOutput:
        x = x + self.pos_conv_embed(x)
        for layer in self.layers:
            x = layer(x)
        return EncoderOutput(self.layer_norm(x))


class Wav2Vec2(nn.Module):
    def __init__(self, config: Any):
        super().__init__()
        self.feature_extractor = FeatureEncoder(config)
        self.feature_projection = FeatureProjection(config)
        self.encoder = Encoder(config)
        self.adapter = None  # MMS has no output adapter (``add_adapter``)

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.feature_projection(self.feature_extractor(samples).transpose(1, 2))
        encoded: torch.Tensor = self.encoder(hidden).last_hidden_state
        return encoded


class ForCTC(nn.Module):
    """Per-frame token scores; the language adapters and output head are swapped by :meth:`load_adapter`."""

    def __init__(self, config: Any):
        super().__init__()
        self.config = config
        self.target_lang = ""
        self.wav2vec2 = Wav2Vec2(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size)

    def forward(self, samples: torch.Tensor) -> Output:
        return Output(self.lm_head(self.wav2vec2(samples)))

    def load_adapter(self, language: str, **_: Any) -> None:
        """Swap in ``adapter.<language>.safetensors`` from the model's folder (the adapters and output head)."""
        from safetensors.torch import load_file

        state = load_file(str(Path(self.config._name_or_path) / f"adapter.{language}.safetensors"))
        names = self._adapter_parameters().keys()
        if state.keys() != names:
            differing = sorted(state.keys() ^ names)
            raise ValueError(f"the adapter for {language} does not fit the model ({', '.join(differing[:3])})")
        rows = state["lm_head.weight"].shape[0]
        if rows != self.lm_head.out_features:  # each language has its own alphabet
            weight = self.lm_head.weight
            self.lm_head = nn.Linear(self.lm_head.in_features, rows, device=weight.device, dtype=weight.dtype)
            self.config.vocab_size = rows
        own = self._adapter_parameters()
        for name, tensor in state.items():  # memory of their own: never written into mapped base weights
            own[name].data = tensor.to(own[name].device, own[name].dtype)
        self.target_lang = language

    def _adapter_parameters(self) -> dict[str, nn.Parameter]:
        return {n: p for n, p in self.named_parameters() if ".adapter_layer." in n or n.startswith("lm_head.")}


class ForSequenceClassification(nn.Module):
    """One score per label for a whole clip: MMS-LID's mean-pooled classifier."""

    def __init__(self, config: Any):
        super().__init__()
        self.config = config
        self.wav2vec2 = Wav2Vec2(config)
        self.projector = nn.Linear(config.hidden_size, config.classifier_proj_size)
        self.classifier = nn.Linear(config.classifier_proj_size, len(config.id2label))

    def forward(self, samples: torch.Tensor) -> Output:
        return Output(self.classifier(self.projector(self.wav2vec2(samples)).mean(dim=1)))


def build(model_class: str, config: SimpleNamespace) -> nn.Module:
    """An empty model (on the meta device: no memory) to assign stored tensors to with :func:`assign`."""
    kind = ForCTC if model_class == "Wav2Vec2ForCTC" else ForSequenceClassification
    with torch.device("meta"):
        return kind(config)


def assign(model: nn.Module, tensors: dict[str, torch.Tensor], dtype: torch.dtype | None = None) -> bool:
    """Give ``model`` the stored ``tensors`` (float ones in ``dtype``, if given); False, with the model left
    as it was, when one it needs is missing. Tensors it has no place for (a masking embedding kept from
    pre-training) are left out; a weight-normalized positional convolution is computed once."""

    def converted(t: torch.Tensor) -> torch.Tensor:
        return t.to(dtype) if dtype is not None and t.is_floating_point() else t

    tensors = dict(tensors)
    for g_name, v_name in _WEIGHT_NORM:  # from the factors in the precision the model runs in
        for name in [n for n in tensors if n.endswith(g_name)]:
            stem, v = name[: -len(g_name)], tensors.get(name[: -len(g_name)] + v_name)
            if v is not None and stem + ".weight" not in tensors:
                g, v = converted(tensors[name]), converted(v)
                tensors[stem + ".weight"] = torch._weight_norm(v.float(), g.float(), 2).to(v.dtype)
    expected = model.state_dict().keys()
    if not expected <= tensors.keys():
        return False
    model.load_state_dict({name: converted(tensors[name]) for name in expected}, strict=True, assign=True)
    model.eval()
    return True
