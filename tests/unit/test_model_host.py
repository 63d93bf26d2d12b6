"""The application's model host: each model loaded once, and no model waits for another one's load."""

import threading
from pathlib import Path

import pytest
from helpers import hold_identifier_loads

from mms_desktop.core.base import ModelError
from mms_desktop.core.engine import ModelHost
from mms_desktop.core.recognition import LanguageIdentifier
from mms_desktop.core.store import LanguageStore
from mms_desktop.paths import resources_dir


@pytest.fixture()
def host(tmp_path: Path) -> ModelHost:
    """Over an empty store: the bundled demonstration recognizer and identifier are what is installed."""
    return ModelHost(LanguageStore(tmp_path / "store", bundled=[resources_dir() / "models"]), "cpu", "float32")


def test_a_loaded_recognizer_is_handed_out_while_the_identifier_loads(host: ModelHost, monkeypatch) -> None:
    recognizer = host.recognizer(None, "eng")
    release, loads = hold_identifier_loads(monkeypatch)
    try:
        wait = host.identifier_soon()
        while not loads:
            threading.Event().wait(0.01)
        waiting = threading.Thread(target=host.identifier)  # a second caller shares the load under way
        waiting.start()
        handed: list = []
        asking = threading.Thread(target=lambda: handed.append(host.recognizer(None, "deu")))
        asking.start()
        asking.join(30)
        assert handed == [recognizer] and not release.is_set()  # while the identifier's load is held
        assert recognizer._active == "deu"  # loaded with the adapter of the language asked for
    finally:
        release.set()
    identifier = wait()
    waiting.join(60)
    assert isinstance(identifier, LanguageIdentifier) and host.identifier() is identifier
    assert loads == ["load language identifier"]  # one load, on the host's own thread


def test_a_failed_load_reaches_whoever_waits_and_is_tried_again(host: ModelHost, monkeypatch) -> None:
    def broken(cls, *args, **kwargs):
        raise ModelError("The language identification model is damaged; remove it and install it again.")

    monkeypatch.setattr(LanguageIdentifier, "load", classmethod(broken))
    wait = host.identifier_soon()
    with pytest.raises(ModelError, match="damaged"):
        wait()
    monkeypatch.undo()
    assert isinstance(host.identifier(), LanguageIdentifier)  # the failure was not remembered


def test_with_no_identifier_installed_it_is_said_at_once(tmp_path: Path) -> None:
    host = ModelHost(LanguageStore(tmp_path / "store", bundled=[]), "cpu", "float32")
    with pytest.raises(ModelError):
        host.identifier_soon()
