"""Dictation anywhere, driven as the global shortcut drives it, over the real window, models and
dictation controller; the window system's keyboard is the one part stood in for (it records what it is
asked to press and what the clipboard held then). The real X11 keyboard is tested in
tests/e2e/test_dictate_anywhere.py."""

from __future__ import annotations

from pathlib import Path

from helpers import espeak
from PySide6.QtGui import QGuiApplication

from mms_desktop.core.training import character_error_rate
from mms_desktop.desktop.anywhere import DesktopDictation
from mms_desktop.desktop.keys import Chord
from mms_desktop.desktop.overlay import Overlay
from mms_desktop.desktop.typist import Typist


class RecordingKeyboard:
    """What a window system would be asked to do, and what the clipboard held at each paste."""

    name = "recording"

    def prepare(self) -> None:
        self.prepared = True

    def __init__(self) -> None:
        self.pasted: list[str] = []
        self.chords: list[str] = []
        self.erased = 0
        self.fail = False

    def press(self, chord: Chord) -> None:
        if self.fail:
            raise OSError("the display went away")
        self.chords.append(str(chord))
        self.pasted.append(QGuiApplication.clipboard().text())

    def backspace(self, count: int) -> None:
        self.erased += count

    def type_text(self, text: str) -> None:
        self.pasted.append(text)

    def focus_is_ours(self, own_windows: set[int]) -> bool:
        return False


class Shortcut:
    """The hotkey the factory made: the test presses and releases it."""

    made: list[Shortcut] = []

    def __init__(self, chord: Chord, on_press, on_release, taken: bool = False) -> None:  # noqa: ANN001
        self.chord, self.on_press, self.on_release, self.taken = chord, on_press, on_release, taken
        self.listening = False
        Shortcut.made.append(self)

    def start(self) -> None:
        if self.taken:
            raise RuntimeError(f"another program already uses {self.chord}")
        self.listening = True

    def stop(self) -> None:
        self.listening = False


def anywhere(window, keyboard: RecordingKeyboard, taken: bool = False) -> DesktopDictation:  # noqa: ANN001
    window.hide()  # in the tray: another application has the focus
    typist = Typist(keyboard, QGuiApplication.clipboard(), set)
    Shortcut.made.clear()
    factory = lambda chord, press, release: Shortcut(chord, press, release, taken)  # noqa: E731
    desktop = DesktopDictation(window.services, typist, Overlay(), None, factory, parent=window)
    desktop.apply_settings()
    return desktop


def test_push_to_talk_types_each_sentence_and_keeps_it_in_the_window(
    qtbot, make_window, microphone, tmp_path: Path
) -> None:
    window = make_window()
    window.context.settings.language = "spa"
    window.context.settings.shortcut_mode = "push-to-talk"
    window.context.settings.copy_on_stop = "yes"
    keyboard = RecordingKeyboard()
    desktop = anywhere(window, keyboard)
    QGuiApplication.clipboard().setText("mine")
    shortcut = Shortcut.made[-1]
    assert shortcut.listening and str(shortcut.chord) == "Ctrl+Alt+Space"
    shortcut.on_press()
    qtbot.waitUntil(lambda: desktop.overlay.isVisible() and window.dictation.is_running, timeout=30000)
    qtbot.waitUntil(lambda: window.status_text.text() == "Listening…", timeout=60000)
    text = "son gente sol nueve camino"
    microphone.say(espeak(text, "es", tmp_path))
    qtbot.waitUntil(lambda: len(window.segments) == 1, timeout=30000)
    qtbot.waitUntil(lambda: len(keyboard.pasted) == 1, timeout=30000)
    assert keyboard.chords == ["Ctrl+V"]
    typed = keyboard.pasted[0]
    assert typed[0].isupper() and typed.endswith("."), typed
    assert character_error_rate([text], [typed.rstrip(".").lower()]) <= 0.2
    assert window.view.toPlainText() == typed, "the window keeps the history of what was typed"
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "mine", timeout=5000)  # put back after the paste
    shortcut.on_release()
    qtbot.waitUntil(lambda: not window.dictation.is_running and not desktop.overlay.isVisible(), timeout=30000)
    assert QGuiApplication.clipboard().text() == typed, "copy on stop: the whole dictation"
    assert len(list((tmp_path / "home" / "recordings").glob("dictation-*.wav"))) == 1


