import numpy as np
import pytest

from mms_desktop.core.base import UserError
from mms_desktop.core.synthesis import Synthesizer, split_sentences


@pytest.fixture(scope="module")
def english(tiny_repos) -> Synthesizer:
    return Synthesizer.load(tiny_repos["facebook/mms-tts-eng"], device="cpu")


@pytest.fixture(scope="module")
def russian(tiny_repos) -> Synthesizer:
    return Synthesizer.load(tiny_repos["facebook/mms-tts-rus"], device="cpu")


def test_seed_makes_speech_repeatable(english: Synthesizer) -> None:
    a = english.speak("hello world. how are you?", seed=7)
    b = english.speak("hello world. how are you?", seed=7)
    c = english.speak("hello world. how are you?", seed=8)
    assert a.sample_rate == 16000 and len(a.samples) > 1000
    assert np.array_equal(a.samples, b.samples) and not np.array_equal(a.samples, c.samples)


def test_sentences_are_spoken_with_a_pause_between(english: Synthesizer) -> None:
    one = english.speak("hello world", seed=1).samples
    two = english.speak("hello world. hello world", seed=1).samples
    assert len(two) >= 2 * len(one) * 0.5 + 0.25 * 16000


def test_uroman_voice_romanizes_non_latin_text(russian: Synthesizer) -> None:
    assert russian.is_uroman
    speech = russian.speak("Привет, как дела?", seed=1)
    assert len(speech.samples) > 1000 and np.isfinite(speech.samples).all()


def test_text_with_nothing_speakable_is_an_error(english: Synthesizer) -> None:
    with pytest.raises(UserError, match="Nothing in this text can be spoken by the mms-tts-eng voice"):
        english.speak("Привет 你好 123")


def test_long_text_is_split_into_sentences() -> None:
    parts = split_sentences("One. Two! Three?\nFour " + "word " * 200)
    assert parts[:4] == ["One.", "Two!", "Three?", parts[3]] and parts[3].startswith("Four")
    assert all(len(p) <= 400 for p in parts) and len(parts) == 6
