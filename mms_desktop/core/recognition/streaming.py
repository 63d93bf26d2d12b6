"""Streaming recognition: live partial results, voice-activity endpoints and final results.

A :class:`RecognitionStream` is cheap and per dictation; the heavy :class:`Recognizer` is shared. Audio
comes in with :meth:`accept_waveform`, work happens in :meth:`decode`, which returns events. Within an
utterance the stream runs exactly the windows that offline transcription of that utterance would run
(each as soon as its right context has arrived), so committed text never changes and the final text of
an utterance equals offline transcription of the same audio with the window that utterance used.

An utterance ends after ``min_silence_s`` of silence, but its final result needs only the audio up to
``END_PAD_S`` after the voice stops: once that has arrived, the final windows run at once, while the
silence is still being timed (their text is shown as the partial result meanwhile). When the silence lasts,
the final result is ready without further work; when the speaker goes on, that pass took the place of a
partial result.

The stream keeps its text within ``lag_target_s`` of the speaker where the machine allows: each utterance
takes the longest window this machine runs in time, partial results that would push the lag over the
target are left out, and a committed window's text is shown as soon as it is run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mms_desktop.core.audio import CHUNK, SAMPLE_RATE, SpeechDetector
from mms_desktop.core.base import (
    AUTO,
    FinalResult,
    LanguageDetected,
    PartialResult,
    Segment,
    SpeechStarted,
    StreamEvent,
)
from mms_desktop.core.recognition import ctc
from mms_desktop.core.recognition.families import Alphabet
from mms_desktop.core.recognition.pacing import (
    END_PAD_S,
    Lag,
    StreamOptions,
    affordable_window,
    describe,
    lag_after,
    window_ladder,
)
from mms_desktop.core.recognition.recognizer import GrowingFeatures, Recognizer
from mms_desktop.core.recognition.transcribe import detect_adapter, unidentified
from mms_desktop.core.recognition.windows import WindowOptions, plan_windows, window_at, window_frames

log = logging.getLogger(__name__)
Event = StreamEvent


@dataclass
class _Utterance:
    index: int
    start: int  # stream sample where the utterance audio starts
    parts: list[np.ndarray] = field(default_factory=list)
    last_partial: int = 0
    silence: int = 0
    tail: GrowingFeatures | None = None  # of the stretch partial results cover
    window: WindowOptions | None = None  # chosen when its first window could be committed
    early: tuple[int, list[np.ndarray]] | None = None  # final windows run while the silence is timed: end, parts


class RecognitionStream:
    """One live dictation over a shared recognizer.

    Args:
        language: an adapter name, or ``"auto"`` to identify it on each utterance (needs ``identifier``): a
            speaker who changes language after a pause is recognized in the new one.
        identifier: the language identifier, or a function that returns it, called only when an utterance
            first needs it (so that dictation can start while the identifier is still loading; the audio
            waits meanwhile, nothing is lost).
        detector: the voice activity detector (silero-vad by default).
    """

    def __init__(
        self,
        recognizer: Recognizer,
        options: StreamOptions,
        language: str,
        identifier: Any = None,
        among: Iterable[str] = (),
        detector: SpeechDetector | None = None,
    ):
        if language == AUTO and identifier is None:
            language = unidentified(recognizer)
        self.recognizer = recognizer
        self.options = options
        self.language = language  # of the utterance in progress (auto: not known yet)
        self._detecting = self.language == AUTO  # each utterance is identified anew
        self._identifier = identifier
        self._among = list(among)
        self._detector = detector or SpeechDetector()
        self._resamplers: dict[int, Any] = {}
        self._next_language: str | None = None
        self.reset()

    def choose_language(self, language: str, identifier: Any = None) -> None:
        """Recognize in ``language`` (or ``auto``) from the next utterance on; the current one keeps its own.

        Safe to call from another thread: the choice is picked up when an utterance starts.

        Args:
            identifier: for a stream that started without one, the identifier that ``auto`` detects with
                (or a function that returns it, as for the constructor).
        """
        if identifier is not None and self._identifier is None:
            self._identifier = identifier
        if language == AUTO and self._identifier is None:
            language = unidentified(self.recognizer)
        self._next_language = language

    def reset(self) -> None:
        """Forget all audio and state; the language choice is kept."""
        self._audio = np.zeros(0, np.float32)
        self._offset = 0  # stream sample index of self._audio[0]
        self._scanned = 0  # stream samples already judged by the detector
        self._utterance: _Utterance | None = None
        self._count = 0
        self._endpoint = False
        self._last_partial: PartialResult | None = None
        self._frames_run = 0  # frames this stream has run through the model
        self._lag = Lag()
        self._received = 0  # stream samples counted into the lag
        self.windows_used: list[WindowOptions] = []  # each utterance's, in order
        self._detector.reset()

    # -- input -----------------------------------------------------------------------------------

    def accept_waveform(self, sample_rate: int, samples: np.ndarray) -> None:
        """Add mono float samples at any rate; they are resampled to 16 kHz with a stateful resampler."""
        samples = np.asarray(samples, np.float32).reshape(-1)
        if sample_rate != SAMPLE_RATE:
            import soxr

            stream = self._resamplers.get(sample_rate)
            if stream is None:
                stream = self._resamplers[sample_rate] = soxr.ResampleStream(sample_rate, SAMPLE_RATE, 1, "float32")
            samples = stream.resample_chunk(samples)
        self._audio = np.concatenate([self._audio, samples])

    @property
    def end(self) -> int:
        """Stream samples received so far (at 16 kHz)."""
        return self._offset + len(self._audio)

    def audio(self, start: int, end: int) -> np.ndarray:
        """Stream samples ``[start, end)`` still held (the current utterance and what follows)."""
        return self._audio[start - self._offset : end - self._offset]

    # -- work ------------------------------------------------------------------------------------

    def decode(self) -> list[Event]:
        """Judge new audio for speech, run the windows that are due and report what changed."""
        self._lag.begin((self.end - self._received) / SAMPLE_RATE)
        self._received = self.end
        try:
            events = self._decode()
        finally:
            self._lag.end()
        return [*events, *self._lag.change(self.options.lag_target_s)]

    def _decode(self) -> list[Event]:
        events: list[Event] = []
        self._endpoint = False
        probs = self._detector(self.audio(self._scanned, self.end))
        for p in probs:
            position = self._scanned
            self._scanned += CHUNK
            events += self._step(float(p), position)
        if self._utterance is not None:
            events += self._progress(self._utterance, self.end)
        else:
            self._trim(self._scanned - int(self.options.pre_roll_s * SAMPLE_RATE))
        return events

    def finish(self) -> list[Event]:
        """End of input: what the resampler holds back is flushed and the utterance in progress finalized."""
        for stream in self._resamplers.values():
            self._audio = np.concatenate([self._audio, stream.resample_chunk(np.zeros(0, np.float32), last=True)])
        self._resamplers.clear()
        events = self.decode()
        if self._utterance is not None:
            events += self._finalize(self._utterance, self.end)
        return events

    def is_endpoint(self) -> bool:
        """Whether the last :meth:`decode` ended an utterance."""
        return self._endpoint

    def result(self) -> PartialResult | None:
        """The latest partial result of the utterance in progress."""
        return self._last_partial if self._utterance is not None else None

    def _step(self, p: float, position: int) -> list[Event]:
        o = self.options
        u = self._utterance
        if u is None:
            if p < o.threshold:
                return []
            if self._next_language is not None:
                self.language, self._next_language = self._next_language, None
                self._detecting = self.language == AUTO
            elif self._detecting:  # the last utterance's language says nothing about this one
                self.language = AUTO
            start = max(self._offset, position - int(o.pre_roll_s * SAMPLE_RATE))
            self._utterance = _Utterance(self._count, start, last_partial=position)
            self._count += 1
            return [SpeechStarted(self._utterance.index, start / SAMPLE_RATE)]
        u.silence = u.silence + CHUNK if p < o.threshold - 0.15 else 0
        end = position + CHUNK
        if u.silence >= o.min_silence_s * SAMPLE_RATE:
            return self._finalize(u, self._speech_end(u))
        if end - u.start >= o.max_utterance_s * SAMPLE_RATE:
            return self._finalize(u, end)
        return []

    def _ensure_language(self, u: _Utterance, end: int, final: bool) -> list[Event]:
        if self.language != AUTO:
            return []
        if not final and end - u.start < self.options.detect_s * SAMPLE_RATE:
            return []
        if callable(self._identifier):  # still loading when the dictation started: wait for it now
            asked = time.monotonic()
            self._identifier = self._identifier()
            log.info("the language identifier was ready %.2f s after an utterance needed it", time.monotonic() - asked)
        adapter, score = detect_adapter(
            self.audio(u.start, end), self._identifier, self.recognizer.languages, self._among
        )
        self.language = adapter
        return [LanguageDetected(u.index, adapter, score.code, score.probability)]

    def _progress(self, u: _Utterance, end: int) -> list[Event]:
        """Run the windows whose right context has arrived, and a partial result when one is due."""
        events = self._ensure_language(u, end, final=False)
        if self.language == AUTO:
            return events
        speech_end = self._speech_end(u) if u.silence else end  # where the voice stopped, while silence is timed
        n = min(end, speech_end) - u.start  # committed windows end there
        committed = len(u.parts)
        window = self._window(u, n)
        if window is not None:
            chunk, context = window_frames(window)
            total = ctc.frames_for_samples(n)
            while total > (len(u.parts) + 1) * chunk + context:
                at = window_at(len(u.parts), total, n, window)
                u.parts.append(self._run(u.start, at.start, at.end)[at.keep_from : at.keep_to])
        if u.silence:  # the voice has stopped: no partial result, its final windows run when their audio is in
            if speech_end <= end and (u.early is None or u.early[0] != speech_end):
                events.append(self._run_early(u, speech_end))
            return events
        partial = self._due_partial(u, end)
        if partial is None and len(u.parts) > committed:  # a window was committed: its text is shown at once
            partial = self._partial_result(u, np.zeros((0, len(self._alphabet().id_to_token)), np.float32))
        return events + ([partial] if partial is not None else [])

    def _window(self, u: _Utterance, n: int) -> WindowOptions | None:
        """The utterance's window, chosen once ``n`` samples are enough to commit the shortest one."""
        if u.window is None:
            chunk, context = window_frames(window_ladder(self.options.window)[-1])
            if ctc.frames_for_samples(n) <= chunk + context:
                return None
            self._choose_window(u)
        return u.window

    def _choose_window(self, u: _Utterance) -> WindowOptions:
        u.window = self._affordable()
        self.windows_used.append(u.window)
        if u.window != (o := self.options).window:
            log.info(
                "utterance %d windows: %s", u.index, describe(o.window, self.recognizer.pass_costs, o.lag_target_s)
            )
        return u.window

    def _affordable(self) -> WindowOptions:
        return affordable_window(self.options.window, self.recognizer.pass_costs, self.options.lag_target_s)

    def _frontier(self, u: _Utterance) -> int:
        """Frames of the utterance its committed windows cover."""
        return window_frames(u.window)[0] * len(u.parts) if u.window is not None else 0

    def _due_partial(self, u: _Utterance, end: int) -> PartialResult | None:
        """A partial result over the frames after the committed ones, when one is due and affordable."""
        o = self.options
        context = window_frames(u.window)[1] if u.window is not None else 0
        frontier = self._frontier(u)
        tail_frames = ctc.frames_for_samples(end - u.start) - max(0, frontier - context)
        cost = self.recognizer.pass_costs.predict(tail_frames)
        if end - u.last_partial < max(o.partial_every_s, cost) * SAMPLE_RATE:
            return None
        if self._frames_run + tail_frames > o.compute_budget * ctc.frames_for_samples(self.end):
            return None
        window = u.window or self._affordable()
        after = lag_after(self._lag.seconds + cost, self.recognizer.pass_costs, window, len(u.parts), end - u.start)
        if after > o.lag_target_s:
            return None
        u.last_partial = end
        return self._partial(u, end, frontier, context)

    def _speech_end(self, u: _Utterance) -> int:
        """Where the utterance's final windows end if the silence now being timed lasts."""
        return self._scanned - u.silence + int(END_PAD_S * SAMPLE_RATE)

    def _run_early(self, u: _Utterance, end: int) -> PartialResult:
        """Run the final windows of the utterance as if it ended at ``end``; their text is the partial result."""
        frontier = self._frontier(u)
        parts = self._final_parts(u, end)
        u.early, u.last_partial = (end, parts), end
        return self._partial_result(u, np.concatenate(parts)[frontier:])

    def _run(self, base: int, start: int, stop: int) -> np.ndarray:
        result = self.recognizer.log_probs(self.audio(base + start, base + stop), self.language)
        self._frames_run += len(result)
        return result

    def _partial(self, u: _Utterance, end: int, frontier: int, context: int) -> PartialResult:
        first = max(0, frontier - context)
        return self._partial_result(u, self._tail_log_probs(u, first * ctc.SAMPLES_PER_FRAME, end)[frontier - first :])

    def _partial_result(self, u: _Utterance, tail: np.ndarray) -> PartialResult:
        """The partial result from the committed windows and the log-probabilities of the frames after them."""
        committed = self._tokens(np.concatenate(u.parts)) if u.parts else []
        delimiter = self._alphabet().delimiter
        self._last_partial = PartialResult(u.index, *ctc.live_text(committed, self._tokens(tail), delimiter))
        return self._last_partial

    def _tail_log_probs(self, u: _Utterance, start: int, end: int) -> np.ndarray:
        """Log-probabilities of utterance samples ``[start, end)`` for a partial result.

        Partial results come every second over a stretch that grows until its window is committed, so the
        convolutional features of each sample are computed once and kept: the stretch is normalized with
        the statistics of its first partial's audio rather than its own (committed windows and final
        results keep their own statistics, and so stay equal to offline transcription).
        """
        started = time.perf_counter()
        audio = self.audio(u.start + start, end)
        if u.tail is None or u.tail.start != start:
            u.tail = GrowingFeatures(start, audio)
        result = self.recognizer.log_probs_from_features(u.tail.extend(self.recognizer, audio), self.language)
        self._frames_run += len(result)
        self.recognizer.pass_costs.add(len(result), time.perf_counter() - started)
        return result

    def _tokens(self, log_probs: np.ndarray) -> list[ctc.Token]:
        return self.recognizer.tokens(log_probs, self.language)

    def _alphabet(self) -> Alphabet:
        return self.recognizer.alphabet(self.language)

    def _finalize(self, u: _Utterance, end: int) -> list[Event]:
        """Run the remaining windows of the offline plan and report the utterance's final result."""
        end = min(end, self.end)
        events = self._ensure_language(u, end, final=True)
        parts = u.early[1] if u.early is not None and u.early[0] == end else self._final_parts(u, end)
        log_probs = np.concatenate(parts) if parts else np.zeros((0, 1), np.float32)
        words = tuple(self.recognizer.decode(log_probs, self.language, offset_s=u.start / SAMPLE_RATE))
        text = " ".join(w.word for w in words)
        segment = Segment(u.start / SAMPLE_RATE, end / SAMPLE_RATE, text, words)
        events.append(FinalResult(u.index, self.language, segment))
        self._utterance = None
        self._endpoint = True
        self._trim(end)
        return events

    def _final_parts(self, u: _Utterance, end: int) -> list[np.ndarray]:
        """The kept log-probabilities of every window of the offline plan for utterance samples up to ``end``,
        running those not committed yet."""
        windows = plan_windows(end - u.start, u.window or self._choose_window(u))
        parts = list(u.parts) if len(windows) > 1 else []
        for window in windows[len(parts) :]:
            parts.append(self._run(u.start, window.start, window.end)[window.keep_from : window.keep_to])
        return parts

    def _trim(self, keep_from: int) -> None:
        """Drop audio before ``keep_from`` that no utterance can need any more."""
        if self._utterance is not None:
            keep_from = min(keep_from, self._utterance.start)
        drop = max(0, min(keep_from, self._scanned) - self._offset)
        if drop:
            self._audio = self._audio[drop:]
            self._offset += drop
