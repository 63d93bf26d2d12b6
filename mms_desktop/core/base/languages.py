"""Language codes and names: ISO 639-3 data, adapter names with script suffixes, LID ↔ ASR mapping."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from mms_desktop.core.base.errors import UserError

AUTO = "auto"  # the language of a call or a stream when it is to be identified from the speech
# Below this probability the likeliest candidate language is taken for a guess, not an identification: the
# speech is probably in none of the candidates. Chosen from the demonstration identifier's calibrated
# probabilities (README, "Language identification"): nearly all speech in its languages scores above it,
# most speech in other languages below.
UNSURE_BELOW = 0.5

# Meta's mapping from LID labels (bare ISO 639-3) to the ASR adapter that serves them, for the codes
# whose adapter carries another code or a script suffix. Every other code maps to the adapter of the
# same name when one exists.
LID_TO_ADAPTER = {
    "cmn": "cmn-script_simplified",
    "srp": "srp-script_latin",
    "urd": "urd-script_arabic",
    "uzb": "uzb-script_latin",
    "yue": "yue-script_traditional",
    "aze": "azj-script_latin",
    "kmr": "kmr-script_latin",
}
_ADAPTER_TO_LID_CODE = {"azj": "aze"}

_NAME = re.compile(r"^(?P<code>[a-z]{3})(?:-(?P<kind>script|dialect)_(?P<variant>[a-z0-9_]+))?$")


def is_valid_name(name: object) -> bool:
    """Whether ``name`` looks like an MMS language name: ``abc`` or ``abc-script_x`` / ``abc-dialect_x``
    (anything that is not text, read from a file, is not one)."""
    return isinstance(name, str) and bool(_NAME.fullmatch(name))


def check_name(name: str) -> None:
    """Raises UserError, saying what a language name looks like, unless ``name`` is one."""
    if not is_valid_name(name):
        raise UserError(f"'{name}' is not a language code: three lowercase letters like 'sah', optionally followed "
                        "by -dialect_NAME or -script_NAME (like sah-dialect_kolyma).")  # fmt: skip


@functools.lru_cache(maxsize=4096)
def is_iso639_3(code: str) -> bool:
    """Whether ``code`` is an ISO 639-3 code (of a language, macrolanguage or special code), or one of the
    range qaa-qtz that the standard leaves for local use (a language taught here may have no code)."""
    import pycountry

    return "qaa" <= code <= "qtz" or pycountry.languages.get(alpha_3=code) is not None


def check_code(name: str) -> None:
    """Raises UserError unless ``name`` is a language name whose code exists in ISO 639-3: checked in a few
    milliseconds, before any model is loaded, so that a mistyped code is said at once."""
    check_name(name)
    if not is_iso639_3(base_code(name)):
        raise UserError(
            f"'{base_code(name)}' is not an ISO 639-3 language code; check the code (for example eng, "
            "fra or swh for Swahili)."
        )


def base_code(name: str) -> str:
    """The ISO 639-3 code of an adapter or voice name (``cmn-script_simplified`` → ``cmn``)."""
    return name.split("-", 1)[0]


def lid_code_for(name: str) -> str:
    """The LID label that stands for an adapter name (``azj-script_latin`` → ``aze``)."""
    code = base_code(name)
    return _ADAPTER_TO_LID_CODE.get(code, code)


def adapter_for(lid_code: str, adapters: Iterable[str]) -> str | None:
    """The ASR adapter that serves an LID label, among the ``adapters`` that exist, or None."""
    available = set(adapters)
    preferred = LID_TO_ADAPTER.get(lid_code, lid_code)
    if preferred in available:
        return preferred
    if lid_code in available:
        return lid_code
    # Any variant of the same code (for example a script-suffixed adapter with no mapping above).
    variants = sorted(a for a in available if lid_code_for(a) == lid_code)
    return variants[0] if variants else None


@functools.lru_cache(maxsize=4096)
def display_name(name: str) -> str:
    """A readable name: the ISO 639-3 reference name plus the script or dialect, if any."""
    import pycountry

    match = _NAME.match(name)
    code = match.group("code") if match else base_code(name)
    language = pycountry.languages.get(alpha_3=code)
    title = language.name if language is not None else code
    if match and match.group("variant"):
        variant = match.group("variant").replace("_", " ")
        title = f"{title} ({variant.title()})" if match.group("kind") == "script" else f"{title} ({variant})"
    return title


# Common Voice tags (as multilingual models trained on it key their languages) whose language name here is
# not simply the ISO 639-3 code of their first part.
_TAG_NAMES = {
    "zh-CN": "cmn-script_simplified",
    "zh-TW": "cmn-script_traditional",
    "zh-HK": "yue-script_traditional",
    "rm-sursilv": "roh-dialect_sursilv",
    "rm-vallader": "roh-dialect_vallader",
}


def name_for_tag(tag: str) -> str:
    """The language name of a BCP 47 tag as Common Voice writes them: ``en`` → ``eng``, ``sv-SE`` → ``swe``,
    ``zh-CN`` → ``cmn-script_simplified``, ``sah`` → ``sah``; a tag it cannot read is returned as it is."""
    import pycountry

    if tag in _TAG_NAMES:
        return _TAG_NAMES[tag]
    primary = tag.split("-")[0].lower()
    if len(primary) == 2:
        language = pycountry.languages.get(alpha_2=primary)
        return str(language.alpha_3) if language is not None else tag
    return primary if len(primary) == 3 else tag
