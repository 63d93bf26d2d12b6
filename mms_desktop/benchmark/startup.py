"""Start-up of the real window with full-size models: how long after it opens dictation can start.

The window runs in its own process (Qt's offscreen platform, so no display is needed) on a data folder
whose store holds the MMS-1B and MMS-LID-126 architectures with random weights, linked from the benchmark
cache. The first start converts the weights to the precision they run in (once; the copy is kept); the
starts after it are warm, as for a user who has opened the app before.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mms_desktop import settings as settings_module
from mms_desktop.core.store import FileRecord, LanguageStore

READY = re.compile(r"window open after ([\d.]+) s; ready ([\d.]+) s later")
LOADED = re.compile(r"background loading done ([\d.]+) s after the window opened")


@dataclass(frozen=True)
class StartFigures:
    precision: str
    language: str
    process_s: float  # from starting the program until its models are ready
    window_s: float  # until the window is open
    ready_s: float  # from the window opening until dictation can start (the goal: within 5 s)
    loaded_s: float  # from the window opening until every model is loaded (with auto: the identifier too)


def prepare_home(home: Path, asr: Path, lid: Path, precision: str, language: str) -> Path:
    """A data folder whose store has the full-size models installed (their files linked, not copied)."""
    store = LanguageStore(home / "store")
    for repo, source in (("facebook/mms-1b-all", asr), ("facebook/mms-lid-126", lid)):
        target = store.repo_dir(repo)
        target.mkdir(parents=True, exist_ok=True)
        records: dict[str, FileRecord | None] = {}
        for path in source.iterdir():
            if path.is_file() and not path.name.startswith(("complete", ".")):
                link = target / path.name
                if not link.exists():
                    link.symlink_to(path.resolve())
                records[path.name] = FileRecord(path.stat().st_size)
        store.record(target, records)
    settings = settings_module.Settings(language=language, precision=precision, device="cpu")
    settings_module.save(settings, home / "settings.json")
    return home


def start(home: Path, timeout_s: float = 600.0) -> tuple[float, float, float, float]:
    """Open the window on ``home`` until its models are loaded; (process, window open, ready after open,
    everything loaded after open)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "mms_desktop.app", "--data-dir", str(home), "--screenshot", str(home / "window.png")],
        capture_output=True, text=True, env=env, timeout=timeout_s,
    )  # fmt: skip
    total = time.monotonic() - started
    found, loaded = READY.search(result.stdout), LOADED.search(result.stdout)
    if result.returncode != 0 or found is None or loaded is None:
        raise RuntimeError(f"the window did not get ready: {result.stdout[-500:]} {result.stderr[-2000:]}")
    return total, float(found.group(1)), float(found.group(2)), float(loaded.group(1))


def warm_up(home: Path) -> None:
    """Load both models once on the command line: converts their weights (the first time) and reads them
    into the disk cache."""
    from mms_desktop.benchmark.file import test_audio
    from mms_desktop.core.audio import SAMPLE_RATE, write_wav

    sample = home / "warm-up.wav"
    write_wav(sample, test_audio(5.0), SAMPLE_RATE)
    program = [sys.executable, "-m", "mms_desktop", "--data-dir", str(home)]
    for args in (["transcribe", str(sample), "--lang", "eng"], ["identify", str(sample)]):
        subprocess.run([*program, *args], capture_output=True, check=True, timeout=1800)


def run(cache: Path, asr: Path, lid: Path, precisions: list[str], runs: int = 2) -> list[StartFigures]:
    """Warm starts of the window per precision and language choice."""
    figures = []
    for precision in precisions:
        for language in ("eng", "auto"):
            home = prepare_home(cache / f"startup-{precision}", asr, lid, precision, language)
            warm_up(home)
            for _ in range(runs):
                total, window, ready, loaded = start(home)
                figures.append(StartFigures(precision, language, round(total, 2), window, ready, loaded))
    return figures


def report(figures: list[StartFigures]) -> str:
    lines = ["precision  language  window open  ready to dictate after it  all models loaded after it"]
    for f in figures:
        lines.append(f"{f.precision:<10} {f.language:<9} {f.window_s:>9.2f} s {f.ready_s:>24.2f} s "
                     f"{f.loaded_s:>26.2f} s")  # fmt: skip
    from mms_desktop.core.recognition import StreamOptions

    lines.append("With automatic detection, dictation starts before the identifier has loaded: it is needed "
                 f"once the first utterance has lasted {StreamOptions().detect_s:g} s.")  # fmt: skip
    return "\n".join(lines)
