"""The demonstration voice: VITS's alignment search, its training, and where the store finds it."""

from __future__ import annotations

from pathlib import Path

import factory
import numpy as np
import pytest
import torch

from mms_desktop.core.base import ModelError
from mms_desktop.core.store import LanguageStore, Repos
from mms_desktop.core.synthesis import Synthesizer
from mms_desktop.demo import voice
from mms_desktop.demo.build import record_bundled
from mms_desktop.demo.vits_objective import linear_spectrogram, monotonic_alignment, prior_log_likelihood


def test_alignment_finds_the_monotonic_path_the_likelihood_marks() -> None:
    """Frames 0-2 belong to token 0, 3-4 to token 1, 5-8 to token 2; padding beyond the lengths stays empty."""
    spans = [0, 0, 0, 1, 1, 2, 2, 2, 2]
    likelihood = torch.full((2, 11, 4), -5.0)
    for frame, token in enumerate(spans):
        likelihood[:, frame, token] = 0.0
    likelihood[:, :, 3] = 10.0  # a better token past the text's end must not be taken
    path = monotonic_alignment(likelihood, torch.tensor([3, 3]), torch.tensor([9, 7]))
    assert path[0, :9].argmax(1).tolist() == spans
    assert path[0, 9:].sum() == 0 and path[:, :, 3].sum() == 0
    # the shorter one must still give its last token a frame, in order
    assert path[1, :7].argmax(1).tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert path[1].sum(1)[:7].tolist() == [1.0] * 7


def test_alignment_gives_every_token_a_frame_even_against_the_likelihood() -> None:
    likelihood = torch.zeros(1, 6, 4)
    likelihood[0, :, 0] = 100.0  # all frames prefer the first token
    durations = monotonic_alignment(likelihood, torch.tensor([4]), torch.tensor([6]))[0].sum(0)
    assert durations.tolist() == [3.0, 1.0, 1.0, 1.0]


def test_the_prior_likelihood_is_the_gaussian_density() -> None:
    z = torch.randn(1, 3, 5)
    means, log_std = torch.randn(1, 3, 2), torch.randn(1, 3, 2) * 0.3
    found = prior_log_likelihood(z, means, log_std)
    normal = torch.distributions.Normal(means[0, :, 1], log_std[0, :, 1].exp())
    assert found.shape == (1, 5, 2)
    assert torch.allclose(found[0, 4, 1], normal.log_prob(z[0, :, 4]).sum(), atol=1e-4)


def test_a_spectrogram_has_one_frame_per_hop() -> None:
    assert linear_spectrogram(torch.randn(2, 256 * 7)).shape == (2, 257, 7)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[voice.VoiceResult, Path]:
    options = voice.VoiceOptions(sentences=12, steps=40, batch=4, size="tiny", learning_rate=2e-3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(voice.SIZES, "tiny", factory.TINY_VITS)
        result = voice.train_voice(options)
    folder = tmp_path_factory.mktemp("bundled") / Repos().demo_voice("eng")
    voice.write_voice(folder, result, "eng")
    record_bundled(folder.parent.parent, Repos().demo_voice("eng"))
    return result, folder


def test_training_lowers_the_loss_and_keeps_the_held_out_sentences_out(trained) -> None:
    result, _ = trained
    assert np.mean(result.losses[-5:]) < 0.8 * np.mean(result.losses[:5])
    training, held_out = voice.texts(voice.VoiceOptions(sentences=12))
    assert len(held_out) == voice.HELD_OUT and not set(held_out) & set(training)
    assert set("".join(training + held_out)) <= set(result.vocab)


def test_the_written_voice_speaks_through_the_product(trained) -> None:
    _, folder = trained
    speech = Synthesizer.load(folder, device="cpu").speak("the old man can read a book. Yes!", seed=1)
    assert speech.sample_rate == 16000 and len(speech.samples) > 16000 * 0.25
    assert np.isfinite(speech.samples).all() and np.abs(speech.samples).max() > 0


def test_the_store_falls_back_to_the_bundled_voice(trained, tmp_path: Path, tiny_repos) -> None:
    _, folder = trained
    store = LanguageStore(tmp_path / "store", bundled=[folder.parent.parent])
    assert store.voice_dir("eng") == folder
    assert [(x.name, x.voice, x.bundled) for x in store.installed()] == [("eng", True, True)]
    with pytest.raises(ModelError, match="No voice is installed for 'fra'"):
        store.voice_dir("fra")
    mms = store.repo_dir(Repos().voice("eng"))  # an installed MMS voice wins over the demonstration's
    mms.mkdir(parents=True)
    for item in tiny_repos["facebook/mms-tts-eng"].iterdir():
        (mms / item.name).write_bytes(item.read_bytes())
    store.record_files(mms, [p.name for p in mms.iterdir() if p.name != ".mms-store.json"])
    assert store.voice_dir("eng") == mms
    assert [(x.name, x.bundled) for x in store.installed()] == [("eng", False)]
