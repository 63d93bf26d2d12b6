"""Build the demonstration language pack from nothing: corpus, training, files in the MMS layouts.

    python -m mms_desktop.demo.build [--out resources/models] [--seed 0]

Trained the MMS way in miniature: a base on the languages with a corpus word list (one character head over
the union of their characters), then, with the base frozen, one adapter and output head per language: on the
corpus for the base's languages, then on ordinary vocabulary for all but English, which keeps to its corpus
(``demo/adapters.py``); a language identifier whose encoder starts from the recognition base; and a voice
(``demo/voice.py``). Deterministic from ``--seed``; prints wall time and held-out figures. ``--adapters-only``,
``--lid-only``, ``--voice-only`` and ``--word-lists-only`` redo one stage on a built pack.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mms_desktop.core.base import atomic_write_text, sha256_file
from mms_desktop.core.checkpoints import layout
from mms_desktop.core.store import MODEL_FILES, FileRecord, LanguageStore, Repos
from mms_desktop.core.training import loop as training
from mms_desktop.demo import corpus, scoring
from mms_desktop.demo.adapters import CLOSED_LANGUAGES, OpenOptions, train_open_adapters, write_word_list
from mms_desktop.demo.architecture import model_config
from mms_desktop.demo.lidtrain import OTHER, train_lid
from mms_desktop.demo.voice import VoiceOptions, train_voice, write_voice
from mms_desktop.paths import resources_dir

LANGUAGES = ["eng", "deu", "spa", "fra", "rus", "hin"]
VOICE_MAX_CER = 0.25  # a voice the pack's recognizer understands worse than this is kept out of the pack
REJECTS = resources_dir().parent / "build" / "demo-voices"  # where such a voice is left to listen to
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    languages: tuple[str, ...] = tuple(LANGUAGES)
    seed: int = 0
    train_sentences: int = 4800
    held_out_sentences: int = 40
    base_steps: int = 10000
    adapter_steps: int = 300
    open_sentences: int = 2000  # per language, of ordinary vocabulary, for its adapter
    open_steps: int = 3000
    open_languages: tuple[str, ...] = ()  # trained on ordinary vocabulary; default: all but CLOSED_LANGUAGES
    lid_languages: tuple[str, ...] = ()  # the identifier's; default: the base's (see identified_languages)
    lid_steps: int = 1500
    lid_open_sentences: int = 400  # per pack language, of ordinary vocabulary, for the identifier
    voice_languages: tuple[str, ...] = ("eng",)
    voice_sentences: int = VoiceOptions.sentences
    voice_steps: int = VoiceOptions.steps


@dataclass
class Data:
    """The corpus of every language, split into training and held-out utterances."""

    train: dict[str, list[corpus.Utterance]]
    held_out: dict[str, list[corpus.Utterance]]

    @classmethod
    def generate(cls, options: BuildOptions) -> Data:
        train, held = {}, {}
        for lang in options.languages:
            held_texts = sentences(lang, options.held_out_sentences, options.seed + 1000)
            texts = sentences(lang, options.train_sentences, options.seed, set(held_texts))
            train[lang] = corpus.generate(lang, texts, options.seed)
            held[lang] = corpus.generate(lang, held_texts, options.seed + 1000)
        return cls(train, held)

    def characters(self, lang: str) -> list[str]:
        return sorted({c for u in self.train[lang] for c in u.text if not c.isspace()})


def sentences(lang: str, count: int, seed: int, exclude: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Corpus sentences, or sentences of ordinary vocabulary for a language without a corpus word list."""
    if corpus.has_word_list(lang):
        return corpus.sentences(lang, count, seed, exclude)
    return corpus.open_sentences(lang, count, seed)


def base_languages(options: BuildOptions) -> list[str]:
    """The languages the base learns on: those with a corpus word list (the others come as adapters)."""
    return [lang for lang in options.languages if corpus.has_word_list(lang)]


def identified_languages(options: BuildOptions) -> list[str]:
    """The identifier's languages: by default the base's. One that also learned Russian and Hindi took real
    English speech for Russian, sure of it (README, "The demonstration pack")."""
    return list(options.lid_languages) or base_languages(options)


