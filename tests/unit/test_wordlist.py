"""Decoding that keeps to a word list: the beam search, its pieces, and reading users' lists."""

from pathlib import Path

import numpy as np
import pytest

from mms_desktop.core.base import UserError
from mms_desktop.core.recognition import ctc, wordlist

VOCAB = ["<pad>", "<s>", "</s>", "<unk>", "|", *"abdehiklortw"]
ID_TO_TOKEN = dict(enumerate(VOCAB))


def frames(*columns: dict[str, float]) -> np.ndarray:
    """Log-probabilities, one frame per dict of token probabilities (the rest shared by the other tokens)."""
    out = np.zeros((len(columns), len(VOCAB)))
    for t, column in enumerate(columns):
        rest = (1 - sum(column.values())) / (len(VOCAB) - len(column))
        out[t] = [column.get(token, rest) for token in VOCAB]
    return np.log(out)


def sure(text: str) -> list[dict[str, float]]:
    return [{c: 0.9} for c in text]


BLANK = {"<pad>": 0.9}
PAUSE_OR_SPACE = {"<pad>": 0.7, "|": 0.25}  # a short pause the best path reads as nothing


def words_of(log_probs: np.ndarray, decoder: wordlist.WordDecoder | None) -> list[str]:
    path = decoder.best_path(log_probs) if decoder is not None else None
    return [w.word for w in ctc.decode(log_probs, ID_TO_TOKEN, path=path)]


def test_listed_words_split_what_the_best_path_runs_together() -> None:
    log_probs = frames(*sure("the"), PAUSE_OR_SPACE, *sure("old"), BLANK, BLANK)
    assert words_of(log_probs, None) == ["theold"]
    decoder = wordlist.WordDecoder(["the", "old", "tree"], ID_TO_TOKEN, blank_id=0)
    assert words_of(log_probs, decoder) == ["the", "old"]


def test_a_misheard_word_becomes_the_listed_word_it_sounds_most_like() -> None:
    # "b?ok" with the second letter unclear: the best path spells "baok", which is not a word.
    log_probs = frames(*sure("b"), {"a": 0.5, "o": 0.4}, BLANK, *sure("ok"), BLANK, BLANK)
    assert words_of(log_probs, None) == ["baok"]
    decoder = wordlist.WordDecoder(["book", "bird", "boat"], ID_TO_TOKEN, blank_id=0)
    assert words_of(log_probs, decoder) == ["book"]


def test_the_path_has_one_token_per_frame_and_times_words_like_greedy_decoding() -> None:
    log_probs = frames(BLANK, *sure("hel"), BLANK, *sure("lo"), *sure("|"), BLANK, *sure("world"), BLANK, BLANK)
    decoder = wordlist.WordDecoder(["hello", "world"], ID_TO_TOKEN, blank_id=0)
    path = decoder.best_path(log_probs)
    assert path.shape == (len(log_probs),)
    greedy = ctc.decode(log_probs, ID_TO_TOKEN)
    listed = ctc.decode(log_probs, ID_TO_TOKEN, path=path)
    assert [(w.word, w.start) for w in listed] == [(w.word, w.start) for w in greedy]
    assert listed[0].end == greedy[0].end


def test_silence_gives_no_words() -> None:
    decoder = wordlist.WordDecoder(["hello"], ID_TO_TOKEN, blank_id=0)
    assert words_of(frames(*[BLANK] * 20), decoder) == []
    assert decoder.best_path(np.zeros((0, len(VOCAB)), np.float32)).shape == (0,)


def test_long_audio_is_cut_into_pieces_in_pauses() -> None:
    rng = np.random.default_rng(0)
    speech = np.zeros(5000, bool)
    for start in rng.integers(0, 5000, 150):
        speech[start : start + int(rng.integers(5, 40))] = True
    letter, blank = (np.log(np.eye(len(VOCAB))[i] * 0.9 + 0.01) for i in (5, 0))
    log_probs = np.where(speech[:, None], letter, blank)
    pieces = wordlist.pieces_of(log_probs, blank_id=0, limit=800)
    assert pieces[0][0] == 0 and pieces[-1][1] == 5000
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
    assert all(0 < end - start <= 800 for start, end in pieces)
    cuts = [end for _, end in pieces[:-1]]
    assert all(not speech[cut - 3 : cut + 3].any() for cut in cuts)  # inside pauses
    assert wordlist.pieces_of(log_probs[:700], blank_id=0, limit=800) == [(0, 700)]


def test_speech_with_no_pause_is_cut_at_the_limit() -> None:
    log_probs = np.log(np.tile(np.eye(len(VOCAB))[5] * 0.9 + 0.01, (2000, 1)))
    assert wordlist.pieces_of(log_probs, blank_id=0, limit=800) == [(0, 800), (800, 1600), (1600, 2000)]


