"""Window tests: offscreen Qt, a microphone the test speaks into, and the real engine and models."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fakes import FakeMicrophone, FakePlayer  # noqa: E402


@pytest.fixture()
def microphone() -> FakeMicrophone:
    return FakeMicrophone()


@pytest.fixture()
def player() -> FakePlayer:
    return FakePlayer()


def open_window(qtbot: Any, home: Path, microphone: FakeMicrophone, player: FakePlayer, **kwargs: Any) -> Any:
    from mms_desktop import settings as S
    from mms_desktop.app import build_window

    settings_file = home / "settings.json"
    if not settings_file.exists():
        S.save(S.Settings(recordings_dir=str(home / "recordings")), settings_file)
    window = build_window(str(home), capture_factory=microphone.capture, player=player, **kwargs)
    qtbot.addWidget(window, before_close_func=lambda w: settle(qtbot, w))
    window.show()
    return window


def settle(qtbot: Any, window: Any) -> None:
    """Stop the work in progress and wait until no dictation, job or dialog job is left, so that no
    thread outlives the test (the window is deleted right after)."""
    window.dictation.stop()
    if window.tools.sessions is not None:
        window.tools.sessions.dictation.stop()
    window.jobs.cancel_all()
    qtbot.waitUntil(lambda: not window.busy, timeout=60000)
    window.jobs.wait()


@pytest.fixture()
def make_window(qtbot: Any, tmp_path: Path, microphone: FakeMicrophone, player: FakePlayer) -> Any:
    """Opens the real window over a data folder (by default an empty one, so the bundled demonstration
    pack is what is installed); pytest-qt closes it after the test, once its work has stopped.

    The fixture holds every window it opened until then: a window the test did not keep (used in one
    expression) would otherwise be garbage while still at work, and Python's collector, which may run on
    any thread, would hand its deletion to shiboken behind Qt's back. Once pytest-qt has deleted the
    windows, their wrappers are collected here, on the GUI thread."""
    windows: list[Any] = []

    def make(home: Path | None = None, **kwargs: Any) -> Any:
        home = home or tmp_path / "home"
        home.mkdir(exist_ok=True)
        windows.append(open_window(qtbot, home, microphone, player, **kwargs))
        return windows[-1]

    yield make
    windows.clear()
    gc.collect()
