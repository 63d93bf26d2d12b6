"""Helpers tests import: the real CLI in a new process, test signals, and a language identifier held back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np


def run_cli(
    *args: str,
    home: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 240,
    stderr: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``mms-desktop`` program in a new process (``stderr``: a file descriptor to write its
    standard error to instead of capturing it)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "MMS_DESKTOP"))}
    if home is not None:
        full_env["MMS_DESKTOP_HOME"] = str(home)
    full_env.update(env or {})
    exe = shutil.which("mms-desktop", path=str(Path(sys.executable).parent)) or "mms-desktop"
    return subprocess.run([exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE if stderr is None else stderr,
                          text=True, env=full_env, input=stdin, timeout=timeout)  # fmt: skip


def tone(seconds: float, rate: int = 16000, freq: float = 440.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(wave[:, None], channels, axis=1) if channels > 1 else wave


def espeak(text: str, voice: str, folder: Path) -> np.ndarray:
    """``text`` spoken by espeak-ng's ``voice``, as 16 kHz samples."""
    from mms_desktop.core.audio import load_audio

    path = folder / f"{abs(hash((text, voice)))}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
    return load_audio(path)


def noise(seconds: float, seed: int = 0) -> np.ndarray:
    return (np.random.RandomState(seed).randn(int(seconds * 16000)) * 0.1).astype(np.float32)


def hold_identifier_loads(monkeypatch) -> tuple[threading.Event, list[str]]:
    """Language identifier loads wait for the returned event, then load the real model; the names of the
    threads that loaded are listed."""
    from mms_desktop.core.recognition import LanguageIdentifier

    release, loads = threading.Event(), []
    real_load = LanguageIdentifier.load.__func__

    def held_load(cls, *args, **kwargs):
        loads.append(threading.current_thread().name)
        release.wait(60)
        return real_load(cls, *args, **kwargs)

    monkeypatch.setattr(LanguageIdentifier, "load", classmethod(held_load))
    return release, loads


def choose(qtbot, window, code: str) -> None:
    """Pick ``code`` in the window's language box, as a user would, once the box offers it."""
    box = window.bar.language_box
    qtbot.waitUntil(lambda: box.findData(code) >= 0, timeout=60000)
    box.setCurrentIndex(box.findData(code))
    box.activated.emit(box.currentIndex())


def start_dictating(qtbot, window, language: str) -> None:
    """Choose the language and press Record; returns once the window listens."""
    choose(qtbot, window, language)
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: window.status_text.text() == "Listening…", timeout=60000)
