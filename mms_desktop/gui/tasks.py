"""The window's background tasks: language lists, model loading, file transcription, saving, dialogs.

Each task starts a job and updates the window from its callback on the GUI thread.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot

from mms_desktop.core.base import AUTO, AudioError, Progress, UserError, batch_outcome
from mms_desktop.gui.jobs import Job, describe_error
from mms_desktop.gui.survey import Installed, survey

LOADING = "Loading the speech recognition model…"

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from mms_desktop.gui.language_manager import LanguageManager
    from mms_desktop.gui.main_window import MainWindow
    from mms_desktop.gui.sessions_window import SessionsWindow
    from mms_desktop.gui.training_window import TrainingWindow


class Tasks(QObject):
    """Background work on behalf of one :class:`MainWindow`."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.w = window
        self._transcription: Job | None = None
        self._queue: list[Path] = []  # files dropped or chosen together, waiting for the one before
        self._current: Path | None = None  # the file being transcribed
        self._batch_size = 0  # how many files were dropped or chosen together; those unreadable, with why:
        self._unreadable: list[tuple[Path, str]] = []
        self._pending: Path | None = None  # a file named on the command line, opened once the models are known
        self._echo = False  # print the transcript of the file in progress on standard output as well
        self.manager: LanguageManager | None = None
        self.sessions: SessionsWindow | None = None
        self.trainer: TrainingWindow | None = None
        self.about: QDialog | None = None
        self._demo: tuple[str, ...] = ()  # the models of the settings that the demonstration stands in for

    @property
    def transcribing(self) -> bool:
        return self._transcription is not None

    # -- the store and the models ----------------------------------------------------------------

    def refresh_languages(self) -> None:
        self.w.jobs.start("survey", lambda report, cancel: survey(self.w.context), self._surveyed)

    @Slot(object, object)
    def _surveyed(self, found: Installed | None, error: BaseException | None) -> None:
        if error is not None or found is None:
            self.w.show_status(describe_error(error or RuntimeError("no result")))
            return
        settings = self.w.context.settings
        self.w.voices = set(found.voices)
        self._demo = found.demo
        self.w.bar.set_languages(found.languages, settings.favourites, settings.language, found.can_detect)
        self.w.show_first_run(found.missing)
        if found.repaired:  # said with "Ready", or at once when nothing will load
            self.w.notice = " ".join(filter(None, [self.w.notice, found.repaired]))
            if found.missing:
                self.w.show_status(found.repaired)
        if not found.missing and not self.w.dictation.is_running and not self.transcribing:
            self.preload(self.w.bar.language)
        if self._pending is not None:
            path, self._pending = self._pending, None
            if found.missing:
                self.w.show_status(f"Install a language to transcribe {path.name}.")
            else:
                self.transcribe_file(path, echo=True)

    def open_when_ready(self, path: Path) -> None:
        """Transcribe ``path`` (named on the command line) as soon as the installed models are known; its
        text is shown in the window and printed on standard output."""
        self._pending = path

    def preload(self, language: str) -> None:
        """Load the models in the background so that the first word comes quickly."""
        self.w.show_status(LOADING)

        def work(report: Any, cancel: threading.Event) -> str:
            self.w.host.recognizer(None, language)
            return language

        self.w.jobs.start("load models", work, self._preloaded)

    @Slot(object, object)
    def _preloaded(self, language: str | None, error: BaseException | None) -> None:
        if language == AUTO:  # needed seconds into the first utterance: dictation can start before it loads
            self.load_identifier()
        if self.w.status_text.text() != LOADING or self.w.dictation.is_running:
            return  # something the user started since then has more recent news
        ready = " ".join(filter(None, ["Ready. Press Record (Ctrl+R) and speak.", self.w.notice]))
        self.w.show_status(describe_error(error) if error else ready)

    def load_identifier(self) -> None:
        """Load the language identifier in the background (at once if it is loaded); a failure is shown."""
        self.w.jobs.start("load language identifier", lambda report, cancel: self.w.host.identifier(),
                          self._identifier_loaded)  # fmt: skip

    @Slot(object, object)
    def _identifier_loaded(self, result: Any, error: BaseException | None) -> None:
        if error is not None and not self.w.dictation.is_running:  # a dictation reports it itself
            self.w.show_status(describe_error(error))

    def list_microphones(self) -> None:
        from mms_desktop.core.audio import list_devices

        self.w.jobs.start("microphones", lambda report, cancel: [d.name for d in list_devices()], self._microphones)

    @Slot(object, object)
    def _microphones(self, names: list[str] | None, error: BaseException | None) -> None:
        self.w.bar.set_microphones(names or [], self.w.context.settings.input_device)
        if error is not None:
            self.w.show_status(describe_error(error))

    def save_settings(self) -> None:
        from mms_desktop import settings as settings_module

        snapshot = dataclasses.replace(self.w.context.settings)
        path = self.w.context.paths.settings_file
        self.w.jobs.start("save settings", lambda report, cancel: settings_module.save(snapshot, path),
                          self._settings_saved)  # fmt: skip

    @Slot(object, object)
    def _settings_saved(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.w.show_status(f"The settings could not be saved ({error}); they apply until you quit.")

    # -- files -----------------------------------------------------------------------------------

    def transcribe_file(self, path: Path, echo: bool = False) -> None:
        self.transcribe_files([path], echo)

    def transcribe_files(self, paths: list[Path], echo: bool = False) -> None:
        """Transcribe ``paths`` one after the other, each one's text after the one before (a folder: the
        audio files in it; ``echo``: print each text on standard output too)."""
        from mms_desktop.core.audio import audio_files

        if not paths:
            return
        if self.w.dictation.is_running or self._transcription is not None:
            self.w.show_status(f"Finish the dictation or transcription in progress before opening {paths[0].name}.")
            return
        self.w.places.used(paths[0].absolute())  # the next dialog starts there
        self.w.bar.show_detected("", 0.0)
        try:
            paths = audio_files(paths)
        except UserError as exc:
            self.w.show_status(describe_error(exc))
            return
        self._queue, self._echo = list(paths[1:]), echo
        self._batch_size, self._unreadable = len(paths), []
        self._start(paths[0])

    def _start(self, path: Path) -> None:
        self._current = path
        language = self.w.bar.language
        settings = dataclasses.replace(self.w.context.settings)
        more = f" ({len(self._queue)} more after it)" if self._queue else ""
        self.w.show_status(f"Transcribing {path.name}…{more}")
        self.w.show_busy(True)

        def work(report: Any, cancel: threading.Event) -> Any:
            from mms_desktop.core.recognition import WindowOptions

            options = WindowOptions(settings.window_s, settings.context_s)
            return self.w.host.transcribe(path, language, settings.auto_among, options, report, cancel)

        self._transcription = self.w.jobs.start(f"transcribe {path.name}", work, self._transcribed, self._progress)

    @Slot(object)
    def _progress(self, p: Progress) -> None:
        self.w.show_busy(True, determinate=True)
        self.w.progress.setValue(int(p.fraction * 1000))

    @Slot(object, object)
    def _transcribed(self, transcript: Any, error: BaseException | None) -> None:
        self._transcription = None
        self.w.show_busy(False)
        if isinstance(error, AudioError):  # this file only: the others go on, and the end says what was left out
            assert self._current is not None
            self._unreadable.append((self._current, describe_error(error)))
            if self._echo:
                print(describe_error(error), file=sys.stderr, flush=True)
            self._next()
            return
        if error is not None:
            left, self._queue = self._queue, []
            not_done = f" {', '.join(p.name for p in left)} not transcribed." if left else ""
            self.w.show_status(describe_error(error) + not_done)
            if self._echo:
                print(describe_error(error), file=sys.stderr, flush=True)
            return
        if self._echo:
            print(transcript.text, flush=True)
        if self._current is not None:
            self.w.places.text_from(self._current)
        offset = self.w.segments[-1].end if self.w.segments else 0.0
        for segment in transcript.segments:
            self.w.view.add_final(segment.text)
            self.w.segments.append(segment.shifted(offset))
        self.w.transcript_language = transcript.language
        if transcript.language_probability is not None:
            self.w.bar.show_detected(transcript.language, transcript.language_probability)
        words = sum(len(s.words) for s in transcript.segments)
        name = self._current.name if self._current is not None else "the recording"
        self.w.show_status(
            f"Transcribed {transcript.duration:.1f} s of audio: {words} words."
            if transcript.segments
            else f"No speech was found in {name} ({transcript.duration:.1f} s); nothing was transcribed."
        )
        self._next()

    def _next(self) -> None:
        """Start the next file of the batch, or say which files of it could not be read."""
        if self._queue:
            self._start(self._queue.pop(0))
        elif self._unreadable:
            self.w.show_status(batch_outcome("transcribed", self._batch_size, self._unreadable))

    @Slot()
    def cancel(self) -> None:
        if self._transcription is not None:
            self._transcription.cancel()
            self.w.show_status("Cancelling…")

    @Slot()
    def save_speech(self) -> None:
        """Ask where, then save the speech of the text (a language without a voice is said before asking)."""
        if not (speech := self.w.speech_text_and_language()):
            return
        text, language = speech
        if language not in self.w.voices:
            self.w.show_status(f"No voice is installed for '{language}'; install one with Tools → Languages first.")
            return
        suggested = self.w.places.folder() / "speech.wav"  # never beside the recording: it may be a .wav itself
        path, _ = self.w.places.save_file(self.w, "Save the speech", suggested, "WAV audio (*.wav)")
        if path:
            self.w.reader.save(text, language, path if path.suffix.lower() == ".wav" else Path(f"{path}.wav"))

    def write_text(self, path: Path, text: str) -> None:
        from mms_desktop.core.base import save_text

        def work(report: Any, cancel: threading.Event) -> Path:
            save_text(path, text)
            return path

        self.w.jobs.start("save text", work, self._written)

    def export(self, path: Path, fmt: str) -> None:
        from mms_desktop.core import formats

        if fmt == "txt":
            self.write_text(path, self.w.view.toPlainText())
            return
        if not self.w.segments:
            self.w.show_status("There are no timings to export yet; dictate or transcribe a file first, "
                               "or export as text.")  # fmt: skip
            return
        text = formats.render(self.w.current_transcript(), fmt)
        self.write_text(path, text)

    @Slot(object, object)
    def _written(self, path: Any, error: BaseException | None) -> None:
        self.w.show_status(describe_error(error) if error is not None else f"Saved {path}.")

    # -- dialogs ---------------------------------------------------------------------------------

    def open_language_manager(self) -> LanguageManager:
        from mms_desktop.gui.language_manager import LanguageManager

        if self.manager is None:
            self.manager = LanguageManager(self.w.context.store, self.w.jobs, self.w.hub_endpoint, self.w,
                                           self.w.places)  # fmt: skip
            self.manager.changed.connect(self._store_changed)
        self.manager.show()
        self.manager.raise_()
        return self.manager

    @Slot()
    def _store_changed(self) -> None:
        self.w.host.forget()
        self.refresh_languages()

    def open_sessions(self) -> SessionsWindow:
        from mms_desktop.gui.sessions_window import SessionsWindow

        if self.sessions is None:
            self.sessions = SessionsWindow(self.w)
        self.sessions.show()
        self.sessions.raise_()
        return self.sessions

    def open_training(self) -> TrainingWindow:
        from mms_desktop.gui.training_window import TrainingWindow

        if self.trainer is None:  # one window, so that a training in progress is never started twice
            self.trainer = TrainingWindow(self.w)
        self.trainer.show()
        self.trainer.raise_()
        return self.trainer

    def open_settings(self) -> Any:
        from mms_desktop.gui.settings_dialog import SettingsDialog

        notes = {name: "Not installed yet: the bundled demonstration model runs instead." for name in self._demo}
        dialog = SettingsDialog(self.w.context.settings, self._microphone_names(), self.w, notes)
        dialog.accepted.connect(self._settings_accepted)
        dialog.open()
        return dialog

    def open_about(self) -> None:
        """Show the About dialog once its details are gathered (on a job: they ask torch about the device)."""
        from mms_desktop.gui.about import details

        context, host = self.w.context, self.w.host
        self.w.jobs.start("about", lambda report, cancel: details(context, host), self._about_ready)

    @Slot(object, object)
    def _about_ready(self, rows: Any, error: BaseException | None) -> None:
        from mms_desktop.gui.about import AboutDialog

        if error is not None:
            self.w.show_status(describe_error(error))
            return
        self.about = AboutDialog(rows, self.w)
        self.about.open()

    def open_folder(self, what: str) -> None:
        """Show the folder of ``what`` (see ``about.folders``) in the file manager."""
        from mms_desktop.gui.about import folders, open_folder

        self.w.show_status(open_folder(folders(self.w.context)[what]))

    def _microphone_names(self) -> list[str]:
        box = self.w.bar.microphone_box
        return [str(box.itemData(i)) for i in range(1, box.count())]

    @Slot()
    def _settings_accepted(self) -> None:
        dialog = self.sender()
        chosen = getattr(dialog, "result_settings", None)
        if chosen is None:
            return
        old = self.w.context.settings
        models_changed = (old.device, old.precision, old.asr_repo, old.lid_repo, old.tts_repo_prefix) != (
            chosen.device, chosen.precision, chosen.asr_repo, chosen.lid_repo, chosen.tts_repo_prefix)  # fmt: skip
        self.w.context.apply_settings(chosen)
        self.save_settings()
        if models_changed:
            self.w.host.configure(self.w.context.store, chosen.device, chosen.precision)
        self.w.host.word_lists = chosen.word_lists == "use"
        self.w.bar.set_microphones(self._microphone_names(), chosen.input_device)
        self.refresh_languages()
        self.w.show_status("Settings saved.")
