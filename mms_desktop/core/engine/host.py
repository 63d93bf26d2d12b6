"""The loaded models of one running application: loaded on first use, shared, safe across threads.

The command line asks once per process; the window asks from several worker threads (dictation, file
transcription, read-aloud) and must never load the same model twice or hand out a half-loaded one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from mms_desktop.core.audio import load_audio
from mms_desktop.core.base import AUTO, UNSURE_BELOW, ModelError, Progress, Transcript
from mms_desktop.core.checkpoints import Placement, check_model_dir, choose_placement
from mms_desktop.core.recognition import (
    Family,
    LanguageIdentifier,
    Recognizer,
    WindowOptions,
    available_languages,
    transcribe,
)
from mms_desktop.core.store import LanguageStore
from mms_desktop.core.synthesis import Synthesizer

CONVERTED = ".converted"  # in the store: base weights converted to the precision they run in


Model = TypeVar("Model")


class _Slot(Generic[Model]):
    """Where one model is loaded once: the first thread to ask loads it, the others wait for that load.

    One lock per model, so that a thread asking for a loaded recognizer is never held up by another
    model still loading (the identifier, say, which dictation needs only seconds after it starts).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.model: Model | None = None


class ModelHost:
    """Loads the recognizer, the language identifier and voices from the store, once each.

    Args:
        store: where the models are installed.
        device: ``auto``, ``cpu`` or ``cuda``.
        precision: ``auto``, ``float32``, ``bfloat16``, ``float16`` or ``int8``.
        cpu_preference: what ``auto`` means when the models run on the CPU (the benchmark's finding);
            None leaves it to the processor's features.
        word_lists: recognize in the words of a language's word list when it has one.
        unsure_below: the identifier's probability under which a file's language is called unsure.
    """

    def __init__(
        self,
        store: LanguageStore,
        device: str = "auto",
        precision: str = "auto",
        cpu_preference: str | None = None,
        word_lists: bool = True,
        unsure_below: float = UNSURE_BELOW,
    ):
        self.store = store
        self.unsure_below = unsure_below
        self.word_lists = word_lists
        self.device = device
        self.precision = precision
        self.cpu_preference = cpu_preference
        self._lock = threading.Lock()  # guards the tables below, never held while a model loads
        self._recognizers: dict[Path, _Slot[Recognizer]] = {}
        self._identifiers: dict[Path, _Slot[LanguageIdentifier]] = {}
        self._voices: dict[Path, _Slot[Synthesizer]] = {}

    def _once(self, table: dict[Path, _Slot[Model]], folder: Path, load: Callable[[], Model]) -> Model:
        """The model of ``folder`` from ``table``, loaded by ``load`` unless it already was (or is being)."""
        with self._lock:
            slot: _Slot[Model] = table.setdefault(folder, _Slot())
        with slot.lock:
            if slot.model is None:  # a load that failed is tried again by the next caller
                slot.model = load()
            return slot.model

    def recognizer_dir(self, ref: str | None = None) -> Path:
        """The folder of the recognition model ``ref`` (a folder or an installed repo id), or the default."""
        return self.store.resolve(ref, "recognition model") if ref else self.store.default_model("asr")

    def recognizer(self, ref: str | None = None, language: str | None = None) -> Recognizer:
        """The recognizer of ``ref`` (default: the installed one), with the adapter of ``language`` (unless
        it is auto) in place, so that a pass in it starts at once.

        Raises:
            ModelError: nothing is installed, or the model cannot be loaded.
            UserError: the language has no adapter in the model.
        """

        folder = self.recognizer_dir(ref)

        def load() -> Recognizer:
            check_model_dir(folder, "speech recognition model")  # before its languages are read
            installed = available_languages(folder)
            first = language if language and language != AUTO else (installed[0] if installed else "")
            precision, cache = self.effective_precision(folder), self.store.root / CONVERTED
            return Recognizer.load(folder, first, self.device, precision, cache, [self.store.word_lists_dir])

        recognizer = self._once(self._recognizers, folder, load)
        recognizer.use_word_lists = self.word_lists
        if language and language != AUTO:
            recognizer.prepare(language)  # checked, and its first pass starts at once
        return recognizer

    def loaded_recognizer(self, ref: str | None = None) -> Recognizer | None:
        """The recognizer of ``ref`` (default: the installed one) if it has been loaded; never loads it."""
        folder = self.recognizer_dir(ref)
        with self._lock:
            slot = self._recognizers.get(folder)
        return slot.model if slot is not None else None

    def identifier(self, ref: str | None = None) -> LanguageIdentifier:
        """The language identifier ``ref`` (a folder or an installed repo id), or the default one.

        Raises:
            ModelError: none is installed, or it cannot be loaded.
        """

        folder = self.identifier_dir(ref)
        identifier = self._once(self._identifiers, folder, lambda: LanguageIdentifier.load(
            folder, self.device, self.effective_precision(folder), self.store.root / CONVERTED
        ))  # fmt: skip
        identifier.unsure_below = self.unsure_below
        return identifier

    def identifier_dir(self, ref: str | None = None) -> Path:
        """The folder of the language identifier ``ref`` (a folder or an installed repo id), or the default.

        Raises:
            ModelError: none is installed.
        """
        return self.store.resolve(ref, "language identifier") if ref else self.store.default_model("lid")

    def has_identifier(self) -> bool:
        """Whether a language identifier is installed (the default one, or the bundled demonstration's)."""
        try:
            self.identifier_dir()
        except ModelError:
            return False
        return True

    def identifies(self, language: str, family: Family, identifier_ref: str | None = None) -> bool:
        """Whether ``language`` is identified first: ``auto`` always is for MMS, which needs an identifier (a
        missing one is an error); for a model with one output head for every language, only when an
        identifier is named or installed (without one it is decoded with all its tokens)."""
        return language == AUTO and (family.adapters or identifier_ref is not None or self.has_identifier())

    def identifier_soon(self, ref: str | None = None) -> Callable[[], LanguageIdentifier]:
        """Start loading the language identifier on a thread of its own (unless it is loaded) and return a
        function that waits for it and returns it, or raises what stopped it from loading.

        Live dictation starts with this: it needs the identifier only once the first utterance has lasted
        a few seconds, and by then the identifier has loaded while the user spoke.

        Raises:
            ModelError: none is installed (said at once; errors while loading come from the function).
        """
        self.identifier_dir(ref)
        loaded: Future[LanguageIdentifier] = Future()

        def load() -> None:
            try:
                loaded.set_result(self.identifier(ref))
            except BaseException as exc:  # handed to whoever waits for the identifier
                loaded.set_exception(exc)

        threading.Thread(target=load, name="load language identifier", daemon=True).start()
        return loaded.result

    def voice(self, language: str) -> Synthesizer:
        """The read-aloud voice of ``language``.

        Raises:
            ModelError: no voice is installed for it.
        """

        folder = self.store.voice_dir(language)
        return self._once(self._voices, folder, lambda: Synthesizer.load(folder, self.device))

    def transcribe(
        self,
        audio: Path | np.ndarray,
        language: str = AUTO,
        among: Sequence[str] = (),
        options: WindowOptions = WindowOptions(),
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        model: str | None = None,
        identifier: str | None = None,
    ) -> Transcript:
        """Transcribe an audio file, or 16 kHz mono samples, in ``language`` (or the detected one when it
        is ``auto``, among ``among``; empty: among all installed).

        Args:
            model, identifier: the recognition and identification models (folders or installed repo ids);
                None: the installed ones.

        Raises:
            UserError: the file cannot be read, or a model is missing; Cancelled when ``cancel`` is set.
        """
        samples = load_audio(audio) if isinstance(audio, Path) else audio
        recognizer = self.recognizer(model, language)
        identifies = self.identifies(language, recognizer.family, identifier)
        found = self.identifier(identifier) if identifies else None
        return transcribe(samples, recognizer, language, found, among, options, progress, cancel)

    def effective_precision(self, folder: Path | None = None) -> str:
        """The precision models (the one in ``folder``) load in; ``auto`` on the CPU follows the findings."""
        return self.placement(folder).dtype

    def placement(self, folder: Path | None = None) -> Placement:
        """Where and in which precision models (the one in ``folder``) run."""

        return choose_placement(self.device, self.precision, folder, self.cpu_preference)

    def configure(self, store: LanguageStore, device: str, precision: str) -> None:
        """Serve models from another store or on another device; what was loaded is dropped (a load under
        way still goes to the caller that started it)."""
        with self._lock:
            self.store, self.device, self.precision = store, device, precision
            self._forget()

    def forget(self) -> None:
        """Drop every loaded model (after the store or the device changed); the next use loads afresh."""
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        self._recognizers.clear()
        self._identifiers.clear()
        self._voices.clear()
