"""Dictation into whatever application is in front: the global shortcut, the tray and the command line
start and stop it; the overlay shows the words in progress; each final sentence, written (capitals, marks,
spoken commands), is typed where the cursor is. The same dictation goes on in the main window's history
and into the recordings folder, so a paste that fails loses nothing.

Signals:
    notice(str): a sentence for the user (a shortcut that cannot be used, words left on the clipboard).

Threads: GUI thread; the hotkey's callbacks arrive from its own thread through queued signals.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from mms_desktop.core.base import AUTO, LanguageDetected, PartialResult, display_name
from mms_desktop.desktop.keys import Hotkey, HotkeyFactory, parse_shortcut
from mms_desktop.desktop.overlay import Overlay
from mms_desktop.desktop.tray import Tray
from mms_desktop.desktop.typist import Typist
from mms_desktop.gui.dictation_controller import Written
from mms_desktop.gui.services import Services
from mms_desktop.gui.survey import Installed

log = logging.getLogger(__name__)

KEEP_IN_TRAY = (
    "Keep MMS Desktop in the tray when its window is closed? Dictation with the shortcut then goes on "
    "working; Quit in the tray's menu ends the program. (You can change this in Settings, Dictation.)"
)


class _Relay(QObject):
    """Carries the hotkey's presses from its thread to the GUI thread."""

    pressed = Signal()
    released = Signal()


