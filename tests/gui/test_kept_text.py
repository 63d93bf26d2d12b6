"""The window's text survives closing the window and a crash: it comes back, word timings included."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from fakes import espeak
from helpers import choose

from mms_desktop.core.formats import draft


def transcribe(qtbot, window, words: str, tmp_path: Path) -> None:
    import soundfile as sf

    choose(qtbot, window, "spa")
    wav = tmp_path / "speech.wav"
    sf.write(wav, espeak(words, "es", tmp_path), 16000)
    window.transcribe_files([wav])
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Transcribed"), timeout=60000)


def test_the_text_and_its_timings_come_back_when_the_window_opens_again(qtbot, make_window, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    home = tmp_path / "home"
    window = make_window(home)
    transcribe(qtbot, window, "casa pez la viejo pequeño", tmp_path)
    window.view.setFocus()
    qtbot.keyClicks(window.view, " (corrected by hand)")
    text, segments = window.view.toPlainText(), list(window.segments)
    assert "casa" in text and text.endswith("(corrected by hand)") and segments
    window.close()

    again = make_window(home)
    assert again.view.toPlainText() == text and again.segments == segments
    assert again.transcript_language == "spa"
    again.view.setFocus()
    qtbot.keyClick(again.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert again.view.toPlainText() == text, "Undo does not take back the kept text"
    qtbot.keyClicks(again.view, "!")
    assert again.view.toPlainText() == text + "!", "typing goes on at the end of the kept text"

    again.menu_actions["Clear"].trigger()
    again.close()
    assert make_window(home).view.toPlainText() == "", "a window closed empty opens empty"


def test_the_text_survives_a_crash_of_the_window_process(qtbot, make_window, tmp_path: Path) -> None:
    """A real window process transcribes a file, is killed, and the next window has the text."""
    home = tmp_path / "home"
    wav = tmp_path / "speech.wav"
    import soundfile as sf

    sf.write(wav, espeak("casa pez la viejo pequeño", "es", tmp_path), 16000)
    gui = shutil.which("mms-desktop-gui", path=str(Path(sys.executable).parent))
    assert gui is not None
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)}
    process = subprocess.Popen([gui, "--data-dir", str(home), str(wav)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        printed = process.stdout.readline().strip()  # the file's text, once it is in the window
        assert "casa" in printed
        deadline = time.monotonic() + 10
        while (kept := _kept_text(home)) != printed and time.monotonic() < deadline:
            time.sleep(0.1)
        assert kept == printed, "the text reaches the disk within seconds, while the window is open"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    window = make_window(home)  # the dead process's lock is taken over
    assert window.view.toPlainText() == printed
    assert window.segments and window.segments[0].words


def _kept_text(home: Path) -> str | None:
    kept = draft.load(home / "draft.json") if (home / "draft.json").exists() else None
    return kept.text if kept is not None else None


def test_two_windows_at_once_keep_their_own_text(qtbot, make_window, tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = make_window(home)
    transcribe(qtbot, first, "casa pez", tmp_path)
    second = make_window(home)
    assert second.view.toPlainText() == "", "the text of a window still open is not taken"
    second.view.setPlainText("written in the second window")
    first_text = first.view.toPlainText()
    for window in (second, first):
        window.close()  # the second one first finishes loading its models
        qtbot.waitUntil(lambda window=window: not window.isVisible(), timeout=60000)
    assert make_window(home).view.toPlainText() == first_text
    assert make_window(home).view.toPlainText() == "written in the second window"


def test_unreadable_kept_text_and_settings_are_set_aside_and_said(qtbot, make_window, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "draft.json").write_text("{half a file")
    (home / "settings.json").write_text('{"language": "spa", "favourites"')
    window = make_window(home)
    assert window.view.toPlainText() == ""
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    aside = next(home.glob("draft-unreadable-*.json"))
    assert aside.read_text() == "{half a file"
    assert f"could not be read; it was set aside as {aside}." in window.status_text.text()
    settings_aside = next(home.glob("settings-unreadable-*.json"))
    assert settings_aside.read_text() == '{"language": "spa", "favourites"'
    assert (f"The settings file could not be read; it was set aside as {settings_aside}. The default settings are "
            "in use.") in window.status_text.text()  # fmt: skip


def test_closing_asks_when_the_text_cannot_be_kept(qtbot, make_window, tmp_path: Path, monkeypatch) -> None:
    from mms_desktop.gui import main_window

    home = tmp_path / "home"
    window = make_window(home)
    (home / "draft.json").mkdir()  # what stands in the way of the file, as a full or broken disk would
    window.view.setPlainText("words not saved anywhere else")
    asked: list[str] = []
    monkeypatch.setattr(main_window, "close_anyway", lambda parent, lost: asked.append(lost) or False)
    window.close()
    qtbot.waitUntil(lambda: bool(asked), timeout=60000)  # once the work in progress has finished
    assert "File → Save text" in asked[0] and window.isVisible(), "Cancel keeps the window and the text"
    (home / "draft.json").rmdir()  # the disk works again
    window.close()
    assert not window.isVisible() and len(asked) == 1
    assert make_window(home).view.toPlainText() == "words not saved anywhere else"


def test_the_question_before_losing_work_says_what_and_defaults_to_cancel(qtbot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from mms_desktop.gui.keeping import close_anyway

    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[tuple[str, bool]] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.text(), box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)))
        box.button(button).click()

    for button, closes in ((QMessageBox.StandardButton.Cancel, False), (QMessageBox.StandardButton.Close, True)):
        QTimer.singleShot(0, lambda button=button: answer(button))
        assert close_anyway(parent, "S_01.json could not be saved.") is closes
    assert seen == [("S_01.json could not be saved. Close anyway?", True)] * 2


def test_a_setting_of_the_wrong_type_opens_the_window_and_says_so(qtbot, make_window, tmp_path: Path) -> None:
    """A number among the favourites made the window exit with no message at all."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "settings.json").write_text('{"schema_version": 2, "favourites": ["deu", 5], "language": "spa"}')
    window = make_window(home)
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    assert "Settings that could not be used are back to their defaults: Favourite languages." in (
        window.status_text.text()
    )
    assert window.context.settings.favourites == [] and window.context.settings.language == "spa"