def test_a_failed_paste_leaves_the_words_on_the_clipboard_and_says_so(
    qtbot, make_window, microphone, tmp_path: Path
) -> None:
    window = make_window()
    window.context.settings.language = "spa"
    window.context.settings.keep_dictation_recordings = "no"
    keyboard = RecordingKeyboard()
    keyboard.fail = True
    desktop = anywhere(window, keyboard)
    notices: list[str] = []
    desktop.notice.connect(notices.append)
    desktop.handle("toggle")
    qtbot.waitUntil(lambda: window.status_text.text() == "Listening…", timeout=60000)
    microphone.say(espeak("son gente sol nueve camino", "es", tmp_path))
    qtbot.waitUntil(lambda: bool(notices), timeout=30000)
    assert "could not be typed (the display went away)" in notices[0] and "on the clipboard" in notices[0]
    assert QGuiApplication.clipboard().text() == window.view.toPlainText() != ""
    desktop.handle("toggle")
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)
    assert not (tmp_path / "home" / "recordings").exists() or not list((tmp_path / "home" / "recordings").glob("*"))


def test_a_shortcut_another_program_holds_is_said_and_a_new_one_is_taken_up(qtbot, make_window) -> None:
    window = make_window()
    notices: list[str] = []
    window.context.settings.shortcut = "Ctrl+Alt+D"
    typist = Typist(RecordingKeyboard(), QGuiApplication.clipboard(), set)

    def factory(chord: Chord, press, release) -> Shortcut:  # noqa: ANN001
        return Shortcut(chord, press, release, taken=str(chord) == "Ctrl+Alt+D")

    desktop = DesktopDictation(window.services, typist, Overlay(), None, factory, parent=window)
    desktop.notice.connect(notices.append)
    desktop.apply_settings()
    assert not desktop.has_shortcut
    assert "Ctrl+Alt+D cannot be used (another program already uses Ctrl+Alt+D)" in notices[-1]
    assert "mms-desktop dictation toggle" in notices[-1]
    window.context.settings.shortcut = "Ctrl+Alt+F8"
    window.services.save_settings()  # as the settings dialog does
    assert desktop.has_shortcut and Shortcut.made[-1].listening and str(Shortcut.made[-1].chord) == "Ctrl+Alt+F8"


def test_closing_the_window_asks_once_whether_to_stay_in_the_tray(
    qtbot, make_window, monkeypatch, tmp_path: Path
) -> None:
    import json

    from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon

    from mms_desktop.desktop.tray import Tray

    class ShownIcon(QSystemTrayIcon):  # a desktop with a tray: the icon is visible there
        def isVisible(self) -> bool:
            return True

    window = make_window()
    tray = Tray()
    tray.icon = ShownIcon(tray.icons["idle"], tray)
    desktop = DesktopDictation(
        window.services, Typist(None, QGuiApplication.clipboard(), set), Overlay(), tray, None, parent=window
    )
    desktop.close_to_tray(window)
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda parent, title, text: asked.append(text) or QMessageBox.StandardButton.Yes
    )
    assert window.context.settings.close_to_tray == "ask"
    window.close()
    assert window.isHidden() and not closed and len(asked) == 1 and "tray" in asked[0]
    saved = tmp_path / "home" / "settings.json"
    qtbot.waitUntil(lambda: json.loads(saved.read_text()).get("close_to_tray") == "yes", timeout=10000)
    window.show()
    window.close()
    assert window.isHidden() and not closed and len(asked) == 1, "asked once"
    tray.toggle.emit()  # the tray's Start dictation works with the window hidden
    qtbot.waitUntil(lambda: window.dictation.is_running, timeout=30000)
    assert tray.state == "listening"
    tray.toggle.emit()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)
    assert tray.state == "idle"
    desktop.quit_program()
    qtbot.waitUntil(lambda: bool(closed), timeout=30000)
