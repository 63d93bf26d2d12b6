"""Teaching the tiny model a new language from the window: espeak-ng Italian, which it has no adapter for."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import torch
from PySide6.QtCore import Qt

PHRASES = ["buongiorno a tutti", "la casa rossa", "il cane nero", "una bella giornata", "grazie mille amico",
           "dove sei andato", "il libro aperto", "acqua fresca", "la luna piena", "sei sette otto"]  # fmt: skip


def italian(folder: Path) -> Path:
    folder.mkdir()
    for i, text in enumerate(PHRASES):
        subprocess.run(["espeak-ng", "-v", "it", "-w", str(folder / f"{i:02d}.wav"), text], check=True)
        (folder / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    (folder / "broken.wav").write_bytes(b"not audio")
    (folder / "broken.txt").write_text("rotto")
    return folder


def test_train_watch_and_use_a_new_language(qtbot, make_window, installed_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(installed_home, home)
    window = make_window(home)
    trainer = window.tools.open_training()
    qtbot.waitUntil(lambda: trainer.start_from.count() > 1, timeout=30000)  # the installed adapters are listed
    devices = [trainer.device.itemText(i) for i in range(trainer.device.count())]
    assert devices == ["cpu", "cuda"] if torch.cuda.is_available() else devices == ["cpu"], "only devices it has"
    trainer.train()
    assert "Add at least one folder" in trainer.outcome.text()
    trainer.add_source(italian(tmp_path / "italian"))
    trainer.language.setText("Italian")
    trainer.train()
    qtbot.waitUntil(lambda: trainer.job is None, timeout=60000)
    assert "not a language code" in trainer.outcome.text()
    trainer.language.setText("ita")
    trainer.steps.setValue(40)
    trainer.train()
    qtbot.waitUntil(lambda: trainer.job is None, timeout=300000)
    assert trainer.report is not None, trainer.outcome.text()
    assert len(trainer.curve.losses) == 40 and trainer.curve.losses[-1][1] < trainer.curve.losses[0][1]
    assert "'ita' is installed" in trainer.outcome.text() and "CER" in trainer.outcome.text()
    report = trainer.report
    still_wrong = report.cer_after > 0.5 or report.wer_after >= 0.9
    assert ("it is not ready" in trainer.outcome.text()) == still_wrong, "ready only when it gets most of it right"
    assert ("ready for dictation" in trainer.outcome.text()) == (not still_wrong)
    assert "on 9 recordings" in trainer.outcome.text() and "On 1 held-out recording: CER" in trainer.outcome.text()
    assert "broken.wav" in trainer.outcome.text()  # skipped items are listed
    qtbot.waitUntil(lambda: window.bar.language_box.findData("ita") >= 0, timeout=30000)  # usable at once
    qtbot.waitUntil(lambda: trainer.start_from.findData("ita") >= 0, timeout=30000)  # and to start from next time
    assert trainer.keep_button.isHidden() and trainer.remove_button.isHidden(), "better: nothing to decide"
    pace = json.loads((home / "training" / "pace.json").read_text())["cpu"]
    assert pace > 0, "the pace of this machine's steps, kept for the next estimate"
    assert trainer._estimate(600, "cpu").startswith(f"About {max(1, round(600 * pace / 60))} min on this machine")

    # had the held-out recordings come out worse, it is said plainly, and the user decides
    import dataclasses

    trainer._known = set()  # as when 'ita' was not installed before the training
    trainer._trained(dataclasses.replace(trainer.report, cer_after=trainer.report.cer_before + 0.1), None)
    assert "worse on the recordings held out for testing, so it is not ready" in trainer.outcome.text()
    assert "ready for dictation" not in trainer.outcome.text()
    assert "This material holds 0.2 min of speech." in trainer.outcome.text(), "how much more would help"
    assert "(benchmark material, 20" in trainer.outcome.text(), "and the figures that advice rests on"
    assert trainer.keep_button.isVisible() and trainer.remove_button.isVisible()
    trainer.remove_button.click()
    qtbot.waitUntil(lambda: trainer.outcome.text() == "Removed 'ita'; nothing of it is left.", timeout=30000)
    qtbot.waitUntil(lambda: window.bar.language_box.findData("ita") < 0, timeout=30000)
    assert not trainer.remove_button.isVisible()
    trainer.close()


def test_cancelled_training_continues_from_its_checkpoint(qtbot, make_window, installed_home: Path,
                                                          tmp_path: Path) -> None:  # fmt: skip
    home = tmp_path / "home"
    shutil.copytree(installed_home, home)
    window = make_window(home)
    trainer = window.tools.open_training()
    trainer.add_source(italian(tmp_path / "italian"))
    trainer.language.setText("ita")
    trainer.steps.setValue(400)
    trainer.train()
    qtbot.waitUntil(lambda: len(trainer.curve.losses) >= 30, timeout=120000)
    qtbot.keyClick(trainer, Qt.Key.Key_Escape)  # as closing the window: stops at the next step, then goes
    assert trainer.isVisible(), "the window stays until the training has stopped"
    qtbot.waitUntil(lambda: not trainer.isVisible(), timeout=60000)
    assert trainer.job is None and trainer.outcome.text().startswith("Stopped.")
    assert window.tools.open_training() is trainer, "one window, so that one language is never trained twice at once"
    assert (home / "training" / "ita.ckpt").exists()
    stopped_at = trainer.curve.losses[-1][0]
    trainer.steps.setValue(stopped_at + 5)
    trainer.train()
    qtbot.waitUntil(lambda: trainer.job is None, timeout=120000)
    assert trainer.report is not None, trainer.outcome.text()
    assert trainer.curve.losses[0][0] > 20, "training went on from the checkpoint, not from step 1"
