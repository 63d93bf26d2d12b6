"""File → Transcribe a folder: every recording under a folder into a folder of transcripts, over the
window's own models, with progress and Cancel, going on where it stopped when started again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from helpers import espeak

from mms_desktop.core.batch import Ledger


def recordings(folder: Path, tmp_path: Path, count: int, repeats: int = 1) -> None:
    """``count`` recordings in a tree, each the same sentence ``repeats`` times after a pause of its own."""
    spoken = espeak("son gente sol nueve camino", "es", tmp_path)
    pause = np.zeros(16000, np.float32)
    for i in range(count):
        place = folder / ("uno" if i % 2 else "dos/tres")
        place.mkdir(parents=True, exist_ok=True)
        samples = np.concatenate([np.zeros(400 * i, np.float32), *[np.concatenate([spoken, pause])] * repeats])
        sf.write(place / f"r{i}.wav", samples, 16000)


def test_a_folder_is_transcribed_and_a_second_run_does_only_what_is_new(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    source, out = tmp_path / "field", tmp_path / "transcripts"
    recordings(source, tmp_path, 3)
    (source / "notes.txt").write_text("not a recording")
    assert "Transcribe a folder…" in window.menu_actions
    from mms_desktop.gui.folder_batch import FolderBatch

    batch = FolderBatch(window.services, window)
    outcomes: list = []
    batch.finished.connect(outcomes.append)
    batch.start(source, out, "spa")
    assert batch.dialog is not None and batch.dialog.isVisible()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=120000)
    outcome = outcomes[-1]
    assert (outcome.transcribed, outcome.skipped, outcome.failed, outcome.complete) == (3, 0, [], True)
    assert (out / "dos/tres/r0.txt").read_text().strip() and (out / "uno/r1.eaf").exists()
    assert "gente" in (out / "uno/r1.txt").read_text()
    recordings(source / "later", tmp_path, 1)
    batch.start(source, out, "spa")
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=120000)
    assert (outcomes[-1].transcribed, outcomes[-1].skipped) == (1, 3)


def test_cancel_stops_after_the_recording_in_hand_and_the_next_run_goes_on(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    source, out = tmp_path / "field", tmp_path / "transcripts"
    recordings(source, tmp_path, 8, repeats=4)  # long enough that Cancel comes while they are being done
    from mms_desktop.gui.folder_batch import FolderBatch

    batch = FolderBatch(window.services, window)
    outcomes: list = []
    batch.finished.connect(outcomes.append)
    statuses: list[str] = []
    batch.status.connect(statuses.append)
    batch.start(source, out, "spa")
    qtbot.waitUntil(lambda: batch.dialog.value() >= 1, timeout=120000)  # the first recording is done
    from PySide6.QtWidgets import QPushButton

    batch.dialog.findChild(QPushButton).click()  # the progress window's Cancel
    qtbot.waitUntil(lambda: bool(outcomes), timeout=120000)
    assert not outcomes[0].complete and outcomes[0].transcribed < 8
    assert len(Ledger(out).history()) == outcomes[0].transcribed
    assert "transcribe the folder again to go on" in statuses[-1]
    batch.start(source, out, "spa")
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=120000)
    assert outcomes[1].complete and outcomes[1].transcribed + outcomes[0].transcribed == 8
