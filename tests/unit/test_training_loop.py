"""The training loop's batching and precision choices (the loop itself runs in test_adapter_training)."""

import contextlib
import random

import numpy as np
import torch

from mms_desktop.core.training.loop import Example, TrainOptions, _autocast, _length_grouped


def _examples(lengths: list[int]) -> list[Example]:
    return [Example(np.zeros(n, np.float32), (5,)) for n in lengths]


def test_length_grouped_passes_cover_every_example_in_whole_batches_of_similar_length() -> None:
    rng = random.Random(0)
    lengths = [rng.randint(8_000, 96_000) for _ in range(1_000)]
    examples = _examples(lengths)
    order = _length_grouped(examples, 8, random.Random(1))

    assert len(order) % 8 == 0 and len(order) - len(examples) < 8
    assert set(order) == set(range(len(examples)))
    batches = [order[i : i + 8] for i in range(0, len(order), 8)]
    padded = sum(8 * max(lengths[i] for i in b) for b in batches)
    shuffled = random.Random(2).sample(range(len(examples)), len(examples))
    padded_random = sum(8 * max(lengths[i] for i in shuffled[j : j + 8]) for j in range(0, len(shuffled), 8))
    assert padded < 0.8 * padded_random  # less padding computed on than random batches
    longest = [max(lengths[i] for i in b) for b in batches]
    assert longest != sorted(longest)  # batches still come in random order, not shortest first


def test_length_grouped_is_reproducible_and_fills_a_batch_from_few_examples() -> None:
    examples = _examples([100, 200, 300])
    assert _length_grouped(examples, 8, random.Random(5)) == _length_grouped(examples, 8, random.Random(5))
    order = _length_grouped(examples, 8, random.Random(5))
    assert len(order) == 8 and set(order) == {0, 1, 2}


def test_mixed_precision_is_bf16_on_cpus_that_have_it_and_can_be_switched_off() -> None:
    assert isinstance(_autocast(TrainOptions(mixed_precision=False)), contextlib.nullcontext)
    with _autocast(TrainOptions()):
        product = torch.ones(4, 4) @ torch.ones(4, 4)
    expected = torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32
    assert product.dtype == expected
