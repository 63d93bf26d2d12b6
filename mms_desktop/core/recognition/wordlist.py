"""Decoding that keeps to a language's word list.

A word list (``words.<code>.txt``: words separated by spaces or new lines) restricts recognition to the
words in it: the CTC beam search of flashlight-text walks a trie of their spellings, each word followed by
the word delimiter, and returns the best frame path that spells listed words only. Where the vocabulary is
closed (an elicitation list, commands, the demonstration pack) this turns near misses such as ``theold``
into the words that were said; for free speech, leave the list out.

A line may give how often its word occurs after it (``house 1520``): such a list is a unigram language
model too, and among listed words that fit the sound equally the more frequent wins (``house`` rather
than ``hose``). Words without a number count once; a list without numbers treats every word alike.

Lists come from the user's store (``<store>/wordlists``), which wins, or from the model folder itself.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.base import UserError, atomic_write_text, read_text_file

log = logging.getLogger(__name__)

BEAM = 50  # hypotheses kept per frame: wider finds nothing better on the demonstration pack
MAX_FRAMES = 1500  # longer stretches (30 s) are decoded piece by piece, cut in pauses
PAUSE_FRAMES = 10  # a run of this many blank frames is a pause no word spans
LM_WEIGHT = 0.6  # of the word frequencies' log-probability against the model's, where a list gives them


@dataclass(frozen=True)
class WordList:
    """The words of a list that the vocabulary can spell, how often each occurs (None where the list gives no
    numbers), and the words it cannot spell."""

    words: list[str]
    counts: list[float] | None
    unspellable: list[str]

    def text(self) -> str:
        """The list as a file holds it: a word per line, with its count where the list has counts."""
        if self.counts is None:
            return "".join(f"{w}\n" for w in self.words)
        return "".join(f"{w}\t{_count_text(c)}\n" for w, c in zip(self.words, self.counts, strict=True))


def _count_text(count: float) -> str:
    return str(int(count)) if float(count).is_integer() else repr(float(count))


def file_name(language: str) -> str:
    return f"words.{language}.txt"


def find(language: str, folders: Iterable[Path]) -> Path | None:
    """The first ``words.<language>.txt`` in ``folders``, or None."""
    for folder in folders:
        path = folder / file_name(language)
        if path.is_file():
            return path
    return None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _entries(text: str) -> Iterator[tuple[str, float | None]]:
    """(word, count) of every word: a line of a word and a number gives its count; other lines are words
    separated by spaces."""
    for line in text.splitlines():
        fields = line.split()
        count = _number(fields[1]) if len(fields) == 2 else None
        if count is not None:
            yield fields[0], count
        else:
            yield from ((field, None) for field in fields)


def read_words(text: str, id_to_token: Mapping[int, str], delimiter: str = "|") -> WordList:
    """The distinct words of ``text`` that the vocabulary can spell (with their counts added up where the list
    gives counts), and those it cannot.

    Words are lower-cased when the vocabulary has no capital letters (as in MMS adapters).
    """
    letters = {t for t in id_to_token.values() if len(t) == 1 and t != delimiter}
    lower = not any(c.isupper() for c in letters)
    spelled: dict[str, float] = {}
    unspellable: dict[str, None] = {}
    weighted = False
    for word, count in _entries(text):
        word = word.lower() if lower else word
        weighted = weighted or count is not None
        if set(word) <= letters:
            spelled[word] = spelled.get(word, 0.0) + (1.0 if count is None else max(count, 0.0))
        else:
            unspellable[word] = None
    counts = [max(c, 1e-9) for c in spelled.values()] if weighted else None
    return WordList(list(spelled), counts, list(unspellable))


def check_file(path: Path, id_to_token: Mapping[int, str], language: str) -> WordList:
    """The word list the user chose, for ``language``.

    Raises:
        UserError: the file cannot be read, is empty, has words the language's alphabet cannot spell, or a
            count that is not above 0.
    """
    if not path.is_file():
        raise UserError(
            f"{path} {'is a folder' if path.is_dir() else 'does not exist'}; give the file of the word list."
        )
    text = read_text_file(path)
    bad = next(((w, c) for w, c in _entries(text) if c is not None and c <= 0), None)
    if bad is not None:
        raise UserError(f"'{bad[0]}' in {path.name} has the count {bad[1]:g}; give each word a count above 0.")
    listed = read_words(text, id_to_token)
    unspellable = listed.unspellable
    if unspellable:
        shown = ", ".join(unspellable[:5]) + (" …" if len(unspellable) > 5 else "")
        many = len(unspellable) > 1
        count = f"{len(unspellable)} words in {path.name} use" if many else f"A word in {path.name} uses"
        raise UserError(f"{count} letters that '{language}' does not have ({shown}); correct or remove them.")
    if not listed.words:
        raise UserError(f"The word list {path} has no words; put one word per line.")
    return listed


def install(source: Path, language: str, id_to_token: Mapping[int, str], folder: Path) -> WordList:
    """Check the word list ``source`` for ``language`` and save it (one word per line, with its count if the
    list has counts) into ``folder``, replacing the one there.

    Raises:
        UserError: as :func:`check_file`.
    """

    listed = check_file(source, id_to_token, language)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / file_name(language), listed.text())
    return listed


class WordDecoder:
    """Best CTC paths that spell only the given words.

    Args:
        words: the words, spelled in the vocabulary's characters.
        id_to_token: the language's output vocabulary.
        blank_id: the CTC blank.
        delimiter: the word delimiter token, which ends every word.
        counts: how often each word occurs, if known: the more frequent of two words that fit equally wins.
    """

    def __init__(
        self,
        words: Sequence[str],
        id_to_token: Mapping[int, str],
        blank_id: int,
        delimiter: str = "|",
        counts: Sequence[float] | None = None,
    ):
        from flashlight.lib.text.decoder import SmearingMode, Trie, ZeroLM

        ids = {token: index for index, token in id_to_token.items()}
        if not words:
            raise ValueError("a word decoder needs at least one word")
        self.words = list(words)
        self._vocab = max(id_to_token) + 1
        self._blank, self._delimiter = blank_id, ids[delimiter]
        scores = [0.0] * len(self.words)
        self._lm, self._lm_weight = ZeroLM(), 0.0
        if counts is not None:
            total = sum(counts)
            scores = [math.log(c / total) for c in counts]
            self._lm, self._lm_weight = _unigram_class()(scores), LM_WEIGHT
        self._trie = Trie(self._vocab, self._delimiter)
        for index, word in enumerate(self.words):
            self._trie.insert([ids[c] for c in word] + [self._delimiter], index, scores[index])
        self._trie.smear(SmearingMode.MAX)
        self._spelled = {tuple(ids[c] for c in word) for word in self.words}

    def best_path(self, log_probs: np.ndarray) -> np.ndarray:
        """One token id per frame of ``(frames, vocab)`` log-probabilities, spelling listed words only."""
        frames = np.ascontiguousarray(log_probs, dtype=np.float32)
        pieces = [self._only_listed(self._decode(frames[start:end])) for start, end in pieces_of(frames, self._blank)]
        return np.concatenate(pieces) if pieces else np.zeros(0, np.int64)

    def _only_listed(self, path: np.ndarray) -> np.ndarray:
        """``path`` with the frames of what it spells that is not a listed word made blank: the search may
        end a piece in the middle of a word (``sp`` of ``speak``), which must not come out as a word."""
        out, frames, letters, previous = path.copy(), list[int](), list[int](), -1
        for t, token in enumerate([*path.tolist(), self._delimiter]):  # the end of the piece ends its last word
            if token == self._delimiter:
                if letters and tuple(letters) not in self._spelled:
                    out[frames] = self._blank
                frames, letters = [], []
            elif token != self._blank:
                frames.append(t)
                if token != previous:  # CTC: a repeat counts once unless a blank stands between
                    letters.append(token)
            previous = token
        return out

    def _decode(self, frames: np.ndarray) -> np.ndarray:
        from flashlight.lib.text.decoder import CriterionType, LexiconDecoder, LexiconDecoderOptions

        options = LexiconDecoderOptions(
            beam_size=BEAM, beam_size_token=self._vocab, beam_threshold=25.0, lm_weight=self._lm_weight, word_score=0.0,
            unk_score=float("-inf"), sil_score=0.0, log_add=False, criterion_type=CriterionType.CTC,
        )  # fmt: skip
        decoder = LexiconDecoder(options, self._trie, self._lm, self._delimiter, self._blank, -1, [], False)
        results = decoder.decode(frames.ctypes.data, frames.shape[0], frames.shape[1])
        if not results:  # no path spells listed words (too few frames): nothing is said there
            return np.full(len(frames), self._blank, np.int64)
        # The path has one token per frame between a start and an end token.
        return np.asarray(results[0].tokens[1:-1], dtype=np.int64)


@functools.cache
def _unigram_class() -> Any:
    """flashlight-text's language model interface over fixed word log-probabilities (one state: a word's
    score does not depend on the words before it)."""
    from flashlight.lib.text.decoder import LM, LMState

    class Unigram(LM):  # type: ignore[misc]
        def __init__(self, scores: list[float]):
            LM.__init__(self)
            self.scores, self.state = scores, LMState()

        def start(self, start_with_nothing: bool) -> Any:
            return self.state

        def score(self, state: Any, word: int) -> tuple[Any, float]:
            return self.state, self.scores[word]

        def finish(self, state: Any) -> tuple[Any, float]:
            return self.state, 0.0

    return Unigram


def pieces_of(log_probs: np.ndarray, blank_id: int, limit: int = MAX_FRAMES) -> list[tuple[int, int]]:
    """``[start, end)`` frame ranges of at most ``limit`` frames, cut in the middle of pauses.

    A cut goes in the longest run of at least :data:`PAUSE_FRAMES` blank frames in the second half of a
    range; without one, at the range's limit.
    """
    blank = log_probs.argmax(axis=-1) == blank_id if len(log_probs) else np.zeros(0, bool)
    pieces, start, total = [], 0, len(log_probs)
    while total - start > limit:
        end = start + limit
        cut = _middle_of_longest_pause(blank[start + limit // 2 : end])
        end = start + limit // 2 + cut if cut is not None else end
        pieces.append((start, end))
        start = end
    if total > start:
        pieces.append((start, total))
    return pieces


def _middle_of_longest_pause(blank: np.ndarray) -> int | None:
    edges = np.diff(np.concatenate(([0], blank.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(starts) == 0:
        return None
    longest = int(np.argmax(ends - starts))
    if ends[longest] - starts[longest] < PAUSE_FRAMES:
        return None
    return int((starts[longest] + ends[longest]) // 2)
