"""What a VITS voice learns from: spectrograms, the monotonic alignment of text to speech, and the losses.

The objective is VITS's own (a variational autoencoder of speech whose prior comes from the text through a
normalizing flow, aligned by monotonic alignment search, with a duration predictor learning the alignment's
durations) with one change: the waveform decoder learns from mel-spectrogram and multi-resolution STFT
distances instead of an adversarial discriminator, which a CPU build cannot afford to train.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812

HOP = 256  # samples per frame: the product of the decoder's upsampling rates
N_FFT = 512  # the posterior encoder's linear spectrogram: N_FFT // 2 + 1 bins
MEL_WEIGHT = 45.0  # VITS's weight of the mel distance against the KL and duration terms
STFT_RESOLUTIONS = ((512, 128), (1024, 256), (256, 64))  # (FFT size, hop) of the spectral distance


def linear_spectrogram(wave: torch.Tensor) -> torch.Tensor:
    """(batch, samples) with samples a multiple of HOP → (batch, N_FFT // 2 + 1, samples // HOP) magnitudes."""
    pad = (N_FFT - HOP) // 2
    padded = F.pad(wave.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
    window = torch.hann_window(N_FFT, device=wave.device)
    spec = torch.stft(padded, N_FFT, HOP, window=window, center=False, return_complex=True)
    return torch.sqrt(spec.real**2 + spec.imag**2 + 1e-6)


@functools.lru_cache(maxsize=4)
def _mel_basis(n_fft: int, sample_rate: int) -> torch.Tensor:
    from transformers.audio_utils import mel_filter_bank

    bank = mel_filter_bank(n_fft // 2 + 1, 80, 0.0, sample_rate / 2, sample_rate, norm="slaney", mel_scale="slaney")
    return torch.from_numpy(bank.T).float()  # (80, bins)


def log_mel(wave: torch.Tensor, sample_rate: int, n_fft: int = 1024, hop: int = HOP) -> torch.Tensor:
    window = torch.hann_window(n_fft, device=wave.device)
    spec = torch.stft(wave, n_fft, hop, window=window, return_complex=True).abs()
    return torch.log(torch.clamp(_mel_basis(n_fft, sample_rate) @ spec, min=1e-5))


def spectral_distance(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Spectral convergence plus log-magnitude distance, averaged over STFT_RESOLUTIONS."""
    total = fake.new_zeros(())
    for n_fft, hop in STFT_RESOLUTIONS:
        window = torch.hann_window(n_fft, device=fake.device)
        f = torch.stft(fake, n_fft, hop, window=window, return_complex=True).abs() + 1e-7
        r = torch.stft(real, n_fft, hop, window=window, return_complex=True).abs() + 1e-7
        total = total + torch.linalg.norm(r - f) / torch.linalg.norm(r) + F.l1_loss(torch.log(f), torch.log(r))
    return total / len(STFT_RESOLUTIONS)


@torch.no_grad()
def monotonic_alignment(log_likelihood: torch.Tensor, x_lengths: torch.Tensor, y_lengths: torch.Tensor) -> torch.Tensor:
    """The most likely monotonic path through (batch, frames, tokens) that gives every token at least one frame
    and every frame one token; 0/1 of the same shape."""
    batch, frames, tokens = log_likelihood.shape
    value = log_likelihood.clone()
    neg = torch.finfo(value.dtype).min / 4
    token_index = torch.arange(tokens)
    value = value.masked_fill(token_index.view(1, 1, -1) >= x_lengths.view(-1, 1, 1), neg)
    score = torch.full((batch, tokens), neg)
    score[:, 0] = value[:, 0, 0]
    moved = torch.zeros(batch, frames, tokens, dtype=torch.bool)
    for y in range(1, frames):
        shifted = torch.cat([torch.full((batch, 1), neg), score[:, :-1]], dim=1)
        moved[:, y] = shifted > score
        score = torch.maximum(score, shifted) + value[:, y]
        score[:, y + 1 :] = neg  # a token can start no earlier than its position
    path = np.zeros(value.shape, np.float32)
    steps = moved.numpy()
    for b in range(batch):
        x = int(x_lengths[b]) - 1
        for y in range(int(y_lengths[b]) - 1, -1, -1):
            path[b, y, x] = 1
            if x > 0 and (steps[b, y, x] or x == y):
                x -= 1
    return torch.from_numpy(path)


def prior_log_likelihood(z_p: torch.Tensor, means: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """log N(z_p[frame] | means[token], exp(log_std[token])) for every frame and token: (batch, frames, tokens).
    z_p is (batch, channels, frames); means and log_std (batch, channels, tokens)."""
    inv_var = torch.exp(-2 * log_std)
    constant = torch.sum(-0.5 * math.log(2 * math.pi) - log_std, dim=1, keepdim=True)  # (B, 1, T)
    square = torch.matmul(-0.5 * (z_p**2).transpose(1, 2), inv_var)
    cross = torch.matmul(z_p.transpose(1, 2), means * inv_var)
    mean_square = torch.sum(-0.5 * means**2 * inv_var, dim=1, keepdim=True)
    return constant + square + cross + mean_square


def kl_term(z_p: Any, log_q: Any, m_p: Any, log_p: Any, mask: Any) -> torch.Tensor:
    kl = log_p - log_q - 0.5 + 0.5 * (z_p - m_p) ** 2 * torch.exp(-2 * log_p)
    return torch.sum(kl * mask) / torch.sum(mask)


def lengths_mask(lengths: torch.Tensor, size: int) -> torch.Tensor:
    """(batch, 1, size): 1 up to each length."""
    return (torch.arange(size).view(1, -1) < lengths.view(-1, 1)).unsqueeze(1).float()
