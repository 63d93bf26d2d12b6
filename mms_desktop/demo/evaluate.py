"""Evaluate the bundled demonstration pack on its held-out espeak-ng sentences.

    python -m mms_desktop.demo.evaluate [--models resources/models] [--seed 0]

Prints the character error rate per language (recognition through the product's own ``Recognizer``),
decoded as the app does (keeping to the pack's word lists) and with characters only, and the language
identifier's accuracy on 3-second clips (through ``LanguageIdentifier``); then the same on sentences and
voices the build never used, and on new sentences whose words come as often as in text; how well the
recognizer understands the demonstration voices reading sentences they never learned (beside espeak-ng
reading the same); and, with ``--real-speech FOLDER``, on recordings of people (each beside its transcript
``.txt``, or ELAN or Praat files, as ``train-adapter`` reads them).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.base import UserError
from mms_desktop.core.checkpoints import PRECISIONS
from mms_desktop.core.recognition import LanguageIdentifier
from mms_desktop.core.store import Repos
from mms_desktop.demo import build, corpus, scoring
from mms_desktop.demo.build import BuildOptions
from mms_desktop.demo.lidtrain import CLIP_SECONDS
from mms_desktop.paths import resources_dir


def held_out(options: BuildOptions) -> dict[str, list[corpus.Utterance]]:
    """The held-out utterances the build set aside (same seed, same sentences, same voices)."""
    result = {}
    for lang in options.languages:
        texts = build.sentences(lang, options.held_out_sentences, options.seed + 1000)
        result[lang] = corpus.generate(lang, texts, options.seed + 1000)
    return result


def evaluate(
    models: Path, options: BuildOptions, precision: str = "auto", data: dict[str, list[corpus.Utterance]] | None = None
) -> dict[str, Any]:
    """:func:`scoring.score` of the pack in ``models`` on ``data``, by default the build's held-out sentences."""
    return scoring.score(models, data or held_out(options), options.seed, precision)


UNHEARD_VARIANTS = ("+m7", "+f5", "+m5")  # espeak-ng voice variants the build never speaks with
OUTSIDE = {"ita": "it", "pol": "pl"}  # languages outside the pack that its identifier never heard
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def unheard(options: BuildOptions, count: int = 30) -> dict[str, list[corpus.Utterance]]:
    """What the build never used: sentences of ordinary vocabulary (wordfreq words ranked 3,000–8,000,
    beyond the corpus) in espeak-ng voice variants it never spoke with, in the pack's languages and in
    languages outside it."""
    voices = {**{lang: corpus.VOICES[lang][0] for lang in options.languages}, **OUTSIDE}
    return {
        lang: unheard_voices(lang, voice, corpus.open_sentences(lang, count, options.seed + 5000, (3000, 8000)))
        for lang, voice in voices.items()
    }


def as_written(options: BuildOptions, count: int = 30) -> dict[str, list[corpus.Utterance]]:
    """New sentences whose words come as often as in text (wordfreq's 8,000 most frequent and the one-letter
    words, so mostly little words and the training's own), in the voice variants of :func:`unheard`."""
    found = {}
    for lang in options.languages:
        texts = corpus.open_sentences(lang, count, options.seed + 8000, (0, 8000), as_in_text=True)
        found[lang] = unheard_voices(lang, corpus.VOICES[lang][0], texts)
    return found


def unheard_voices(lang: str, voice: str, texts: list[str]) -> list[corpus.Utterance]:
    """``texts`` spoken in ``voice`` with the variants the build never uses, in turn."""
    return [
        corpus.Utterance(lang, t, corpus.speak_one(t, voice + UNHEARD_VARIANTS[i % 3], i)) for i, t in enumerate(texts)
    ]


def spoken_back(models: Path, options: BuildOptions, precision: str = "auto") -> dict[str, Any]:
    """:func:`scoring.read_back` of each demonstration voice the pack in ``models`` has."""
    folders = {lang: models / Repos().demo_voice(lang) for lang in options.voice_languages}
    found = {lang: f for lang, f in folders.items() if f.is_dir()}
    return {lang: scoring.read_back(models, f, lang, options.seed, precision) for lang, f in found.items()}


def identified(identifier: LanguageIdentifier, options: BuildOptions) -> list[str]:
    """The pack's languages the identifier knows (the others are chosen by hand)."""
    return [lang for lang in options.languages if lang in identifier.labels]


