"""The main window: composes the dictation bar, the transcript, the menus and the status line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mms_desktop.core.base import AUTO, Segment, Transcript, UserError
from mms_desktop.gui.dictation_bar import DictationBar
from mms_desktop.gui.dictation_pane import DictationPane
from mms_desktop.gui.file_work import FileWork
from mms_desktop.gui.jobs import describe_error
from mms_desktop.gui.keeping import DraftKeeper, close_anyway, keep_lines
from mms_desktop.gui.notices import DEMO, Notice
from mms_desktop.gui.read_aloud import ReadAloud
from mms_desktop.gui.readiness import LOADING, Readiness
from mms_desktop.gui.services import Services
from mms_desktop.gui.survey import Installed
from mms_desktop.gui.tool_windows import ToolWindows
from mms_desktop.gui.transcript_document import TranscriptDocument
from mms_desktop.gui.transcript_view import TranscriptView

AUDIO_FILES = "Audio (*.wav *.flac *.ogg *.mp3 *.WAV *.FLAC *.OGG *.MP3)"
NOT_KEPT = (
    "The text could not be kept on the disk for the next time the window opens; File → Save text saves it elsewhere."
)


class MainWindow(QMainWindow):
    """Dictation, file transcription, export and read-aloud over the windows' shared :class:`Services`
    (which the application owns: the dictation controller among them)."""

    closed = Signal()  # the window really closed (not hidden in the tray): the program ends

    def __init__(self, services: Services):
        super().__init__()
        self.services = services
        self.context, self.host, self.jobs = services.context, services.host, services.jobs
        self.dictation, self.places = services.dictation, services.places
        self.setWindowTitle("MMS Desktop")
        self.resize(980, 640)
        self.setAcceptDrops(True)
        self.reader = ReadAloud(self.host, self.jobs, services.player, self)
        self.files = FileWork(services, self)
        self.readiness = Readiness(services, self)
        self.tools = ToolWindows(services, self)
        self.bar = DictationBar()
        self.view = TranscriptView()
        self.document = TranscriptDocument(self.view, self)
        self.pane = DictationPane(services, self.bar, self.document, self.readiness, self._occupied, self)
        self.status_text = QLabel("Starting…")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.setToolTip("Stop transcribing the file (Esc)")
        self.banner = Notice(self.tools.open_language_manager)  # what is missing
        self.banner_text = self.banner.text
        self.demo_notice = Notice(self.tools.open_language_manager, dismissible=True)  # the demo runs
        self.voices: set[str] = set()  # languages with a voice installed, as last surveyed
        self._demo: tuple[str, ...] = ()  # the models of the settings that the demonstration stands in for
        self._pending: Path | None = None  # a file named on the command line, opened once the models are known
        self._closing = False
        self.notice = self.context.notice  # said with "Ready" once the models are loaded
        self._compose()
        self.draft = DraftKeeper(self.context.paths.data, self.document.snapshot, self)
        self._restore_draft()
        self._connect()
        self.readiness.refresh()
        self.readiness.list_microphones()

    @property
    def segments(self) -> list[Segment]:
        return self.document.segments

    @property
    def transcript_language(self) -> str:
        return self.document.language

    # -- composition -----------------------------------------------------------------------------

    def _compose(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.demo_notice)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)
        status = self.statusBar()
        status.addWidget(self.status_text, 1)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        self.menu_actions: dict[str, QAction] = {}
        menus: dict[str, list[tuple[str, str, Callable[[], object]] | None]] = {
            "&File": [("Open audio file…", "Ctrl+O", self.open_audio),
                      ("Transcribe a folder…", "Ctrl+Shift+O", lambda: self.tools.transcribe_folder(self.bar.language)),
                      ("Save text…", "Ctrl+S", self.save_text),
                      ("Export transcript…", "Ctrl+E", self.export_transcript), None, ("Quit", "Ctrl+Q", self.close)],
            "&Edit": [("Undo", "Ctrl+Z", self.view.undo), ("Redo", "Ctrl+Shift+Z", self.view.redo), None,
                      ("Copy all", "Ctrl+Shift+C", self.copy_all), ("Clear", "Ctrl+L", self.clear_text)],
            "&Dictation": [("Record", "Ctrl+R", self.toggle_recording)],
            "&Speech": [("Read aloud", "F5", self.read_aloud), ("Stop reading", "Esc", self.stop),
                        ("Save speech…", "Ctrl+Shift+S", self.save_speech)],
            "&Tools": [("Languages…", "Ctrl+Shift+L", self.tools.open_language_manager),
                       ("Field sessions…", "Ctrl+Shift+F", self.tools.open_sessions),
                       ("Teach a new language…", "Ctrl+Shift+T", self.tools.open_training),
                       ("Settings…", "Ctrl+,", self.open_settings)],
            "&Help": [("Open recordings folder", "", lambda: self.tools.open_folder("Recordings")),
                      ("Open log folder", "", lambda: self.tools.open_folder("Log")), None,
                      ("About MMS Desktop", "F1", self.tools.open_about)],
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
        self.pane.running.connect(self._dictation_running)
        for source in (self.reader, self.files, self.readiness, self.tools, self.pane):
            source.status.connect(self.show_status)
        self.services.settings_unsaved.connect(self.show_status)
        self.services.store_changed.connect(self.readiness.refresh)
        self.readiness.surveyed.connect(self._surveyed)
        self.readiness.preloaded.connect(self._preloaded)
        self.readiness.microphones.connect(
            lambda names: self.bar.set_microphones(names, self.context.settings.input_device)
        )
        self.files.busy.connect(self.show_busy)
        self.files.progress.connect(self.progress.setValue)
        self.files.transcribed.connect(self._file_transcribed)
        self.files.partial.connect(self.document.show_partial)
        self.files.cancelled.connect(self._file_cancelled)
        self.tools.settings_chosen.connect(self._settings_chosen)
        self.cancel_button.clicked.connect(self.files.cancel)
        self.jobs.idle.connect(self._maybe_close)
        self.view.textChanged.connect(self.draft.changed)

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
        if self.files.transcribing and not self.reader.busy:
            self.files.cancel()
        else:
            self.reader.stop()

    def show_first_run(self, message: str) -> None:
        """Say what is missing and offer the language manager (empty message: hide the banner)."""
        self.banner.say(message)
        self.bar.record_button.setEnabled(not message)

    # -- dictation -------------------------------------------------------------------------------

    @Slot()
    def toggle_recording(self) -> None:
        self.bar.record_button.toggle()

    @Slot(bool)
    def _dictation_running(self, running: bool) -> None:
        self.menu_actions["Open audio file…"].setEnabled(not running)
        if not running:
            self._maybe_close()

    # -- text and files --------------------------------------------------------------------------

    @Slot()
    def copy_all(self) -> None:
        QApplication.clipboard().setText(self.view.toPlainText())
        self.show_status("Copied the text.")

    @Slot()
    def clear_text(self) -> None:
        self.document.clear()
        self.places.cleared()
        self.bar.show_detected("", 0.0)
        self.show_status("Cleared; Undo (Ctrl+Z) brings the text back.")

    def _restore_draft(self) -> None:
        """Bring back the text (and its word timings) this window had when it was last closed."""
        try:
            kept = self.draft.restore()
        except UserError as exc:
            self.notice = " ".join(filter(None, [self.notice, describe_error(exc)]))
            self.show_status(self.notice)
            return
        if kept is not None:
            self.document.restore(kept)

    @Slot()
    def open_audio(self) -> None:
        self.transcribe_files(self.places.open_files(self, "Transcribe audio files", f"{AUDIO_FILES};;All files (*)"))

    @Slot()
    def save_text(self) -> None:
        path, _ = self.places.save_file(self, "Save the text", self.places.suggestion(".txt"), "Text (*.txt)")
        if path:
            self.files.write_text(path, self.view.toPlainText())

    @Slot()
    def export_transcript(self) -> None:
        path, fmt = self.places.export_file(self, "Export the transcript", self.places.suggestion(".srt"))
        if path:
            self.files.export(path, fmt, self.document.transcript(), self.view.toPlainText())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.transcribe_files(files)

    def transcribe_files(self, paths: list[Path], echo: bool = False) -> None:
        """Transcribe ``paths`` (audio files or folders of them) one after the other into the text."""
        if paths:
            self.bar.show_detected("", 0.0)
            self.files.transcribe_files(paths, self.bar.language, echo)

    def open_when_ready(self, path: Path) -> None:
        """Transcribe ``path`` (named on the command line) as soon as the installed models are known; its
        text is shown in the window and printed on standard output."""
        self._pending = path

    @Slot(object)
    def _file_transcribed(self, transcript: Transcript) -> None:
        self.document.add_transcript(transcript)
        if transcript.language_probability is not None:
            self.bar.show_detected(transcript.language, transcript.language_probability)

    @Slot(object)
    def _file_cancelled(self, partial: Transcript) -> None:
        self.question = keep_lines(self, partial, self.document.add_transcript, self.document.drop_partial)

    # -- models and settings ---------------------------------------------------------------------

    @Slot(object)
    def _surveyed(self, found: Installed) -> None:
        self.voices, self._demo = set(found.voices), found.demo
        settings = self.context.settings
        self.bar.set_languages(found.languages, settings.favourites, settings.language, found.can_detect)
        self.show_first_run(found.missing)
        self.demo_notice.say(DEMO if "asr_repo" in found.demo and not found.missing else "")
        if found.repaired:  # said with "Ready", or at once when nothing will load
            self.notice = " ".join(filter(None, [self.notice, found.repaired]))
            if found.missing:
                self.show_status(found.repaired)
        if not found.missing and not self.dictation.is_running and not self.files.transcribing:
            self.readiness.preload(self.bar.language)
        if self._pending is not None:
            path, self._pending = self._pending, None
            if found.missing:
                self.show_status(f"Install a language to transcribe {path.name}.")
            else:
                self.files.transcribe_file(path, self.bar.language, echo=True)

    @Slot(str, object)
    def _preloaded(self, language: str, error: BaseException | None) -> None:
        if self.status_text.text() != LOADING or self.dictation.is_running:
            return  # something the user started since then has more recent news
        ready = " ".join(filter(None, ["Ready. Press Record (Ctrl+R) and speak.", self.notice]))
        self.show_status(describe_error(error) if error else ready)

    def _occupied(self) -> str:
        """Why the window cannot dictate now (empty: it can)."""
        busy = self.files.transcribing
        return "Wait for the file transcription to finish, or cancel it, before dictating." if busy else ""

    @Slot(list)
    def _microphones(self, names: list[str]) -> None:
        self.bar.set_microphones(names, self.context.settings.input_device)

    def _microphone_names(self) -> list[str]:
        box = self.bar.microphone_box
        return [str(box.itemData(i)) for i in range(1, box.count())]

    @Slot()
    def open_settings(self) -> Any:
        return self.tools.open_settings(self._microphone_names(), self._demo)

    @Slot(object)
    def _settings_chosen(self, chosen: Any) -> None:
        old = self.context.settings
        models_changed = (old.device, old.precision, old.asr_repo, old.lid_repo, old.tts_repo_prefix) != (
            chosen.device, chosen.precision, chosen.asr_repo, chosen.lid_repo, chosen.tts_repo_prefix)  # fmt: skip
        self.context.apply_settings(chosen)
        self.services.save_settings()
        if models_changed:
            self.host.configure(self.context.store, chosen.device, chosen.precision)
        self.host.word_lists = chosen.word_lists == "use"
        self.bar.set_microphones(self._microphone_names(), chosen.input_device)
        self.readiness.refresh()
        self.show_status("Settings saved.")

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
    def save_speech(self) -> None:
        """Ask where, then save the speech of the text (a language without a voice is said before asking)."""
        if not (speech := self.speech_text_and_language()):
            return
        text, language = speech
        if language not in self.voices:
            self.show_status(f"No voice is installed for '{language}'; install one with Tools → Languages first.")
            return
        suggested = self.places.folder() / "speech.wav"  # never beside the recording: it may be a .wav itself
        path, _ = self.places.save_file(self, "Save the speech", suggested, "WAV audio (*.wav)")
        if path:
            self.reader.save(text, language, path if path.suffix.lower() == ".wav" else Path(f"{path}.wav"))

    @Slot()
    def read_aloud(self) -> None:
        if speech := self.speech_text_and_language():
            self.reader.speak(*speech)

    # -- work in progress ----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a dictation (here or in the sessions window) or a job is still running."""
        return bool(self.dictation.is_running or self.jobs.running or self.tools.dictating)

    # -- closing ---------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing while busy stops the dictation (saving it) and cancels jobs; the window goes after."""
        if self.busy:
            self._closing = True
            self.show_status("Finishing the work in progress before closing…")
            self.dictation.stop()
            if self.tools.sessions is not None:
                self.tools.sessions.dictation.stop()
                self.tools.sessions.dictation.running.connect(self._maybe_close)
            self.jobs.cancel_all()
            event.ignore()
            return
        sessions = self.tools.sessions
        if sessions is not None and sessions.isVisible() and not sessions.close():
            event.ignore()  # the linguist chose to keep the sessions window (and what it could not save)
            return
        if not self.draft.flush() and not close_anyway(self, NOT_KEPT):
            event.ignore()
            return
        self.draft.release()
        self.reader.stop()
        super().closeEvent(event)
        self.closed.emit()

    @Slot()
    def _maybe_close(self) -> None:
        if self._closing and not self.busy:
            self._closing = False
            self.close()
