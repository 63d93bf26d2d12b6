"""The public recognition checkpoints of each model family this program runs, with what a user should know
before downloading one: its family, licence, size and how many languages it covers.

Sizes are of the weights as the hub serves them (about, in decimal units); the Omnilingual sizes are
computed from their parameter counts in float32, as a converted checkpoint stores them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownModel:
    name: str  # the hub's owner/name, or the upstream card name of a model that must be converted first
    family: str  # as Family.title words it
    licence: str
    size: int  # bytes, about
    languages: int
    note: str = ""

    @property
    def on_the_hub(self) -> bool:
        return "/" in self.name


_MMS, _SHARED, _OMNI = "MMS with language adapters", "one vocabulary with language masks", "Omnilingual ASR (CTC)"
_CONVERT = "upstream ships a fairseq2 checkpoint: convert it to the Wav2Vec2ForCTC layout and give its folder"

KNOWN_MODELS = (
    KnownModel("facebook/mms-1b-all", _MMS, "CC-BY-NC 4.0", 3_860_000_000, 1162),
    KnownModel("facebook/mms-1b-l1107", _MMS, "CC-BY-NC 4.0", 3_860_000_000, 1107),
    KnownModel("facebook/mms-1b-fl102", _MMS, "CC-BY-NC 4.0", 3_860_000_000, 102),
    KnownModel("voidful/wav2vec2-xlsr-multilingual-56", _SHARED, "Apache-2.0", 1_270_000_000, 56),
    KnownModel("omniASR_CTC_300M", _OMNI, "Apache-2.0", 1_300_000_000, 1600, _CONVERT),
    KnownModel("omniASR_CTC_1B", _OMNI, "Apache-2.0", 3_900_000_000, 1600, _CONVERT),
    KnownModel("omniASR_CTC_3B", _OMNI, "Apache-2.0", 12_300_000_000, 1600, _CONVERT),
    KnownModel("omniASR_CTC_7B", _OMNI, "Apache-2.0", 26_000_000_000, 1600, _CONVERT),
)


def known_model(name: str) -> KnownModel | None:
    """The table's entry for ``name`` (case as the hub spells it), if it has one."""
    return next((m for m in KNOWN_MODELS if m.name.lower() == name.lower()), None)
