"""How well the pack in a models folder recognizes and identifies speech, and understands a voice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.recognition import LanguageIdentifier, Recognizer
from mms_desktop.core.store import Repos
from mms_desktop.core.training import character_error_rate
from mms_desktop.demo import corpus, voice
from mms_desktop.demo.lidtrain import CLIP_SECONDS, clips


def score(models: Path, data: dict[str, list[corpus.Utterance]], seed: int, precision: str = "auto") -> dict[str, Any]:
    """Character error rates per language (recognition through the product's ``Recognizer``), decoded as the
    app does (with the word lists) and spelling freely, and the identifier's accuracy on 3-second clips."""
    repos = Repos()
    recognizer = Recognizer.load(models / repos.demo_asr, next(iter(data)), device="cpu", precision=precision)
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
        if lang not in identifier.labels:  # recognized, not identified: chosen by hand
            continue
        for clip in clips(utterances, seed=seed):
            right += identifier.identify(clip, top_k=1)[0].code == lang
            total += 1
    report["lid_accuracy"] = round(right / total, 4) if total else None
    report["lid_clips"] = total
    report["lid_clip_seconds"] = CLIP_SECONDS
    return report


def read_back(models: Path, folder: Path, lang: str, seed: int, precision: str = "auto") -> dict[str, Any]:
    """:func:`score` on the voice in ``folder`` reading its held-out sentences (``voice.HELD_OUT``, words the
    recognizer knows), and on espeak-ng, which the voice learned from, reading the same: the voice's
    intelligibility, and what the recognizer makes of its teacher."""
    from mms_desktop.core.synthesis import Synthesizer

    synthesizer = Synthesizer.load(folder, device="cpu")
    texts = voice.held_out_texts(lang, seed)
    said = [corpus.Utterance(lang, t, np.asarray(synthesizer.speak(t, seed=n).samples)) for n, t in enumerate(texts)]
    teacher = [corpus.Utterance(lang, t, w) for t, w in zip(texts, voice.spoken(texts, lang), strict=True)]
    return {
        "voice": score(models, {lang: said}, seed, precision),
        "espeak_ng": score(models, {lang: teacher}, seed, precision),
        "sentences": len(texts),
    }
