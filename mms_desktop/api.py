"""MMS Desktop from Python: one object that loads the models once and transcribes files, samples and live
audio in any installed language, as the command line and the window do.

    from mms_desktop import Engine

    engine = Engine.load()                     # the models installed for this user (or the bundled demo)
    result = engine.transcribe("interview.flac", language="auto", among=["fra", "wol"])
    for segment in result.segments:
        print(segment.start, segment.end, segment.text, [(w.word, w.confidence) for w in segment.words])
    stream = engine.stream(language="eng")    # live: its own language, its own state

The language belongs to each call and each stream: two threads may transcribe in two languages at once
on one engine. Errors a user can fix are :class:`UserError` (``ModelError``, ``AudioError``, ...), one
sentence each; ``error.remedies`` says what fixes them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from mms_desktop.context import Context
from mms_desktop.core.audio import SAMPLE_RATE, check_audio, load_audio, speech_spans
from mms_desktop.core.base import AUTO, AudioError, LanguageScore, Progress, Segment, Transcript, check_code
from mms_desktop.core.engine import ModelHost
from mms_desktop.core.fieldwork import align
from mms_desktop.core.recognition import RecognitionStream, StreamOptions, WindowOptions
from mms_desktop.settings import live_options

Audio = str | os.PathLike[str] | np.ndarray  # a file of any common format, or 16 kHz mono float samples


class Engine:
    """The models of one store, loaded on first use and shared by every call; safe across threads.

    Args:
        host: the shared models (what :meth:`load` builds from the user's data folder).
        model: the recognition model (an installed ``owner/name`` or a folder); None: the installed one.
        identifier: the language identification model, likewise.
        stream_options: how live streams cut their windows (default: the user's settings).
    """

    def __init__(
        self,
        host: ModelHost,
        model: str | None = None,
        identifier: str | None = None,
        stream_options: StreamOptions | None = None,
    ):
        self.host = host
        self.model = model
        self.identifier_model = identifier
        self.stream_options = stream_options or StreamOptions()

    @classmethod
    def load(
        cls,
        model: str | os.PathLike[str] | None = None,
        *,
        device: str = "auto",
        precision: str = "auto",
        identifier: str | os.PathLike[str] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
    ) -> Engine:
        """The engine of the user's language store (or the one in ``data_dir``), with the recognition model
        loaded now so that a missing or damaged model is said at once.

        Args:
            model: an installed model (``facebook/mms-1b-all``) or a model folder; None: the installed one,
                else the bundled demonstration model.
            device: ``auto``, ``cpu`` or ``cuda``.
            precision: ``auto``, ``float32``, ``bfloat16``, ``float16`` or ``int8``.

        Raises:
            ModelError: no model is installed, or it cannot be loaded on that device in that precision.
        """
        context = Context.create(None if data_dir is None else str(data_dir), device, precision)
        engine = cls(
            context.model_host(),
            None if model is None else str(model),
            None if identifier is None else str(identifier),
            live_options(context.settings),
        )
        engine.host.recognizer(engine.model)
        return engine

    @property
    def languages(self) -> list[str]:
        """The languages the recognition model has installed (adapter names, ISO 639-3 codes)."""
        return self.host.recognizer(self.model).languages

    def transcribe(
        self,
        audio: Audio,
        language: str = AUTO,
        among: Sequence[str] = (),
        *,
        window: WindowOptions = WindowOptions(),
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Transcript:
        """The speech in ``audio`` as text with timed, scored words.

        Args:
            language: an installed language, or ``auto`` to identify it first (among ``among``; empty:
                among all installed).
            window: how long recordings are cut into windows (20 s with 2 s of context on each side).
            progress: called with the fraction done; ``cancel``: set it to stop (raises Cancelled).

        Returns:
            the transcript: ``language``, ``duration``, ``text``, and ``segments`` (``start``, ``end``,
            ``text``, ``words`` with ``confidence``); no segments when there is no speech.

        Raises:
            AudioError: the file cannot be read; ModelError: the language is not installed.
        """
        samples = self._samples(audio)
        if language != AUTO:
            check_code(language)  # said before a model loads
        host = self.host
        return host.transcribe(samples, language, among, window, progress, cancel, self.model, self.identifier_model)

    def align(
        self,
        audio: Audio,
        text: str | Sequence[Segment],
        language: str,
        *,
        window: WindowOptions = WindowOptions(),
        cancel: threading.Event | None = None,
    ) -> Transcript:
        """A known transcript timed against ``audio``: plain ``text`` against the whole recording, or
        ``segments`` (annotations with their times) each within its own times; every word gets its time
        and a score.

        Raises:
            AudioError: the file cannot be read; ModelError: the language is not installed; UserError: none
            of the text is in the language's alphabet, or the audio is too short for it.
        """
        samples = self._samples(audio)
        check_code(language)
        segments = (Segment(0.0, 0.0, text),) if isinstance(text, str) else tuple(text)
        recognizer = self.host.recognizer(self.model, language)
        return align(recognizer, samples, Transcript(language, 0.0, segments), window, cancel)

    def identify(self, audio: Audio, among: Sequence[str] = (), top: int = 5) -> list[LanguageScore]:
        """The ``top`` most likely spoken languages of ``audio``'s first speech, best first (empty when it
        holds no speech); ``among`` restricts the choice to those ISO 639-3 codes."""
        samples = self._samples(audio)
        spans = speech_spans(samples)
        if not spans:
            return []
        identifier = self.host.identifier(self.identifier_model)
        return identifier.identify(samples[spans[0][0] :], top_k=top, among=list(among) or None)

    def stream(self, language: str = AUTO, among: Sequence[str] = ()) -> RecognitionStream:
        """A live recognition stream with its own language and state: give it audio with
        ``accept_waveform(rate, samples)``, take results from ``decode()``, end it with ``finish()``."""
        recognizer = self.host.recognizer(self.model, language)
        identifies = self.host.identifies(language, recognizer.family, self.identifier_model)
        identifier = self.host.identifier_soon(self.identifier_model) if identifies else None
        return RecognitionStream(recognizer, self.stream_options, language, identifier, among)

    @staticmethod
    def _samples(audio: Audio) -> np.ndarray:
        if isinstance(audio, np.ndarray):
            samples = np.asarray(audio, np.float32)
            if samples.ndim != 1:
                raise AudioError(f"Samples must be one channel at {SAMPLE_RATE} Hz (got the shape {samples.shape}).")
            return samples
        path = Path(audio)
        check_audio(path)
        return load_audio(path)
