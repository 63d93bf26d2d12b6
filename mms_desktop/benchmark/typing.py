"""From the end of speech to the words in another application, on this machine's X display.

The shipped sample (resources/sample.wav; its voice ends 0.4 s before the file does, and the figures count
from where the voice ends), then silence, is fed to a live recognition stream at the pace
of a microphone, in 0.1 s blocks as the capture delivers them; each final sentence is written (capital,
full stop) and typed by the :class:`Typist` into another program's text window
(:mod:`mms_desktop.benchmark.target`), which notes when its text changed. Figures: end of speech to the
text in that window, and of that, what typing it took (the clipboard, the paste key, the other program
pasting). The recognizer is the installed one for the language (the bundled demonstration pack where
nothing is installed).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

BLOCK_S = 0.1
SILENCE_S = 2.5  # after the speech: enough for the pause that ends an utterance, and its decoding


@dataclass(frozen=True)
class TypingFigures:
    text: str
    final_s: float  # end of speech to the final sentence (recognition alone)
    shown_s: float  # end of speech to the text in the other application's window
    typing_s: float  # the final sentence handed to the typist until the other window shows it


class Target:
    """The other application, in its own process."""

    def __init__(self, folder: Path):
        self.file = folder / "target.json"
        self.process = subprocess.Popen([sys.executable, "-m", "mms_desktop.benchmark.target", str(self.file)])
        deadline = time.monotonic() + 30
        while not self.state().get("focused"):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the window to type into did not open with the keyboard focus")
            time.sleep(0.05)

    def state(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.file.read_text()))
        except (OSError, ValueError):
            return {}

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _wait(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(max(0, int(seconds * 1000)), loop.quit)
    loop.exec()


def speech_end_s(audio: np.ndarray) -> float:
    """Where the voice stops: the end of the last 10 ms that reaches 1 % of the loudest (-40 dB)."""
    frames = np.abs(audio[: len(audio) // 160 * 160]).reshape(-1, 160).max(axis=1)
    voiced = np.nonzero(frames >= frames.max() * 0.01)[0]
    return float((voiced[-1] + 1) * 0.01) if voiced.size else len(audio) / 16000


def one_run(stream: Any, audio: np.ndarray, typist: Any, target: Target, language: str) -> TypingFigures:
    """Feed ``audio`` then silence at real-time pace; time the first final sentence into ``target``."""
    from mms_desktop.core.base import FinalResult
    from mms_desktop.core.recognition import DictatedText

    text = DictatedText()
    before = target.state().get("changed_at", 0.0)
    block = int(16000 * BLOCK_S)
    samples = np.concatenate([audio, np.zeros(int(16000 * SILENCE_S), np.float32)])
    started = time.monotonic()
    speech_end = started + speech_end_s(audio)
    final_at = handed_at = 0.0
    for i in range(0, len(samples), block):
        _wait(started + (i + block) / 16000 - time.monotonic())  # the microphone delivers the block then
        stream.accept_waveform(16000, samples[i : i + block])
        for event in stream.decode():
            if isinstance(event, FinalResult) and not final_at:
                final_at = time.monotonic()
                edit = text.add(event.segment.text, language)
                handed_at = time.monotonic()
                typist.apply(edit)
        if final_at:
            break
    if not final_at:
        raise RuntimeError("no sentence was recognized in the sample")
    deadline = time.monotonic() + 10
    while (state := target.state()).get("changed_at", 0.0) <= before:
        if time.monotonic() > deadline:
            raise RuntimeError("the text never appeared in the other window")
        _wait(0.02)
    shown = float(state["changed_at"])
    return TypingFigures(text.text, final_at - speech_end, shown - speech_end, shown - handed_at)


def run(context: Any, language: str, runs: int) -> list[TypingFigures]:
    """``runs`` timed sentences after one untimed (which loads the models)."""
    from PySide6.QtWidgets import QApplication

    from mms_desktop.core.audio import load_audio
    from mms_desktop.core.recognition import RecognitionStream
    from mms_desktop.desktop.setup import own_windows
    from mms_desktop.desktop.typist import Typist
    from mms_desktop.desktop.x11 import X11Keyboard
    from mms_desktop.paths import resources_dir
    from mms_desktop.settings import live_options

    app = QApplication.instance() or QApplication(["mms-desktop benchmark typing"])
    audio = load_audio(resources_dir() / "sample.wav")
    typist = Typist(X11Keyboard(), app.clipboard(), own_windows)  # type: ignore[attr-defined]
    typist.configure(context.settings.paste_key, context.settings.paste_restore_s)
    recognizer = context.model_host().recognizer(None, language)
    figures = []
    with tempfile.TemporaryDirectory(prefix="mms-typing-") as folder:
        target = Target(Path(folder))
        try:
            for _ in range(runs + 1):
                stream = RecognitionStream(recognizer, live_options(context.settings), language)
                figures.append(one_run(stream, audio, typist, target, language))
                _wait(context.settings.paste_restore_s + 0.3)  # the clipboard is put back between runs
        finally:
            typist.restore_clipboard()
            target.close()
    return figures[1:]


def report(figures: list[TypingFigures]) -> str:
    def line(name: str, values: list[float]) -> str:
        return f"{name:<40} mean {statistics.mean(values) * 1000:7.0f} ms   max {max(values) * 1000:7.0f} ms"

    return "\n".join(
        [
            f"typed: {figures[0].text!r} ({len(figures)} runs)",
            line("end of speech -> final sentence", [f.final_s for f in figures]),
            line("end of speech -> text in the other app", [f.shown_s for f in figures]),
            line("typing it (clipboard, paste key, paste)", [f.typing_s for f in figures]),
        ]
    )
