"""Shared fixtures: tiny MMS repos in the real layout, a local hub serving them, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import factory  # noqa: E402
from hubserver import FakeHub  # noqa: E402

from mms_desktop.core.store import LanguageStore  # noqa: E402


@pytest.fixture(scope="session")
def tiny_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every tiny repo, keyed by repo id (the hub's folder layout ``<owner>/<name>``)."""
    return factory.build_all(tmp_path_factory.mktemp("hub"))


@pytest.fixture(scope="session")
def hub_root(tiny_repos: dict[str, Path]) -> Path:
    return next(iter(tiny_repos.values())).parent.parent


@pytest.fixture()
def hub(hub_root: Path) -> Iterator[FakeHub]:
    with FakeHub(hub_root) as server:
        yield server


@pytest.fixture()
def store(tmp_path: Path) -> LanguageStore:
    return LanguageStore(tmp_path / "store")


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    """An empty data directory for one CLI test."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def installed_home(tmp_path_factory: pytest.TempPathFactory, hub_root: Path) -> Path:
    """A data directory with every tiny language, voice and the identifier installed from the local hub."""
    from mms_desktop.core.hub import HubClient

    path = tmp_path_factory.mktemp("installed-home")
    with FakeHub(hub_root) as server:
        client = HubClient(LanguageStore(path / "store"), endpoint=server.url)
        client.install(["eng", "fra", "cmn-script_simplified", "rus", "facebook/mms-lid-126"])
    return path


def run_cli(
    *args: str,
    home: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``mms-desktop`` program in a new process."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "MMS_DESKTOP"))}
    if home is not None:
        full_env["MMS_DESKTOP_HOME"] = str(home)
    full_env.update(env or {})
    exe = shutil.which("mms-desktop", path=str(Path(sys.executable).parent)) or "mms-desktop"
    return subprocess.run([exe, *args], capture_output=True, text=True, env=full_env, input=stdin, timeout=timeout)


def tone(seconds: float, rate: int = 16000, freq: float = 440.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(wave[:, None], channels, axis=1) if channels > 1 else wave


def noise(seconds: float, seed: int = 0) -> np.ndarray:
    return (np.random.RandomState(seed).randn(int(seconds * 16000)) * 0.1).astype(np.float32)
