import numpy as np
import pytest

from mms_desktop.core.recognition import ctc

VOCAB = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, "h": 5, "e": 6, "l": 7, "o": 8, "w": 9, "r": 10, "d": 11}
ID_TO_TOKEN = {i: t for t, i in VOCAB.items()}


def one_hot(tokens: list[str], p: float = 0.9) -> np.ndarray:
    """Log-probabilities whose best path is ``tokens``, one per frame."""
    probs = np.full((len(tokens), len(VOCAB)), (1 - p) / (len(VOCAB) - 1))
    for i, t in enumerate(tokens):
        probs[i, VOCAB[t]] = p
    return np.log(probs)


def test_blank_between_repeats_keeps_both_letters() -> None:
    # The trap: skip_special_tokens drops <pad> before merging, giving "helo".
    frames = ["h", "h", "e", "l", "<pad>", "l", "l", "o"]
    words = ctc.decode(one_hot(frames), ID_TO_TOKEN)
    assert [w.word for w in words] == ["hello"]


def test_repeats_without_blank_collapse_and_specials_vanish() -> None:
    frames = ["<s>", "h", "e", "e", "<unk>", "l", "o", "</s>"]
    assert [w.word for w in ctc.decode(one_hot(frames), ID_TO_TOKEN)] == ["helo"]


def test_word_timestamps_are_20ms_frames_with_offset() -> None:
    frames = ["<pad>", "h", "e", "<pad>", "|", "<pad>", "<pad>", "w", "o", "r", "l", "d", "<pad>"]
    words = ctc.decode(one_hot(frames), ID_TO_TOKEN, offset_s=1.0)
    assert [(w.word, w.start, w.end) for w in words] == [("he", 1.02, 1.06), ("world", 1.14, 1.24)]


def test_confidence_is_the_geometric_mean_of_frame_probabilities() -> None:
    log_probs = one_hot(["h", "e"], p=0.9)
    log_probs[1] = np.log(np.full(len(VOCAB), 0.5 / (len(VOCAB) - 1)))
    log_probs[1, VOCAB["e"]] = np.log(0.5)
    (word,) = ctc.decode(log_probs, ID_TO_TOKEN)
    assert word.confidence == pytest.approx(np.sqrt(0.9 * 0.5), abs=1e-4)


def test_empty_input_gives_no_words() -> None:
    assert ctc.decode(np.zeros((0, len(VOCAB))), ID_TO_TOKEN) == []
    assert ctc.decode(one_hot(["<pad>"] * 5), ID_TO_TOKEN) == []


def test_segments_split_at_pauses() -> None:
    frames = ["h", "e", "|", "w", "o", "|"] + ["<pad>"] * 50 + ["d", "o"]
    segments = ctc.words_to_segments(ctc.decode(one_hot(frames), ID_TO_TOKEN))
    assert [s.text for s in segments] == ["he wo", "do"]
    assert segments[1].start == pytest.approx(1.12)


@pytest.mark.parametrize(("samples", "frames"), [(0, 0), (399, 0), (400, 1), (719, 1), (720, 2), (16000, 49)])
def test_frame_count_matches_the_conv_front_end(samples: int, frames: int) -> None:
    assert ctc.frames_for_samples(samples) == frames


def test_every_character_has_its_own_20ms_frame_span() -> None:
    frames = ["<pad>", "h", "h", "e", "<pad>", "|", "w", "o", "o", "o"]
    tokens = ctc.greedy_tokens(one_hot(frames), ID_TO_TOKEN)
    assert [(t.text, t.start * ctc.FRAME_SECONDS, t.end * ctc.FRAME_SECONDS) for t in tokens] == [
        ("h", 0.02, 0.06), ("e", 0.06, 0.08), ("|", 0.1, 0.12), ("w", 0.12, 0.14), ("o", 0.14, 0.2)]  # fmt: skip


def test_live_text_commits_only_the_words_the_committed_windows_end_after() -> None:
    def tokens(text: str, first: int) -> list[ctc.Token]:
        return [ctc.Token(c, first + i, first + i + 1, 0.0) for i, c in enumerate(text)]

    # the committed windows end inside "red": it stays tentative with the frames after them
    assert ctc.live_text(tokens("a|big|re", 0), tokens("d|bird", 8)) == ("a big", "red bird")
    assert ctc.live_text([], tokens("a|b", 0)) == ("", "a b"), "nothing committed yet"
    assert ctc.live_text(tokens("a|b|", 0), []) == ("a b", ""), "a committed window that ends on a word boundary"
