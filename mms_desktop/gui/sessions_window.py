"""Field sessions: create sessions, record speakers into them, correct word-timed transcripts, export.

Every recording goes through the crash-safe live path into the session folder; its transcript is a
``.json`` beside it (saved atomically with a backup, hand corrections never replaced without asking), and
exports share its root name (``X.eaf``, ``X.TextGrid`` …). Each hand correction is saved as it is made, on
a writer thread, so that choosing another recording or closing the window never drops one.
"""

from __future__ import annotations

import dataclasses
import weakref
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mms_desktop.core.base import AUTO, LatestWriter, Segment, Transcript, UserError, counted
from mms_desktop.core.fieldwork import Project, SessionInfo, open_recording, save_transcript, transcript_path
from mms_desktop.gui.jobs import describe_error
from mms_desktop.gui.keeping import close_anyway
from mms_desktop.gui.recording_list import RecordingList, describe_all
from mms_desktop.gui.segment_table import SegmentTable
from mms_desktop.gui.services import Services
from mms_desktop.gui.session_export import SessionExport
from mms_desktop.gui.session_import import SessionImport
from mms_desktop.gui.session_playback import SessionPlayback
from mms_desktop.gui.session_recording import SessionRecording
from mms_desktop.gui.session_transcription import SessionTranscription


