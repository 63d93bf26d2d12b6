"""Streaming benchmark: compute against one offline pass, latencies, and whether it keeps up.

Audio is espeak-ng speech with pauses, fed in 20 ms blocks on a simulated real-time clock: the stream's
work on each block starts when both the block has arrived and the previous work has finished.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mms_desktop.core.audio import SAMPLE_RATE, load_audio
from mms_desktop.core.base import FinalResult, PartialResult, Segment
from mms_desktop.core.recognition import RecognitionStream, Recognizer, StreamOptions, label
from mms_desktop.core.training import character_error_rate

SENTENCES = [
    "the old man can read a book",
    "a small red bird is near the river",
    "my friend will open the green door today",
    # one long utterance, so that windows are committed while the speaker goes on
    "the old man can read a book and a small red bird is near the river while my friend will open the green door today",
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
    final_latency_max_s: float
    max_lag_s: float
    placement: str = ""
    window: str = ""
    frames_ratio: float = float("nan")  # frames through the transformer, streaming over offline (exact)
    cer_vs_offline: float = float("nan")  # final texts against offline transcription of the same utterances
    cer_vs_reference: float = float("nan")  # final texts against the sentences spoken
    gpu_peak_mb: float = 0.0  # on a GPU: the most memory PyTorch held on it during the run
    windows_used: str = ""  # the windows the utterances took, and how many took each

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


def run(recognizer: Recognizer, options: StreamOptions, language: str, block_s: float = 0.02) -> StreamingFigures:
    audio, speech_ends = speech_with_pauses()
    recognizer.transcribe(audio[:SAMPLE_RATE], language)  # warm-up
    started, frames_before = time.perf_counter(), recognizer.encoded_frames
    recognizer.transcribe(audio, language)  # offline, as a file: one pass over the whole recording
    offline = time.perf_counter() - started
    offline_frames = recognizer.encoded_frames - frames_before

    stream = RecognitionStream(recognizer, options, language)
    compute_before, frames_before = recognizer.compute_seconds, recognizer.encoded_frames
    block = int(block_s * SAMPLE_RATE)
    clock = busy = 0.0
    finals: list[float] = []
    segments: list[Segment] = []
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
        segments += [e.segment for e in events if isinstance(e, FinalResult)]
        lags += [clock - arrived for e in events if isinstance(e, PartialResult)]
    recognition = recognizer.compute_seconds - compute_before  # before the offline comparison below adds to it
    latencies = [f - end for f, end in zip(finals, speech_ends, strict=False)]
    frames_ratio = (recognizer.encoded_frames - frames_before) / max(1, offline_frames)
    used = Counter(stream.windows_used)
    heard = " ".join(s.text for s in segments if s.text)
    offline_text = " ".join(  # each utterance transcribed offline, with the file transcription windows
        recognizer.transcribe(audio[round(s.start * SAMPLE_RATE) : round(s.end * SAMPLE_RATE)], language).text
        for s in segments
    )
    return StreamingFigures(
        audio_s=len(audio) / SAMPLE_RATE,
        offline_s=offline,
        streaming_s=busy,
        recognition_s=recognition,
        final_latency_s=float(np.mean(latencies)) if latencies else float("nan"),
        partial_lag_s=float(np.mean(lags)) if lags else float("nan"),
        final_latency_max_s=max(latencies, default=float("nan")),
        max_lag_s=max_lag,
        placement=f"{recognizer.placement.device} {recognizer.placement.dtype}",
        window=f"{label(options.window)}, every {options.partial_every_s:g}"
        + (f", delay {options.lag_target_s:g}" if options.lag_target_s != float("inf") else ""),
        frames_ratio=frames_ratio,
        cer_vs_offline=character_error_rate([offline_text], [heard]),
        cer_vs_reference=character_error_rate([" ".join(SENTENCES)], [heard]),
        gpu_peak_mb=gpu_peak_mb(recognizer.placement.device),
        windows_used=", ".join(f"{label(w)} s ({n} of {len(segments)})" for w, n in used.most_common()),
    )


@contextlib.contextmanager
def busy_core() -> Iterator[None]:
    """Another program keeping one core busy (the last one, where the system lets a process choose), as a
    browser, an indexer or a build does on a user's computer, for as long as the block runs."""
    spin = (
        "import os\n"
        "try:\n os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})\n"
        "except Exception:\n pass\n"
        "while True:\n pass"
    )
    process = subprocess.Popen([sys.executable, "-c", spin])
    try:
        time.sleep(0.5)  # running before the measurement starts
        yield
    finally:
        process.kill()
        process.wait()


def cpu_flags() -> str:
    """The processor's instruction sets that decide the speed of the precisions (Linux; elsewhere unknown)."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split("flags")[1].split("\n")[0].split())
    except (OSError, IndexError):
        return "unknown"
    shown = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8") if f in flags]
    return " ".join(shown) or "none of avx2, avx512, amx"


def gpu_peak_mb(device: str) -> float:
    """The most memory PyTorch has held on the GPU in this process (0 on the CPU)."""
    if not device.startswith("cuda"):
        return 0.0
    import torch

    return torch.cuda.max_memory_allocated() / 2**20


def report(name: str, figures: StreamingFigures) -> str:
    f = figures
    return (
        f"{name}: {f.audio_s:.1f} s of speech with pauses, {f.placement}\n"
        f"  windows of new audio + context each side: {f.window}; the utterances used {f.windows_used}\n"
        f"  offline pass          {f.offline_s:8.2f} s   (real-time factor {f.offline_s / f.audio_s:.3f})\n"
        f"  streaming model compute {f.recognition_s:6.2f} s   ({f.compute_ratio:.2f} x offline; "
        f"{f.frames_ratio:.2f} x its frames through the transformer)\n"
        f"  streaming total (with voice detection) {f.streaming_s:.2f} s\n"
        f"  final text after end of speech  {f.final_latency_s:6.2f} s (mean), {f.final_latency_max_s:.2f} s at most\n"
        f"  partial results lag audio by    {f.partial_lag_s:6.2f} s (mean)\n"
        f"  keeps up in real time: {'yes' if f.keeps_up else 'no'} (largest lag {f.max_lag_s:.2f} s)\n"
        f"  final text against offline transcription: CER {f.cer_vs_offline:.1%}; "
        f"against the words spoken: CER {f.cer_vs_reference:.1%}"
        + (f"\n  peak GPU memory {f.gpu_peak_mb / 1024:.2f} GiB" if f.gpu_peak_mb else "")
    )


def table(name: str, rows: list[StreamingFigures]) -> str:
    """One line per window choice: what a live window costs and what it gets right."""
    lines = [f"{name}, {rows[0].placement}, {rows[0].audio_s:.1f} s of speech with pauses",
             f"  {'window + context, partials every (s)':>45} {'compute/offline':>16} {'frames/offline':>15} "
             f"{'largest lag':>12} {'final after':>12} {'CER vs offline':>15} {'CER vs spoken':>14}"
             "  windows used"]  # fmt: skip
    for f in rows:
        lines.append(f"  {f.window:>45} {f.compute_ratio:>15.2f}x {f.frames_ratio:>14.2f}x {f.max_lag_s:>10.2f} s "
                     f"{f.final_latency_s:>10.2f} s {f.cer_vs_offline:>15.1%} {f.cer_vs_reference:>14.1%}  "
                     f"{f.windows_used}")  # fmt: skip
    return "\n".join(lines)
