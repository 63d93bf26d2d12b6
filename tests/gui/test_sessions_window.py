"""The field-sessions window: a session with its metadata, a recording of a speaker, a corrected
word-timed transcript, exports that ELAN and Praat read."""

from __future__ import annotations

import json
from pathlib import Path

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
    sessions = window.open_sessions()
    sessions.open_project(tmp_path / "project")
    qtbot.waitUntil(sessions.new_button.isEnabled, timeout=30000)
    bad = create_session(qtbot, sessions, title="Stories", language="not a code")
    assert bad.isVisible() and "ISO 639-3" in bad.error.text()
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

    sessions.table.item(0, 3).setText("son gente sol nueve camino pez")  # the linguist's correction
    sessions.save_corrections()
    saved = wav.with_suffix(".json")
    qtbot.waitUntil(lambda: json.loads(saved.read_text()).get("edited") is True, timeout=10000)
    assert json.loads(saved.read_text())["segments"][0]["text"] == "son gente sol nueve camino pez"
    sessions.transcribe()  # a new machine transcript must not silently replace the correction
    qtbot.waitUntil(lambda: "hand corrections" in sessions.status.text(), timeout=60000)
    assert json.loads(saved.read_text())["segments"][0]["text"] == "son gente sol nueve camino pez"

    sessions.export("eaf")
    qtbot.waitUntil(lambda: sessions.status.text() == f"Exported {wav.stem}.eaf.", timeout=10000)
    sessions.export("textgrid")
    qtbot.waitUntil(lambda: sessions.status.text() == f"Exported {wav.stem}.TextGrid.", timeout=10000)
    eaf = pympi.Elan.Eaf(str(wav.with_suffix(".eaf")))
    annotations = [a for tier in eaf.get_tier_names() for a in eaf.get_annotation_data_for_tier(tier)]
    assert any("son gente sol" in str(a[2]) for a in annotations)
    grid = textgrid.openTextgrid(str(wav.with_suffix(".TextGrid")), includeEmptyIntervals=False)
    assert any("son gente sol" in entry.label for tier in grid.tiers for entry in tier.entries)

    sessions.table.cellClicked.emit(0, 0)  # click a line: hear it
    qtbot.waitUntil(lambda: bool(player.played), timeout=10000)
    clip, rate = player.played[-1]
    segment = sessions.transcript.segments[0]
    assert rate == 16000 and abs(len(clip) / 16000 - (segment.end - segment.start)) < 0.05


def test_low_confidence_words_are_marked(qtbot, make_window, tmp_path: Path) -> None:
    from mms_desktop.core.events import Segment, Transcript, Word

    window = make_window()
    sessions = window.open_sessions()
    words = (Word("casa", 0.0, 0.4, 0.95), Word("pez", 0.5, 0.8, 0.2))
    sessions.transcript = Transcript("spa", 1.0, (Segment(0.0, 0.8, "casa pez", words),))
    sessions.table.show_segments(list(sessions.transcript.segments))
    assert sessions.table.low_confidence_rows() == [0]
    assert "pez" in sessions.table.item(0, 3).toolTip() and "casa" not in sessions.table.item(0, 3).toolTip()
