"""Dictation in the main window: the bar's Record button, language and microphone choices drive the shared
dictation controller, and its events become text in the transcript and sentences on the status line.

Signals:
    status(str): a sentence for the status line.
    running(bool): a dictation started or ended.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from mms_desktop.core.audio import RecorderEvent
from mms_desktop.core.base import AUTO, LanguageDetected, PartialResult, SpeechStarted
from mms_desktop.gui.dictation_bar import DictationBar
from mms_desktop.gui.dictation_controller import Written
from mms_desktop.gui.jobs import describe_error
from mms_desktop.gui.readiness import Readiness
from mms_desktop.gui.services import Services
from mms_desktop.gui.transcript_document import TranscriptDocument


class DictationPane(QObject):
    """Connects ``bar`` and ``document`` to the dictation controller of ``services``.

    Args:
        occupied: a sentence while something else keeps the window from dictating (a file transcription),
            else an empty one.
    """

    status = Signal(str)
    running = Signal(bool)

    def __init__(self, services: Services, bar: DictationBar, document: TranscriptDocument, readiness: Readiness,
                 occupied: Callable[[], str], parent: QObject | None = None):  # fmt: skip
        super().__init__(parent)
        self.services, self.bar, self.document, self.readiness = services, bar, document, readiness
        self.dictation = services.dictation
        self._occupied = occupied
        bar.record_toggled.connect(self._record_toggled)
        bar.language_chosen.connect(self._language_chosen)
        bar.microphone_chosen.connect(self._microphone_chosen)
        self.dictation.status.connect(self.status)
        self.dictation.happened.connect(self._event)
        self.dictation.written.connect(self._written)
        self.dictation.level.connect(bar.meter.set_level)
        self.dictation.running.connect(self._running)
        self.dictation.ended.connect(self._ended)

    @Slot(bool)
    def _record_toggled(self, on: bool) -> None:
        if on and not self.dictation.is_running:
            if reason := self._occupied():
                self.bar.set_recording(False)
                self.status.emit(reason)
                return
            self.dictation.start(dataclasses.replace(self.services.context.settings), self.bar.language)
        elif not on:
            self.dictation.stop()

    @Slot(str)
    def _language_chosen(self, language: str) -> None:
        self.bar.show_detected("", 0.0)  # a detection shown so far is no longer what is used
        self.services.context.settings.language = language
        self.services.save_settings()
        if language == AUTO and not self.dictation.is_running:
            self.readiness.load_identifier()  # ready by the time Record is pressed
        if self.dictation.is_running:
            try:
                self.dictation.choose_language(language)
                self.status.emit("The new language applies from the next sentence.")
            except Exception as exc:
                self.status.emit(describe_error(exc))

    @Slot(str)
    def _microphone_chosen(self, name: str) -> None:
        self.services.context.settings.input_device = name
        self.services.save_settings()

    @Slot(object)
    def _event(self, event: object) -> None:
        behind = self.dictation.behind
        if isinstance(event, PartialResult):
            self.document.view.show_partial(event.committed, event.tentative)
            self.status.emit(behind or "Transcribing…")
        elif isinstance(event, SpeechStarted):
            self.status.emit(behind or ("Detecting the language…" if self.bar.language == AUTO else "Transcribing…"))
        elif isinstance(event, LanguageDetected):
            self.bar.show_detected(event.code, event.probability)
        elif isinstance(event, RecorderEvent) and event.kind != "finished":
            self.status.emit(event.message)  # low disk, a stop forced by a full disk, a write error

    @Slot(object)
    def _written(self, written: Written) -> None:
        """A final utterance: in the window as written (capitals, marks, commands), with its word timings."""
        final = written.final
        if written.edit.scratched:
            self.document.remove_last()
        self.document.add_final(dataclasses.replace(final.segment, text=written.utterance), final.language)
        self.status.emit(self.dictation.behind or "Listening…")

    @Slot(bool)
    def _running(self, running: bool) -> None:
        if running:  # started here or from anywhere else (the global shortcut, the tray)
            self.bar.show_detected("", 0.0)
            self.document.start_dictation()
        self.bar.set_recording(running)
        self.running.emit(running)

    @Slot(object)
    def _ended(self, result: Any) -> None:
        self.bar.show_detected("", 0.0)
        if isinstance(result, BaseException):
            self.status.emit(describe_error(result))
            return
        saved = f" The recording was saved to {result.recording}." if result.recording else ""
        if result.recording and self.document.segments:
            self.services.places.text_from(Path(result.recording))
        message = "Stopped." if result.reason == "stopped" else result.message
        if result.error is not None:
            message = describe_error(result.error)
        self.status.emit(f"{message}{saved}".strip())
