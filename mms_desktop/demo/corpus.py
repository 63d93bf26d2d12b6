"""A synthetic speech corpus spoken by espeak-ng, deterministic from a seed.

Sentences are drawn from word lists shipped in ``resources/corpus/<code>.txt`` (the four languages the
recognition base learned on) or, for ordinary vocabulary, from wordfreq's frequency lists; a held-out set of
sentences is never used for training. Each utterance varies voice, speed and pitch, and :func:`vary` adds
noise and level changes.
"""

from __future__ import annotations

import functools
import random
import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.audio import load_audio
from mms_desktop.core.base import UserError
from mms_desktop.paths import resources_dir

# espeak-ng voices per language (base voice plus variants that change the timbre).
VOICES = {
    "eng": ["en-us", "en-gb", "en-gb-scotland", "en-029"],
    "deu": ["de"],
    "spa": ["es", "es-419"],
    "fra": ["fr-fr", "fr-be"],
    "rus": ["ru"],
    "hin": ["hi"],
}
VARIANTS = ["", "+m1", "+m3", "+f1", "+f2", "+f4"]
# Languages the demonstration identifier hears as "none of these" (label und): never the pack's own, and
# never those its test of that uses (Italian, Polish). ISO 639-3 code: (espeak-ng voice, wordfreq list).
OTHERS = {
    "nld": ("nl", "nl"),
    "por": ("pt", "pt"),
    "ces": ("cs", "cs"),
    "swe": ("sv", "sv"),
    "tur": ("tr", "tr"),
    "ron": ("ro", "ro"),
    "hun": ("hu", "hu"),
    "fin": ("fi", "fi"),
    "dan": ("da", "da"),
    "ind": ("id", "id"),
    "cat": ("ca", "ca"),
    "hrv": ("hr", "hr"),
}
SCRIPT_SAMPLE = 100  # top words that tell a language's script (script)
SHORT_WORD_RANK = 30  # one-letter entries this high in a frequency list are words (short_words)
WORDFREQ = {
    "eng": "en",
    "deu": "de",
    "spa": "es",
    "fra": "fr",
    "ita": "it",
    "pol": "pl",
    "rus": "ru",
    "hin": "hi",
    **{code: lists for code, (_, lists) in OTHERS.items()},
}


@dataclass(frozen=True)
class Utterance:
    """One spoken sentence: 16 kHz samples and the text that was spoken."""

    language: str
    text: str
    samples: np.ndarray


def word_list(language: str) -> list[str]:
    return _word_list_path(language).read_text(encoding="utf-8").split()


def has_word_list(language: str) -> bool:
    """Whether the corpus has its own word list for ``language`` (the languages the base learned on)."""
    return _word_list_path(language).is_file()


def _word_list_path(language: str) -> Path:
    return resources_dir() / "corpus" / f"{language}.txt"


def sentences(language: str, count: int, seed: int, exclude: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """``count`` distinct sentences of 2–6 words, none of them in ``exclude``."""
    words = word_list(language)
    rng = random.Random(f"{language}-{seed}")
    found: list[str] = []
    seen = set(exclude)
    while len(found) < count:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(2, 6)))
        if sentence not in seen:
            seen.add(sentence)
            found.append(sentence)
    return found


def open_sentences(
    language: str, count: int, seed: int, ranks: tuple[int, int] = (0, 3000), as_in_text: bool = False
) -> list[str]:
    """``count`` sentences of 2–6 words drawn from the words ranked ``ranks`` in the language's frequency
    list (letters only, two or more of them): ordinary vocabulary, not the pack's word lists. Every word is
    as likely, or, ``as_in_text``, as often as it is in text, and from the top of the list with the
    :func:`short_words` too.

    Raises:
        UserError: wordfreq is not installed, or has no list for the language.
    """
    words = frequent_words(language, ranks[1])[ranks[0] :]
    if not words:
        raise UserError(f"wordfreq has no word list for '{language}'.")
    rng = random.Random(f"{language}-{seed}")
    if not as_in_text:
        return [" ".join(rng.choice(words) for _ in range(rng.randint(2, 6))) for _ in range(count)]
    words = short_words(language) + words if ranks[0] == 0 else words
    weights = frequencies(language, words)
    return [" ".join(rng.choices(words, weights, k=rng.randint(2, 6))) for _ in range(count)]


def frequent_words(language: str, count: int) -> list[str]:
    """The language's ``count`` most frequent wordfreq entries that are words: letters (with their combining
    marks, as Devanagari writes vowels) of the language's own script, and two or more characters.

    Raises:
        UserError: wordfreq is not installed.
    """
    listed, own = _wordfreq().top_n_list(WORDFREQ.get(language, language), count), script(language)
    return [w for w in listed if len(w) > 1 and _in_script(w, own)]


