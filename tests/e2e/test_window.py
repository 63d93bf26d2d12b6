"""The real application under Xvfb with speech played into a PulseAudio virtual microphone."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pulse import available

pytestmark = pytest.mark.skipif(not (available() and shutil.which("Xvfb")), reason="Xvfb or PulseAudio missing")


def test_the_window_shows_words_spoken_into_the_microphone_and_its_dialogs(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from mms_desktop.core.training import character_error_rate

    script = Path(__file__).parent / "screenshots.py"
    result = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True,
                            timeout=400)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["live_partial_seen"], "live text appeared while the speech was still playing"
    spoken = "son gente sol nueve camino pez viejo pequeño seis gente uno azul pero voz hombre ojo andar"
    assert character_error_rate([spoken], [plain(summary["text"])]) <= 0.2, summary["text"]
    typed = "son gente sol nueve camino " + spoken  # a short sentence first, then the same speech
    assert character_error_rate([typed], [plain(summary["typed"])]) <= 0.2, "typed into the other application"
    assert summary["typed"][0].isupper() and summary["typed"].endswith("."), summary["typed"]
    assert "recording was saved" in summary["status"]
    for name in (
        "1-idle",
        "2-dictating",
        "3-language-manager",
        "4-settings",
        "5-field-sessions",
        "6-teach-a-language",
        "7-dictate-anywhere",
        "8-tray-menu",
    ):
        image = QImage(str(tmp_path / f"{name}.png"))
        window_sized = name[0] < "7"  # the last two are the overlay and the tray's menu
        assert image.width() >= (900 if window_sized else 150) and image.height() >= (600 if window_sized else 80), name
        from PySide6.QtGui import qGray

        pixels = [image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)]
        dark = sum(qGray(p) < 100 for p in pixels) / len(pixels)
        assert len(set(pixels)) > 10 and dark > 0.002, f"{name} is blank (text covers {dark:.2%})"


def plain(text: str) -> str:
    """Dictated text as the recognizer gave it: without the capitals and marks of its written form."""
    return " ".join(text.lower().replace(".", " ").split())


def test_each_run_gets_an_x_server_of_its_own(tmp_path: Path) -> None:
    """Even with a display number already taken (as a guessed number could be by another X server), each
    Xvfb the tests start is a new one on a number nobody else holds."""
    sys.path.insert(0, str(Path(__file__).parent))
    from screenshots import start_xvfb

    first, first_display = start_xvfb()
    second, second_display = start_xvfb()
    try:
        assert first_display != second_display
        for server, display in ((first, first_display), (second, second_display)):
            assert server.poll() is None and Path(f"/tmp/.X11-unix/X{display[1:]}").exists()
    finally:
        for server in (first, second):
            server.terminate()
            server.wait(10)
