import numpy as np
import pytest
from helpers import noise

from mms_desktop.core.base import UserError, languages
from mms_desktop.core.checkpoints import wav2vec2
from mms_desktop.core.recognition import LanguageIdentifier, first_speech


@pytest.fixture(scope="module")
def identifier(tiny_repos) -> LanguageIdentifier:
    return LanguageIdentifier.load(tiny_repos["facebook/mms-lid-126"], device="cpu")


def test_top_k_is_sorted_and_sums_to_one_over_all(identifier: LanguageIdentifier) -> None:
    scores = identifier.identify(noise(2.0), top_k=10)
    assert [s.code for s in scores] == sorted(
        identifier.labels, key=lambda c: -dict((s.code, s.probability) for s in scores)[c]
    )
    assert {s.code for s in scores} == {"eng", "fra", "cmn", "deu"}
    assert sum(s.probability for s in scores) == pytest.approx(1.0, abs=1e-4)
    assert len(identifier.identify(noise(2.0), top_k=2)) == 2


def test_restricting_renormalizes_over_the_chosen_set(identifier: LanguageIdentifier) -> None:
    audio = noise(2.0, seed=5)
    full = {s.code: s.probability for s in identifier.identify(audio, top_k=4)}
    restricted = identifier.identify(audio, top_k=4, among=["fra", "cmn-script_simplified"])
    assert {s.code for s in restricted} == {"fra", "cmn"}
    expected = full["fra"] / (full["fra"] + full["cmn"])
    assert dict((s.code, s.probability) for s in restricted)["fra"] == pytest.approx(expected, abs=1e-4)


def test_a_candidate_is_scored_among_every_language_and_a_weak_one_is_called_unsure(identifier) -> None:
    from mms_desktop.core.base import UNSURE_BELOW
    from mms_desktop.core.recognition import LanguageUnsure, detect_adapter

    audio = noise(2.0, seed=5)
    full = {s.code: s.probability for s in identifier.identify(audio, top_k=4)}
    best = identifier.best_among(audio, ["fra", "eng"])
    assert best.code == max(("fra", "eng"), key=full.get) and best.probability == pytest.approx(full[best.code], 1e-4)
    assert best.probability < UNSURE_BELOW, "noise is no language: the tiny identifier spreads it over four"
    adapter, score = detect_adapter(audio, identifier, ["eng", "fra"])  # as dictation asks: a guess is fine
    assert adapter == best.code and score == best
    with pytest.raises(LanguageUnsure) as caught:
        detect_adapter(audio, identifier, ["eng", "fra"], sure=True)  # as a file transcription asks
    assert str(caught.value) == (
        f"The language is unsure: the likeliest of the candidates (eng, fra) is '{best.code}' at only "
        f"{best.probability:.0%}, so the speech is probably in another language; choose the language by naming "
        "it, or install the one spoken."
    )


def test_unknown_code_in_the_set_is_a_clear_error(identifier: LanguageIdentifier) -> None:
    with pytest.raises(UserError, match="does not know xyz"):
        identifier.identify(noise(1.0), among=["eng", "xyz"])


def test_first_speech_skips_leading_silence() -> None:
    audio = np.concatenate([np.zeros(32000, np.float32), noise(3.0)])
    clip = first_speech(audio, seconds=1.0)
    assert len(clip) == 16000
    assert clip.std() > 0.05 and np.abs(clip[:400]).max() < 1e-6  # 100 ms of lead-in kept, then speech


@pytest.mark.parametrize(
    ("lid", "adapters", "expected"),
    [
        ("cmn", ["cmn-script_simplified", "cmn-script_traditional"], "cmn-script_simplified"),
        ("aze", ["azj-script_latin", "azj-script_cyrillic"], "azj-script_latin"),
        ("srp", ["srp-script_latin"], "srp-script_latin"),
        ("urd", ["urd-script_arabic", "urd-script_latin"], "urd-script_arabic"),
        ("uzb", ["uzb-script_latin"], "uzb-script_latin"),
        ("yue", ["yue-script_traditional"], "yue-script_traditional"),
        ("kmr", ["kmr-script_latin"], "kmr-script_latin"),
        ("eng", ["eng", "fra"], "eng"),
        ("cmn", ["cmn-script_traditional"], "cmn-script_traditional"),
        ("deu", ["eng"], None),
    ],
)
def test_lid_codes_map_to_adapters(lid: str, adapters: list[str], expected: str | None) -> None:
    assert languages.adapter_for(lid, adapters) == expected


def test_names_come_from_iso_639_3() -> None:
    assert languages.display_name("sah") == "Yakut"
    assert languages.display_name("cmn-script_simplified") == "Mandarin Chinese (Simplified)"
    assert languages.lid_code_for("azj-script_cyrillic") == "aze"
    assert languages.is_valid_name("cac-dialect_sanmateoixtatan") and not languages.is_valid_name("../x")


def test_identifier_in_int8_agrees_with_float32(tiny_repos, tmp_path) -> None:
    from mms_desktop.core.checkpoints.int8 import Int8Linear

    folder = tiny_repos["facebook/mms-lid-126"]
    full = LanguageIdentifier.load(folder, "cpu", "float32")
    small = LanguageIdentifier.load(folder, "cpu", "int8", cache_dir=tmp_path)
    assert any(isinstance(m, Int8Linear) for m in small._model.modules())
    assert isinstance(small._model, wav2vec2.ForSequenceClassification)  # fused attention, as in float
    audio = noise(3.0)
    assert abs(small.probabilities(audio) - full.probabilities(audio)).max() < 0.05
