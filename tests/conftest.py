"""Shared fixtures: tiny MMS repos in the real layout, a local hub serving them, and a CLI runner."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import factory  # noqa: E402
from hubserver import FakeHub  # noqa: E402

from mms_desktop.core.store import LanguageStore


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
    from mms_desktop.core.store import HubClient

    path = tmp_path_factory.mktemp("installed-home")
    with FakeHub(hub_root) as server:
        client = HubClient(LanguageStore(path / "store"), endpoint=server.url)
        client.install(["eng", "fra", "cmn-script_simplified", "rus", "facebook/mms-lid-126"])
    return path