class SessionsWindow(QMainWindow):
    """The field sessions of one project folder, over the windows' shared models, jobs and player."""

    _not_saved = Signal(object, object)  # transcript path, error: from the corrections' writer thread

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Field sessions")
        self.resize(1100, 620)
        self.services = services
        self.jobs = services.jobs
        self.project: Project | None = None
        self.session: SessionInfo | None = None
        self.recording: Path | None = None
        self.transcript: Transcript | None = None
        self.audio: np.ndarray | None = None
        self._infos: list[SessionInfo] = []
        window = weakref.ref(self)  # the writer's thread outlives the window and must not keep it alive

        def not_saved(path: Path, error: Exception) -> None:
            if (alive := window()) is not None:
                alive._not_saved.emit(path, error)

        self.saver: LatestWriter[Path, Transcript] = LatestWriter(
            lambda path, transcript: save_transcript(path, transcript, edited=True), not_saved
        )
        self._not_saved.connect(self._correction_not_saved)
        self._build()
        folder = services.context.settings.project_dir
        if folder:
            self.open_project(Path(folder))

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.transcription = SessionTranscription(self)
        self.project_label = QLabel("No project folder chosen.")
        choose = QPushButton("Choose project folder…")
        choose.clicked.connect(self._ask_project)
        self.sessions = QListWidget()
        self.sessions.setWordWrap(True)
        self.sessions.currentRowChanged.connect(self._session_chosen)
        self.new_button = QPushButton("New session…")
        self.new_button.clicked.connect(self.new_session)
        self.edit_button = QPushButton("Details…")
        self.edit_button.clicked.connect(self.edit_session)
        self.recordings = RecordingList(self.jobs)
        self.recordings.currentRowChanged.connect(self._recording_chosen)
        self.record_button = QPushButton("●  Record")
        self.record_button.setCheckable(True)
        self.importer = SessionImport(self)
        self.recordings.dropped.connect(self.importer.add)
        self.transcribe_button = QPushButton("Transcribe")
        self.transcribe_button.clicked.connect(self.transcribe)
        self.transcribe_all_button = QPushButton("Transcribe all")
        self.transcribe_all_button.clicked.connect(self.transcribe_all)
        self.table = SegmentTable()
        self.table.corrected.connect(self._corrected)
        self.exporter = SessionExport(self)
        self.export_button = self.exporter.button
        self.status = QLabel(wordWrap=True)
        self.recorder = SessionRecording(self)
        top = QHBoxLayout()
        top.addWidget(self.project_label, 1)
        top.addWidget(choose)
        splitter = QSplitter()
        splitter.addWidget(_column("Sessions", self.sessions, self.new_button, self.edit_button))
        splitter.addWidget(_column("Recordings", self.recordings, self.record_button, self.importer.button,
                                   self.transcribe_button, self.transcribe_all_button))  # fmt: skip
        title = "Transcript (click a line to hear it; double-click text to correct it)"
        splitter.addWidget(_column(title, self.table, self.exporter.format_box, self.export_button))
        splitter.setSizes([200, 330, 570])
        self._add_keys(choose)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.recorder.bar)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.transcription.progress)
        bottom.addWidget(self.transcription.cancel_button)
        layout.addLayout(bottom)
        self.setCentralWidget(central)
        self.playback = SessionPlayback(self)
        self.dictation = self.recorder.dictation
        self.update_buttons()

    def _add_keys(self, choose: QPushButton) -> None:
        """Keyboard shortcuts for the buttons (``choose``: the project folder's)."""
        keys = {choose: ("Ctrl+O", "Choose the project folder"), self.new_button: ("Ctrl+N", "New session"),
                self.edit_button: ("Ctrl+I", "The session's details: title, language, speakers …"),
                self.record_button: ("Ctrl+R", "Record or stop"), self.transcribe_button: ("Ctrl+T", "Transcribe"),
                self.importer.button: ("Ctrl+Shift+A", "Add recordings made elsewhere (a recorder's card)"),
                self.transcribe_all_button: ("Ctrl+Shift+T", "Transcribe every recording of the session that has "
                                             "no transcript yet"),
                self.export_button: ("Ctrl+E", "Export")}  # fmt: skip
        for button, (key, what) in keys.items():  # actions, not button shortcuts: Record's label changes
            action = QAction(what, self, shortcut=QKeySequence(key))
            action.triggered.connect(button.click)  # a disabled button ignores it
            self.addAction(action)
            button.setToolTip(f"{what} ({key})")

    def update_buttons(self) -> None:
        recording = self.dictation.is_running
        self.new_button.setEnabled(self.project is not None and not recording)
        self.edit_button.setEnabled(self.session is not None)
        self.record_button.setEnabled(self.session is not None)
        self.importer.button.setEnabled(self.session is not None and not recording and not self.importer.running)
        transcribing = self.transcription.running
        self.transcribe_button.setEnabled(self.recording is not None and not recording and not transcribing)
        self.transcribe_all_button.setEnabled(bool(self.recordings.paths) and not recording and not transcribing)
        self.export_button.setEnabled(self.transcript is not None and not recording)

    def run_job(self, what: str, work: Any, done: Any) -> None:
        self.status.setText(f"{what}…")
        self.jobs.start(what, lambda report, cancel: work(), done)

    # -- project and sessions --------------------------------------------------------------------

    @Slot()
    def _ask_project(self) -> None:
        start = self.project.folder.parent if self.project is not None else None
        folder = self.services.places.choose_folder(self, "Choose (or create) the project folder", start)
        if folder is not None:
            self.open_project(folder)

    def open_project(self, folder: Path) -> None:
        """Show the sessions of ``folder`` (recordings a crash left unfinished are repaired first)."""
        self.project = Project(folder)
        self.project_label.setText(f"Project: {folder}")
        if self.services.context.settings.project_dir != str(folder):
            self.services.context.settings.project_dir = str(folder)
            self.services.save_settings()
        self._list_sessions()

    def _list_sessions(self, select: str = "") -> None:
        project = self.project
        assert project is not None

        def work() -> tuple[list[SessionInfo], list[Path], list[UserError]]:
            if not project.folder.is_dir():
                return [], [], []
            unreadable: list[UserError] = []
            infos = project.sessions(unreadable)
            return infos, [copy for info in infos for copy in project.repair(info.id)], unreadable

        self.run_job("Reading the project", work, lambda result, error: self._listed(result, error, select))

    def _listed(self, result: Any, error: BaseException | None, select: str) -> None:
        if error is not None:
            self.status.setText(describe_error(error))
            return
        infos, repaired, unreadable = result
        self._infos = infos
        self.sessions.clear()
        for info in infos:
            self.sessions.addItem(f"{info.title}\n{info.date} · {info.language or info.language_name}")
        notes = [f"Repaired {counted(len(repaired), 'unfinished recording')}."] if repaired else []
        notes += [str(problem) for problem in unreadable[:1]]  # the first: one sentence fits the status line
        if len(unreadable) > 1:
            notes.append(f"{counted(len(unreadable) - 1, 'other session')} could not be read either.")
        self.status.setText(" ".join(notes))
        ids = [i.id for i in infos]
        if select in ids:
            self.sessions.setCurrentRow(ids.index(select))
        self.update_buttons()

    @Slot()
    def new_session(self) -> Any:
        return self._session_dialog(None)

    @Slot()
    def edit_session(self) -> Any:
        """The chosen session's metadata in the same form; its id, folder and file names stay as they are."""
        return self._session_dialog(self.session) if self.session is not None else None

    def _session_dialog(self, session: SessionInfo | None) -> Any:
        from mms_desktop.gui.session_dialog import SessionDialog

        dialog = SessionDialog(self, session, self.services.installed)
        dialog.accepted.connect(self._session_filled)
        dialog.open()
        return dialog

    @Slot()
    def _session_filled(self) -> None:
        info = getattr(self.sender(), "info", None)
        if info is None or self.project is None:
            return
        project = self.project

        def save() -> SessionInfo:
            if not info.id:
                return project.create(info)
            project.save(info)
            return info

        self.run_job("Saving the session", save, self._session_saved)

    def _session_saved(self, info: Any, error: BaseException | None) -> None:
        if error is not None:
            self.status.setText(describe_error(error))
        else:
            self._list_sessions(select=info.id)

    @Slot(int)
    def _session_chosen(self, row: int) -> None:
        self.session = self._infos[row] if 0 <= row < len(self._infos) else None
        self.recorder.show_speakers(self.session)
        self._show_recording(None)
        self.list_recordings()

    def list_recordings(self, select: Path | None = None, said: str | None = None) -> None:
        """List the session's recordings (choosing ``select``), then say ``said`` or how many there are."""
        if self.session is None or self.project is None:
            return
        project, sid = self.project, self.session.id
        self.run_job("Reading the session", lambda: describe_all(project.recordings(sid)),
                  lambda found, error: self._recordings_listed(found, error, select, said))  # fmt: skip

    def _recordings_listed(
        self, found: Any, error: BaseException | None, select: Path | None, said: str | None
    ) -> None:
        if error is not None:
            self.status.setText(describe_error(error))
            return
        self.recordings.show_recordings(found)
        paths = self.recordings.paths
        self.status.setText(said or f"{counted(len(paths), 'recording')}.")
        if select in paths and paths.index(select) != self.recordings.currentRow():
            with QSignalBlocker(self.recordings):  # opened here, so that what was said stays said
                self.recordings.setCurrentRow(paths.index(select))
            self._recording_chosen(paths.index(select), said or "")
        self.update_buttons()

    # -- a recording and its transcript ----------------------------------------------------------

    @Slot(int)
    def _recording_chosen(self, row: int, status: str = "") -> None:
        paths = self.recordings.paths
        path = paths[row] if 0 <= row < len(paths) else None
        self._show_recording(path)
        if path is not None:
            self.run_job(f"Opening {path.name}", lambda: self._open(path),
                         lambda result, error: self._opened(result, error, status))  # fmt: skip

    def _open(self, path: Path) -> Any:
        self.saver.flush()  # a correction on its way to the disk is read back with the rest
        return open_recording(path)

    def _show_recording(self, path: Path | None) -> None:
        self.recording, self.transcript, self.audio = path, None, None
        self.table.show_segments([])
        self.update_buttons()

    def _opened(self, result: Any, error: BaseException | None, status: str = "") -> None:
        if error is not None:
            self.status.setText(describe_error(error))
            return
        self.audio, self.transcript = result
        self.table.show_segments(list(self.transcript.segments) if self.transcript else [])
        self.status.setText(status if self.transcript else f"{status} No transcript yet: press Transcribe.".lstrip())
        self.update_buttons()

    @Slot(int, object)
    def _corrected(self, row: int, segment: Segment) -> None:
        if self.transcript is None:
            return
        segments = list(self.transcript.segments)
        segments[row] = segment
        self.transcript = dataclasses.replace(self.transcript, segments=tuple(segments))
        if self.recording is not None:
            path = transcript_path(self.recording)
            self.saver.put(path, self.transcript)
            self.recordings.describe_again([self.recording], first=self.saver.flush)
            self.status.setText(f"Corrected and saved in {path.name}.")

    @Slot(object, object)
    def _correction_not_saved(self, path: Path, error: BaseException) -> None:
        self.status.setText(f"{describe_error(error)} The correction stays here and is saved with your next one.")

    @Slot()
    def transcribe(self) -> None:
        """Transcribe the chosen recording in the session's language and save it beside the audio."""
        self.transcription.start()

    @Slot()
    def transcribe_all(self) -> None:
        """Transcribe every recording of the session without a transcript, one after the other."""
        self.transcription.start_all(list(self.recordings.paths))

    def show_current(self, status: str = "") -> None:
        """Show the chosen recording again, as it is on the disk (``status``: the line to show then)."""
        self.recordings.describe_again(self.recordings.paths)
        self._recording_chosen(self.recordings.currentRow(), status)

    def first_speaker(self) -> str:
        return self.session.speakers[0].id if self.session and self.session.speakers else ""

    def session_language(self) -> str:
        session = self.session
        return session.language if session is not None and session.language else AUTO

    def closeEvent(self, event: Any) -> None:
        if self.transcription.job is not None:  # stopped first; the window goes once it has
            self.transcription.cancel(asking=False)  # closing discards what was found: nothing left to ask
            self.transcription.job.then(self.close)
            event.ignore()
            return
        if self.dictation.is_running:
            self.dictation.stop()
            self.dictation.running.connect(self._close_when_stopped)
            event.ignore()
            return
        self.saver.flush()
        unsaved = ", ".join(path.name for path in self.saver.unsaved)
        if unsaved and not close_anyway(self, f"Your corrections to {unsaved} could not be saved."):
            event.ignore()
            return
        super().closeEvent(event)

    @Slot(bool)
    def _close_when_stopped(self, running: bool) -> None:
        if not running:
            self.close()


def _column(title: str, main: QWidget, *buttons: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QLabel(f"<b>{title}</b>", wordWrap=True))
    layout.addWidget(main, 1)
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    layout.addLayout(row)
    return box
