"""The field-sessions window: a session with its metadata, a recording of a speaker, a corrected
word-timed transcript, exports that ELAN and Praat read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from fakes import espeak
from PySide6.QtWidgets import QDialogButtonBox


def create_session(qtbot, sessions, **values) -> None:
    dialog = sessions.new_session()
    for name, value in values.items():
        if name == "speakers":
            dialog.speakers.setText(value)
        else:
            dialog.editors[name].setText(value)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog


def test_record_correct_and_export_a_session(qtbot, make_window, microphone, player, tmp_path: Path) -> None:
    import pympi
    from praatio import textgrid

    window = make_window()
    sessions = window.tools.open_sessions()
    sessions.open_project(tmp_path / "project")
    qtbot.waitUntil(sessions.new_button.isEnabled, timeout=30000)
    bad = create_session(qtbot, sessions, title="Stories", language="not a code")
    assert bad.isVisible() and "ISO 639-3" in bad.error.text()
    bad.reject()
    bad = create_session(qtbot, sessions, title="Stories", language="spa", speakers="SP1:Maria; :Ana", date="May")
    assert (
        bad.isVisible()
        and bad.error.text() == "'May' is not a date; write it as YYYY-MM-DD (or YYYY-MM, or YYYY), or leave it empty."
    )
    bad.editors["date"].setText("2026-05")
    bad.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert bad.isVisible() and bad.error.text() == "Every speaker needs an ID, such as SP1."  # Ana is not dropped
    bad.reject()
    create_session(qtbot, sessions, title="Stories of the village", language="spa", place="Oaxaca",
                   consent="recorded with consent for research", speakers="SP1:Maria")  # fmt: skip
    qtbot.waitUntil(lambda: sessions.session is not None, timeout=30000)
    meta = json.loads(next((tmp_path / "project").glob("*/session.json")).read_text())
    assert meta["place"] == "Oaxaca" and meta["speakers"] == [{"id": "SP1", "name": "Maria"}]

    sessions.record_button.click()
    qtbot.waitUntil(lambda: sessions.status.text() == "Listening…", timeout=60000)
    microphone.say(espeak("son gente sol nueve camino pez", "es", tmp_path))
    qtbot.waitUntil(lambda: sessions.table.rowCount() == 1, timeout=30000)
    sessions.record_button.click()
    qtbot.waitUntil(lambda: sessions.recording is not None and sessions.transcript is not None, timeout=60000)
    wav = sessions.recording
    assert wav.parent.parent == tmp_path / "project" and wav.name.endswith("_01.wav")
    assert sessions.table.item(0, 2).text() == "SP1"
    assert "gente" in sessions.table.item(0, 3).text()

    # the linguist's correction (unlike any recognition of the speech, so it is a change): saved at once
    sessions.table.item(0, 3).setText("son gente sol nueve camino pez [laughs]")
    assert sessions.status.text() == f"Corrected and saved in {wav.stem}.json."
    saved = wav.with_suffix(".json")
    qtbot.waitUntil(lambda: json.loads(saved.read_text()).get("edited") is True, timeout=10000)
    assert json.loads(saved.read_text())["segments"][0]["text"] == "son gente sol nueve camino pez [laughs]"
    sessions.transcribe()  # a new machine transcript must not silently replace the correction
    qtbot.waitUntil(lambda: "hand corrections" in sessions.status.text(), timeout=60000)
    assert json.loads(saved.read_text())["segments"][0]["text"] == "son gente sol nueve camino pez [laughs]"

    sessions.exporter.export("eaf")
    qtbot.waitUntil(lambda: sessions.status.text() == f"Exported {wav.stem}.eaf.", timeout=10000)
    sessions.exporter.export("textgrid")
    qtbot.waitUntil(lambda: sessions.status.text() == f"Exported {wav.stem}.TextGrid.", timeout=10000)
    eaf = pympi.Elan.Eaf(str(wav.with_suffix(".eaf")))
    annotations = [a for tier in eaf.get_tier_names() for a in eaf.get_annotation_data_for_tier(tier)]
    assert any("son gente sol" in str(a[2]) for a in annotations)
    grid = textgrid.openTextgrid(str(wav.with_suffix(".TextGrid")), includeEmptyIntervals=False)
    assert any("son gente sol" in entry.label for tier in grid.tiers for entry in tier.entries)
    offered = [sessions.exporter.format_box.itemText(i) for i in range(sessions.exporter.format_box.count())]
    for fmt in offered:  # no export may overwrite the transcript and lose the mark of hand corrections
        sessions.exporter.export(fmt)
        qtbot.waitUntil(lambda: sessions.status.text().startswith("Exported"), timeout=10000)
        sessions.status.clear()
    assert {"srt", "vtt", "txt"} <= set(offered)
    assert json.loads(saved.read_text())["edited"] is True

    sessions.table.cellClicked.emit(0, 3)  # a click anywhere in a line, its text too: hear it
    qtbot.waitUntil(lambda: bool(player.played), timeout=10000)
    clip, rate = player.played[-1]
    segment = sessions.transcript.segments[0]
    assert rate == 16000 and abs(len(clip) / 16000 - (segment.end - segment.start)) < 0.05
    assert sessions.table.item(0, 3).font().bold() and sessions.table.playing == 0, "the line heard stands out"
    minutes, rest = divmod(round(segment.end * 1000), 60000)
    assert sessions.table.item(0, 1).text() == f"{minutes}:{rest / 1000:06.3f}", "times as m:ss.mmm"
    sessions.playback.toggle()
    qtbot.waitUntil(lambda: not sessions.table.item(0, 3).font().bold(), timeout=10000)


def test_low_confidence_words_are_marked(qtbot, make_window, tmp_path: Path) -> None:
    from mms_desktop.core.base import Segment, Transcript, Word

    window = make_window()
    sessions = window.tools.open_sessions()
    words = (Word("casa", 0.0, 0.4, 0.95), Word("pez", 0.5, 0.8, 0.2))
    sessions.transcript = Transcript("spa", 1.0, (Segment(0.0, 0.8, "casa pez", words),))
    sessions.table.show_segments(list(sessions.transcript.segments))
    assert sessions.table.low_confidence_rows() == [0]
    assert "pez" in sessions.table.item(0, 3).toolTip() and "casa" not in sessions.table.item(0, 3).toolTip()


def open_transcribed_recording(qtbot, window, project_dir: Path, tmp_path: Path, repeat: int = 1):
    """The sessions window showing a session's recording (the words said ``repeat`` times) with a machine
    transcript."""
    import soundfile as sf

    from mms_desktop.core.base import Segment, Transcript, Word
    from mms_desktop.core.fieldwork import Project, SessionInfo, save_transcript, transcript_path

    project = Project(project_dir)
    info = project.create(SessionInfo(id="", title="Songs", language="spa"))
    wav = project.next_recording(info.id)
    sf.write(wav, np.tile(espeak("casa pez", "es", tmp_path), repeat), 16000)
    words = (Word("casa", 0.1, 0.4, 0.9), Word("pes", 0.5, 0.8, 0.6))
    save_transcript(transcript_path(wav), Transcript("spa", 1.0, (Segment(0.0, 0.9, "casa pes", words),)), False)
    sessions = window.tools.open_sessions()
    sessions.open_project(project_dir)
    qtbot.waitUntil(lambda: sessions.sessions.count() == 1, timeout=30000)
    sessions.sessions.setCurrentRow(0)
    qtbot.waitUntil(lambda: sessions.recordings.count() == 1, timeout=30000)
    sessions.recordings.setCurrentRow(0)
    qtbot.waitUntil(lambda: sessions.transcript is not None, timeout=30000)
    return sessions, wav


def test_a_correction_is_never_lost_when_the_disk_refuses_it(qtbot, make_window, tmp_path: Path, monkeypatch) -> None:
    """Saved as it is made; when saving fails, the window says so, keeps it, saves it with the next try, and
    asks before a close would lose it."""
    import shutil

    from mms_desktop.core.fieldwork import transcript_path
    from mms_desktop.gui import sessions_window

    window = make_window()
    sessions, wav = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path)
    saved = transcript_path(wav)
    saved.unlink()
    saved.mkdir()  # what stands in the way of the file: the save fails, as on a full or broken disk
    sessions.table.item(0, 3).setText("casa pez")
    qtbot.waitUntil(lambda: "could not be saved" in sessions.status.text(), timeout=10000)
    assert sessions.status.text().endswith("The correction stays here and is saved with your next one.")
    asked: list[str] = []
    monkeypatch.setattr(sessions_window, "close_anyway", lambda parent, lost: asked.append(lost) or False)
    window.close()  # closing the main window closes the sessions window first, which asks
    qtbot.waitUntil(lambda: bool(asked), timeout=60000)  # once the main window's models are loaded
    assert asked == [f"Your corrections to {saved.name} could not be saved."]
    assert sessions.isVisible() and window.isVisible(), "Cancel keeps both windows and the correction"

    shutil.rmtree(saved)  # the disk works again
    sessions.close()
    assert not sessions.isVisible() and len(asked) == 1, "closing tried once more, and it worked"
    assert json.loads(saved.read_text())["segments"][0]["text"] == "casa pez"
    assert json.loads(saved.read_text())["edited"] is True


def test_choosing_another_recording_keeps_the_correction(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    sessions, wav = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path)
    assert sessions.recordings.item(0).text() == f"{wav.name}\n0:01 · transcribed"
    sessions.table.item(0, 3).setText("casa pez")
    qtbot.waitUntil(lambda: sessions.recordings.item(0).text().endswith("· corrected by hand"), timeout=10000)
    sessions.recordings.setCurrentRow(-1)
    sessions.recordings.setCurrentRow(0)
    qtbot.waitUntil(lambda: sessions.transcript is not None, timeout=30000)
    assert sessions.table.item(0, 3).text() == "casa pez"


def test_the_sessions_window_works_from_the_keyboard(qtbot, make_window, player, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    window = make_window()
    sessions, wav = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path)
    sessions.activateWindow()
    qtbot.waitUntil(sessions.isActiveWindow, timeout=10000)
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(sessions.table, Qt.Key.Key_P, ctrl)
    assert sessions.status.text() == "Choose a line to hear it." and not player.played
    sessions.table.setCurrentCell(0, 0)
    qtbot.keyClick(sessions.table, Qt.Key.Key_P, ctrl)  # hear the chosen line
    qtbot.waitUntil(lambda: bool(player.played), timeout=10000)
    assert player.playing
    qtbot.keyClick(sessions.table, Qt.Key.Key_P, ctrl)  # again: stop it
    assert not player.playing and sessions.status.text() == "Stopped." and len(player.played) == 1
    qtbot.keyClick(sessions.table, Qt.Key.Key_E, ctrl)  # export in the chosen format (ELAN first)
    qtbot.waitUntil(lambda: sessions.status.text() == f"Exported {wav.stem}.eaf.", timeout=10000)
    assert "(Ctrl+R)" in sessions.record_button.toolTip()
    qtbot.keyClick(sessions.table, Qt.Key.Key_R, ctrl)  # record into the session, and stop
    qtbot.waitUntil(lambda: sessions.status.text() == "Listening…", timeout=60000)
    assert not window.dictation.is_running, "Ctrl+R acts in the window that has the focus only"
    qtbot.keyClick(sessions.table, Qt.Key.Key_R, ctrl)
    qtbot.waitUntil(lambda: not sessions.dictation.is_running, timeout=30000)
    qtbot.waitUntil(lambda: sessions.recordings.count() == 2, timeout=30000)


def test_a_long_transcription_shows_its_progress_and_can_be_cancelled(qtbot, make_window, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    window = make_window()
    window.context.settings.window_s = 2.0  # many windows, each a step of the progress
    sessions, wav = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path, repeat=600)
    saved = wav.with_suffix(".json").read_text()
    bar, transcription = sessions.transcription.progress, sessions.transcription
    assert not bar.isVisible() and not transcription.cancel_button.isVisible()
    sessions.activateWindow()
    qtbot.waitUntil(sessions.isActiveWindow, timeout=10000)
    assert sessions.table.rowCount() == 1, "the saved transcript: one line"
    qtbot.keyClick(sessions.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bar.isVisible() and bar.value() > 0, timeout=60000)
    assert transcription.cancel_button.isVisible() and not sessions.transcribe_button.isEnabled()
    qtbot.waitUntil(lambda: sessions.table.rowCount() > 1, timeout=60000)  # the lines found so far, as they come
    assert sessions.table.editTriggers() == sessions.table.EditTrigger.NoEditTriggers, "not corrected meanwhile"
    qtbot.keyClick(sessions.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not transcription.running, timeout=60000)
    assert sessions.status.text() == "Transcription cancelled; keep the lines found so far?"
    assert sessions.table.rowCount() > 1 and transcription.question.isVisible(), "kept in sight while it asks"
    transcription.question.button(transcription.question.StandardButton.No).click()
    said = "Transcription cancelled; the saved transcript is as it was."
    qtbot.waitUntil(lambda: sessions.status.text() == said, timeout=10000)
    assert wav.with_suffix(".json").read_text() == saved and bar.value() < 1000
    assert not bar.isVisible() and sessions.transcribe_button.isEnabled()
    qtbot.waitUntil(lambda: sessions.table.rowCount() == 1, timeout=10000)
    assert sessions.table.editTriggers() != sessions.table.EditTrigger.NoEditTriggers

    sessions.transcribe_button.click()  # again, and this time keep what was found
    qtbot.waitUntil(lambda: sessions.table.rowCount() > 1, timeout=60000)
    transcription.cancel()
    qtbot.waitUntil(lambda: not transcription.running, timeout=60000)
    found = sessions.table.rowCount()
    transcription.question.button(transcription.question.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: sessions.status.text().startswith("Kept the "), timeout=10000)
    kept = json.loads(wav.with_suffix(".json").read_text())
    assert len(kept["segments"]) == found and sessions.table.rowCount() == found
    saved = wav.with_suffix(".json").read_text()

    sessions.transcribe_button.click()
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=60000)
    sessions.close()  # closing stops it first, then the window goes
    assert sessions.isVisible()
    qtbot.waitUntil(lambda: not sessions.isVisible(), timeout=60000)
    assert not transcription.running and wav.with_suffix(".json").read_text() == saved


def test_transcribe_all_does_those_without_a_transcript_and_keeps_each_done(qtbot, make_window, tmp_path: Path) -> None:
    import soundfile as sf
    from PySide6.QtCore import Qt

    from mms_desktop.core.fieldwork import transcript_path

    window = make_window()
    window.context.settings.window_s = 2.0  # many windows, each a step of the progress
    sessions, first = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path)
    kept = transcript_path(first).read_text()
    short, long = first.with_name(first.name.replace("_01", "_02")), first.with_name(first.name.replace("_01", "_03"))
    sf.write(short, espeak("son gente sol nueve", "es", tmp_path), 16000)
    sf.write(long, np.tile(espeak("casa pez", "es", tmp_path), 300), 16000)
    sessions.list_recordings(select=short)
    qtbot.waitUntil(lambda: sessions.recording == short and "No transcript yet" in sessions.status.text(),
                    timeout=30000)  # fmt: skip
    bar = sessions.transcription.progress
    sessions.activateWindow()
    qtbot.waitUntil(sessions.isActiveWindow, timeout=10000)
    qtbot.keyClick(
        sessions.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: bar.value() > 500, timeout=60000)  # the second of the two is under way
    assert sessions.status.text().startswith(f"Transcribing {long.name} (2 of 2)")
    assert not sessions.transcribe_all_button.isEnabled() and not sessions.transcribe_button.isEnabled()
    qtbot.keyClick(sessions.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not sessions.transcription.running, timeout=60000)
    said = "Transcription cancelled. 1 recording transcribed before it stopped."
    assert transcript_path(first).read_text() == kept, "a recording with a transcript is left as it is"
    assert not transcript_path(long).exists(), "the cancelled one has none"
    qtbot.waitUntil(lambda: sessions.transcript is not None, timeout=30000)  # the chosen one, as just saved
    assert "gente" in sessions.table.item(0, 3).text()
    assert sessions.status.text() == said, "the line stays once the transcript is shown again"
    labels = ["0:01 · transcribed", "0:02 · transcribed", "4:42 · no transcript"]  # the list says which
    qtbot.waitUntil(lambda: [sessions.recordings.item(row).text().split("\n")[1] for row in range(3)] == labels,
                    timeout=10000)  # fmt: skip

    long.unlink()
    sessions.list_recordings(select=short)
    qtbot.waitUntil(lambda: sessions.recordings.count() == 2, timeout=30000)
    sessions.transcribe_all_button.click()
    qtbot.waitUntil(lambda: not sessions.transcription.running, timeout=30000)
    assert sessions.status.text() == "Every recording of this session has a transcript already."


def test_exporting_over_a_file_changed_in_elan_asks_first(qtbot, make_window, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    window = make_window()
    sessions, wav = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path)
    sessions.exporter.export("eaf")
    qtbot.waitUntil(lambda: sessions.status.text() == f"Exported {wav.stem}.eaf.", timeout=10000)
    eaf = wav.with_suffix(".eaf")
    eaf.write_text(eaf.read_text().replace("casa pes", "casa pez (corrected in ELAN)"))
    worked_on = eaf.read_text()
    for answer in (QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes):
        sessions.status.clear()
        sessions.exporter.export("eaf")
        qtbot.waitUntil(lambda: sessions.findChild(QMessageBox) is not None, timeout=10000)
        box = sessions.findChild(QMessageBox)
        assert "has changed since it was exported" in box.text() and box.defaultButton() == box.button(
            QMessageBox.StandardButton.No
        )
        assert sessions.status.text() == "Nothing was exported; the file there is as it was."
        assert eaf.read_text() == worked_on
        box.button(answer).click()
        box.setParent(None)
        box.deleteLater()
    qtbot.waitUntil(lambda: sessions.status.text() == f"Exported {wav.stem}.eaf.", timeout=10000)
    assert "ELAN" not in eaf.read_text(), "replaced once the linguist said so"


def test_a_sessions_details_can_be_corrected_and_its_files_keep_their_names(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    sessions, wav = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path)
    session_id = sessions.session.id
    dialog = sessions.edit_session()
    assert dialog.editors["title"].text() == "Songs" and dialog.editors["language"].text() == "spa"
    dialog.editors["title"].setText("")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.error.text() == "Give the session a title."
    dialog.editors["title"].setText("Songs of the harvest")
    dialog.speakers.setText("SP1:Maria; SP2:Ana")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: sessions.session is not None and sessions.session.title == "Songs of the harvest",
                    timeout=30000)  # fmt: skip
    meta = json.loads((tmp_path / "project" / session_id / "session.json").read_text())
    assert meta["id"] == session_id and meta["title"] == "Songs of the harvest"
    assert meta["speakers"] == [{"id": "SP1", "name": "Maria"}, {"id": "SP2", "name": "Ana"}]
    assert sessions.sessions.item(0).text().startswith("Songs of the harvest\n")
    assert {p.name for p in wav.parent.iterdir()} == {"session.json", wav.name, wav.stem + ".json"}
    again = sessions.edit_session()
    assert again.speakers.text() == "SP1:Maria; SP2:Ana" and again.windowTitle() == f"Session {session_id}"
    again.reject()


def test_a_session_whose_details_cannot_be_read_hides_no_other(qtbot, make_window, tmp_path: Path) -> None:
    from mms_desktop.core.fieldwork import Project, SessionInfo

    project = Project(tmp_path / "project")
    kept = project.create(SessionInfo(id="", title="Songs", language="spa"))
    for title in ("Tales", "Riddles"):
        damaged = project.create(SessionInfo(id="", title=title, language="spa"))
        (project.folder / damaged.id / "session.json").write_text("{")
    window = make_window()
    sessions = window.tools.open_sessions()
    sessions.open_project(project.folder)
    qtbot.waitUntil(lambda: sessions.sessions.count() == 1, timeout=30000)
    assert sessions.sessions.item(0).text().startswith("Songs") and sessions._infos[0].id == kept.id
    status = sessions.status.text()
    assert status.startswith("The details of session '") and "repair" in status
    assert status.endswith("1 other session could not be read either."), status


def test_a_damaged_transcript_is_said_and_transcribed_anew(qtbot, make_window, tmp_path: Path) -> None:
    from mms_desktop.core.fieldwork import transcript_path

    window = make_window()
    sessions, first = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path)
    transcript_path(first).write_text('{"segments": [')
    sessions.list_recordings(select=first)
    qtbot.waitUntil(lambda: "could not be read as a transcript" in sessions.status.text(), timeout=30000)
    assert sessions.table.rowCount() == 0
    qtbot.waitUntil(lambda: sessions.recordings.item(0).text().endswith("· transcript unreadable"), timeout=10000)
    sessions.transcribe_all_button.click()  # the damaged one counts as one without a transcript
    qtbot.waitUntil(lambda: sessions.status.text() == "Transcribed 1 recording.", timeout=60000)
    qtbot.waitUntil(lambda: sessions.table.rowCount() == 1, timeout=30000)
    assert "casa" in sessions.table.item(0, 3).text()
    assert len(list(first.parent.glob("*-unreadable-*.json"))) == 1, "the damaged file is set aside"


def test_recordings_from_a_field_recorder_are_added_and_listed(qtbot, make_window, player, tmp_path: Path) -> None:
    import soundfile as sf
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    window = make_window()
    sessions, first = open_transcribed_recording(qtbot, window, tmp_path / "project", tmp_path)
    card = tmp_path / "card"
    card.mkdir()
    sf.write(card / "ZOOM0042.flac", espeak("son gente sol nueve", "es", tmp_path), 16000)
    (card / "ZOOM0043.WAV").write_bytes(b"RIFF and then nothing")  # a file the recorder did not finish
    assert sessions.importer.button.isEnabled()

    def drop_card() -> None:  # the card's folder, dragged from the file manager onto the list of recordings
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(card))])
        what = (Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        enter = QDragEnterEvent(QPoint(10, 10), *what)
        QApplication.sendEvent(sessions.recordings.viewport(), enter)
        assert enter.isAccepted()
        QApplication.sendEvent(sessions.recordings.viewport(), QDropEvent(QPointF(10, 10), *what))

    drop_card()
    qtbot.waitUntil(lambda: not sessions.importer.running, timeout=30000)
    qtbot.waitUntil(lambda: "ZOOM0043.WAV" in sessions.status.text(), timeout=30000)
    assert sessions.recordings.count() == 1, "a file that is not audio stops the batch before any copy"
    (card / "ZOOM0043.WAV").unlink()
    drop_card()
    added = first.with_name(first.stem.replace("_01", "_02") + ".flac")
    said = "Added 1 recording. No transcript yet: press Transcribe."
    qtbot.waitUntil(lambda: sessions.status.text() == said, timeout=30000)
    assert sessions.recordings.paths == [first, added] and sessions.recording == added, "listed and chosen"
    assert added.read_bytes() == (card / "ZOOM0042.flac").read_bytes()
    sessions.playback.toggle()  # Ctrl+P: without a transcript, the whole recording is heard
    qtbot.waitUntil(lambda: bool(player.played), timeout=10000)
    assert len(player.played[-1][0]) == len(sessions.audio) and sessions.status.text().startswith("Playing ")
    sessions.playback.toggle()
    sessions.transcribe_button.click()
    qtbot.waitUntil(lambda: sessions.table.rowCount() == 1, timeout=60000)
    assert "gente" in sessions.table.item(0, 3).text()


def test_recording_shows_the_level_time_and_disk_warns_of_clipping_and_credits_the_chosen_speaker(
    qtbot, make_window, microphone, tmp_path: Path
) -> None:
    window = make_window()
    sessions = window.tools.open_sessions()
    sessions.open_project(tmp_path / "project")
    qtbot.waitUntil(sessions.new_button.isEnabled, timeout=30000)
    create_session(qtbot, sessions, title="Two voices", language="spa", speakers="SP1:Maria; SP2:Juan")
    qtbot.waitUntil(lambda: sessions.session is not None, timeout=30000)
    box = sessions.recorder.speaker_box
    assert [box.itemText(i) for i in range(box.count())] == ["SP1 · Maria", "SP2 · Juan"]
    box.setCurrentIndex(1)

    sessions.record_button.click()
    qtbot.waitUntil(lambda: sessions.status.text() == "Listening…", timeout=60000)
    loud = np.clip(espeak("son gente sol nueve camino pez", "es", tmp_path) * 20, -1.0, 1.0)  # far too loud
    microphone.say(loud)
    qtbot.waitUntil(lambda: sessions.recorder.meter.property("clipping") is True, timeout=30000)
    assert "lower the recording level" in sessions.status.text()
    assert sessions.recorder.meter.value() > 90, "the level meter shows the peak"
    qtbot.waitUntil(lambda: sessions.table.rowCount() == 1, timeout=30000)
    qtbot.waitUntil(lambda: "disk:" in sessions.recorder.clock.text(), timeout=10000)
    assert sessions.recorder.clock.text().startswith("● 0:0"), "the time recorded"
    sessions.record_button.click()
    qtbot.waitUntil(lambda: sessions.recording is not None and sessions.transcript is not None, timeout=60000)
    assert sessions.table.item(0, 2).text() == "SP2", "the line is the chosen speaker's"
    log = sessions.recording.parent / "session-log.txt"
    qtbot.waitUntil(log.exists, timeout=10000)
    line = log.read_text(encoding="utf-8")
    assert f"{sessions.recording.name} clipped in" in line and "lower the level" in line
