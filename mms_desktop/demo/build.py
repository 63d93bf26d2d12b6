"""Build the demonstration language pack from nothing: corpus, training, files in the MMS layout.

    python -m mms_desktop.demo.build [--languages eng] [--minutes 25] [--out resources/models]

Deterministic from ``--seed``; prints the wall time and the held-out character error rate.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from mms_desktop.core import layout, training
from mms_desktop.core.store import MODEL_FILES, FileRecord, LanguageStore
from mms_desktop.demo import corpus
from mms_desktop.paths import resources_dir

ASR_REPO = "mms-desktop/demo-asr"
log = logging.getLogger(__name__)


def model_config(vocab_size: int) -> object:
    """A 1M-parameter wav2vec2 with the MMS architecture options."""
    from transformers import Wav2Vec2Config

    return Wav2Vec2Config(
        hidden_size=144,
        num_hidden_layers=3,
        num_attention_heads=4,
        intermediate_size=384,
        conv_dim=(128, 96, 96, 96, 96, 96, 96),
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        conv_bias=True,
        num_conv_pos_embeddings=32,
        num_conv_pos_embedding_groups=8,
        do_stable_layer_norm=True,
        feat_extract_norm="layer",
        adapter_attn_dim=16,
        vocab_size=vocab_size,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        architectures=["Wav2Vec2ForCTC"],
    )


def characters(texts: list[str]) -> list[str]:
    return sorted({c for t in texts for c in t if not c.isspace()})


def build(languages: list[str], out: Path, seed: int, minutes: float, train_count: int) -> dict:
    import torch
    from transformers import Wav2Vec2ForCTC

    torch.manual_seed(seed)
    held_texts = {lang: corpus.sentences(lang, 40, seed + 1000) for lang in languages}
    train_texts = {lang: corpus.sentences(lang, train_count, seed, set(held_texts[lang])) for lang in languages}
    vocabs = {lang: layout.ctc_vocabulary(characters(train_texts[lang])) for lang in languages}
    first = languages[0]
    examples, held = [], []
    for lang in languages:
        vocab = vocabs[lang]
        examples += [
            training.Example(u.samples, training.encode(u.text, vocab))
            for u in corpus.generate(lang, train_texts[lang], seed)
        ]
        held += [
            training.Example(u.samples, training.encode(u.text, vocab))
            for u in corpus.generate(lang, held_texts[lang], seed + 1000)
        ]
    model = Wav2Vec2ForCTC(model_config(len(vocabs[first])))
    id_to_token = {i: t for t, i in vocabs[first].items()}
    options = training.TrainOptions(
        steps=20000,
        batch_size=8,
        learning_rate=1e-3,
        warmup_steps=200,
        seed=seed,
        eval_every=250,
        max_seconds=minutes * 60,
    )
    result = training.train(model, examples, options, held, id_to_token, progress=_print)
    folder = out / ASR_REPO
    layout.write_asr_base(folder, model, vocabs, default_language=first)
    layout.write_adapter(folder, first, model, vocabs[first])
    _record(out, ASR_REPO)
    return {"steps": result.step, "seconds": round(result.elapsed), "held_out_cer": result.cer}


def _record(root: Path, repo: str) -> None:
    """Write the store manifest, so the bundled folder counts as installed and verified."""
    from mms_desktop.core.fsutil import sha256_file

    store = LanguageStore(root)
    folder = root / repo
    names = [p.name for p in folder.iterdir() if p.name in MODEL_FILES or p.name.startswith("adapter.")]
    store.record(folder, {n: FileRecord((folder / n).stat().st_size, sha256=sha256_file(folder / n)) for n in names})


def _print(p: training.TrainProgress) -> None:
    if p.step % 50 == 0 or p.cer is not None and p.step % 250 == 0:
        cer = f" held-out CER {p.cer:.3f}" if p.cer is not None else ""
        print(f"step {p.step} loss {p.loss:.3f}{cer} ({p.elapsed:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--languages", default="eng")
    parser.add_argument("--out", type=Path, default=resources_dir() / "models")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=25.0, help="training wall-time budget")
    parser.add_argument("--train-count", type=int, default=600, help="training sentences per language")
    args = parser.parse_args()
    started = time.monotonic()
    summary = build(args.languages.split(","), args.out, args.seed, args.minutes, args.train_count)
    summary["wall_seconds"] = round(time.monotonic() - started)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
