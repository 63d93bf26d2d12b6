"""File-transcription benchmark: load and switch times, speed against one plain pass and against the
transformers pipeline, and peak memory with recognition and identification both loaded.

Each configuration runs in a fresh process (``python -m mms_desktop.benchmark.file``), so that its peak
resident memory is its own and every load starts from a warm disk cache, not from memory already held.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.audio import SAMPLE_RATE
from mms_desktop.core.recognition import family_of


@dataclass(frozen=True)
class FileFigures:
    precision: str
    audio_s: float
    load_s: float  # loading the recognizer from a warm disk cache
    switch_ms: float  # changing the language adapter (mean of two switches)
    plain_s: float  # one forward pass over the whole recording (the floor for this model and precision)
    transcribe_s: float  # the app's file transcription: overlapping windows, decoding, timings
    peak_rss_mb: float  # recognition and identification loaded, after transcribing
    mapped_mb: float  # of the resident memory then: pages of mapped weight files (the system can reclaim them)
    lid_load_s: float
    import_s: float  # importing torch and the model code, before any model
    device: str = "cpu"
    gpu_peak_mb: float = 0.0  # on a GPU: the most memory PyTorch held on it

    @property
    def rtf(self) -> float:
        return self.transcribe_s / self.audio_s


def test_audio(seconds: float) -> np.ndarray:
    """Speech-like audio: espeak-ng sentences repeated to the wanted length."""
    from mms_desktop.benchmark.streaming import speech_with_pauses

    speech, _ = speech_with_pauses()
    reps = int(np.ceil(seconds * SAMPLE_RATE / len(speech)))
    return np.tile(speech, reps)[: int(seconds * SAMPLE_RATE)]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _mapped_file_mb() -> float:
    """Resident pages of files mapped into this process (Linux; 0 elsewhere): memory-mapped weights are
    clean copies of the file that the system can drop under pressure and read again, unlike the rest."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) / 1024
    return 0.0


def convert(model: Path, precision: str) -> float:
    """Seconds to convert a model's weights to ``precision`` once (about 0 when already cached)."""
    from mms_desktop.core.checkpoints import converted_folder

    started = time.perf_counter()
    if precision == "int8":
        from mms_desktop.core.checkpoints import int8

        architecture = json.loads((model / "config.json").read_text())["architectures"][0]
        int8.load(architecture, model, _cache(model))
    else:
        converted_folder(model, precision, _cache(model))
    return time.perf_counter() - started


def _cache(asr: Path) -> Path:
    return asr.parent / "converted"


def measure(asr: Path, lid: Path, precision: str, seconds: float, device: str = "cpu") -> FileFigures:
    """One configuration, in this process (reduced-precision weights come from the converted copy). The
    timings need no explicit synchronization on a GPU: every step returns its results on the CPU."""
    from mms_desktop.benchmark.streaming import gpu_peak_mb
    from mms_desktop.core.recognition import LanguageIdentifier, Recognizer, WindowOptions

    audio = test_audio(seconds)
    started = time.perf_counter()
    from mms_desktop.core.checkpoints import import_model_code

    import_model_code()  # torch's own start-up, reported apart from the model load

    import_s = time.perf_counter() - started
    started = time.perf_counter()
    recognizer = Recognizer.load(asr, "eng", device, precision, cache_dir=_cache(asr))
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    recognizer.prepare("fra")
    recognizer.prepare("eng")
    switch_ms = (time.perf_counter() - started) / 2 * 1000
    started = time.perf_counter()
    identifier = LanguageIdentifier.load(lid, device, precision, cache_dir=_cache(asr))
    lid_load_s = time.perf_counter() - started
    identifier.identify(audio[: 3 * SAMPLE_RATE])
    recognizer.log_probs(audio[:SAMPLE_RATE], "eng")  # warm-up
    started = time.perf_counter()
    recognizer.transcribe(audio, "eng", WindowOptions())
    transcribe_s = time.perf_counter() - started
    identifier.identify(audio[: 3 * SAMPLE_RATE])  # as the next dictation would: after the recognizer ran
    recognizer.log_probs(audio[:SAMPLE_RATE], "eng")
    peak = _peak_rss_mb()  # before the plain pass, whose whole-recording attention the app never runs
    mapped = _mapped_file_mb()
    started = time.perf_counter()
    recognizer.log_probs(audio, "eng")
    plain_s = time.perf_counter() - started
    return FileFigures(
        recognizer.placement.dtype, round(seconds, 1), round(load_s, 2), round(switch_ms, 1), round(plain_s, 2),
        round(transcribe_s, 2), round(peak), round(mapped), round(lid_load_s, 2), round(import_s, 2), device,
        round(gpu_peak_mb(device)),
    )  # fmt: skip