def test_reading_a_list_lowercases_and_drops_repeats_and_unspellable_words() -> None:
    listed = wordlist.read_words("The tree\nthe  BIRD\nbraß\n", ID_TO_TOKEN)
    assert listed.words == ["the", "tree", "bird"]
    assert listed.unspellable == ["braß"]
    assert listed.counts is None  # no numbers: every word alike


def test_a_number_after_a_word_is_how_often_it_occurs() -> None:
    listed = wordlist.read_words("The 5\nthe\t3\ntree 2.5\nbird\nbraß 4\nold hike\n", ID_TO_TOKEN)
    assert listed.words == ["the", "tree", "bird", "old", "hike"]
    assert listed.counts == [8, 2.5, 1, 1, 1]  # repeats add up; words without a number count once
    assert listed.unspellable == ["braß"]
    assert listed.text() == "the\t8\ntree\t2.5\nbird\t1\nold\t1\nhike\t1\n"


@pytest.mark.parametrize(("counts", "heard"), [([1000, 1], "bird"), ([1, 1000], "bard")])
def test_counts_choose_between_listed_words_that_fit_the_sound_alike(counts: list[float], heard: str) -> None:
    log_probs = frames(*sure("b"), {"i": 0.45, "a": 0.45}, BLANK, *sure("rd"), BLANK, BLANK)
    decoder = wordlist.WordDecoder(["bird", "bard"], ID_TO_TOKEN, blank_id=0, counts=counts)
    assert words_of(log_probs, decoder) == [heard]
    clear = frames(*sure("b"), {"i": 0.9}, BLANK, *sure("rd"), BLANK, BLANK)
    assert words_of(clear, decoder) == ["bird"]  # what is clearly said wins over frequency


def test_a_users_list_is_checked_with_one_clear_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\nwörld\nçava\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"2 words in bad.txt use letters that 'eng' does not have \(wörld, çava\)"):
        wordlist.check_file(bad, ID_TO_TOKEN, "eng")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n", encoding="utf-8")
    with pytest.raises(UserError, match="has no words"):
        wordlist.check_file(empty, ID_TO_TOKEN, "eng")
    binary = tmp_path / "list.doc"
    binary.write_bytes(b"\xff\xfe\x00\x81 not text")
    with pytest.raises(UserError, match="save it as UTF-8 text"):
        wordlist.check_file(binary, ID_TO_TOKEN, "eng")
    with pytest.raises(UserError, match="missing.txt does not exist; give the file of the word list"):
        wordlist.check_file(tmp_path / "missing.txt", ID_TO_TOKEN, "eng")
    counted = tmp_path / "counted.txt"
    counted.write_text("hello 12\nworld 0\n", encoding="utf-8")
    with pytest.raises(UserError, match="'world' in counted.txt has the count 0; give each word a count above 0"):
        wordlist.check_file(counted, ID_TO_TOKEN, "eng")


def test_installing_a_list_replaces_the_old_one_whole(tmp_path: Path) -> None:
    source = tmp_path / "mine.txt"
    source.write_text("Hello world hello\n", encoding="utf-8")
    folder = tmp_path / "wordlists"
    assert wordlist.install(source, "eng", ID_TO_TOKEN, folder).words == ["hello", "world"]
    assert (folder / "words.eng.txt").read_text(encoding="utf-8") == "hello\nworld\n"
    source.write_text("tree wörld", encoding="utf-8")
    with pytest.raises(UserError):
        wordlist.install(source, "eng", ID_TO_TOKEN, folder)
    assert (folder / "words.eng.txt").read_text(encoding="utf-8") == "hello\nworld\n"  # the old list is kept
    assert wordlist.find("eng", [tmp_path, folder]) == folder / "words.eng.txt"
    assert wordlist.find("fra", [folder]) is None
    source.write_text("hello 30\nworld\t7\n", encoding="utf-8")
    assert wordlist.install(source, "eng", ID_TO_TOKEN, folder).counts == [30, 7]
    assert (folder / "words.eng.txt").read_text(encoding="utf-8") == "hello\t30\nworld\t7\n"  # counts kept


@pytest.mark.parametrize("seed", range(40))
def test_only_listed_words_come_out_even_where_a_piece_ends_inside_a_word(seed: int) -> None:
    """Speech cut off in the middle of a word (the end of a recording, a piece of a long one), or too short
    for any listed word: fragments such as 'tr' or 'h' never come out."""
    rng = np.random.RandomState(seed)
    listed = ["the", "old", "tree", "book", "hike"]
    decoder = wordlist.WordDecoder(listed, ID_TO_TOKEN, blank_id=0)
    spoken = " ".join(rng.choice(listed, size=3))
    cut = spoken[: rng.randint(1, len(spoken))]  # stops anywhere, inside a word too
    columns = [PAUSE_OR_SPACE if c == " " else {c: 0.6 + 0.3 * rng.rand()} for c in cut]
    log_probs = frames(*columns) + rng.randn(len(columns), len(VOCAB)) * 0.3
    assert set(words_of(log_probs, decoder)) <= set(listed), cut
