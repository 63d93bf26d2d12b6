"""Results and events: frozen dataclasses that may cross thread boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    """A recognized word with its time span in seconds and a confidence in [0, 1]."""

    word: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True)
class Segment:
    """A stretch of speech: its words and their joined text."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    speaker: str = ""

    def shifted(self, seconds: float) -> Segment:
        """The same segment ``seconds`` later (its words too)."""
        from dataclasses import replace

        words = tuple(replace(w, start=round(w.start + seconds, 3), end=round(w.end + seconds, 3)) for w in self.words)
        return replace(self, start=round(self.start + seconds, 3), end=round(self.end + seconds, 3), words=words)


@dataclass(frozen=True)
class Transcript:
    """The result of transcribing one recording."""

    language: str
    duration: float
    segments: tuple[Segment, ...] = ()
    language_probability: float | None = None

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)


@dataclass(frozen=True)
class LanguageScore:
    """One candidate of language identification: an ISO 639-3 code and its probability."""

    code: str
    probability: float


@dataclass(frozen=True)
class Progress:
    """Progress of long work: ``done`` out of ``total`` units (bytes, windows …) of ``what``; a transcription
    gives its ``partial`` transcript too: the segments found so far, the last one perhaps still growing."""

    what: str
    done: int
    total: int
    detail: str = ""
    partial: Transcript | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class Speech:
    """Synthesized speech: mono float32 samples and their rate."""

    samples: object = field(repr=False)  # numpy.ndarray; typed loosely to keep this module light
    sample_rate: int = 16000


@dataclass(frozen=True)
class MicrophoneOpen:
    """The input device delivered its first block, ``delay_s`` seconds after it was opened: from now on
    what is said is recorded (before, the sound system had nothing to give)."""

    delay_s: float
    recognizing: bool  # False while the recognizer is still loading (what is said is kept for it)


@dataclass(frozen=True)
class RecognizerReady:
    """The recognizer finished loading during a dictation; what was said meanwhile is recognized now."""


@dataclass(frozen=True)
class FallingBehind:
    """The machine is too busy to keep up: the text trails the voice by ``lag_s`` seconds. What is said is
    kept and recognized as soon as the machine allows (it catches up in pauses)."""

    lag_s: float


def behind_notice(lag_s: float) -> str:
    """What the speaker is told while the text trails the voice on a busy machine."""
    return (
        f"This computer is too busy to keep up: the text is {lag_s:.0f} s behind your voice. Nothing is "
        "lost; it catches up when you pause."
    )


@dataclass(frozen=True)
class CaughtUp:
    """The text is back within the live delay limit of the voice."""


@dataclass(frozen=True)
class SpeechStarted:
    """Voice activity began an utterance at ``time`` seconds into the stream."""

    utterance: int
    time: float


@dataclass(frozen=True)
class LanguageDetected:
    """Automatic detection chose ``language`` (an adapter name) from the ISO code ``code``."""

    utterance: int
    language: str
    code: str
    probability: float


@dataclass(frozen=True)
class PartialResult:
    """Live text of the utterance in progress: ``committed`` never changes, ``tentative`` may."""

    utterance: int
    committed: str
    tentative: str


@dataclass(frozen=True)
class FinalResult:
    """An utterance ended (an endpoint): its words timed in stream seconds."""

    utterance: int
    language: str
    segment: Segment


# What a recognition stream reports, in order.
StreamEvent = SpeechStarted | LanguageDetected | PartialResult | FinalResult | FallingBehind | CaughtUp
