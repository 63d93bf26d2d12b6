"""Settings: declared once, persisted atomically, tolerant of damage, migrated by schema version."""

import json
from pathlib import Path

from mms_desktop import settings as S


def test_saved_settings_read_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    original = S.Settings(language="fra", favourites=["fra", "eng"], device="cpu", input_device="USB")
    S.save(original, path)
    assert S.load(path) == original
    assert json.loads(path.read_text())["schema_version"] == S.SCHEMA_VERSION


def test_missing_unreadable_mistyped_and_unusable_values_fall_back_to_defaults_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert S.read(path) == (S.Settings(), "")
    path.write_text(json.dumps({"schema_version": 2, "window_s": "long", "language": "deu", "unknown": 1,
                                "live_window_s": -5.0, "device": "tpu", "context_s": 3}))  # fmt: skip
    loaded, notice = S.read(path)
    assert loaded.language == "deu" and loaded.context_s == 3.0, "an int written by hand for a float is fine"
    assert (loaded.window_s, loaded.live_window_s, loaded.device) == (20.0, 8.0, "auto")
    assert (
        notice
        == "Settings that could not be used are back to their defaults: File window, Live window, Compute device."
    )
    path.write_text("{not json")
    loaded, notice = S.read(path)
    (aside,) = tmp_path.glob("settings-unreadable-*.json")
    assert loaded == S.Settings() and not path.exists() and aside.read_text() == "{not json", "kept, not written over"
    assert (
        notice == f"The settings file could not be read; it was set aside as {aside}. The default settings are in use."
    )


def test_version_1_limits_on_detection_become_favourites(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": 1, "auto_among": ["yor", "hau"], "language": "auto"}))
    loaded = S.load(path)
    assert loaded.favourites == ["yor", "hau"] and loaded.auto_among == ["yor", "hau"]


def test_every_setting_is_described() -> None:
    from dataclasses import fields

    assert all(f.metadata.get("help") for f in fields(S.Settings))
    hints = [f.metadata.get("hint", "") for f in fields(S.Settings)]  # the plain line the dialog shows
    assert all(hint and len(hint) <= 100 and hint.count(". ") == 0 and hint.endswith(".") for hint in hints)


def test_check_names_the_first_unusable_value() -> None:
    assert S.check(S.Settings()) is None
    assert "not a language code" in S.check(S.Settings(favourites=["eng", "no such"]))
    assert "must be one of" in S.check(S.Settings(device="tpu"))
    assert "owner/name" in S.check(S.Settings(asr_repo="mms"))
    assert "between" in S.check(S.Settings(window_s=0.5))
    assert "'recordings' is not a full path; choose the folder with Browse" in S.check(
        S.Settings(recordings_dir="recordings")
    )
    assert S.check(S.Settings(project_dir=__file__)) == f"Field project folder: {__file__} is a file; choose a folder."
    assert S.check(S.Settings(recordings_dir="~/not/there/yet", project_dir="/")) is None


def test_live_settings_make_the_stream_options() -> None:
    options = S.live_options(S.Settings(live_window_s=4.0, live_context_s=0.5, live_budget=2.0, live_delay_s=3.0))
    assert (options.window.chunk_s, options.window.context_s, options.compute_budget) == (4.0, 0.5, 2.0)
    assert options.lag_target_s == 3.0
    assert "Live compute budget must be between 1 and 10 times." == S.check(S.Settings(live_budget=0.5))
    assert "Live delay limit must be between 0.5 and 30 seconds." == S.check(S.Settings(live_delay_s=0.1))


# Values of every JSON type, and the awkward ones of each, for every setting in turn.
WRONG_VALUES = [
    None,
    True,
    0,
    -1,
    1e308,
    "",
    "x" * 10_000,
    "../../elsewhere",
    "eng\n",
    [],
    [1],
    [None],
    ["eng", 2],
    [["eng"]],
    {},
    {"a": 1},
    [[[[]]]],
]


def test_a_value_of_any_wrong_type_in_any_setting_falls_back_and_is_named(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    tried = 0
    for f in S.fields(S.Settings):
        for value in WRONG_VALUES:
            path.write_text(json.dumps({"schema_version": 2, f.name: value}))
            loaded, notice = S.read(path)
            kept = getattr(loaded, f.name)
            assert S.check(loaded) is None, (f.name, value)
            assert kept == getattr(S.Settings(), f.name) or kept == value, (f.name, value)
            if kept != value:
                assert notice.endswith(f.metadata["label"] + "."), (f.name, value, notice)
            tried += 1
    assert tried >= 17 * len(WRONG_VALUES)
    for text in ("NaN", "Infinity", "-Infinity"):  # JSON extensions Python writes and reads
        path.write_text(f'{{"window_s": {text}, "live_budget": {text}}}')
        loaded, notice = S.read(path)
        assert (loaded.window_s, loaded.live_budget) == (20.0, 1.5) and "File window" in notice, text


def test_settings_nested_too_deeply_or_not_utf8_are_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    for content in (b"[" * 100_000 + b"]" * 100_000, b'{"favourites": ' + b"[" * 100_000, b'{"language": "\xff"}'):
        path.write_bytes(content)
        loaded, notice = S.read(path)
        assert loaded == S.Settings() and "could not be read; it was set aside" in notice
    assert len(list(tmp_path.glob("settings-unreadable-*.json"))) == 3, "none replaced another"
