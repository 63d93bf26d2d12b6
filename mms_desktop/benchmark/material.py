"""How held-out accuracy grows with the amount of material a new language is taught from.

The teaching path itself (``train_adapter``: base frozen, adapter and head trained) teaches the
demonstration model a language it has never heard, from 1, 4 and 16 minutes (by default) of espeak-ng
speech, each for the same number of steps. It is tested on what it was not taught: other voices, and
sentences drawn from words ranked beyond those of the training sentences in a word-frequency list
(``wordfreq``). The figures are written where the teaching window and ``train-adapter`` read them, so
their advice on how much material to bring quotes what was measured.
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

TRAIN_VOICES = ("", "+m1", "+f2")  # espeak-ng variants spoken in training; the test uses others
TEST_VOICES = ("+m3", "+f4")
SECONDS_PER_SENTENCE = 2.6  # about how long a 2–6 word sentence lasts at the rates used


@dataclass(frozen=True)
class Point:
    minutes: float
    sentences: int
    cer: float
    wer: float
    train_s: float


def spoken(language: str, voice: str, texts: list[str], variants: tuple[str, ...], seed: int) -> list:
    """The texts as training items, spoken by espeak-ng's ``voice`` with its ``variants`` (see ``generate``)."""
    from mms_desktop.core.training.material import Item
    from mms_desktop.demo.corpus import generate

    return [Item(u.samples, u.text, "") for u in generate(language, texts, seed, voices=[voice], variants=variants)]


def run(
    language: str = "ita", voice: str = "it", minutes: tuple[float, ...] = (1, 4, 16), steps: int = 300, seed: int = 0
) -> list[Point]:
    """Teach the demonstration model ``language`` from each amount of speech in turn; held-out figures."""
    from mms_desktop.core.training.adapter import AdapterJob, train_adapter
    from mms_desktop.core.training.material import Dataset
    from mms_desktop.demo.corpus import open_sentences
    from mms_desktop.paths import resources_dir

    most = max(round(m * 60 / SECONDS_PER_SENTENCE) for m in minutes)
    train_items = spoken(language, voice, open_sentences(language, most, seed, (0, 2000)), TRAIN_VOICES, seed)
    test_texts = open_sentences(language, 40, seed + 1, (2000, 6000))  # words never in a training sentence
    test_items = spoken(language, voice, test_texts, TEST_VOICES, seed + 1)
    points = []
    for amount in minutes:
        count = round(amount * 60 / SECONDS_PER_SENTENCE)
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp) / "model"
            shutil.copytree(resources_dir() / "models" / "mms-desktop" / "demo-asr", base)
            job = AdapterJob(language, base, steps=steps, seed=seed)
            started = time.monotonic()
            report = train_adapter(job, Dataset(train=train_items[:count], held_out=test_items))
            elapsed = time.monotonic() - started
        seconds = sum(len(i.samples) for i in train_items[:count]) / 16000
        points.append(Point(round(seconds / 60, 1), count, report.cer_after, report.wer_after, round(elapsed)))
    return points


def write(points: list[Point], language: str, steps: int, path: Path) -> None:
    from mms_desktop.benchmark.streaming import cpu_flags

    data = {
        "language": language,
        "steps": steps,
        "measured": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {cpu_flags()}",
        "points": [asdict(p) for p in points],
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def report(points: list[Point], language: str, steps: int) -> str:
    lines = [f"teaching the demonstration model '{language}', {steps} steps each; tested on other voices and words:"]
    lines += [
        f"  {p.minutes:5.1f} min ({p.sentences} sentences): CER {p.cer:.1%}, WER {p.wer:.1%}, "
        f"trained in {p.train_s:.0f} s"
        for p in points
    ]
    return "\n".join(lines)
