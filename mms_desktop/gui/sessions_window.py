"""Field sessions: create sessions, record speakers into them, correct word-timed transcripts, export.

Every recording goes through the crash-safe live path into the session folder; its transcript is a
``.json`` beside it (saved atomically with a backup, hand corrections never replaced without asking), and
exports share its root name (``X.eaf``, ``X.TextGrid`` …).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mms_desktop.core.errors import UserError
from mms_desktop.core.events import FinalResult, Segment, Transcript
from mms_desktop.core.models import AUTO
from mms_desktop.core.sessions import Project, SessionInfo, open_recording, save_transcript, transcript_path
from mms_desktop.gui.jobs import describe_error
from mms_desktop.gui.segment_table import SegmentTable

EXPORT_FORMATS = ("eaf", "textgrid", "srt", "vtt", "txt", "json")


class SessionsWindow(QMainWindow):
    """The field sessions of one project folder. Uses the main window's models, jobs and player."""

    def __init__(self, main: Any):
        super().__init__(main)
        self.setWindowTitle("Field sessions")
        self.resize(1100, 620)
        self.main = main
        self.jobs = main.jobs
        from mms_desktop.gui.dictation_controller import DictationController

        self.dictation = DictationController(main.host, main.dictation._capture_factory,
                                             main.dictation._detector_factory, self)  # fmt: skip
        self.project: Project | None = None
        self.session: SessionInfo | None = None
        self.recording: Path | None = None
        self.transcript: Transcript | None = None
        self.audio: np.ndarray | None = None
        self._live: list[Segment] = []
        self._live_language = ""
        self._infos: list[SessionInfo] = []
        self._paths: list[Path] = []
        self._build()
        folder = main.context.settings.project_dir
        if folder:
            self.open_project(Path(folder))

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.project_label = QLabel("No project folder chosen.")
        choose = QPushButton("Choose project folder…")
        choose.clicked.connect(self._ask_project)
        self.sessions = QListWidget(wordWrap=True)
        self.sessions.currentRowChanged.connect(self._session_chosen)
        self.new_button = QPushButton("New session…")
        self.new_button.clicked.connect(self.new_session)
        self.recordings = QListWidget(textElideMode=Qt.TextElideMode.ElideMiddle)
        self.recordings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recordings.currentRowChanged.connect(self._recording_chosen)
        self.record_button = QPushButton("●  Record", checkable=True)
        self.record_button.toggled.connect(self._record_toggled)
        self.transcribe_button = QPushButton("Transcribe")
        self.transcribe_button.clicked.connect(self.transcribe)
        self.table = SegmentTable()
        self.table.cellClicked.connect(self._cell_clicked)
        self.table.corrected.connect(self._corrected)
        self.save_button = QPushButton("Save corrections")
        self.save_button.clicked.connect(self.save_corrections)
        self.format_box = QComboBox()
        self.format_box.addItems(EXPORT_FORMATS)
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(self.export_current)
        self.status = QLabel(wordWrap=True)
        top = QHBoxLayout()
        top.addWidget(self.project_label, 1)
        top.addWidget(choose)
        splitter = QSplitter()
        splitter.addWidget(_column("Sessions", self.sessions, self.new_button))
        splitter.addWidget(_column("Recordings", self.recordings, self.record_button, self.transcribe_button))
        splitter.addWidget(_column("Transcript (click a line to hear it; double-click text to correct it)",
                                   self.table, self.save_button, self.format_box, self.export_button))  # fmt: skip
        splitter.setSizes([220, 260, 620])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self.dictation.status.connect(self.status.setText)
        self.dictation.event.connect(self._dictation_event)
        self.dictation.ended.connect(self._dictation_ended)
        self.dictation.running.connect(self._dictation_running)
        self._update_buttons()

    def _update_buttons(self) -> None:
        recording = self.dictation.is_running
        self.new_button.setEnabled(self.project is not None and not recording)
        self.record_button.setEnabled(self.session is not None)
        self.transcribe_button.setEnabled(self.recording is not None and not recording)
        has_text = self.transcript is not None and not recording
        for button in (self.save_button, self.export_button):
            button.setEnabled(has_text)

    def _run(self, what: str, work: Any, done: Any) -> None:
        self.status.setText(f"{what}…")
        self.jobs.start(what, lambda report, cancel: work(), done)

    # -- project and sessions --------------------------------------------------------------------

    @Slot()
    def _ask_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose (or create) the project folder")
        if folder:
            self.open_project(Path(folder))

    def open_project(self, folder: Path) -> None:
        """Show the sessions of ``folder`` (recordings a crash left unfinished are repaired first)."""
        self.project = Project(folder)
        self.project_label.setText(f"Project: {folder}")
        if self.main.context.settings.project_dir != str(folder):
            self.main.context.settings.project_dir = str(folder)
            self.main.tasks.save_settings()
        self._list_sessions()

    def _list_sessions(self, select: str = "") -> None:
        project = self.project
        assert project is not None

        def work() -> tuple[list[SessionInfo], list[Path]]:
            if not project.folder.is_dir():
                return [], []
            infos = project.sessions()
            return infos, [copy for info in infos for copy in project.repair(info.id)]

        self._run("Reading the project", work, lambda result, error: self._listed(result, error, select))

    def _listed(self, result: Any, error: BaseException | None, select: str) -> None:
        if error is not None:
            self.status.setText(describe_error(error))
            return
        infos, repaired = result
        self._infos = infos
        self.sessions.clear()
        for info in infos:
            self.sessions.addItem(f"{info.title}\n{info.date} · {info.language or info.language_name}")
        self.status.setText(f"Repaired {len(repaired)} unfinished recording(s)." if repaired else "")
        ids = [i.id for i in infos]
        if select in ids:
            self.sessions.setCurrentRow(ids.index(select))
        self._update_buttons()

    @Slot()
    def new_session(self) -> Any:
        from mms_desktop.gui.session_dialog import SessionDialog

        dialog = SessionDialog(self)
        dialog.accepted.connect(self._session_filled)
        dialog.open()
        return dialog

    @Slot()
    def _session_filled(self) -> None:
        info = getattr(self.sender(), "info", None)
        if info is None or self.project is None:
            return
        project = self.project
        self._run("Creating the session", lambda: project.create(info), self._created)

    def _created(self, info: Any, error: BaseException | None) -> None:
        if error is not None:
            self.status.setText(describe_error(error))
        else:
            self._list_sessions(select=info.id)

    @Slot(int)
    def _session_chosen(self, row: int) -> None:
        self.session = self._infos[row] if 0 <= row < len(self._infos) else None
        self._show_recording(None)
        self._list_recordings()

    def _list_recordings(self, select: Path | None = None) -> None:
        if self.session is None or self.project is None:
            return
        project, sid = self.project, self.session.id
        self._run("Reading the session", lambda: project.recordings(sid),
                  lambda found, error: self._recordings_listed(found, error, select))  # fmt: skip

    def _recordings_listed(self, found: Any, error: BaseException | None, select: Path | None) -> None:
        if error is not None:
            self.status.setText(describe_error(error))
            return
        self._paths = list(found)
        self.recordings.clear()
        self.recordings.addItems([p.name for p in self._paths])
        self.status.setText(f"{len(self._paths)} recording(s).")
        if select in self._paths:
            self.recordings.setCurrentRow(self._paths.index(select))
        self._update_buttons()

    # -- a recording and its transcript ----------------------------------------------------------

    @Slot(int)
    def _recording_chosen(self, row: int) -> None:
        path = self._paths[row] if 0 <= row < len(self._paths) else None
        self._show_recording(path)
        if path is not None:
            self._run(f"Opening {path.name}", lambda: open_recording(path), self._opened)

    def _show_recording(self, path: Path | None) -> None:
        self.recording, self.transcript, self.audio = path, None, None
        self.table.show_segments([])
        self._update_buttons()

    def _opened(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.status.setText(describe_error(error))
            return
        self.audio, self.transcript = result
        self.table.show_segments(list(self.transcript.segments) if self.transcript else [])
        self.status.setText("" if self.transcript else "No transcript yet: press Transcribe.")
        self._update_buttons()

    @Slot(int, int)
    def _cell_clicked(self, row: int, column: int) -> None:
        if self.audio is None or self.transcript is None or column == 3:
            return
        seg = self.transcript.segments[row]
        clip = self.audio[int(seg.start * 16000) : int(seg.end * 16000)]
        self.jobs.start("play", lambda report, cancel: self.main.reader.player.play(clip, 16000), self._played)

    def _played(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.status.setText(describe_error(error))

    @Slot(int, object)
    def _corrected(self, row: int, segment: Segment) -> None:
        if self.transcript is None:
            return
        segments = list(self.transcript.segments)
        segments[row] = segment
        self.transcript = dataclasses.replace(self.transcript, segments=tuple(segments))
        self.status.setText("Corrected; press Save corrections to keep it.")

    @Slot()
    def save_corrections(self) -> None:
        if self.recording is None or self.transcript is None:
            return
        path, transcript = transcript_path(self.recording), self.transcript
        self._run("Saving", lambda: save_transcript(path, transcript, edited=True),
                  lambda r, e: self.status.setText(describe_error(e) if e else f"Saved {path.name}."))  # fmt: skip

    @Slot()
    def transcribe(self, overwrite: bool = False) -> None:
        """Transcribe the chosen recording in the session's language and save it beside the audio."""
        recording, language = self.recording, self._language()
        if recording is None:
            return
        speaker = self._speaker()
        settings = self.main.context.settings

        def work() -> Transcript:
            from mms_desktop.core.asr import WindowOptions

            options = WindowOptions(settings.window_s, settings.context_s)
            result = self.main.host.transcribe_file(recording, language, settings.auto_among, options)
            if speaker:  # the session's first speaker, until the linguist says otherwise
                result = dataclasses.replace(
                    result, segments=tuple(dataclasses.replace(seg, speaker=speaker) for seg in result.segments)
                )
            save_transcript(transcript_path(recording), result, edited=False, overwrite_edits=overwrite)
            return result

        self._run(f"Transcribing {recording.name}", work, self._transcribed)

    def _transcribed(self, result: Any, error: BaseException | None) -> None:
        if isinstance(error, UserError) and "hand corrections" in str(error):
            box = QMessageBox(QMessageBox.Icon.Question, "Replace corrections?", str(error),
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)  # fmt: skip
            box.accepted.connect(lambda: self.transcribe(overwrite=True))
            box.open()
            self.status.setText("The transcript holds hand corrections; nothing was replaced.")
            return
        if error is not None:
            self.status.setText(describe_error(error))
            return
        self._recording_chosen(self.recordings.currentRow())

    def _speaker(self) -> str:
        return self.session.speakers[0].id if self.session and self.session.speakers else ""

    def _language(self) -> str:
        session = self.session
        return session.language if session is not None and session.language else AUTO

    @Slot()
    def export_current(self) -> None:
        self.export(self.format_box.currentText())

    def export(self, fmt: str) -> None:
        """Write the transcript in ``fmt`` beside its recording (same root name)."""
        from mms_desktop.core import formats
        from mms_desktop.core.fsutil import atomic_write_text

        recording, transcript = self.recording, self.transcript
        if recording is None or transcript is None:
            return
        target = recording.with_suffix(formats.SUFFIXES[fmt])
        self._run(f"Exporting {target.name}",
                  lambda: atomic_write_text(target, formats.render(transcript, fmt, media=recording)),
                  lambda r, e: self.status.setText(describe_error(e) if e else f"Exported {target.name}."))  # fmt: skip

    # -- recording into the session --------------------------------------------------------------

    @Slot(bool)
    def _record_toggled(self, on: bool) -> None:
        if not on:
            self.dictation.stop()
            return
        if self.main.dictation.is_running or self.session is None or self.project is None:
            self.record_button.setChecked(False)
            self.status.setText("Stop the dictation in the main window first; one microphone recording at a time.")
            return
        self._live, self._live_language = [], ""
        project, session_id = self.project, self.session.id
        snapshot = dataclasses.replace(self.main.context.settings)
        self.dictation.start(snapshot, self._language(), recording=lambda: project.next_recording(session_id))

    @Slot(object)
    def _dictation_event(self, event: object) -> None:
        if isinstance(event, FinalResult):
            self._live_language = event.language
            self._live.append(dataclasses.replace(event.segment, speaker=self._speaker()))
            self.table.show_segments(self._live)

    @Slot(object)
    def _dictation_ended(self, result: Any) -> None:
        if isinstance(result, BaseException):
            self.status.setText(describe_error(result))
            return
        if not result.recording:
            return
        target = Path(result.recording)
        end = self._live[-1].end if self._live else 0.0
        transcript = Transcript(self._live_language or self._language(), end, tuple(self._live))
        self._run("Saving the transcript", lambda: save_transcript(transcript_path(target), transcript, False),
                  lambda r, e: self._list_recordings(select=target))  # fmt: skip

    @Slot(bool)
    def _dictation_running(self, running: bool) -> None:
        self.record_button.blockSignals(True)
        self.record_button.setChecked(running)
        self.record_button.setText("■  Stop" if running else "●  Record")
        self.record_button.blockSignals(False)
        self._update_buttons()

    def closeEvent(self, event: Any) -> None:
        if self.dictation.is_running:
            self.dictation.stop()
            self.dictation.running.connect(self._close_when_stopped)
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
