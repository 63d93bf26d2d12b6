"""Fixtures of the end-to-end tests."""

from pathlib import Path

import pytest
from pulse import PulseServer


@pytest.fixture()
def pulse(tmp_path: Path):
    """A private PulseAudio server whose virtual microphone the test speaks into."""
    (tmp_path / "pulse").mkdir()
    server = PulseServer(tmp_path / "pulse").start()
    yield server
    server.stop()