def examples(utterances: list[corpus.Utterance], vocab: dict[str, int]) -> list[training.Example]:
    return [training.Example(u.samples, training.encode(u.text, vocab)) for u in utterances]


def train_base(data: Data, options: BuildOptions) -> tuple[Any, dict[str, int]]:
    """Stage 1: the whole network on every language, with one head over the union of their characters."""
    import torch
    from transformers import Wav2Vec2ForCTC

    languages = base_languages(options)
    union = layout.ctc_vocabulary(sorted({c for lang in languages for c in data.characters(lang)}))
    torch.manual_seed(options.seed)
    model = Wav2Vec2ForCTC(model_config(len(union), architectures=["Wav2Vec2ForCTC"]))
    train_set = [e for lang in languages for e in examples(data.train[lang], union)]
    held = [e for lang in languages for e in examples(data.held_out[lang][:10], union)]
    opts = training.TrainOptions(steps=options.base_steps, learning_rate=1e-3, warmup_steps=200,
                                 seed=options.seed, eval_every=500)  # fmt: skip
    training.train(model, train_set, opts, held, _inverse(union), progress=_printer("base"))
    return model, union


def train_adapter(
    model: Any, union: dict[str, int], union_head: tuple[Any, Any], lang: str, data: Data, options: BuildOptions
) -> tuple[Any, dict]:
    """Stage 2: a fresh head for one language (started from the union head's rows), base frozen."""
    import torch

    vocab = layout.ctc_vocabulary(data.characters(lang))
    head = torch.nn.Linear(model.config.hidden_size, len(vocab))
    with torch.no_grad():
        rows = [union[token] for token in vocab]
        head.weight.copy_(union_head[0][rows])
        head.bias.copy_(union_head[1][rows])
    model.lm_head = head
    model.config.vocab_size = len(vocab)
    opts = training.TrainOptions(steps=options.adapter_steps, learning_rate=1e-3, warmup_steps=30,
                                 seed=options.seed, adapters_only=True, eval_every=options.adapter_steps)  # fmt: skip
    result = training.train(model, examples(data.train[lang], vocab), opts, examples(data.held_out[lang], vocab),
                            _inverse(vocab), progress=_printer(f"adapter {lang}"))  # fmt: skip
    return vocab, {"cer": result.cer}


def build(options: BuildOptions, out: Path, rejects: Path = REJECTS) -> dict[str, Any]:
    import copy

    started = time.monotonic()
    spoken = dict.fromkeys([*base_languages(options), *identified_languages(options)])  # the adapters make their own
    data = Data.generate(dataclasses.replace(options, languages=tuple(spoken)))
    summary: dict[str, Any] = {"corpus_seconds": round(time.monotonic() - started)}
    base, union = train_base(data, options)
    base_state = copy.deepcopy(base.state_dict())
    repos = Repos()
    folder = out / repos.demo_asr
    vocabs = {}
    for index, lang in enumerate(base_languages(options)):
        base.load_state_dict({k: v for k, v in base_state.items() if not k.startswith("lm_head.")}, strict=False)
        union_head = (base_state["lm_head.weight"], base_state["lm_head.bias"])
        vocabs[lang], summary[lang] = train_adapter(base, union, union_head, lang, data, options)
        if index == 0:  # like mms-1b-all, the base file carries the first language's adapter and head
            layout.write_asr_base(folder, base, {lang: vocabs[lang]}, default_language=lang)
        layout.write_adapter(folder, lang, base, vocabs[lang])
        write_word_list(folder, lang)
    summary["open"] = train_open_adapters(folder, open_options(options), progress=_printer)
    summary["lid_accuracy"] = build_lid(base_state, data, options, out)
    record_bundled(out, repos.demo_asr)
    summary["voice"] = build_voices(options, out, rejects)
    summary["wall_seconds"] = round(time.monotonic() - started)
    return summary