def unsure_rates(
    models: Path, options: BuildOptions, data: dict[str, list[corpus.Utterance]], precision: str = "auto"
) -> dict[str, Any]:
    """How identification behaves on :func:`unheard` speech: for each threshold, the share of the pack's
    languages and of the others whose likeliest pack language scores under it (said "unsure"), and the
    accuracy on the pack's languages."""
    from mms_desktop.core.recognition.lid import first_speech

    identifier = LanguageIdentifier.load(models / Repos().demo_lid, device="cpu", precision=precision)
    known = identified(identifier, options)
    scores = {
        lang: [(b.code, b.probability) for b in (identifier.best_among(first_speech(u.samples), known) for u in spoken)]
        for lang, spoken in data.items()
        if lang in known or lang in OUTSIDE
    }
    inside = [p for lang in known for _, p in scores[lang]]
    outside = [p for lang in OUTSIDE for _, p in scores[lang]]
    right = sum(code == lang for lang in known for code, _ in scores[lang])
    return {
        "accuracy": round(right / len(inside), 4),
        "unsure_inside": {t: round(float(np.mean([p < t for p in inside])), 4) for t in THRESHOLDS},
        "unsure_outside": {t: round(float(np.mean([p < t for p in outside])), 4) for t in THRESHOLDS},
        "clips": {"inside": len(inside), "outside": len(outside)},
    }


def recordings(folder: Path, language: str) -> list[corpus.Utterance]:
    """The recordings of people in ``folder`` with their transcripts, found and cleaned as teaching material
    is (each recording beside its ``.txt``, ELAN or Praat files, a Common Voice ``.tsv``), in name order.

    Raises:
        UserError: as ``core.training.material.collect``: fewer than two usable recordings.
    """
    from mms_desktop.core.training.material import collect

    data = collect([folder])
    items = sorted(data.train + data.held_out, key=lambda item: item.source)
    return [corpus.Utterance(language, item.text, item.samples) for item in items]


def real_speech(models: Path, options: BuildOptions, folder: Path, language: str) -> dict[str, Any]:
    """Recognition (character error rates) and identification (the likeliest language of each recording,
    and how many are said unsure) on recordings of people in ``folder``."""
    from mms_desktop.core.base.languages import UNSURE_BELOW
    from mms_desktop.core.recognition.lid import first_speech

    data = recordings(folder, language)
    report = evaluate(models, options, data={language: data})
    identifier = LanguageIdentifier.load(models / Repos().demo_lid, device="cpu")
    found = [identifier.best_among(first_speech(u.samples), identified(identifier, options)) for u in data]
    return {
        "recordings": len(data),
        "cer": report["cer"][language],
        "cer_characters": report["cer_characters"][language],
        "identified": [f"{b.code} {b.probability:.2f}" for b in found],
        "unsure": sum(b.probability < UNSURE_BELOW for b in found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=Path, default=resources_dir() / "models")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--precision",
        nargs="+",
        default=["auto"],
        choices=PRECISIONS,
        help="one or more CPU precisions to compare (default: the automatic one)",
    )
    parser.add_argument("--real-speech", type=Path, help="recordings of people with transcripts, as for train-adapter")
    parser.add_argument("--real-speech-language", default="eng", help="their language (default: eng)")
    args = parser.parse_args()
    options = BuildOptions(seed=args.seed)
    if args.real_speech:
        try:
            found = real_speech(args.models, options, args.real_speech, args.real_speech_language)
        except UserError as exc:
            raise SystemExit(str(exc)) from None
        print(json.dumps({"real_speech": found}))
    data, other, texts = held_out(options), unheard(options), as_written(options)
    for precision in args.precision:
        report = evaluate(args.models, options, precision, data)
        if len(args.precision) > 1:
            print(f"[{precision}]")
        for lang, cer in report["cer"].items():
            print(f"{lang}\tCER {cer:.2%} (characters only: {report['cer_characters'][lang]:.2%})")
        print(f"LID\taccuracy {report['lid_accuracy']:.2%} on {report['lid_clips']} clips of {CLIP_SECONDS:.0f} s")
        wide = evaluate(args.models, options, precision, {lang: other[lang] for lang in options.languages})
        for lang, cer in wide["cer"].items():
            print(
                f"{lang}\tunheard voices and words: CER {cer:.2%} (characters only: {wide['cer_characters'][lang]:.2%})"
            )
        written = evaluate(args.models, options, precision, texts)
        for lang, cer in written["cer"].items():
            print(f"{lang}\tits words as often as in text: CER {cer:.2%}")
        unsure = unsure_rates(args.models, options, other, precision)
        print(
            f"LID\ton unheard voices and words: accuracy {unsure['accuracy']:.2%}; said unsure (top probability "
            f"under the threshold), in the pack's languages / in {', '.join(OUTSIDE)}:"
        )
        for t in THRESHOLDS:
            print(f"\t  under {t:.1f}: {unsure['unsure_inside'][t]:.1%} / {unsure['unsure_outside'][t]:.1%}")
        voices = spoken_back(args.models, options, precision)
        for lang, found in voices.items():
            cer, teacher = found["voice"]["cer"][lang], found["espeak_ng"]["cer"][lang]
            line = f"{lang}\tvoice read back, {found['sentences']} held-out sentences: CER {cer:.2%}"
            print(f"{line} (espeak-ng reading the same: {teacher:.2%})")
        unheard_cer = {"cer": wide["cer"], "cer_characters": wide["cer_characters"]}
        extra = {"unheard": unheard_cer, "as_written": written["cer"], "unsure": unsure, "voices": voices}
        print(json.dumps(report | extra))


if __name__ == "__main__":
    main()
