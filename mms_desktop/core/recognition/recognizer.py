"""The speech recognizer: one multilingual CTC model loaded once, each pass prepared for its own language."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.audio import SAMPLE_RATE
from mms_desktop.core.base import (
    Cancelled,
    ModelError,
    Progress,
    Segment,
    Transcript,
    Word,
    check_code,
    install,
    parse_json,
)
from mms_desktop.core.checkpoints import (
    Placement,
    check_model_dir,
    choose_placement,
    fit_threads,
    load_checkpoint,
    normalize,
)
from mms_desktop.core.recognition import ctc, wordlist
from mms_desktop.core.recognition.families import Alphabet, Family, family_of, restrict
from mms_desktop.core.recognition.windows import PassCosts, WindowOptions, plan_windows

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]


class Recognizer:
    """Owns a multilingual CTC model of one of the :mod:`families`, and prepares each pass for its language.

    Thread-safe, and the language belongs to each call: a pass runs under an internal lock with what its
    language needs swapped in (an MMS adapter), and its output is decoded in that language (a shared
    vocabulary's mask), so that two threads recognizing two languages on one loaded model (a dictation and
    a file) each get their own language's text.
    """

    def __init__(self, model: Any, model_dir: Path, placement: Placement, normalize: bool, family: Family):
        self._model = model
        self.family = family
        self.model_dir = model_dir
        self.placement = placement
        self._normalize = normalize
        self._lock = threading.Lock()
        self.compute_seconds = 0.0  # time spent in forward passes, for benchmarks and status
        self.encoded_frames = 0  # frames through the transformer: compute, counted exactly
        self.pass_costs = PassCosts()  # what whole passes take here, for live recognition to plan with
        self._active = ""  # the language whose adapter is in the model (guarded by the lock)
        self._alphabets: dict[tuple[str, int], Alphabet] = {}  # by language and vocab.json's version
        # Word lists (``words.<code>.txt``) are looked for in these folders, then in the model folder.
        self.word_list_dirs: list[Path] = []
        self.use_word_lists = True
        self._word_decoders: dict[tuple[str, Path, int], wordlist.WordDecoder | None] = {}

    @classmethod
    def load(
        cls,
        model_dir: Path,
        language: str | None = None,
        device: str = "auto",
        precision: str = "auto",
        cache_dir: Path | None = None,
        word_list_dirs: Sequence[Path] = (),
    ) -> Recognizer:
        """Load the model in a local folder (any of the :mod:`families`), with what ``language`` needs
        (default: the first installed) in place for the first pass.

        Args:
            cache_dir: where base weights converted to a reduced precision are kept, so that later loads
                memory-map them instead of converting again (None: convert on every load).
            word_list_dirs: folders searched for word lists before the model folder.

        Raises:
            ModelError: the folder is not a complete MMS model or the language is not in it.
        """
        check_model_dir(model_dir, "speech recognition model")
        family = family_of(model_dir)
        languages = family.languages(model_dir)
        language = language or (languages[0] if languages else "")
        _check_language(model_dir, language, family)
        placement = choose_placement(device, precision, model_dir)

        model, _ = load_checkpoint("Wav2Vec2ForCTC", model_dir, placement, "model", cache_dir)
        if family.adapters and getattr(model.config, "adapter_attn_dim", None) is None:
            raise ModelError(f"{model_dir} is not a multilingual MMS model (it has no language adapters).")
        model.target_lang = ""  # no adapter chosen yet: the first pass's language is swapped in now
        normalized = family.normalize if family.normalize is not None else _reads_normalized(model_dir)
        recognizer = cls(model, model_dir, placement, normalized, family)
        recognizer.word_list_dirs = list(word_list_dirs)
        with recognizer._lock:
            recognizer._activate(language)
        return recognizer

    @property
    def languages(self) -> list[str]:
        """The languages the model recognizes (for MMS: the adapters installed next to the base model)."""
        return self.family.languages(self.model_dir)

    def check_language(self, language: str) -> None:
        """Raises ModelError (UserError for a code that is no language) unless ``language`` is installed."""
        _check_language(self.model_dir, language, self.family)

    def alphabet(self, language: str) -> Alphabet:
        """The output tokens of ``language`` (read again once the vocabulary file changes, as when an adapter
        is trained)."""
        try:
            version = (self.model_dir / "vocab.json").stat().st_mtime_ns
        except OSError:
            version = 0
        key = (language, version)
        alphabet = self._alphabets.get(key)
        if alphabet is None:
            if language or self.family.adapters:  # no language: a shared vocabulary decoded unrestricted
                self.check_language(language)
            alphabet = self.family.alphabet(self.model_dir, language)
            self._alphabets[key] = alphabet
        return alphabet

    def prepare(self, language: str) -> None:
        """Swap in ``language``'s adapter now, so that the first pass in it starts at once."""
        self.alphabet(language)
        with self._lock:
            self._activate(language)

    def _activate(self, language: str) -> None:
        """Swap what ``language`` needs (an MMS adapter and output head) into the model (the lock is held)."""
        if language != self._active:
            self.family.activate(self._model, language)
            self._active = language
            log.debug("the model is ready for %s", language)

    def log_probs(self, samples: np.ndarray, language: str) -> np.ndarray:
        """One forward pass over 16 kHz samples in ``language``; returns ``(frames, vocab)`` float32
        log-probabilities."""
        started = time.perf_counter()
        result = self.log_probs_from_features(self.features(samples), language)
        self.pass_costs.add(len(result), time.perf_counter() - started)
        return result

    def features(self, samples: np.ndarray, stats: tuple[float, float] | None = None) -> Any:
        """The convolutional features ``(frames, channels)`` of 16 kHz samples (a tensor).

        Each frame depends only on the 400 samples under it, so the features of consecutive stretches,
        each starting 320 samples after the last frame of the one before, join into exactly the features of
        the whole: live recognition computes them once per sample.

        Args:
            stats: mean and variance to normalize with; default: the samples' own, as :meth:`log_probs`.
        """
        import torch

        x = normalize(samples, stats) if self._normalize else np.asarray(samples, dtype=np.float32)
        with self._step():
            inputs = torch.from_numpy(np.ascontiguousarray(x))[None].to(
                self.placement.device, self.placement.torch_dtype()
            )
            features = self._model.wav2vec2.feature_extractor(inputs)[0].transpose(0, 1)
        return features

    def log_probs_from_features(self, features: Any, language: str) -> np.ndarray:
        """The rest of one forward pass in ``language``, from :meth:`features`: ``(frames, vocab)``
        log-probabilities."""
        import torch

        alphabet = self.alphabet(language)
        if len(features) == 0:
            return np.zeros((0, len(alphabet.id_to_token)), np.float32)
        with self._step(language):
            base = self._model.wav2vec2
            hidden, _ = base.feature_projection(features[None])
            hidden = base.encoder(hidden).last_hidden_state
            if base.adapter is not None:
                hidden = base.adapter(hidden)
            logits = self._model.lm_head(hidden)[0]  # the dropout before the head does nothing in inference
            result = torch.log_softmax(logits.float(), dim=-1).cpu().numpy()
            self.encoded_frames += len(result)
        return restrict(result, alphabet)  # a shared vocabulary keeps to the language's tokens

    @contextlib.contextmanager
    def _step(self, language: str | None = None) -> Iterator[None]:
        """One step of a forward pass: on the cores other programs leave free (CPU), alone on the model
        with ``language``'s adapter in place (if given), its time added to :attr:`compute_seconds`."""
        import torch

        if self.placement.device == "cpu":
            fit_threads()
        with self._lock, torch.inference_mode():
            if language is not None:
                self._activate(language)
            started = time.perf_counter()
            yield
            self.compute_seconds += time.perf_counter() - started

    def decode(self, log_probs: np.ndarray, language: str, offset_s: float = 0.0) -> list[Word]:
        """Words with timings and confidences from log-probabilities of ``language``.

        With a word list for the language (and :attr:`use_word_lists`), only listed words come out.
        """
        alphabet, decoder = self.alphabet(language), self.word_decoder(language)
        return ctc.decode(
            log_probs,
            alphabet.id_to_token,
            blank_id=alphabet.blank_id,
            delimiter=alphabet.delimiter,
            offset_s=offset_s,
            path=decoder.best_path(log_probs) if decoder is not None else None,
        )

    def tokens(self, log_probs: np.ndarray, language: str) -> list[ctc.Token]:
        """The characters of log-probabilities of ``language``, as :meth:`decode` reads them (with a word list
        in use, those of listed words only): what live results show."""
        alphabet, decoder = self.alphabet(language), self.word_decoder(language)
        path = decoder.best_path(log_probs) if decoder is not None else log_probs.argmax(axis=-1)
        return ctc.path_tokens(path, log_probs, alphabet.id_to_token, alphabet.blank_id)

    def word_list(self, language: str) -> Path | None:
        """The word list of ``language``, if it has one and word lists are in use."""
        if not self.use_word_lists:
            return None
        return wordlist.find(language, [*self.word_list_dirs, self.model_dir])

    def word_decoder(self, language: str) -> wordlist.WordDecoder | None:
        """The decoder of ``language``'s word list (built once per list and version of it)."""
        path = self.word_list(language)
        if path is None:
            return None
        alphabet = self.alphabet(language)
        try:
            key = (language, path, path.stat().st_mtime_ns)
            if key not in self._word_decoders:
                text = path.read_text(encoding="utf-8")
                listed = wordlist.read_words(text, alphabet.id_to_token, alphabet.delimiter)
                if listed.unspellable:
                    log.warning("%s: %d words the alphabet cannot spell are left out", path, len(listed.unspellable))
                self._word_decoders[key] = wordlist.WordDecoder(
                    listed.words, alphabet.id_to_token, alphabet.blank_id, alphabet.delimiter, listed.counts
                ) if listed.words else None  # fmt: skip
            return self._word_decoders[key]
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("word list %s is unreadable (%s); decoding without it", path, exc)
            return None

    def windowed_log_probs(
        self,
        samples: np.ndarray,
        language: str,
        options: WindowOptions = WindowOptions(),
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        on_part: Callable[[np.ndarray], None] | None = None,
    ) -> np.ndarray:
        """Log-probabilities of audio of any length, stitched from overlapping windows; ``on_part`` gets each
        window's share as it is done, before ``progress`` hears of it."""
        windows = plan_windows(len(samples), options)
        parts = []
        for index, window in enumerate(windows):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            part = self.log_probs(samples[window.start : window.end], language)
            parts.append(part[window.keep_from : window.keep_to])
            if on_part is not None:
                on_part(parts[-1])
            if progress is not None:
                progress(Progress("transcribe", index + 1, len(windows)))
        vocab = len(self.alphabet(language).id_to_token)
        return np.concatenate(parts) if parts else np.zeros((0, vocab), np.float32)

    def transcribe(
        self,
        samples: np.ndarray,
        language: str,
        options: WindowOptions = WindowOptions(),
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Transcript:
        """Transcribe 16 kHz mono audio of any length in ``language``. ``progress`` hears of each window with
        the partial transcript so far; a cancelled transcription raises Cancelled carrying it."""
        partial = PartialTranscript(self, language)
        report = None if progress is None else lambda p: progress(dataclasses.replace(p, partial=partial.transcript))
        try:
            log_probs = self.windowed_log_probs(samples, language, options, report, cancel, partial.add)
        except Cancelled:
            raise Cancelled(partial=partial.transcript) from None
        words = self.decode(log_probs, language)
        return Transcript(
            language=language,
            duration=round(len(samples) / SAMPLE_RATE, 3),
            segments=tuple(ctc.words_to_segments(words)),
        )


class PartialTranscript:
    """The segments of a transcription in progress. Windows are only collected as they come; asking for
    :attr:`transcript` decodes what came since the last finished segment (those a pause has ended are kept),
    so a transcription nobody watches decodes nothing twice. The final transcript is decoded from the
    whole, so this never changes what it says."""

    def __init__(self, recognizer: Recognizer, language: str):
        self.recognizer, self.language = recognizer, language
        self.finished: list[Segment] = []
        self.tail: list[np.ndarray] = []  # the log-probabilities after the finished segments
        self.tail_start = 0  # the frame the tail starts at
        self.frames = 0

    def add(self, part: np.ndarray) -> None:
        self.tail.append(part)
        self.frames += len(part)

    @property
    def transcript(self) -> Transcript:
        duration = round(self.frames * ctc.FRAME_SECONDS, 3)
        if not self.tail:
            return Transcript(self.language, duration, tuple(self.finished))
        block = np.concatenate(self.tail) if len(self.tail) > 1 else self.tail[0]
        words = self.recognizer.decode(block, self.language, offset_s=self.tail_start * ctc.FRAME_SECONDS)
        segments = ctc.words_to_segments(words)
        if len(segments) > 1:  # all but the last are ended by a pause: cut the tail before the last
            cut = max(0, int(segments[-1].start / ctc.FRAME_SECONDS) - self.tail_start - 1)
            self.finished += segments[:-1]
            self.tail, self.tail_start = [block[cut:]], self.tail_start + cut
            segments = segments[-1:]
        else:
            self.tail = [block]
        return Transcript(self.language, duration, tuple(self.finished + segments))


class GrowingFeatures:
    """The convolutional features of a stretch of audio that grows at its end, each sample computed once.

    The stretch is normalized with the statistics of its first audio rather than its own, which would
    change as it grows: the price of computing each sample once.
    """

    def __init__(self, start: int, audio: np.ndarray):
        self.start = start  # where the stretch starts, in the caller's samples
        self.stats = (float(audio.mean()), float(audio.var())) if len(audio) else (0.0, 1.0)
        self.features: Any = None  # (frames, channels) tensor

    def extend(self, recognizer: Recognizer, audio: np.ndarray) -> Any:
        """The features of ``audio``, the whole stretch so far, computing only those of its new frames."""
        import torch

        total = ctc.frames_for_samples(len(audio))
        have = 0 if self.features is None else len(self.features)
        if total > have:
            stretch = audio[have * ctc.SAMPLES_PER_FRAME : (total - 1) * ctc.SAMPLES_PER_FRAME + ctc.RECEPTIVE_FIELD]
            new = recognizer.features(stretch, self.stats)
            self.features = new if self.features is None else torch.cat([self.features, new])
        return self.features[:total] if self.features is not None else torch.zeros(0)


def available_languages(model_dir: Path) -> list[str]:
    """The languages the model in ``model_dir`` recognizes (for MMS: adapters with weights and a vocabulary)."""
    return family_of(model_dir).languages(model_dir)


def _check_language(model_dir: Path, language: str, family: Family) -> None:
    if not family.accepts(model_dir, language):
        check_code(language)  # a code that does not exist is not suggested for installing
        raise ModelError(
            f"The language '{language}' is not installed for {model_dir.name}; install it with ", install(language), "."
        )


def _reads_normalized(model_dir: Path) -> bool:
    try:
        config = parse_json((model_dir / "preprocessor_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return bool(config.get("do_normalize", True))
