"""Teach the model a new language: train an adapter and output head on the user's recordings.

The MMS adapter recipe: the base is loaded and frozen, the adapter layers and a head for the new
character vocabulary are trained (AdamW, warm-up, mean-reduced CTC, no dropout), and the result is
saved as ``adapter.<name>.safetensors`` plus its ``vocab.json`` entry next to the base, where
dictation, transcription and export find it at once.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mms_desktop.core.base import UserError, check_name
from mms_desktop.core.checkpoints import LOADING, hf_class, layout, read_vocab, require_cuda
from mms_desktop.core.recognition import family_of
from mms_desktop.core.training import loop
from mms_desktop.core.training.material import Dataset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterJob:
    name: str  # the adapter name: an ISO 639-3 code, optionally with a -script_/-dialect_ suffix
    base_dir: Path  # the model folder the adapter is trained for (and saved into)
    steps: int = 1000
    from_adapter: str | None = None
    device: str = "cpu"
    learning_rate: float = 1e-3
    batch_size: int = 8
    checkpoint_dir: Path | None = None
    seed: int = 0


@dataclass(frozen=True)
class AdapterReport:
    name: str
    train_items: int
    train_seconds: float
    held_out_items: int
    skipped: tuple[str, ...]
    steps: int
    cer_before: float
    cer_after: float
    wer_before: float
    wer_after: float
    adapter_file: Path


def fingerprint(model: Any) -> str:
    """A hash of every base (non-adapter, non-head) weight: it must not change while training."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        if ".adapter_layer." not in name and not name.startswith("lm_head."):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().numpy().tobytes())
    return digest.hexdigest()


def _prepare(job: AdapterJob, vocab: dict[str, int]) -> Any:

    with LOADING:  # no other thread may switch torch's default dtype while the layers are built
        return _build(job, vocab)


def _stock_head(model: Any, base: Path, name: str) -> tuple[Any, dict[str, int]]:
    """Load the adapter ``name`` into ``model``: its head and the characters it writes.

    Raises:
        UserError: its head does not fit the vocab.json in ``base``.
    """
    model.load_adapter(name, use_safetensors=True, local_files_only=True)
    characters = read_vocab(base)[name]
    if max(characters.values(), default=-1) >= model.lm_head.out_features:
        raise UserError(
            f"The adapter '{name}' does not fit the model's vocab.json ({model.lm_head.out_features} outputs for "
            f"{len(characters)} characters); install that language again or start without it."
        )
    return model.lm_head, characters


def _build(job: AdapterJob, vocab: dict[str, int]) -> Any:
    """The base in full precision (whatever the running app's recognizer uses), with fresh or stock adapter
    layers and a head for ``vocab``."""
    import torch

    model = hf_class("Wav2Vec2ForCTC").from_pretrained(
        str(job.base_dir), use_safetensors=True, dtype=torch.float32, local_files_only=True
    )
    torch.manual_seed(job.seed)  # the fresh layers start the same way every time: runs are repeatable
    old_head: tuple[Any, dict[str, int]] | None = None
    if job.from_adapter:
        old_head = _stock_head(model, job.base_dir, job.from_adapter)
    else:
        for module in model.modules():
            if type(module).__name__ == "Wav2Vec2AttnAdapterLayer":
                module.norm.reset_parameters()
                module.linear_1.reset_parameters()
                torch.nn.init.zeros_(module.linear_2.weight)  # a fresh adapter starts as the identity
                torch.nn.init.zeros_(module.linear_2.bias)
    head = torch.nn.Linear(model.config.hidden_size, len(vocab), dtype=torch.float32)
    if old_head is not None:  # keep what the stock adapter knew about the characters both share
        with torch.no_grad():
            for token, index in vocab.items():
                if token in old_head[1]:
                    head.weight[index] = old_head[0].weight[old_head[1][token]]
                    head.bias[index] = old_head[0].bias[old_head[1][token]]
    model.lm_head = head
    model.config.vocab_size = len(vocab)
    return model


def _scores(model: Any, data: list[Any], vocab: dict[str, int], device: str) -> tuple[float, float]:
    import jiwer

    id_to_token = {i: t for t, i in vocab.items()}
    hyps = loop.greedy_transcripts(model, [item.samples for item in data], id_to_token, device)
    refs = [item.text for item in data]
    return float(jiwer.cer(refs, hyps)), float(jiwer.wer(refs, hyps))


