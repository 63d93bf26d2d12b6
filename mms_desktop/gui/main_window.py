"""The main window: composes the dictation bar, the transcript, the menus and the status line."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mms_desktop.context import Context
from mms_desktop.core.audio import Player, RecorderEvent
from mms_desktop.core.base import (
    AUTO,
    FinalResult,
    LanguageDetected,
    PartialResult,
    Segment,
    SpeechStarted,
    Transcript,
    UserError,
)
from mms_desktop.core.engine import ModelHost
from mms_desktop.core.formats import Draft
from mms_desktop.gui.dictation_bar import DictationBar
from mms_desktop.gui.dictation_controller import DictationController
from mms_desktop.gui.jobs import JobRunner, describe_error
from mms_desktop.gui.keeping import DraftKeeper, close_anyway
from mms_desktop.gui.places import Places
from mms_desktop.gui.read_aloud import ReadAloud
from mms_desktop.gui.tasks import Tasks
from mms_desktop.gui.transcript_view import TranscriptView

AUDIO_FILES = "Audio (*.wav *.flac *.ogg *.mp3 *.WAV *.FLAC *.OGG *.MP3)"
NOT_KEPT = (
    "The text could not be kept on the disk for the next time the window opens; File → Save text saves it elsewhere."
)


class MainWindow(QMainWindow):
    """Dictation, file transcription, export and read-aloud over one :class:`ModelHost`.

    Args:
        context: paths, settings and the language store.
        dictation: starts and stops dictations.
        player: plays read-aloud speech.
        hub_endpoint: the hub the language manager installs from (None: the default hub).
    """

    def __init__(self, context: Context, host: ModelHost, dictation: DictationController, player: Player,
                 hub_endpoint: str | None = None):  # fmt: skip
        super().__init__()
        self.context = context
        self.host = host
        self.hub_endpoint = hub_endpoint
        self.setWindowTitle("MMS Desktop")
        self.resize(980, 640)
        self.setAcceptDrops(True)
        self.jobs = JobRunner(self)
        self.dictation = dictation
        self.dictation.setParent(self)
        self.reader = ReadAloud(host, self.jobs, player, self)
        self.places = Places()  # where file dialogs start, and what they offer to save as
        self.tasks = Tasks(self)
        self.bar = DictationBar()
        self.view = TranscriptView()
        self.status_text = QLabel("Starting…")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.setToolTip("Stop transcribing the file (Esc)")
        self.banner = self._make_banner()
        self.segments: list[Segment] = []
        self._cleared: tuple[str, list[Segment]] | None = None  # what Clear removed, until Undo restores it
        self.voices: set[str] = set()  # languages with a voice installed, as last surveyed
        self.transcript_language = ""
        self._offset = 0.0
        self._closing = False
        self.notice = context.notice  # said with "Ready" once the models are loaded
        self._compose()
        self.draft = DraftKeeper(context.paths.data, self._draft_snapshot, self)
        self._restore_draft()
        self._connect()
        self.tasks.refresh_languages()
        self.tasks.list_microphones()

    # -- composition -----------------------------------------------------------------------------

    def _make_banner(self) -> QFrame:
        banner = QFrame()
        banner.setVisible(False)
        banner.setStyleSheet("QFrame { background: #fff4e5; border: 1px solid #f0c36d; border-radius: 6px; }")
        row = QHBoxLayout(banner)
        self.banner_text = QLabel(wordWrap=True)
        button = QPushButton("Open the language manager")
        button.clicked.connect(self.tasks.open_language_manager)
        row.addWidget(self.banner_text, 1)
        row.addWidget(button)
        return banner

    def _compose(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)
        status = self.statusBar()
        status.addWidget(self.status_text, 1)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        self.menu_actions: dict[str, QAction] = {}
        menus: dict[str, list[tuple[str, str, Callable[[], object]] | None]] = {
            "&File": [("Open audio file…", "Ctrl+O", self.open_audio), ("Save text…", "Ctrl+S", self.save_text),
                      ("Export transcript…", "Ctrl+E", self.export_transcript), None, ("Quit", "Ctrl+Q", self.close)],
            "&Edit": [("Undo", "Ctrl+Z", self.view.undo), ("Redo", "Ctrl+Shift+Z", self.view.redo), None,
                      ("Copy all", "Ctrl+Shift+C", self.copy_all), ("Clear", "Ctrl+L", self.clear_text)],
            "&Dictation": [("Record", "Ctrl+R", self.toggle_recording)],
            "&Speech": [("Read aloud", "F5", self.read_aloud), ("Stop reading", "Esc", self.stop),
                        ("Save speech…", "Ctrl+Shift+S", self.tasks.save_speech)],
            "&Tools": [("Languages…", "Ctrl+Shift+L", self.tasks.open_language_manager),
                       ("Field sessions…", "Ctrl+Shift+F", self.tasks.open_sessions),
                       ("Teach a new language…", "Ctrl+Shift+T", self.tasks.open_training),
                       ("Settings…", "Ctrl+,", self.tasks.open_settings)],
            "&Help": [("Open recordings folder", "", lambda: self.tasks.open_folder("Recordings")),
                      ("Open log folder", "", lambda: self.tasks.open_folder("Log")), None,
                      ("About MMS Desktop", "F1", self.tasks.open_about)],
        }  # fmt: skip
        for title, entries in menus.items():
            menu = self.menuBar().addMenu(title)
            for entry in entries:
                if entry is None:
                    menu.addSeparator()
                    continue
                text, keys, slot = entry
                action = QAction(text, self, shortcut=QKeySequence(keys))
                action.triggered.connect(slot)
                menu.addAction(action)
                self.menu_actions[text] = action

    def _connect(self) -> None:
        self.bar.record_toggled.connect(self._record_toggled)
        self.bar.language_chosen.connect(self._language_chosen)
        self.bar.microphone_chosen.connect(self._microphone_chosen)
        self.dictation.status.connect(self.show_status)
        self.dictation.happened.connect(self._dictation_event)
        self.dictation.level.connect(self.bar.meter.set_level)
        self.dictation.running.connect(self._dictation_running)
        self.dictation.ended.connect(self._dictation_ended)
        self.reader.status.connect(self.show_status)
        self.cancel_button.clicked.connect(self.tasks.cancel)
        self.jobs.idle.connect(self._maybe_close)
        self.view.textChanged.connect(self.draft.changed)
        self.view.textChanged.connect(self._restore_cleared)

    # -- status ----------------------------------------------------------------------------------

    @Slot(str)
    def show_status(self, text: str) -> None:
        self.status_text.setText(text)

    def show_busy(self, busy: bool, determinate: bool = False) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setRange(0, 1000 if determinate else 0)

    @Slot()
    def stop(self) -> None:
        """Esc: stop reading aloud; when nothing is being read, cancel the file transcription in progress."""
        if self.tasks.transcribing and not self.reader.busy:
            self.tasks.cancel()
        else:
            self.reader.stop()

    def show_first_run(self, message: str) -> None:
        """Say what is missing and offer the language manager (empty message: hide the banner)."""
        self.banner_text.setText(message)
        self.banner.setVisible(bool(message))
        self.bar.record_button.setEnabled(not message)

    # -- dictation -------------------------------------------------------------------------------

    @Slot()
    def toggle_recording(self) -> None:
        self.bar.record_button.toggle()

    @Slot(bool)
    def _record_toggled(self, on: bool) -> None:
        if on and not self.dictation.is_running:
            if self.tasks.transcribing:
                self.bar.set_recording(False)
                self.show_status("Wait for the file transcription to finish, or cancel it, before dictating.")
                return
            self.bar.show_detected("", 0.0)
            # a new dictation's times start at zero: they follow what is already in the transcript
            self._offset = self.segments[-1].end if self.segments else 0.0
            self.dictation.start(dataclasses.replace(self.context.settings), self.bar.language)
        elif not on:
            self.dictation.stop()

    @Slot(str)
    def _language_chosen(self, language: str) -> None:
        self.bar.show_detected("", 0.0)  # a detection shown so far is no longer what is used
        self.context.settings.language = language
        self.tasks.save_settings()
        if language == AUTO and not self.dictation.is_running:
            self.tasks.load_identifier()  # ready by the time Record is pressed
        if self.dictation.is_running:
            try:
                self.dictation.choose_language(language)
                self.show_status("The new language applies from the next sentence.")
            except Exception as exc:
                self.show_status(describe_error(exc))

    @Slot(str)
    def _microphone_chosen(self, name: str) -> None:
        self.context.settings.input_device = name
        self.tasks.save_settings()

    @Slot(object)
    def _dictation_event(self, event: object) -> None:
        if isinstance(event, PartialResult):
            self.view.show_partial(event.committed, event.tentative)
            self.show_status(self.dictation.behind or "Transcribing…")
        elif isinstance(event, FinalResult):
            self.view.add_final(event.segment.text)
            self.segments.append(event.segment.shifted(self._offset))
            self.transcript_language = event.language
            self.show_status(self.dictation.behind or "Listening…")
        elif isinstance(event, SpeechStarted):
            self.show_status(
                self.dictation.behind or ("Detecting the language…" if self.bar.language == AUTO else "Transcribing…")
            )
        elif isinstance(event, LanguageDetected):
            self.bar.show_detected(event.code, event.probability)
        elif isinstance(event, RecorderEvent) and event.kind != "finished":
            self.show_status(event.message)  # low disk, a stop forced by a full disk, a write error

    @Slot(bool)
    def _dictation_running(self, running: bool) -> None:
        self.bar.set_recording(running)
        self.menu_actions["Open audio file…"].setEnabled(not running)
        if not running:
            self._maybe_close()

    @Slot(object)
    def _dictation_ended(self, result: Any) -> None:
        self.bar.show_detected("", 0.0)
        if isinstance(result, BaseException):
            self.show_status(describe_error(result))
            return
        saved = f" The recording was saved to {result.recording}." if result.recording else ""
        if result.recording and self.segments:
            self.places.text_from(Path(result.recording))
        message = "Stopped." if result.reason == "stopped" else result.message
        if result.error is not None:
            message = describe_error(result.error)
        self.show_status(f"{message}{saved}".strip())

    # -- text and files --------------------------------------------------------------------------

    @Slot()
    def copy_all(self) -> None:
        QApplication.clipboard().setText(self.view.toPlainText())
        self.show_status("Copied the text.")

    @Slot()
    def clear_text(self) -> None:
        text = self.view.toPlainText()
        self._cleared = (text, list(self.segments)) if text else None
        self.segments.clear()
        self.view.clear_all()
        self.places.cleared()
        self.bar.show_detected("", 0.0)
        self.show_status("Cleared; Undo (Ctrl+Z) brings the text back.")

    @Slot()
    def _restore_cleared(self) -> None:
        """Word timings (for export) follow the text when Undo brings back what Clear removed, and Redo
        removes it again."""
        if self._cleared is None:
            return
        text, segments = self._cleared
        length = self.view.document().characterCount() - 1  # so that the text is copied only when it can match
        if length == len(text) and not self.segments and self.view.toPlainText() == text:
            self.segments.extend(segments)
        elif length == 0 and self.segments == segments:
            self.segments.clear()

    def _restore_draft(self) -> None:
        """Bring back the text (and its word timings) this window had when it was last closed."""
        try:
            kept = self.draft.restore()
        except UserError as exc:
            self.notice = " ".join(filter(None, [self.notice, describe_error(exc)]))
            self.show_status(self.notice)
            return
        if kept is not None:
            self.view.restore(kept.text)
            self.segments.extend(kept.transcript.segments)
            self.transcript_language = kept.transcript.language

    def _draft_snapshot(self) -> Draft:
        return Draft(self.view.toPlainText(), self.current_transcript())

    def current_transcript(self) -> Transcript:
        end = self.segments[-1].end if self.segments else 0.0
        return Transcript(self.transcript_language, end, tuple(self.segments))

    @Slot()
    def open_audio(self) -> None:
        self.tasks.transcribe_files(self.places.open_files(self, "Transcribe audio files",
                                                           f"{AUDIO_FILES};;All files (*)"))  # fmt: skip

    @Slot()
    def save_text(self) -> None:
        path, _ = self.places.save_file(self, "Save the text", self.places.suggestion(".txt"), "Text (*.txt)")
        if path:
            self.tasks.write_text(path, self.view.toPlainText())

    @Slot()
    def export_transcript(self) -> None:
        path, fmt = self.places.export_file(self, "Export the transcript", self.places.suggestion(".srt"))
        if path:
            self.tasks.export(path, fmt)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.tasks.transcribe_files(files)

    # -- speech ----------------------------------------------------------------------------------

    def speech_text_and_language(self) -> tuple[str, str] | None:
        """The selected text (else all of it) and its language; None, said, when the language is not known."""
        selected = self.view.textCursor().selectedText().replace("\u2029", "\n")
        language = self.transcript_language or self.bar.language
        if language == AUTO:
            self.show_status("Choose the language of the text first, so that the right voice reads it.")
            return None
        return selected or self.view.toPlainText(), language

    @Slot()
    def read_aloud(self) -> None:
        if speech := self.speech_text_and_language():
            self.reader.speak(*speech)

    # -- work in progress ----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a dictation (here or in the sessions window) or a job is still running."""
        sessions = self.tasks.sessions
        return bool(self.dictation.is_running or self.jobs.running or (sessions and sessions.dictation.is_running))

    # -- closing ---------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing while busy stops the dictation (saving it) and cancels jobs; the window goes after."""
        if self.busy:
            self._closing = True
            self.show_status("Finishing the work in progress before closing…")
            self.dictation.stop()
            if self.tasks.sessions is not None:
                self.tasks.sessions.dictation.stop()
                self.tasks.sessions.dictation.running.connect(self._maybe_close)
            self.jobs.cancel_all()
            event.ignore()
            return
        sessions = self.tasks.sessions
        if sessions is not None and sessions.isVisible() and not sessions.close():
            event.ignore()  # the linguist chose to keep the sessions window (and what it could not save)
            return
        if not self.draft.flush() and not close_anyway(self, NOT_KEPT):
            event.ignore()
            return
        self.draft.release()
        self.reader.stop()
        super().closeEvent(event)

    @Slot()
    def _maybe_close(self) -> None:
        if self._closing and not self.busy:
            self._closing = False
            self.close()
