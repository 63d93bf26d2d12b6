"""The pack's adapters for ordinary vocabulary, trained through the product's own ``train-adapter`` path.

With the recognition base frozen, each language's adapter and head learn from sentences of its most
frequent words (wordfreq), spoken by its espeak-ng voices with several variants, speeds and pitches, with
noise and level varied (``corpus.vary``). A language the base never heard (another script: Russian, Hindi)
starts from the first language's adapter with a fresh head, as a user teaching a new language does. The
decoding word list of each language grows to its most frequent words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mms_desktop.core.checkpoints import read_vocab
from mms_desktop.core.recognition import wordlist
from mms_desktop.core.training.adapter import AdapterJob, train_adapter
from mms_desktop.core.training.material import Dataset, Item
from mms_desktop.demo import corpus

OPEN_RANKS = (0, 3000)  # the words training sentences are made of (demo-eval's unheard words rank beyond)
WORD_LIST_WORDS = 20000  # a language's decoding word list: its corpus words and this many frequent words
# Kept to their corpus words, adapter and word list: trained on ordinary words, English's adapter hears the
# sample's "read a" as "radar"; with the corpus adapter and 20,000 listed words it comes out "rather".
CLOSED_LANGUAGES = ("eng",)
HELD_OUT = 40  # sentences per language kept out of training for the report's before/after figures


@dataclass(frozen=True)
class OpenOptions:
    languages: tuple[str, ...]
    sentences: int  # of ordinary vocabulary per language (and a quarter as many corpus sentences, if any)
    steps: int
    seed: int
    start_from: str  # the adapter a language new to the model starts from


def material(lang: str, options: OpenOptions) -> Dataset:
    """The language's spoken training sentences, varied in level and noise, and a held-out part of them."""
    seed = options.seed + 5000
    texts = corpus.open_sentences(lang, options.sentences + HELD_OUT, seed, OPEN_RANKS)
    if corpus.has_word_list(lang):  # keep what the pack's closed vocabulary already recognizes
        texts += corpus.sentences(lang, options.sentences // 4, seed)
    rng = random.Random(f"vary-{lang}-{seed}")
    items = [Item(corpus.vary(u.samples, rng), u.text, "") for u in corpus.generate(lang, texts, seed)]
    return Dataset(train=items[HELD_OUT:], held_out=items[:HELD_OUT])


def train_open_adapters(folder: Path, options: OpenOptions, progress: Any = None) -> dict[str, Any]:
    """Train (or retrain) every language's adapter in the model ``folder`` and write its word list; the
    held-out character and word error rates before and after, per language."""
    summary: dict[str, Any] = {}
    for lang in options.languages:
        start = lang if (folder / f"adapter.{lang}.safetensors").is_file() else options.start_from
        job = AdapterJob(lang, folder, steps=options.steps, from_adapter=start, seed=options.seed)
        report = train_adapter(job, material(lang, options), progress=progress(f"open {lang}") if progress else None)
        write_word_list(folder, lang)
        summary[lang] = {"cer": [report.cer_before, report.cer_after], "wer": [report.wer_before, report.wer_after]}
        print(f"[open {lang}] {summary[lang]}", flush=True)
    return summary


def write_word_list(folder: Path, lang: str, frequent: int = WORD_LIST_WORDS) -> None:
    """The language's decoding word list: its corpus words, if any, then its one-letter words and its
    ``frequent`` most frequent words, each with how often it occurs (so that of two listed words that sound
    alike the common one wins); the corpus words alone, all alike, for CLOSED_LANGUAGES or without frequent
    words. Where ``folder`` has the language's vocabulary, words it cannot spell are left out."""
    frequent = 0 if lang in CLOSED_LANGUAGES else frequent
    unique = dict.fromkeys(corpus.word_list(lang) if corpus.has_word_list(lang) else [])
    if frequent:
        unique.update(dict.fromkeys(corpus.short_words(lang) + corpus.frequent_words(lang, frequent)))
    words = list(unique)
    vocab = read_vocab(folder).get(lang) if (folder / "vocab.json").is_file() else None
    if vocab is not None:  # only the words the language's output can spell
        words = wordlist.read_words("\n".join(words), {i: t for t, i in vocab.items()}).words
    counts = corpus.frequencies(lang, words) if frequent else None
    (folder / wordlist.file_name(lang)).write_text(wordlist.WordList(words, counts, []).text(), encoding="utf-8")