def build_lid(base_state: dict[str, Any], data: Data, options: BuildOptions, out: Path) -> float:
    """Train the identifier (its encoder from the recognition base) and write it; its held-out accuracy.

    It hears each pack language in the corpus sentences and as many of ordinary vocabulary, and speech of
    other languages as "none of these" (see ``lidtrain.OTHER``)."""
    languages = identified_languages(options)
    train, held = {lang: data.train[lang] for lang in languages}, {lang: data.held_out[lang] for lang in languages}
    for lang in languages:
        texts = corpus.open_sentences(lang, options.lid_open_sentences + 40, options.seed + 2000)
        spoken = corpus.generate(lang, texts, options.seed + 2000)
        train[lang], held[lang] = train[lang] + spoken[40:], held[lang] + spoken[:40]
    train[OTHER], held[OTHER] = [], []
    for lang in corpus.OTHERS:
        spoken = corpus.generate(lang, corpus.open_sentences(lang, 88, options.seed + 3000), options.seed + 3000)
        train[OTHER] += spoken[8:]
        held[OTHER] += spoken[:8]
    lid = train_lid(base_state, train, held, options.lid_steps, options.seed)
    layout.write_lid(out / Repos().demo_lid, lid.model)
    record_bundled(out, Repos().demo_lid)
    return lid.accuracy


def rebuild_lid(options: BuildOptions, out: Path) -> dict[str, Any]:
    """Only the identifier, from the recognition base already in ``out`` (the rest of the pack unchanged)."""
    from safetensors.torch import load_file

    started = time.monotonic()
    base_state = load_file(str(out / Repos().demo_asr / "model.safetensors"))
    languages = tuple(identified_languages(options))
    data = Data.generate(dataclasses.replace(options, languages=languages, train_sentences=options.lid_open_sentences))
    accuracy = build_lid(base_state, data, options, out)
    return {"lid_accuracy": accuracy, "wall_seconds": round(time.monotonic() - started)}


def build_voices(options: BuildOptions, out: Path, rejects: Path = REJECTS) -> dict[str, Any]:
    """Train the demonstration voice of each of ``options.voice_languages``, have the pack's recognizer read
    back what it says, and put it in the pack only if that reading has at most VOICE_MAX_CER errors."""
    started, summary = time.monotonic(), {}
    for lang in options.voice_languages:
        voice_options = VoiceOptions(lang, options.voice_sentences, options.voice_steps, seed=options.seed)
        result = train_voice(voice_options, progress=_voice_printer(lang))
        repo, staged = Repos().demo_voice(lang), rejects / Repos().demo_voice(lang)
        shutil.rmtree(staged, ignore_errors=True)
        write_voice(staged, result, lang)
        figures = scoring.read_back(out, staged, lang, options.seed)
        cer = figures["voice"]["cer"][lang]
        shipped = cer <= VOICE_MAX_CER
        if shipped:
            shutil.rmtree(out / repo, ignore_errors=True)
            shutil.move(staged, out / repo)
            record_bundled(out, repo)
        summary[lang] = {
            "read_back_cer": cer,
            "espeak_ng_cer": figures["espeak_ng"]["cer"][lang],
            "shipped": shipped,
            "folder": str(out / repo if shipped else staged),
            "final_loss": round(sum(result.losses[-50:]) / len(result.losses[-50:]), 3),
        }
        print(f"[voice {lang}] {summary[lang]}", flush=True)
    return summary | {"wall_seconds": round(time.monotonic() - started)}


def open_options(options: BuildOptions) -> OpenOptions:
    languages = options.open_languages or tuple(lang for lang in options.languages if lang not in CLOSED_LANGUAGES)
    return OpenOptions(
        languages=languages,
        sentences=options.open_sentences,
        steps=options.open_steps,
        seed=options.seed,
        start_from=options.languages[0],
    )


def rebuild_adapters(options: BuildOptions, out: Path) -> dict[str, Any]:
    """Only the adapters for ordinary vocabulary (and word lists), on the recognition base already in ``out``."""
    started = time.monotonic()
    summary = train_open_adapters(out / Repos().demo_asr, open_options(options), progress=_printer)
    record_bundled(out, Repos().demo_asr)
    return summary | {"wall_seconds": round(time.monotonic() - started)}


def rewrite_word_lists(options: BuildOptions, out: Path) -> dict[str, Any]:
    """Only the word lists of the pack's languages (see ``adapters.write_word_list``), the models unchanged."""
    for lang in options.languages:
        write_word_list(out / Repos().demo_asr, lang)
    record_bundled(out, Repos().demo_asr)
    return {"languages": list(options.languages)}


