"""Evaluate the bundled demonstration pack on its held-out espeak-ng sentences.

    python -m mms_desktop.demo.evaluate [--models resources/models] [--seed 0]

Prints the character error rate per language (recognition through the product's own ``Recognizer``),
decoded as the app does (keeping to the pack's word lists) and with characters only, and the language
identifier's accuracy on 3-second clips (through ``LanguageIdentifier``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from mms_desktop.core.checkpoints import PRECISIONS
from mms_desktop.core.recognition import LanguageIdentifier, Recognizer
from mms_desktop.core.store import Repos
from mms_desktop.core.training import character_error_rate
from mms_desktop.demo import corpus
from mms_desktop.demo.build import BuildOptions
from mms_desktop.demo.lidtrain import CLIP_SECONDS, clips
from mms_desktop.paths import resources_dir


def held_out(options: BuildOptions) -> dict[str, list[corpus.Utterance]]:
    """The held-out utterances the build set aside (same seed, same sentences, same voices)."""
    result = {}
    for lang in options.languages:
        texts = corpus.sentences(lang, options.held_out_sentences, options.seed + 1000)
        result[lang] = corpus.generate(lang, texts, options.seed + 1000)
    return result


def evaluate(
    models: Path, options: BuildOptions, precision: str = "auto", data: dict[str, list[corpus.Utterance]] | None = None
) -> dict[str, Any]:
    repos = Repos()
    data = data or held_out(options)
    recognizer = Recognizer.load(models / repos.demo_asr, options.languages[0], device="cpu", precision=precision)
    report: dict[str, Any] = {"cer": {}, "cer_characters": {}}
    for lang, utterances in data.items():
        log_probs = [recognizer.windowed_log_probs(u.samples, lang) for u in utterances]
        for key, word_lists in (("cer", True), ("cer_characters", False)):
            recognizer.use_word_lists = word_lists
            hypotheses = [" ".join(w.word for w in recognizer.decode(lp, lang)) for lp in log_probs]
            report[key][lang] = round(character_error_rate([u.text for u in utterances], hypotheses), 4)
    identifier = LanguageIdentifier.load(models / repos.demo_lid, device="cpu", precision=precision)
    right = total = 0
    for lang, utterances in data.items():
        for clip in clips(utterances, seed=options.seed):
            right += identifier.identify(clip, top_k=1)[0].code == lang
            total += 1
    report["lid_accuracy"] = round(right / total, 4)
    report["lid_clips"] = total
    report["lid_clip_seconds"] = CLIP_SECONDS
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=Path, default=resources_dir() / "models")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--precision", nargs="+", default=["auto"], choices=PRECISIONS,
                        help="one or more CPU precisions to compare (default: the automatic one)")  # fmt: skip
    args = parser.parse_args()
    options = BuildOptions(seed=args.seed)
    data = held_out(options)
    for precision in args.precision:
        report = evaluate(args.models, options, precision, data)
        if len(args.precision) > 1:
            print(f"[{precision}]")
        for lang, cer in report["cer"].items():
            print(f"{lang}\tCER {cer:.2%} (characters only: {report['cer_characters'][lang]:.2%})")
        print(f"LID\taccuracy {report['lid_accuracy']:.2%} on {report['lid_clips']} clips of {CLIP_SECONDS:.0f} s")
        print(json.dumps(report))


if __name__ == "__main__":
    main()