class DesktopDictation(QObject):
    """Dictation anywhere, over the application's shared dictation controller; :meth:`apply_settings`
    takes up the shortcut (once whoever hears the notices is connected).

    Args:
        hotkey_factory: listens for a chord anywhere (the window system's), or None where there is none.
        tray: the tray icon, or None where the desktop has none.
    """

    notice = Signal(str)

    def __init__(
        self,
        services: Services,
        typist: Typist,
        overlay: Overlay,
        tray: Tray | None,
        hotkey_factory: HotkeyFactory | None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.services, self.typist, self.overlay, self.tray = services, typist, overlay, tray
        self.dictation = services.dictation
        self._hotkey_factory = hotkey_factory
        self._hotkey: Hotkey | None = None
        self._chord = ""
        self.anywhere = False  # the dictation in progress types into other applications
        self.quitting = False
        self._window: QWidget | None = None
        self._relay = _Relay(self)
        self._relay.pressed.connect(self._pressed)
        self._relay.released.connect(self._released)
        self.dictation.happened.connect(self._event)
        self.dictation.written.connect(self._written)
        self.dictation.level.connect(overlay.meter.set_level)
        self.dictation.running.connect(self._running)
        self.dictation.ended.connect(self._ended)
        self.dictation.status.connect(self._status)
        typist.failed.connect(self.notice)
        self.notice.connect(self._say)
        services.settings_changed.connect(self.apply_settings)
        if tray is not None:
            tray.toggle.connect(self.toggle)
            tray.language_chosen.connect(self.choose_language)
            self.notice.connect(tray.notify)

    @property
    def settings(self) -> Any:
        return self.services.context.settings

    def apply_settings(self) -> None:
        """Take up the settings as they are now (a new shortcut is grabbed, the old one let go)."""
        self.typist.configure(self.settings.paste_key, self.settings.paste_restore_s)
        if self.settings.shortcut == self._chord or self._hotkey_factory is None:
            return
        if self._hotkey is not None:
            self._hotkey.stop()
            self._hotkey = None
        self._chord = self.settings.shortcut
        try:
            chord = parse_shortcut(self._chord)
            self._hotkey = self._hotkey_factory(chord, self._relay.pressed.emit, self._relay.released.emit)
            self._hotkey.start()
        except Exception as exc:  # another program holds it, or the window system refuses
            self._hotkey = None
            log.warning("the dictation shortcut %s cannot be used: %s", self._chord, exc)
            self.notice.emit(
                f"The dictation shortcut {self._chord} cannot be used ({exc}); choose another in "
                "Settings, or bind `mms-desktop dictation toggle` in your desktop's keyboard "
                "settings."
            )

    @Slot(str)
    def _say(self, text: str) -> None:
        """A notice is shown in the tray's notification (where there is a tray), and on the overlay while a
        dictation shows it."""
        log.info("%s", text)
        if self.overlay.isVisible():
            self.overlay.show_status(text)

    @property
    def has_shortcut(self) -> bool:
        return self._hotkey is not None

    def handle(self, command: str) -> None:
        """A command from the command line or a second start: toggle, start, stop (``show`` is the app's)."""
        {"toggle": self.toggle, "start": self.start, "stop": self.stop}.get(command, lambda: None)()

    @Slot()
    def toggle(self) -> None:
        if self.dictation.is_running:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        """Dictate into the application in front, in the language chosen last (or detected)."""
        if self.dictation.is_running:
            return
        self.anywhere = True
        self.typist.prepare()
        language = self.settings.language
        self.overlay.show_language("" if language == AUTO else language)  # what detection finds, shown once found
        self.overlay.show_status("Opening the microphone…")
        self.overlay.show_near_pointer()
        self.dictation.start(dataclasses.replace(self.settings), self.settings.language)

    def stop(self) -> None:
        if self.dictation.is_running:
            self.dictation.stop()
            if self.tray is not None:
                self.tray.set_state("working")

    @Slot()
    def _pressed(self) -> None:
        if self.settings.shortcut_mode == "push-to-talk":
            self.start()
        else:
            self.toggle()

    @Slot()
    def _released(self) -> None:
        if self.settings.shortcut_mode == "push-to-talk":
            self.stop()

    @Slot(str)
    def choose_language(self, language: str) -> None:
        self.settings.language = language
        self.services.save_settings()
        if self.dictation.is_running:
            try:
                self.dictation.choose_language(language)
            except Exception as exc:
                self.notice.emit(str(exc))

    @Slot(object)
    def show_languages(self, found: Installed) -> None:
        """The tray's language menu from what the window's survey found installed (favourites first)."""
        if self.tray is None:
            return
        favourites = [code for code in self.settings.favourites if code in found.languages]
        rest = sorted((code for code in found.languages if code not in favourites), key=display_name)
        named = [(code, f"★ {display_name(code)} ({code})") for code in favourites]
        named += [(code, f"{display_name(code)} ({code})") for code in rest]
        self.tray.set_languages(named, self.settings.language)

    @Slot(object)
    def _event(self, event: object) -> None:
        if not self.anywhere:
            return
        if isinstance(event, PartialResult):
            self.overlay.show_words(event.committed, event.tentative)
        elif isinstance(event, LanguageDetected):
            self.overlay.show_language(event.code)

    @Slot(str)
    def _status(self, text: str) -> None:
        if self.anywhere:
            self.overlay.show_status(self.dictation.behind or text)

    @Slot(object)
    def _written(self, written: Written) -> None:
        if self.anywhere:
            self.overlay.show_words(written.utterance, "")
            self.typist.apply(written.edit)

    @Slot(bool)
    def _running(self, running: bool) -> None:
        if self.tray is not None:
            self.tray.set_state("listening" if running else "idle")
        if not running:
            self.anywhere = False
            self.overlay.hide()

    @Slot(object)
    def _ended(self, result: object) -> None:
        if not self.anywhere:
            return
        if isinstance(result, BaseException):
            from mms_desktop.gui.jobs import describe_error

            self.notice.emit(describe_error(result))
        elif getattr(result, "error", None) is not None or getattr(result, "reason", "stopped") != "stopped":
            self.notice.emit(result.message)  # type: ignore[attr-defined]
        if self.settings.copy_on_stop == "yes" and self.dictation.text.text:
            whole = QMimeData()
            whole.setText(self.dictation.text.text)
            self.typist.put_on_clipboard_after_paste(whole)

    def close_to_tray(self, window: QWidget) -> None:
        """Closing ``window`` hides it in the tray instead, where the settings say so (asked once)."""
        window.installEventFilter(self)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Close or self.quitting or self.tray is None or not self.tray.icon.isVisible():
            return False
        choice = self.settings.close_to_tray
        if choice == "ask":
            answer = QMessageBox.question(self._window, "MMS Desktop", KEEP_IN_TRAY)
            choice = "yes" if answer == QMessageBox.StandardButton.Yes else "no"
            self.settings.close_to_tray = choice
            self.services.save_settings()
        if choice != "yes":
            return False
        watched.hide()  # type: ignore[attr-defined]
        event.ignore()
        return True

    def quit_program(self) -> None:
        """End the program: the window finishes its work (a dictation is saved), then says it closed."""
        self.quitting = True
        if self._window is not None:
            self._window.close()

    def shutdown(self) -> None:
        """Let go of the shortcut and give the user's clipboard back."""
        if self._hotkey is not None:
            self._hotkey.stop()
            self._hotkey = None
        self.typist.restore_clipboard()
