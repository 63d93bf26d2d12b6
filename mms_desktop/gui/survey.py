"""What the window can offer, read from the store on a worker thread: the installed recognition languages
and voices, whether detection works, what is missing; and dictations a crash left unfinished, repaired."""

from __future__ import annotations

import dataclasses
from typing import Any

from mms_desktop.core.base import UserError


@dataclasses.dataclass(frozen=True)
class Installed:
    """What the window can offer: recognition languages, whether detection works, what is missing."""

    languages: list[str]
    can_detect: bool
    missing: str
    repaired: str = ""  # dictations a crash left unfinished, repaired into copies just now
    voices: tuple[str, ...] = ()  # languages with a voice installed
    demo: tuple[str, ...] = ()  # the settings' models that are not installed, whose demonstration stands in


def survey(context: Any) -> Installed:
    """Read the store (a worker-thread task): installed languages, identifier, first-run message; and
    repair the dictations that a crash left unfinished, so that the user hears of them at once."""
    from mms_desktop.core.recognition import available_languages

    repaired = repair_dictations(context.settings)
    store = context.store
    try:
        languages = available_languages(store.default_model("asr"))
    except UserError:
        return Installed([], False, "No speech recognition model is installed yet. Install a language to start "
                                    "dictating: open the language manager, or import a language pack.",
                         repaired)  # fmt: skip
    try:
        store.default_model("lid")
        can_detect = True
    except UserError:
        can_detect = False
    voices = tuple(lang.name for lang in store.installed() if lang.voice)
    demo = tuple(
        name for name, repo in (("asr_repo", store.repos.asr), ("lid_repo", store.repos.lid)) if not store.has(repo)
    )
    return Installed(languages, can_detect, "", repaired, voices, demo)


def repair_dictations(settings: Any) -> str:
    """Repair unfinished recordings in the recordings folder; says which, or nothing."""
    from mms_desktop import paths
    from mms_desktop.core.audio import repair_unfinished

    try:
        pairs = repair_unfinished(paths.recordings_dir(settings.recordings_dir))
    except OSError as exc:
        return f"Unfinished recordings could not be repaired ({exc.strerror}); try `mms-desktop recover`."
    return " ".join(f"{wav.name} was left unfinished (a crash?) and was repaired into {copy.name}."
                    for wav, copy in pairs)  # fmt: skip
