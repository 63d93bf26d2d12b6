"""The main window, driven as a user would: record and speak, switch language, open files, export."""

from __future__ import annotations

from pathlib import Path

from fakes import espeak


def test_starts_ready_with_the_bundled_model(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    codes = [window.bar.language_box.itemData(i) for i in range(window.bar.language_box.count())]
    assert codes[0] == "auto" and {"eng", "deu", "spa", "fra"} <= set(codes)
    assert not window.banner.isVisible() and window.bar.record_button.isEnabled()


def test_dictation_shows_the_spoken_words_live(qtbot, make_window, microphone, tmp_path: Path) -> None:
    from mms_desktop.core.training import character_error_rate
    from mms_desktop.demo.corpus import sentences

    window = make_window()
    box = window.bar.language_box
    qtbot.waitUntil(lambda: box.findData("spa") >= 0, timeout=60000)
    box.setCurrentIndex(box.findData("spa"))
    box.activated.emit(box.currentIndex())
    text = sentences("spa", 40, 1000)[1]  # held out from the demonstration model's training
    speech = espeak(text, "es", tmp_path)
    qtbot.mouseClick(window.bar.record_button, qtbot_button())
    qtbot.waitUntil(lambda: window.status_text.text() == "Listening…", timeout=60000)
    microphone.say(speech)
    qtbot.waitUntil(lambda: bool(window.view.tentative_ranges()), timeout=30000)  # the live tail, greyed
    qtbot.waitUntil(lambda: len(window.segments) == 1, timeout=30000)
    assert character_error_rate([text], [window.view.toPlainText().strip()]) <= 0.2
    assert window.view.tentative_ranges() == []
    qtbot.mouseClick(window.bar.record_button, qtbot_button())
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)
    assert "recording was saved" in window.status_text.text()
    recordings = list((tmp_path / "home" / "recordings").glob("dictation-*.wav"))
    assert len(recordings) == 1 and recordings[0].stat().st_size > len(speech) * 2


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
