"""Where data and shipped files are found: from source, from a bundle, and in portable mode."""

import sys
from pathlib import Path

from mms_desktop import paths


def test_explicit_then_environment_then_platform_folder(tmp_path: Path) -> None:
    assert paths.resolve(tmp_path / "a", {"MMS_DESKTOP_HOME": str(tmp_path / "b")}).data == tmp_path / "a"
    assert paths.resolve(None, {"MMS_DESKTOP_HOME": str(tmp_path / "b")}).data == tmp_path / "b"
    assert paths.resolve(None, {}).data.name == "mms-desktop"


def test_resources_from_source_and_from_a_bundle(monkeypatch, tmp_path: Path) -> None:
    assert (paths.resources_dir() / "sample.wav").is_file()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == tmp_path / "resources"


def test_portable_mode_keeps_data_and_logs_beside_the_program(monkeypatch, tmp_path: Path) -> None:
    exe = tmp_path / "mms-desktop-gui"
    exe.write_text("")
    monkeypatch.setattr(sys, "executable", str(exe))
    assert paths.portable_home() is None  # not a bundle
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert paths.portable_home() is None  # a bundle without the marker
    (tmp_path / paths.PORTABLE_MARKER).write_text("")
    assert paths.resolve(None, {}).data == tmp_path / "data"
    assert paths.log_dir() == tmp_path / "data" / "logs"
    assert paths.resolve(None, {"MMS_DESKTOP_HOME": str(tmp_path / "x")}).data == tmp_path / "x"


def test_recordings_go_to_the_chosen_folder_or_documents(tmp_path: Path) -> None:
    assert paths.recordings_dir(str(tmp_path)) == tmp_path
    assert paths.recordings_dir("").name == "MMS Desktop"
