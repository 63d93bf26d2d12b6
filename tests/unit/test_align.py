import numpy as np
import pytest

from mms_desktop.core.base import UserError
from mms_desktop.core.fieldwork import viterbi


def path_probs(frames: list[int], vocab: int = 6, p: float = 0.9) -> np.ndarray:
    probs = np.full((len(frames), vocab), (1 - p) / (vocab - 1))
    probs[np.arange(len(frames)), frames] = p
    return np.log(probs)


def test_viterbi_finds_each_label_span_including_repeats() -> None:
    # blank=0; "a a b" with a blank between the two a's (required by CTC).
    frames = [0, 1, 1, 0, 1, 0, 0, 2, 2, 0]
    assert viterbi(path_probs(frames), [1, 1, 2]) == [(0, 1, 3), (1, 4, 5), (2, 7, 9)]


def test_viterbi_forces_the_text_even_against_the_best_path() -> None:
    frames = [0, 3, 3, 0, 4, 4, 0]  # the model heard other labels
    spans = viterbi(path_probs(frames), [1, 2])
    assert [s[0] for s in spans] == [0, 1] and spans[0][2] <= spans[1][1]


def test_audio_too_short_for_the_text() -> None:
    with pytest.raises(UserError, match="too short for this text"):
        viterbi(path_probs([1, 1]), [1, 1, 2])


@pytest.mark.parametrize("length", [1, 63, 64, 500, 5000])
def test_viterbi_aligns_texts_of_any_length(length: int) -> None:
    # Labels 1..5 cycling, each on two frames with a blank after it, so the path is known exactly.
    targets = [1 + i % 5 for i in range(length)]
    frames = [f for label in targets for f in (label, label, 0)]
    spans = viterbi(path_probs(frames), targets)
    assert spans == [(i, 3 * i, 3 * i + 2) for i in range(length)]
