"""Streaming benchmark: compute against one offline pass, latencies, and whether it keeps up.

Audio is espeak-ng speech with pauses, fed in 20 ms blocks on a simulated real-time clock: the stream's
work on each block starts when both the block has arrived and the previous work has finished.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mms_desktop.core.asr import Recognizer
from mms_desktop.core.audio import SAMPLE_RATE, load_audio
from mms_desktop.core.events import FinalResult, PartialResult
from mms_desktop.core.streaming import RecognitionStream, StreamOptions

SENTENCES = [
    "the old man can read a book",
    "a small red bird is near the river",
    "my friend will open the green door today",
]
PAUSE_S = 1.5


@dataclass(frozen=True)
class StreamingFigures:
    audio_s: float
    offline_s: float
    streaming_s: float
    recognition_s: float
    final_latency_s: float
    partial_lag_s: float
    max_lag_s: float
    placement: str = ""

    @property
    def compute_ratio(self) -> float:
        """Model compute of streaming over one offline pass (voice activity detection excluded)."""
        return self.recognition_s / self.offline_s

    @property
    def keeps_up(self) -> bool:
        return self.max_lag_s < 2.0


def speech_with_pauses() -> tuple[np.ndarray, list[float]]:
    """Sentences spoken by espeak-ng with pauses; returns audio and the end time of each sentence."""
    silence = np.zeros(int(PAUSE_S * SAMPLE_RATE), np.float32)
    pieces, ends, t = [silence], [], PAUSE_S
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(SENTENCES):
            path = Path(tmp) / f"{i}.wav"
            subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), text], check=True, capture_output=True)
            speech = load_audio(path)
            pieces += [speech, silence]
            frames = len(speech) // 320
            rms = np.sqrt((speech[: frames * 320].reshape(frames, 320) ** 2).mean(axis=1))
            ends.append(t + (np.flatnonzero(rms > 0.01)[-1] + 1) * 0.02)  # where the voice really stops
            t += len(speech) / SAMPLE_RATE + PAUSE_S
    return np.concatenate(pieces), ends


def run(recognizer: Recognizer, options: StreamOptions, block_s: float = 0.02) -> StreamingFigures:
    audio, speech_ends = speech_with_pauses()
    recognizer.transcribe(audio[:SAMPLE_RATE], options.window)  # warm-up
    started = time.perf_counter()
    recognizer.transcribe(audio, options.window)
    offline = time.perf_counter() - started

    stream = RecognitionStream(recognizer, options, language=recognizer.language)
    compute_before = recognizer.compute_seconds
    block = int(block_s * SAMPLE_RATE)
    clock = busy = 0.0
    finals: list[float] = []
    lags: list[float] = []
    max_lag = 0.0
    for start in range(0, len(audio), block):
        arrived = (start + block) / SAMPLE_RATE
        stream.accept_waveform(SAMPLE_RATE, audio[start : start + block])
        t0 = time.perf_counter()
        events = stream.decode() if start + block < len(audio) else stream.finish()
        spent = time.perf_counter() - t0
        busy += spent
        clock = max(clock, arrived) + spent
        max_lag = max(max_lag, clock - arrived)
        finals += [clock for e in events if isinstance(e, FinalResult)]
        lags += [clock - arrived for e in events if isinstance(e, PartialResult)]
    latencies = [f - end for f, end in zip(finals, speech_ends, strict=False)]
    return StreamingFigures(
        audio_s=len(audio) / SAMPLE_RATE,
        offline_s=offline,
        streaming_s=busy,
        recognition_s=recognizer.compute_seconds - compute_before,
        final_latency_s=float(np.mean(latencies)) if latencies else float("nan"),
        partial_lag_s=float(np.mean(lags)) if lags else float("nan"),
        max_lag_s=max_lag,
        placement=f"{recognizer.placement.device} {recognizer.placement.dtype}",
    )


def report(name: str, figures: StreamingFigures) -> str:
    f = figures
    return (
        f"{name}: {f.audio_s:.1f} s of speech with pauses, {f.placement}\n"
        f"  offline pass          {f.offline_s:8.2f} s   (real-time factor {f.offline_s / f.audio_s:.3f})\n"
        f"  streaming model compute {f.recognition_s:6.2f} s   ({f.compute_ratio:.2f} x offline)\n"
        f"  streaming total (with voice detection) {f.streaming_s:.2f} s\n"
        f"  final text after end of speech  {f.final_latency_s:6.2f} s (mean)\n"
        f"  partial results lag audio by    {f.partial_lag_s:6.2f} s (mean)\n"
        f"  keeps up in real time: {'yes' if f.keeps_up else 'no'} (largest lag {f.max_lag_s:.2f} s)"
    )
