"""The demonstration models' architecture: MMS's wav2vec2 options at a millionth of its size."""

from __future__ import annotations

from typing import Any


def model_config(vocab_size: int, **extra: Any) -> Any:
    """A 1M-parameter wav2vec2 with the MMS architecture options (stable layer norm, adapters)."""
    from transformers import Wav2Vec2Config

    return Wav2Vec2Config(
        hidden_size=144, num_hidden_layers=3, num_attention_heads=4, intermediate_size=384,
        conv_dim=(128, 96, 96, 96, 96, 96, 96), conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        conv_stride=(5, 2, 2, 2, 2, 2, 2), conv_bias=True, num_conv_pos_embeddings=32,
        num_conv_pos_embedding_groups=8, do_stable_layer_norm=True, feat_extract_norm="layer",
        adapter_attn_dim=16, vocab_size=vocab_size, pad_token_id=0, bos_token_id=1, eos_token_id=2,
        **extra,
    )  # fmt: skip