def pipeline_baseline(asr: Path, seconds: float, chunk_length_s: float = 20.0, device: str = "cpu") -> float:
    """Seconds the transformers ASR pipeline takes in fp32 with ``chunk_length_s`` on the same audio."""
    from transformers import AutoFeatureExtractor, Wav2Vec2CTCTokenizer, Wav2Vec2ForCTC, pipeline

    audio = test_audio(seconds)
    language: dict[str, Any] = {"target_lang": "eng"} if family_of(asr).adapters else {}  # one head: no adapter
    model = Wav2Vec2ForCTC.from_pretrained(str(asr), ignore_mismatched_sizes=True, use_safetensors=True,
                                           local_files_only=True, **language)  # fmt: skip
    tokenizer = Wav2Vec2CTCTokenizer.from_pretrained(str(asr), local_files_only=True, **language)
    extractor = AutoFeatureExtractor.from_pretrained(str(asr), local_files_only=True)
    asr_pipe = pipeline("automatic-speech-recognition", model=model, tokenizer=tokenizer,
                        feature_extractor=extractor, chunk_length_s=chunk_length_s, device=device)  # fmt: skip
    asr_pipe(audio[:SAMPLE_RATE].copy())  # warm-up
    started = time.perf_counter()
    asr_pipe(audio.copy())
    return time.perf_counter() - started


def _in_subprocess(*args: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "mms_desktop.benchmark.file", *args], capture_output=True,
                            text=True, check=False)  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"benchmark process failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(asr: Path, lid: Path, precisions: list[str], seconds: float,
        device: str = "cpu") -> tuple[list[FileFigures], float]:  # fmt: skip
    """Every precision (its weights converted first when needed), then the pipeline baseline (fp32 on the
    same device), each in its own process."""
    for p in precisions:
        if p != "float32":
            _in_subprocess("--convert", str(asr), p)
            _in_subprocess("--convert", str(lid), p)
    figures = [FileFigures(**_in_subprocess("--one", str(asr), str(lid), p, str(seconds), "--device", device))
               for p in precisions]  # fmt: skip
    baseline = _in_subprocess("--pipeline", str(asr), str(seconds), "--device", device)["seconds"]
    return figures, baseline


def report(title: str, figures: list[FileFigures], baseline_s: float) -> str:
    lines = [f"{title}: {figures[0].audio_s:g} s of speech, windows 20 s + 2 s context",
             f"  transformers pipeline fp32 (chunk_length_s=20) on the {figures[0].device}: {baseline_s:.2f} s "
             f"(real-time factor {baseline_s / figures[0].audio_s:.3f})"]  # fmt: skip
    for f in figures:
        lines += [
            f"  {f.precision}:",
            f"    libraries import {f.import_s:.2f} s, then load {f.load_s:.2f} s (identifier {f.lid_load_s:.2f} s); "
            f"adapter switch {f.switch_ms:.0f} ms",
            f"    one plain pass {f.plain_s:.2f} s; file transcription {f.transcribe_s:.2f} s "
            f"(real-time factor {f.rtf:.3f}; {f.transcribe_s / f.plain_s:.2f} x the plain pass; "
            f"{baseline_s / f.transcribe_s:.2f} x faster than the pipeline)",
            f"    peak resident memory with recognition and identification loaded: {f.peak_rss_mb / 1024:.2f} GiB "
            f"({f.peak_rss_mb * 1.048576 / 1000:.2f} GB); resident at the end: {f.mapped_mb / 1024:.2f} GiB of "
            "memory-mapped weight files (clean pages the system can reclaim)",
        ]
        if f.gpu_peak_mb:
            lines.append(f"    peak GPU memory: {f.gpu_peak_mb / 1024:.2f} GiB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", nargs=4, metavar=("ASR", "LID", "PRECISION", "SECONDS"))
    parser.add_argument("--pipeline", nargs=2, metavar=("ASR", "SECONDS"))
    parser.add_argument("--convert", nargs=2, metavar=("ASR", "PRECISION"))
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    import logging
    import os

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.basicConfig(level=logging.ERROR)
    if args.one:
        asr, lid, precision, seconds = args.one
        print(json.dumps(asdict(measure(Path(asr), Path(lid), precision, float(seconds), args.device))))
    elif args.convert:
        print(json.dumps({"seconds": convert(Path(args.convert[0]), args.convert[1])}))
    else:
        asr, seconds = args.pipeline
        print(json.dumps({"seconds": pipeline_baseline(Path(asr), float(seconds), device=args.device)}))


if __name__ == "__main__":
    main()
