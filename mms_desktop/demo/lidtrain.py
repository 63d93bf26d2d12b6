"""Training the demonstration language identifier on 3-second clips of the synthetic corpus."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from mms_desktop.core.audio import SAMPLE_RATE
from mms_desktop.core.checkpoints import normalize
from mms_desktop.demo.architecture import model_config
from mms_desktop.demo.corpus import Utterance

CLIP_SECONDS = 3.0


@dataclass
class LidResult:
    model: Any
    accuracy: float


def clips(utterances: list[Utterance], seconds: float = CLIP_SECONDS, seed: int = 0) -> list[np.ndarray]:
    """Clips of exactly ``seconds``: utterances of one language joined end to end (with short pauses) and cut."""
    rng = random.Random(seed)
    order = list(utterances)
    rng.shuffle(order)
    gap = np.zeros(int(0.2 * SAMPLE_RATE), np.float32)
    stream = np.concatenate([x for u in order for x in (u.samples, gap)])
    size = int(seconds * SAMPLE_RATE)
    return [stream[i : i + size] for i in range(0, len(stream) - size + 1, size)]


def accuracy(model: Any, labelled: list[tuple[np.ndarray, int]]) -> float:
    import torch

    model.eval()
    right = 0
    with torch.inference_mode():
        for audio, label in labelled:
            logits = model(torch.from_numpy(normalize(audio))[None]).logits[0]
            right += int(int(logits.argmax()) == label)
    return right / max(1, len(labelled))


OTHER = "und"  # ISO 639-3 "undetermined": the label of speech in none of the pack's languages


def train_lid(
    asr_state: dict[str, Any],
    train: dict[str, list[Utterance]],
    held_out: dict[str, list[Utterance]],
    steps: int,
    seed: int,
) -> LidResult:
    """A ``Wav2Vec2ForSequenceClassification`` over the corpus languages, its encoder from the ASR base.

    A language named :data:`OTHER` in ``train`` (speech of other languages) is the label for "none of
    these", so that speech in a language outside the pack leaves little probability to any of its own.
    The probabilities are calibrated on ``held_out`` (temperature scaling, folded into the classifier).
    """
    import torch
    from transformers import Wav2Vec2ForSequenceClassification

    labels = list(train)
    config = model_config(
        4, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={c: i for i, c in enumerate(labels)},
        classifier_proj_size=64, architectures=["Wav2Vec2ForSequenceClassification"],
    )  # fmt: skip
    torch.manual_seed(seed)
    model = Wav2Vec2ForSequenceClassification(config)
    model.load_state_dict({k: v for k, v in asr_state.items() if k.startswith("wav2vec2.")}, strict=False)
    data = {i: clips(train[lang], seed=seed) for i, lang in enumerate(labels)}
    held = [(c, i) for i, lang in enumerate(labels) for c in clips(held_out[lang], seed=seed)]
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    rng = random.Random(seed)
    model.train()
    for step in range(1, steps + 1):
        batch = [(rng.choice(data[label]), label) for label in (rng.randrange(len(labels)) for _ in range(8))]
        x = torch.from_numpy(np.stack([normalize(a) for a, _ in batch]))
        y = torch.tensor([label for _, label in batch])
        loss = torch.nn.functional.cross_entropy(model(x).logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"[lid] step {step}/{steps} loss {float(loss.detach()):.3f}", flush=True)
    temperature = calibrate(model, held)
    result = accuracy(model, held)
    said = f"{result:.3f} (temperature {temperature:.2f})"
    print(f"[lid] held-out accuracy on {len(held)} clips of {CLIP_SECONDS:.0f} s: {said}", flush=True)
    return LidResult(model, result)


def calibrate(model: Any, held: list[tuple[np.ndarray, int]]) -> float:
    """Temperature scaling: the temperature that makes the held-out probabilities most likely, folded
    into the classifier's last layer (logits divided by it), so the saved model gives calibrated
    probabilities as it is."""
    import torch

    model.eval()
    with torch.inference_mode():
        logits = torch.cat([model(torch.from_numpy(normalize(a))[None]).logits for a, _ in held])
    labels = torch.tensor([label for _, label in held])
    grid = [0.5 + 0.1 * i for i in range(46)]
    best = min(grid, key=lambda t: float(torch.nn.functional.cross_entropy(logits / t, labels)))
    with torch.no_grad():
        model.classifier.weight /= best
        model.classifier.bias /= best
    return best
