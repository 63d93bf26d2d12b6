"""The pack's demonstration voice: a VITS model (``VitsModel``, the MMS-TTS layout) trained on espeak-ng speech.

One espeak-ng voice at one speed and pitch reads sentences of ordinary vocabulary (wordfreq) and of the
pack's corpus words; the model learns them with the objective of :mod:`mms_desktop.demo.vits_objective`.
The architecture is MMS-TTS's, smaller (see ``SIZES``), so that the build can train it on a CPU.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.audio import SAMPLE_RATE
from mms_desktop.core.checkpoints import layout
from mms_desktop.demo import corpus
from mms_desktop.demo import vits_objective as objective

PAD = "_"  # id 0: the blank the tokenizer puts between letters
SPEAKER = {"eng": "en-us", "deu": "de", "spa": "es", "fra": "fr-fr", "rus": "ru", "hin": "hi"}
SPEED, PITCH = 160, 50
HELD_OUT = 20  # sentences the voice never learns, read back for the intelligibility figure

# Model sizes by name: "demo" is what the build trains.
SIZES: dict[str, dict[str, Any]] = {
    "demo": dict(
        hidden_size=96,
        num_hidden_layers=3,
        ffn_dim=384,
        flow_size=64,
        upsample_initial_channel=128,
        resblock_kernel_sizes=[3, 7],
        resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5]],
        prior_encoder_num_wavenet_layers=3,
        posterior_encoder_num_wavenet_layers=4,
        duration_predictor_filter_channels=96,
    ),
}


@dataclass(frozen=True)
class VoiceOptions:
    language: str = "eng"
    sentences: int = 1500
    steps: int = 4500
    batch: int = 12
    segment_frames: int = 32  # of the latent the waveform decoder learns on per sentence (0.5 s)
    learning_rate: float = 5e-4
    seed: int = 0
    size: str = "demo"


@dataclass
class Example:
    ids: list[int]
    wave: np.ndarray  # length a multiple of objective.HOP
    text: str


@dataclass
class VoiceResult:
    model: Any
    vocab: dict[str, int]
    losses: list[float] = field(default_factory=list)


def held_out_texts(language: str, seed: int) -> list[str]:
    """The sentences the voice never learns: of the pack's corpus words where the language has them (so that
    the recognizer knows every word when it reads them back), else of ordinary vocabulary."""
    if corpus.has_word_list(language):
        return corpus.sentences(language, HELD_OUT, seed + 7000)
    return corpus.open_sentences(language, HELD_OUT, seed + 7000)


def texts(options: VoiceOptions) -> tuple[list[str], list[str]]:
    """Training sentences (a third of corpus words where the language has them, the rest of ordinary
    vocabulary) and the held-out sentences."""
    held_out = held_out_texts(options.language, options.seed)
    own = []
    if corpus.has_word_list(options.language):
        own = corpus.sentences(options.language, options.sentences // 3, options.seed + 7001, exclude=set(held_out))
    open_ = corpus.open_sentences(options.language, options.sentences - len(own), options.seed + 7000)
    return own + [s for s in open_ if s not in held_out], held_out


def vocabulary(sentences: list[str]) -> dict[str, int]:
    return {c: i for i, c in enumerate([PAD, *sorted({c for s in sentences for c in s})])}


def spoken(sentences: list[str], language: str) -> list[np.ndarray]:
    """Each sentence as the voice learns it: the language's espeak-ng voice at SPEED and PITCH, cut to whole
    frames."""
    with tempfile.TemporaryDirectory() as tmp:
        waves = [corpus.speak(text, SPEAKER[language], SPEED, PITCH, Path(tmp)) for text in sentences]
    return [w[: len(w) // objective.HOP * objective.HOP].astype(np.float32) for w in waves]


def examples(sentences: list[str], vocab: dict[str, int], language: str) -> list[Example]:
    """The spoken sentences with their ids as the tokenizer makes them (a blank around every letter)."""
    found = []
    for text, wave in zip(sentences, spoken(sentences, language), strict=True):
        ids = [0] * (2 * len(text) + 1)
        ids[1::2] = [vocab[c] for c in text]
        found.append(Example(ids, wave, text))
    return found


def model_config(vocab: dict[str, int], size: str) -> Any:
    from transformers import VitsConfig

    config = VitsConfig(
        vocab_size=len(vocab),
        spectrogram_bins=objective.N_FFT // 2 + 1,
        sampling_rate=SAMPLE_RATE,
        use_stochastic_duration_prediction=False,
        layerdrop=0.0,
        **SIZES[size],
    )
    config.architectures = ["VitsModel"]
    return config


def _batch(items: list[Example]) -> tuple[Any, ...]:
    import torch

    x_len = torch.tensor([len(e.ids) for e in items])
    y_len = torch.tensor([len(e.wave) // objective.HOP for e in items])
    ids = torch.zeros(len(items), int(x_len.max()), dtype=torch.long)
    wave = torch.zeros(len(items), int(y_len.max()) * objective.HOP)
    for n, e in enumerate(items):
        ids[n, : len(e.ids)] = torch.tensor(e.ids)
        wave[n, : len(e.wave)] = torch.from_numpy(e.wave)
    return ids, x_len, wave, y_len


def loss(model: Any, items: list[Example], segment: int, rng: random.Random) -> tuple[Any, dict[str, float]]:
    """The VITS objective of one batch (see vits_objective)."""
    import torch

    ids, x_len, wave, y_len = _batch(items)
    x_mask = objective.lengths_mask(x_len, ids.shape[1])
    y_mask = objective.lengths_mask(y_len, wave.shape[1] // objective.HOP)
    text = model.text_encoder(input_ids=ids, padding_mask=x_mask.transpose(1, 2), attention_mask=x_mask[:, 0].long())
    m_p, log_p = text.prior_means.transpose(1, 2), text.prior_log_variances.transpose(1, 2)
    z, _, log_q = model.posterior_encoder(objective.linear_spectrogram(wave), y_mask)
    z_p = model.flow(z, y_mask)
    path = objective.monotonic_alignment(objective.prior_log_likelihood(z_p, m_p, log_p).detach(), x_len, y_len)
    durations = path.sum(1).unsqueeze(1)  # (B, 1, tokens)
    predicted = model.duration_predictor(text.last_hidden_state.transpose(1, 2), x_mask)
    duration_loss = torch.sum((predicted - torch.log(durations + 1e-6) * x_mask) ** 2) / torch.sum(x_mask)
    kl = objective.kl_term(z_p, log_q, m_p @ path.transpose(1, 2), log_p @ path.transpose(1, 2), y_mask)
    starts = [rng.randint(0, max(0, int(n) - segment)) for n in y_len]
    latent = torch.stack([z[b, :, s : s + segment] for b, s in enumerate(starts)])
    real = torch.stack([wave[b, s * objective.HOP : (s + segment) * objective.HOP] for b, s in enumerate(starts)])
    fake = model.decoder(latent).squeeze(1)
    mel = torch.nn.functional.l1_loss(objective.log_mel(fake, SAMPLE_RATE), objective.log_mel(real, SAMPLE_RATE))
    spectral = objective.spectral_distance(fake, real)
    total = objective.MEL_WEIGHT * mel + spectral + kl + duration_loss
    parts = {"mel": mel, "kl": kl, "duration": duration_loss, "stft": spectral}
    return total, {k: float(v.detach()) for k, v in parts.items()}


def train_voice(options: VoiceOptions, progress: Any = None) -> VoiceResult:
    """Speak the training text with espeak-ng and train a voice on it.

    Args:
        progress: called as ``progress(step, steps, losses)`` every 50 steps.
    """
    import torch
    from transformers import VitsModel

    sentences, held_out = texts(options)
    vocab = vocabulary(sentences + held_out)
    data = [e for e in examples(sentences, vocab, options.language) if len(e.wave) // objective.HOP >= len(e.ids)]
    torch.manual_seed(options.seed)
    rng = random.Random(options.seed)
    model = VitsModel(model_config(vocab, options.size))
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), options.learning_rate, betas=(0.8, 0.99), eps=1e-9)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 200))
    result = VoiceResult(model, vocab)
    for step in range(options.steps):
        total, parts = loss(model, rng.sample(data, min(options.batch, len(data))), options.segment_frames, rng)
        optimizer.zero_grad()
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        schedule.step()
        result.losses.append(float(total.detach()))
        if progress is not None and (step % 50 == 0 or step == options.steps - 1):
            progress(step + 1, options.steps, parts)
    model.eval()
    return result


def write_voice(folder: Path, result: VoiceResult, language: str) -> None:
    """The voice in the ``facebook/mms-tts-<code>`` layout."""
    layout.write_tts(folder, result.model, result.vocab, language, is_uroman=False)
