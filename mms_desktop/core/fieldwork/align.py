"""CTC forced alignment: time a known transcript against its audio with the language's adapter."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from mms_desktop.core.audio import SAMPLE_RATE
from mms_desktop.core.base import Segment, Transcript, UserError, Word
from mms_desktop.core.recognition import Alphabet, Recognizer, WindowOptions, ctc

MIN_SAMPLES = SAMPLE_RATE // 10  # a tenth of a second: less than the model's first frames need


def viterbi(log_probs: np.ndarray, targets: Sequence[int], blank: int = 0) -> list[tuple[int, int, int]]:
    """The most likely CTC path that spells ``targets``: for each target, ``(index, first, end)`` frames.

    Raises:
        UserError: the audio is too short for the text (fewer frames than the path needs).
    """
    frames, n = log_probs.shape[0], len(targets)
    states = np.full(2 * n + 1, blank, dtype=np.int64)
    states[1::2] = targets
    needed = n + sum(1 for a, b in zip(targets, targets[1:], strict=False) if a == b)
    if frames < needed:
        raise UserError("The audio is too short for this text; check that they belong together.")
    # A state may be entered from itself, the previous state, or (for a label different from the label
    # two states back) skipping the blank in between.
    skip = np.zeros(len(states), bool)
    skip[3::2] = states[3::2] != states[1:-2:2]
    score = np.full(len(states), -np.inf)
    score[:2] = log_probs[0, states[:2]]
    # Back-pointers are 0, 1 or 2 states; read back as Python ints, since NumPy 2 keeps the uint8 type
    # in arithmetic with a state number and would overflow past 255 states (a 128-character text).
    back = np.zeros((frames, len(states)), np.uint8)
    for t in range(1, frames):
        stay, step = score, np.concatenate(([-np.inf], score[:-1]))
        jump = np.where(skip, np.concatenate(([-np.inf, -np.inf], score[:-2])), -np.inf)
        best = np.argmax(np.stack([stay, step, jump]), axis=0)
        score = np.choose(best, [stay, step, jump]) + log_probs[t, states]
        back[t] = best
    state = len(states) - 1 if score[-1] >= score[-2] else len(states) - 2
    path = np.empty(frames, np.int64)
    for t in range(frames - 1, -1, -1):
        path[t] = state
        state -= int(back[t, state])
    spans: dict[int, list[int]] = {}
    for t, s in enumerate(path.tolist()):
        if s % 2 == 1:
            spans.setdefault(s // 2, [t, t + 1])[1] = t + 1
    return [(i, spans[i][0], spans[i][1]) for i in range(n)]


def align(
    recognizer: Recognizer,
    samples: np.ndarray,
    transcript: Transcript,
    options: WindowOptions = WindowOptions(),
    cancel: threading.Event | None = None,
) -> Transcript:
    """Give every segment and word of ``transcript`` its time in ``samples``, in the transcript's language.

    A transcript whose segments all have times (annotations of an ELAN or Praat tier) is aligned within
    them: each segment keeps its times, and its words are found inside it. Plain text (no times) is aligned
    against the whole recording. Characters the language's vocabulary does not have are left out of the
    alignment (the words keep them); a segment with none that it has keeps no words.

    Raises:
        UserError: nothing in the text is in the language's alphabet, or the audio (of a segment) is too
            short for its text.
    """
    spoken = [s for s in transcript.segments if s.text.strip()]
    alphabet = recognizer.alphabet(transcript.language)
    if not any(_targets(alphabet, _words_of([s]))[0] for s in spoken):
        raise UserError(f"None of the text is in the alphabet of '{transcript.language}'; check the language.")
    duration = len(samples) / SAMPLE_RATE
    if not spoken or any(s.end <= s.start for s in spoken):
        return _align_span(recognizer, samples, transcript, options, cancel, keep_times=False)
    segments = []
    for segment in transcript.segments:
        if not segment.text.strip():
            segments.append(segment)
            continue
        first, end = round(segment.start * SAMPLE_RATE), round(min(segment.end, duration) * SAMPLE_RATE)
        piece = Transcript(
            transcript.language, 0.0, (Segment(0.0, segment.end - segment.start, segment.text, (), segment.speaker),)
        )
        try:
            timed = _align_span(recognizer, samples[first:end], piece, options, cancel, keep_times=True).segments[0]
        except UserError as exc:
            raise UserError(
                f"The segment at {segment.start:.3f}-{segment.end:.3f} s ('{segment.text[:40]}'): {exc}"
            ) from exc
        words = tuple(
            Word(w.word, round(w.start + segment.start, 3), round(w.end + segment.start, 3), w.confidence)
            for w in timed.words
        )
        segments.append(Segment(segment.start, segment.end, segment.text, words, segment.speaker))
    return Transcript(transcript.language, round(duration, 3), tuple(segments), transcript.language_probability)


def _words_of(segments: Sequence[Segment]) -> list[tuple[int, str]]:
    return [(si, w) for si, s in enumerate(segments) for w in s.text.split()]


def _targets(alphabet: Alphabet, words: list[tuple[int, str]]) -> tuple[list[int], list[int]]:
    """The token ids that spell ``words`` with a delimiter between them, and the word each belongs to
    (-1: a delimiter)."""
    vocab = alphabet.token_ids
    delimiter = alphabet.delimiter
    targets: list[int] = []
    owners: list[int] = []
    for wi, (_, word) in enumerate(words):
        ids = [vocab[c] for c in word.lower() if c in vocab] or [vocab[c] for c in word if c in vocab]
        if targets and ids:
            targets.append(vocab[delimiter])
            owners.append(-1)
        targets += ids
        owners += [wi] * len(ids)
    return targets, owners


def _align_span(
    recognizer: Recognizer,
    samples: np.ndarray,
    transcript: Transcript,
    options: WindowOptions,
    cancel: threading.Event | None,
    keep_times: bool,
) -> Transcript:
    words = _words_of(transcript.segments)
    alphabet = recognizer.alphabet(transcript.language)
    targets, owners = _targets(alphabet, words)
    if not targets:
        return transcript
    if len(samples) < MIN_SAMPLES:
        raise UserError("The audio is too short for this text; check that they belong together.")
    log_probs = recognizer.windowed_log_probs(samples, transcript.language, options, cancel=cancel)
    spans = viterbi(log_probs, targets, blank=alphabet.blank_id)
    timing: dict[int, tuple[int, int, list[float]]] = {}
    for (index, first, end), owner in zip(spans, owners, strict=True):
        if owner < 0:
            continue
        prob = float(np.exp(log_probs[first:end, targets[index]].mean()))
        f0, f1, probs = timing.get(owner, (first, end, []))
        timing[owner] = (min(f0, first), max(f1, end), [*probs, prob])
    return _assemble(transcript, words, timing, len(samples) / SAMPLE_RATE, keep_times)


def _assemble(
    transcript: Transcript,
    words: list[tuple[int, str]],
    timing: dict[int, tuple[int, int, list[float]]],
    duration: float,
    keep_times: bool,
) -> Transcript:
    per_segment: dict[int, list[Word]] = {}
    for wi, (si, word) in enumerate(words):
        if wi in timing:
            f0, f1, probs = timing[wi]
            start, end = round(f0 * ctc.FRAME_SECONDS, 3), round(f1 * ctc.FRAME_SECONDS, 3)
            per_segment.setdefault(si, []).append(Word(word, start, end, round(float(np.mean(probs)), 4)))
    segments = []
    for si, segment in enumerate(transcript.segments):
        timed = per_segment.get(si, [])
        start = timed[0].start if timed and not keep_times else segment.start
        end = timed[-1].end if timed and not keep_times else segment.end
        segments.append(Segment(start, end, segment.text, tuple(timed), segment.speaker))
    return Transcript(transcript.language, round(duration, 3), tuple(segments), transcript.language_probability)
