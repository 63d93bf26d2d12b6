"""The full-size MMS-1B recognition architecture with random weights, in the real repo layout.

Random weights cost exactly what real ones cost, so speed and memory are measured without a 3.9 GB
download. The folder is written once and reused from the benchmark cache.
"""

from __future__ import annotations

import json
import logging
import string
from pathlib import Path
from typing import Any

from mms_desktop.core.checkpoints import layout

log = logging.getLogger(__name__)
VOCAB_SIZE = 154  # mms-1b-all's English head


def full_size_config(vocab_size: int = VOCAB_SIZE) -> Any:
    """The architecture of facebook/mms-1b-all (964,845,850 parameters with a 154-token head)."""
    from transformers import Wav2Vec2Config

    return Wav2Vec2Config(
        hidden_size=1280, num_hidden_layers=48, num_attention_heads=16, intermediate_size=5120,
        conv_dim=(512,) * 7, conv_kernel=(10, 3, 3, 3, 3, 2, 2), conv_stride=(5, 2, 2, 2, 2, 2, 2),
        conv_bias=True, num_conv_pos_embeddings=128, num_conv_pos_embedding_groups=16,
        do_stable_layer_norm=True, feat_extract_norm="layer", adapter_attn_dim=16, vocab_size=vocab_size,
        pad_token_id=0, bos_token_id=1, eos_token_id=2, architectures=["Wav2Vec2ForCTC"],
    )  # fmt: skip


def random_model(config: Any) -> Any:
    """A model with random weights, built without the slow per-module initializers."""
    import torch
    from transformers import Wav2Vec2ForCTC

    with torch.device("meta"):
        model = Wav2Vec2ForCTC(config)
    model = model.to_empty(device="cpu")
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("bias"):
                param.zero_()
            elif param.dim() == 1:
                param.fill_(1.0)
            else:
                param.normal_(0.0, 0.02, generator=generator)
        for buffer in model.buffers():
            buffer.zero_()
    return model.eval()


def english_vocabulary() -> dict[str, int]:
    chars = list(string.ascii_lowercase + "'") + [f"<sym{i}>" for i in range(VOCAB_SIZE - 32)]
    return layout.ctc_vocabulary(chars)


def ensure_repo(folder: Path) -> Path:
    """Write (once) a full-size recognition repo with English and a second language's adapter."""
    marker = folder / "complete.json"
    if marker.exists():
        return folder
    log.info("writing the full-size benchmark model to %s (about 3.9 GB, once)", folder)
    vocab = english_vocabulary()
    model = random_model(full_size_config(len(vocab)))
    layout.write_asr_base(folder, model, {"eng": vocab}, default_language="eng")
    layout.write_adapter(folder, "eng", model, vocab)
    layout.write_adapter(folder, "fra", model, vocab)
    marker.write_text(json.dumps({"parameters": sum(p.numel() for p in model.parameters())}))
    return folder


OMNI_VOCAB_SIZE = 9812  # the character vocabulary of Omnilingual's CTC models


def omnilingual_300m_config(vocab_size: int = OMNI_VOCAB_SIZE) -> Any:
    """The architecture of omniASR_CTC_300M (wav2vec2 large: 24 layers of 1,024) in the Wav2Vec2ForCTC
    layout, with one output head for every language."""
    config = full_size_config(vocab_size)
    config.update({"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16, "intermediate_size": 4096,
                   "adapter_attn_dim": None, "pad_token_id": 1, "bos_token_id": 0})  # fmt: skip
    return config


def ensure_omnilingual_repo(folder: Path) -> Path:
    """Write (once) a recognition repo with the Omnilingual CTC 300M architecture (random weights)."""
    marker = folder / "complete.json"
    if marker.exists():
        return folder
    log.info("writing the Omnilingual 300M benchmark model to %s (about 1.3 GB, once)", folder)
    chars = list(string.ascii_lowercase + "'") + [f"<sym{i}>" for i in range(OMNI_VOCAB_SIZE - 32)]
    vocab = {**{t: i for i, t in enumerate(layout.FAIRSEQ_ORDER)}, "|": 4, **{c: 5 + i for i, c in enumerate(chars)}}
    model = random_model(omnilingual_300m_config(len(vocab)))
    layout.write_flat_repo(folder, model, vocab, languages=["eng", "fra"], plain_positions=True)
    marker.write_text(json.dumps({"parameters": sum(p.numel() for p in model.parameters())}))
    return folder


def ensure_lid_repo(folder: Path, labels: int = 126) -> Path:
    """Write (once) a language identifier with the architecture of facebook/mms-lid-126 (random weights)."""
    marker = folder / "complete.json"
    if marker.exists():
        return folder
    import torch
    from transformers import Wav2Vec2ForSequenceClassification

    log.info("writing the full-size identification benchmark model to %s (about 3.9 GB, once)", folder)
    config = full_size_config()
    codes = [f"{a}{b}{c}" for a in "abcdefgh" for b in "aeiou" for c in "nrst"][:labels]
    config.update({"architectures": ["Wav2Vec2ForSequenceClassification"], "classifier_proj_size": 1024,
                   "num_labels": labels, "id2label": dict(enumerate(codes)),
                   "label2id": {c: i for i, c in enumerate(codes)}})  # fmt: skip
    with torch.device("meta"):
        model = Wav2Vec2ForSequenceClassification(config)
    model = model.to_empty(device="cpu")
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0.0, 0.02, generator=generator)
        for buffer in model.buffers():
            buffer.zero_()
    layout.write_lid(folder, model)
    marker.write_text(json.dumps({"parameters": sum(p.numel() for p in model.parameters())}))
    return folder