def script(language: str) -> str:
    """The script the language's frequency list writes most of its words in, as Unicode names it ("LATIN",
    "CYRILLIC", "DEVANAGARI"). Words with letters of another one (the English "news" and "http" of wordfreq's
    Hindi, mostly from the web) are left out of the corpus: the language's voice cannot read them as written,
    and its adapter writes its own script.

    Raises:
        UserError: wordfreq is not installed.
    """
    return _script_of(WORDFREQ.get(language, language))


@functools.cache
def _script_of(code: str) -> str:
    top = _wordfreq().top_n_list(code, SCRIPT_SAMPLE)
    scripts = Counter(unicodedata.name(w[0], "?").split(" ")[0] for w in top if unicodedata.category(w[0])[0] == "L")
    return scripts.most_common(1)[0][0] if scripts else "LATIN"


def _in_script(word: str, name: str) -> bool:
    """Whether every character of ``word`` is a letter or mark of the script ``name`` by its Unicode Script
    property (which counts Spanish "º" as Latin), or a mark any script uses (a combining accent)."""
    import regex  # wordfreq's own dependency

    letters = all(unicodedata.category(c)[0] in "LM" for c in word)
    return letters and regex.fullmatch(rf"(?:\p{{Script={name}}}|\p{{Script=Inherited}})+", word) is not None


def short_words(language: str) -> list[str]:
    """The language's one-letter words: the one-letter entries among its SHORT_WORD_RANK most frequent
    (English "a" and "i", Spanish "y", "a" and "o", Russian "в", "и", "с" …, French "à" and the elided
    "l" and "d" as wordfreq splits them off); further down the list such entries are letters and
    abbreviations, which :func:`frequent_words` leaves out with them.

    Raises:
        UserError: wordfreq is not installed.
    """
    listed, own = _wordfreq().top_n_list(WORDFREQ.get(language, language), SHORT_WORD_RANK), script(language)
    return [w for w in listed if len(w) == 1 and unicodedata.category(w)[0] == "L" and _in_script(w, own)]


def frequencies(language: str, words: list[str]) -> list[float]:
    """How often each word occurs in the language, per billion words (wordfreq), at least once.

    Raises:
        UserError: wordfreq is not installed.
    """
    code, wordfreq = WORDFREQ.get(language, language), _wordfreq()
    return [float(max(1, round(wordfreq.word_frequency(w, code) * 1e9))) for w in words]


def _wordfreq() -> Any:
    try:
        import wordfreq
    except ImportError:
        raise UserError("This needs wordfreq: pip install 'mms-desktop[demo]'.") from None
    return wordfreq


def vary(samples: np.ndarray, rng: random.Random) -> np.ndarray:
    """The utterance at a level from -18 to +3 dB, and, half the time, with white noise 15-40 dB below it."""
    out = samples * 10 ** (rng.uniform(-18, 3) / 20)
    if rng.random() < 0.5:
        power = float(np.mean(out**2)) or 1e-8
        noise = np.random.default_rng(rng.randrange(2**32)).standard_normal(len(out))
        out = out + noise * np.sqrt(power / 10 ** (rng.uniform(15, 40) / 10))
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def speak(text: str, voice: str, speed: int, pitch: int, workdir: Path) -> np.ndarray:
    """Run espeak-ng and return 16 kHz samples."""
    if shutil.which("espeak-ng") is None:
        raise UserError("espeak-ng is not installed; install it (apt-get install espeak-ng) to build a corpus.")
    out = workdir / f"{abs(hash((text, voice, speed, pitch)))}.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(out), text],
        check=True,
        capture_output=True,
    )
    try:
        return load_audio(out)
    finally:
        out.unlink(missing_ok=True)


def speak_one(text: str, voice: str, seed: int) -> np.ndarray:
    """One sentence in ``voice`` (with its variant) at a speed and pitch drawn from ``seed``."""
    rng = random.Random(f"{voice}-{seed}")
    with tempfile.TemporaryDirectory() as tmp:
        return speak(text, voice, rng.randint(130, 190), rng.randint(30, 70), Path(tmp))


def generate(
    language: str,
    texts: Sequence[str],
    seed: int,
    workers: int = 2,
    voices: Sequence[str] = (),
    variants: Sequence[str] = VARIANTS,
) -> list[Utterance]:
    """Speak every text once with a voice (of ``voices``, default the language's own), a variant, a speed and
    a pitch drawn from ``seed``."""
    rng = random.Random(f"voice-{language}-{seed}")
    voices = voices or VOICES.get(language) or [OTHERS[language][0]]
    settings = [(rng.choice(voices) + rng.choice(variants), rng.randint(130, 190), rng.randint(30, 70)) for _ in texts]
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(workers) as pool:
        audio = list(
            pool.map(lambda a: speak(a[0], a[1][0], a[1][1], a[1][2], Path(tmp)), zip(texts, settings, strict=True))
        )
    return [Utterance(language, t, a) for t, a in zip(texts, audio, strict=True)]
