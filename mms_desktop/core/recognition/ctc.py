"""CTC decoding of MMS output: collapse repeats, drop blanks, and time every character and word.

Decoding is done here rather than with ``tokenizer.decode(..., skip_special_tokens=True)``, which removes
the blank before merging repeats and so turns ``l <pad> l`` into a single ``l``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mms_desktop.core.base import Segment, Word

FRAME_SECONDS = 0.02  # 320 samples per output frame at 16 kHz
SAMPLES_PER_FRAME = 320
RECEPTIVE_FIELD = 400  # samples seen by one output frame of the convolutional front end
SPECIAL_TOKENS = frozenset({"<pad>", "<s>", "</s>", "<unk>"})


@dataclass(frozen=True)
class Token:
    """One emitted character: its text, frames ``[start, end)`` and mean frame probability."""

    text: str
    start: int
    end: int
    log_prob: float


def frames_for_samples(n_samples: int) -> int:
    """Number of output frames the wav2vec2 front end produces for ``n_samples`` samples."""
    if n_samples < RECEPTIVE_FIELD:
        return 0
    return (n_samples - RECEPTIVE_FIELD) // SAMPLES_PER_FRAME + 1


def greedy_tokens(log_probs: np.ndarray, id_to_token: Mapping[int, str], blank_id: int = 0) -> list[Token]:
    """Best-path decoding: one :class:`Token` per run of identical non-blank frames.

    Args:
        log_probs: ``(frames, vocab)`` log-probabilities.
        id_to_token: maps ids to token strings.
        blank_id: the CTC blank (``<pad>`` in MMS vocabularies).
    """
    return path_tokens(log_probs.argmax(axis=-1), log_probs, id_to_token, blank_id)


def path_tokens(
    path: np.ndarray, log_probs: np.ndarray, id_to_token: Mapping[int, str], blank_id: int = 0
) -> list[Token]:
    """The characters of a CTC path (one token id per frame): one :class:`Token` per run of identical
    non-blank ids, scored by the mean log-probability of its frames."""
    if len(path) == 0:
        return []
    ids = np.asarray(path)
    best = log_probs[np.arange(len(ids)), ids]
    # Boundaries of runs of identical ids.
    change = np.flatnonzero(np.diff(ids)) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [len(ids)]))
    tokens = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        token_id = int(ids[start])
        if token_id == blank_id:
            continue
        text = id_to_token.get(token_id, "")
        if text in SPECIAL_TOKENS or not text:
            continue
        tokens.append(Token(text, start, end, float(best[start:end].mean())))
    return tokens


def tokens_to_words(
    tokens: Sequence[Token],
    delimiter: str = "|",
    offset_s: float = 0.0,
    frame_s: float = FRAME_SECONDS,
) -> list[Word]:
    """Group characters into words at the word delimiter; time each word by its first and last character.

    A word's confidence is the geometric mean of its characters' frame probabilities.
    """
    words: list[Word] = []
    current: list[Token] = []

    def flush() -> None:
        if not current:
            return
        text = "".join(t.text for t in current)
        weight = sum(t.end - t.start for t in current)
        mean_log_prob = sum(t.log_prob * (t.end - t.start) for t in current) / weight
        words.append(
            Word(
                word=text,
                start=round(offset_s + current[0].start * frame_s, 3),
                end=round(offset_s + current[-1].end * frame_s, 3),
                confidence=round(float(np.exp(mean_log_prob)), 4),
            )
        )
        current.clear()

    for token in tokens:
        if token.text == delimiter or token.text.isspace():
            flush()
        else:
            current.append(token)
    flush()
    return words


def live_text(committed: Sequence[Token], tail: Sequence[Token], delimiter: str = "|") -> tuple[str, str]:
    """The committed and the tentative text of a live result, from the tokens of the committed windows and
    those of the frames after them: a committed word is one the committed tokens end after."""
    cut = max((i for i, t in enumerate(committed) if t.text == delimiter), default=0)
    words = tokens_to_words(committed[:cut], delimiter)
    tentative = tokens_to_words([*committed[cut:], *tail], delimiter)
    return " ".join(w.word for w in words), " ".join(w.word for w in tentative)


def words_to_segments(words: Sequence[Word], max_gap_s: float = 0.6, max_len_s: float = 8.0) -> list[Segment]:
    """Split words into segments at pauses longer than ``max_gap_s`` or when a segment gets too long."""
    segments: list[Segment] = []
    current: list[Word] = []
    for word in words:
        if current and (word.start - current[-1].end > max_gap_s or word.end - current[0].start > max_len_s):
            segments.append(_segment(current))
            current = []
        current.append(word)
    if current:
        segments.append(_segment(current))
    return segments


def _segment(words: Sequence[Word]) -> Segment:
    return Segment(
        start=words[0].start,
        end=words[-1].end,
        text=" ".join(w.word for w in words),
        words=tuple(words),
    )


def decode(
    log_probs: np.ndarray,
    id_to_token: Mapping[int, str],
    blank_id: int = 0,
    delimiter: str = "|",
    offset_s: float = 0.0,
    path: np.ndarray | None = None,
) -> list[Word]:
    """Log-probabilities of one recording (or window) to timed words.

    Args:
        path: the frame path to read the words from (one token id per frame); default: the best path.
    """
    tokens = greedy_tokens(log_probs, id_to_token, blank_id) if path is None else path_tokens(
        path, log_probs, id_to_token, blank_id)  # fmt: skip
    return tokens_to_words(tokens, delimiter, offset_s)