def check_job(name: str, device: str = "cpu") -> None:
    """Raises UserError unless ``name`` can name an adapter and ``device`` is there to train on (checked
    before the recordings are read)."""
    check_name(name)
    if device.startswith("cuda"):
        require_cuda()


def check_base(base: Path, start_from: str | None = None) -> None:
    """Raises UserError unless the model in ``base`` takes language adapters (MMS), and has the adapter
    ``start_from`` if one is named: a model with one output head for every language has none to train."""
    family = family_of(base)
    if not family.adapters:
        raise UserError(
            f"{base.name} is a model with {family.title}: it has no language adapters to train; teach a new "
            "language on an MMS model (facebook/mms-1b-all)."
        )
    if start_from and start_from not in (known := family.languages(base)):
        listed = ", ".join(known) or "none"
        raise UserError(f"The model has no adapter '{start_from}' to start from (it has: {listed}).")


def train_adapter(
    job: AdapterJob,
    data: Dataset,
    progress: Callable[[loop.TrainProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> AdapterReport:
    """Train, evaluate before and after on the held-out split, and save the adapter next to the base.

    Raises:
        UserError: a bad adapter name, or a base folder that cannot take the adapter.
        Cancelled: ``cancel`` was set; the checkpoint (if any) lets a later run continue.
    """
    check_job(job.name, job.device)
    check_base(job.base_dir, job.from_adapter)
    vocab = data.vocabulary()
    model = _prepare(job, vocab).to(job.device)
    base_before = fingerprint(model)
    cer_before, wer_before = _scores(model, data.held_out, vocab, job.device)
    examples = [loop.Example(i.samples, loop.encode(i.text, vocab)) for i in data.train]
    checkpoint = str(job.checkpoint_dir / f"{job.name}.ckpt") if job.checkpoint_dir else ""
    if job.checkpoint_dir:
        job.checkpoint_dir.mkdir(parents=True, exist_ok=True)
    options = loop.TrainOptions(
        steps=job.steps, batch_size=job.batch_size, learning_rate=job.learning_rate,
        warmup_steps=min(100, job.steps // 10 + 1), seed=job.seed, adapters_only=True,
        eval_every=max(50, job.steps // 5), device=job.device, checkpoint=checkpoint, checkpoint_every=20,
    )  # fmt: skip
    loop.train(model, examples, options, progress=progress, cancel=cancel)
    if fingerprint(model) != base_before:
        raise RuntimeError("the base weights changed during adapter training")
    cer_after, wer_after = _scores(model, data.held_out, vocab, job.device)
    layout.write_adapter(job.base_dir, job.name, model.cpu(), vocab)
    return AdapterReport(
        job.name, len(data.train), round(data.seconds, 1), len(data.held_out), tuple(data.skipped), job.steps,
        round(cer_before, 4), round(cer_after, 4), round(wer_before, 4), round(wer_after, 4),
        job.base_dir / f"adapter.{job.name}.safetensors",
    )  # fmt: skip


def teach(
    store: Any,
    data: Dataset,
    name: str,
    steps: int,
    base: Path,
    checkpoint_dir: Path,
    from_adapter: str | None = None,
    device: str = "cpu",
    progress: Callable[[loop.TrainProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> AdapterReport:
    """Train ``name`` on ``data`` for the model in ``base`` and install it in the user's own copy of that
    model in the store (bundled models are copied first), ready for dictation and transcription.

    An interrupted run leaves its checkpoint in ``checkpoint_dir``; the next run with the same name continues.
    """
    if steps < 1:
        raise UserError("Train for at least one step.")
    check_job(name, device)
    check_base(base, from_adapter)
    if not data.train:
        raise UserError("No recording is left to train on once some are held out for testing; add more recordings.")
    folder = store.writable_model(base)
    job = AdapterJob(name, folder, steps, from_adapter, device, checkpoint_dir=checkpoint_dir)
    report = train_adapter(job, data, progress=progress, cancel=cancel)
    store.record_files(folder, [report.adapter_file.name, "vocab.json"])
    (checkpoint_dir / f"{name}.ckpt").unlink(missing_ok=True)
    return report
