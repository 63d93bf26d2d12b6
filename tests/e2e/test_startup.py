"""The real window program starts, loads its models in the background and says when it was ready."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from mms_desktop.paths import resources_dir

READY = re.compile(r"window open after ([\d.]+) s; ready ([\d.]+) s later")


def gui_program() -> str:
    gui = shutil.which("mms-desktop-gui", path=str(Path(sys.executable).parent))
    assert gui is not None
    return gui


def run_window(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mms-desktop-gui`` in a new process on Qt's offscreen platform, closed once it is ready."""
    gui = gui_program()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_STATE_HOME": str(tmp_path / "state")}
    command = [gui, "--data-dir", str(tmp_path / "home"), "--screenshot", str(tmp_path / "window.png"), *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "window.png").stat().st_size > 10_000
    return result


def test_the_window_opens_at_once_and_gets_ready_in_the_background(tmp_path: Path) -> None:
    result = run_window(tmp_path)
    found = READY.search(result.stdout)
    assert found, (result.stdout, result.stderr[-2000:])
    assert float(found.group(1)) < 10  # the window does not wait for the models
    log = next((tmp_path / "state").rglob("mms-desktop.log")).read_text(encoding="utf-8")
    assert "model code imported" in log and "could not be loaded" not in log


def test_a_file_named_on_the_command_line_is_transcribed_and_printed(tmp_path: Path) -> None:
    """What ``make run`` does: the shipped sample, transcribed by the demonstration pack with no download."""
    result = run_window(tmp_path, str(resources_dir() / "sample.wav"))
    assert result.stdout.splitlines()[0] == "the old man can read a book", result.stdout
    assert READY.search(result.stdout), result.stdout


def test_with_no_display_the_named_file_is_still_transcribed(tmp_path: Path) -> None:
    gui = gui_program()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    sample = str(resources_dir() / "sample.wav")
    command = [gui, "--data-dir", str(tmp_path / "home"), sample]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "the old man can read a book"
    assert "there is no display to open the window on" in result.stderr


def test_a_data_folder_that_is_a_file_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "home").write_text("a file where the data folder should be")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_STATE_HOME": str(tmp_path / "state")}
    command = [gui_program(), "--data-dir", str(tmp_path / "home"), "--screenshot", str(tmp_path / "window.png")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        f"mms-desktop-gui: {tmp_path / 'home'} is a file; name a folder "
        "for models and settings with --data-dir or MMS_DESKTOP_HOME."
    ]
    assert (tmp_path / "home").read_text() == "a file where the data folder should be"