def record_bundled(root: Path, repo: str) -> None:
    """Write the store manifest, so the bundled folder counts as installed and verified."""
    folder = root / repo
    store = LanguageStore(root)
    names = [p.name for p in folder.iterdir() if p.name in MODEL_FILES or p.name.startswith(("adapter.", "words."))]
    store.record(folder, {n: FileRecord((folder / n).stat().st_size, sha256=sha256_file(folder / n)) for n in names})


BUILD_RECORD = "build.json"  # beside the pack's model folders: the options and results of each stage


def record_build(out: Path, stage: str, options: BuildOptions, result: dict[str, Any]) -> None:
    """Note in the pack how ``stage`` (all, "adapters" and its languages, lid, voice or word-lists) was built,
    seed included, to build it again."""
    path = out / Repos().demo_asr.split("/")[0] / BUILD_RECORD
    record = json.loads(path.read_text(encoding="utf-8")) if path.is_file() and stage != "all" else {}
    record[stage] = {"options": dataclasses.asdict(options), "result": result}
    atomic_write_text(path, json.dumps(record, indent=1, ensure_ascii=False) + "\n")


def _inverse(vocab: dict[str, int]) -> dict[int, str]:
    return {i: t for t, i in vocab.items()}


def _printer(stage: str) -> Any:
    def show(p: training.TrainProgress) -> None:
        if p.step % 100 == 0 or p.step == p.steps:
            cer = f" held-out CER {p.cer:.3f}" if p.cer is not None else ""
            print(f"[{stage}] step {p.step}/{p.steps} loss {p.loss:.3f}{cer} ({p.elapsed:.0f} s)", flush=True)

    return show


def _voice_printer(lang: str) -> Any:
    def show(step: int, steps: int, losses: dict[str, float]) -> None:
        if step % 250 == 1 or step == steps:
            parts = " ".join(f"{k} {v:.3f}" for k, v in losses.items())
            print(f"[voice {lang}] step {step}/{steps} {parts}", flush=True)

    return show


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(code.strip() for code in (text or "").split(",") if code.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=resources_dir() / "models")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-sentences", type=int, default=BuildOptions.train_sentences)
    parser.add_argument("--base-steps", type=int, default=BuildOptions.base_steps)
    parser.add_argument("--adapter-steps", type=int, default=BuildOptions.adapter_steps)
    parser.add_argument("--lid-steps", type=int, default=BuildOptions.lid_steps)
    parser.add_argument("--open-steps", type=int, default=BuildOptions.open_steps)
    parser.add_argument("--voice-steps", type=int, default=BuildOptions.voice_steps)
    stages = parser.add_mutually_exclusive_group()
    stages.add_argument("--adapters-only", action="store_true", help="retrain only the ordinary-vocabulary adapters")
    stages.add_argument("--lid-only", action="store_true", help="rebuild only the language identifier")
    stages.add_argument("--voice-only", action="store_true", help="retrain only the demonstration voices")
    stages.add_argument("--word-lists-only", action="store_true", help="rewrite only the decoding word lists")
    parser.add_argument("--lid-languages", help="comma-separated, the identifier's (default: the base's)")
    parser.add_argument(
        "--open-languages", help="comma-separated, trained on ordinary vocabulary (default: all but English)"
    )
    args = parser.parse_args()
    options = BuildOptions(
        seed=args.seed,
        train_sentences=args.train_sentences,
        base_steps=args.base_steps,
        adapter_steps=args.adapter_steps,
        lid_steps=args.lid_steps,
        open_steps=args.open_steps,
        voice_steps=args.voice_steps,
        open_languages=_codes(args.open_languages),
        lid_languages=_codes(args.lid_languages),
    )
    runs = {"lid": rebuild_lid, "adapters": rebuild_adapters, "voice": build_voices, "word-lists": rewrite_word_lists}
    stage = next((name for name in runs if getattr(args, name.replace("-", "_") + "_only")), "all")
    run = runs.get(stage, build)
    if stage == "adapters":  # each set of languages keeps its own record, its languages spelled out
        options = dataclasses.replace(options, open_languages=open_options(options).languages)
        stage = f"adapters {','.join(options.open_languages)}"
    result = run(options, args.out)
    record_build(args.out, stage, options, result)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
