"""What the store knows about each language: installed parts, and what the last catalogue offers."""

from __future__ import annotations

from dataclasses import dataclass

from mms_desktop.core.base import display_name
from mms_desktop.core.store.hub import load_catalogue
from mms_desktop.core.store.installed import LanguageStore


@dataclass(frozen=True)
class LanguageEntry:
    """One language as a language list shows it.

    ``size`` is the installed size when something is installed, else the download size of its adapter.
    """

    code: str
    name: str
    has_recognition: bool
    has_voice: bool
    offers_recognition: bool
    offers_voice: bool
    size: int
    bundled: bool = False  # comes with the application: it cannot be removed, and needs no export

    @property
    def installed(self) -> bool:
        return self.has_recognition or self.has_voice

    @property
    def state(self) -> str:
        if self.installed:
            return "installed " + "+".join(p for p, on in (("recognition", self.has_recognition),
                                                            ("voice", self.has_voice)) if on)  # fmt: skip
        return "available " + "+".join(p for p, on in (("recognition", self.offers_recognition),
                                                        ("voice", self.offers_voice)) if on)  # fmt: skip


def language_entries(store: LanguageStore, installed_only: bool = False) -> tuple[list[LanguageEntry], bool]:
    """Every language installed or in the cached catalogue (no network), and whether a catalogue exists."""
    installed = {lang.name: lang for lang in store.installed()}
    catalogue = None if installed_only else load_catalogue(store)
    adapters = catalogue.adapters if catalogue else {}
    voices = set(catalogue.voices) if catalogue else set()
    entries = []
    for code in sorted(set(installed) | set(adapters) | voices):
        have = installed.get(code)
        entries.append(
            LanguageEntry(
                code=code,
                name=display_name(code),
                has_recognition=bool(have and have.recognition),
                has_voice=bool(have and have.voice),
                offers_recognition=code in adapters or bool(have and have.recognition),
                offers_voice=code in voices or bool(have and have.voice),
                size=have.size if have else adapters.get(code, 0),
                bundled=bool(have and have.bundled),
            )
        )
    return entries, catalogue is not None
