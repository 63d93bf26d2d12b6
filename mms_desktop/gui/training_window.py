"""Teach a new language: choose recordings with transcripts, train an adapter, watch it learn, use it."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mms_desktop.core.base import Cancelled, atomic_write_text, counted
from mms_desktop.core.training import FIGURES, TrainProgress, material_advice
from mms_desktop.gui.jobs import Job, describe_error
from mms_desktop.gui.language_picker import LanguagePicker
from mms_desktop.gui.loss_curve import LossCurve
from mms_desktop.gui.services import Services
from mms_desktop.paths import resources_dir


class TrainingWindow(QDialog):
    """Data, settings, a live training curve and the result, in one window."""

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Teach a new language")
        self.resize(760, 640)
        self.services = services
        self.job: Job | None = None
        self.report: Any = None
        self.advice = ""  # how much material would help, worked out with the material (off the GUI thread)
        self.sources = QListWidget()
        self.language = LanguagePicker(services.installed)
        self.name = QLineEdit(placeholderText="optional: sah-dialect_kolyma")
        self.steps = QSpinBox(minimum=1, maximum=100000, value=1000, singleStep=100)
        self.start_from = QComboBox()
        self.start_from.addItem("A fresh adapter", "")
        self.device = QComboBox()
        self.device.addItem("cpu")  # and cuda once the adapters' job has found a GPU
        self.curve = LossCurve()
        self.progress = QProgressBar()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.train_button = QPushButton("Train")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.keep_button = QPushButton("Keep it")
        self.remove_button = QPushButton("Remove it")
        for button, slot in ((self.keep_button, self._keep), (self.remove_button, self._remove)):
            button.clicked.connect(slot)
            button.hide()
        self._known: set[str] = set()  # the languages installed when the training started
        self._timing: tuple[float, int] | None = None  # when the first step of this run was seen, and which
        self._layout()
        self._fill_adapters()

    def _layout(self) -> None:
        root = QVBoxLayout(self)
        root.addWidget(
            QLabel(
                "<b>1. Recordings with transcripts</b> — folders of audio + .txt pairs, ELAN or "
                "Praat files beside their audio, field sessions, or a Common Voice .tsv",
                wordWrap=True,
            )
        )
        root.addWidget(self.sources)
        row = QHBoxLayout()
        for text, slot in (
            ("Add folder…", self._add_folder),
            ("Add files…", self._add_files),
            ("Remove", self._remove_source),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        root.addLayout(row)
        root.addWidget(QLabel("<b>2. Settings</b>"))
        form = QFormLayout()
        form.addRow("Language", self.language)
        form.addRow("Adapter name", self.name)
        form.addRow("Training steps", self.steps)
        form.addRow("Start from", self.start_from)
        form.addRow("Compute device", self.device)
        root.addLayout(form)
        root.addWidget(QLabel("<b>3. Training</b>"))
        root.addWidget(self.curve, 1)
        root.addWidget(self.progress)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.train_button)
        row.addWidget(self.cancel_button)
        root.addLayout(row)
        root.addWidget(QLabel("<b>4. Result</b>"))
        verdict = QHBoxLayout()
        verdict.addStretch(1)
        verdict.addWidget(self.keep_button)
        verdict.addWidget(self.remove_button)
        root.addWidget(self.outcome)
        root.addLayout(verdict)
        self.train_button.clicked.connect(self.train)
        self.cancel_button.clicked.connect(self.cancel)

    def _fill_adapters(self) -> None:
        """The installed adapters to start from, and whether there is a GPU to train on (both found off the
        GUI thread: the second needs torch)."""
        store = self.services.context.store

        def work(report: Any, cancel: Any) -> tuple[list[str], bool]:
            import torch

            from mms_desktop.core.recognition import available_languages

            return available_languages(store.default_model("asr")), torch.cuda.is_available()

        self.services.jobs.start("adapters", work, self._adapters)

    @Slot(object, object)
    def _adapters(self, found: Any, error: BaseException | None) -> None:
        names, gpu = found or ([], False)
        chosen = self.start_from.currentData()
        while self.start_from.count() > 1:  # listed again after each training, which may add one
            self.start_from.removeItem(1)
        for name in names:
            self.start_from.addItem(f"The installed '{name}' adapter", name)
        self.language.set_installed(names)
        self.start_from.setCurrentIndex(max(0, self.start_from.findData(chosen)))
        if gpu and self.device.findText("cuda") < 0:
            self.device.addItem("cuda")

    def add_source(self, path: Path) -> None:
        self.sources.addItem(str(path))

    @Slot()
    def _add_folder(self) -> None:
        folder = self.services.places.choose_folder(self, "A folder of recordings with transcripts, or a session")
        if folder is not None:
            self.add_source(folder)

    @Slot()
    def _add_files(self) -> None:
        for path in self.services.places.open_files(
            self, "ELAN, Praat or Common Voice files", "Transcripts (*.eaf *.TextGrid *.tsv);;All files (*)"
        ):
            self.add_source(path)

    @Slot()
    def _remove_source(self) -> None:
        for item in self.sources.selectedItems():
            self.sources.takeItem(self.sources.row(item))

    @Slot()
    def train(self) -> None:
        sources = [Path(self.sources.item(i).text()) for i in range(self.sources.count())]
        name = self.name.text().strip() or self.language.text().strip()
        if not sources:
            self.outcome.setText("Add at least one folder or file of recordings with transcripts.")
            return
        if not name:
            self.outcome.setText("Give the language's ISO 639-3 code.")
            return
        steps, start_from, device = self.steps.value(), self.start_from.currentData() or None, self.device.currentText()
        context = self.services.context
        self.curve.reset(steps)
        self.progress.setRange(0, steps)
        self.progress.setValue(0)
        self.outcome.setText(f"Reading the recordings… {self._estimate(steps, device)}")
        self._known, self._timing = set(self.services.installed), None
        self.keep_button.hide()
        self.remove_button.hide()
        self._running(True)

        def work(report: Any, cancel: threading.Event) -> Any:
            from mms_desktop.core.training import check_job, collect, teach

            check_job(name, device)
            data = collect(sources)
            self.advice = material_advice(data.seconds / 60, resources_dir() / FIGURES)
            report(
                f"Training on {len(data.train)} recordings ({data.seconds / 60:.1f} min), "
                f"{len(data.held_out)} held out for testing; {len(data.skipped)} skipped. {self.advice}"
            )
            base = context.store.default_model("asr")
            return teach(
                context.store,
                data,
                name,
                steps,
                base,
                context.paths.data / "training",
                start_from,
                device,
                report,
                cancel,
            )

        self.job = self.services.jobs.start(f"train {name}", work, self._trained, self._progress)

    def _running(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    @Slot(object)
    def _progress(self, p: Any) -> None:
        if isinstance(p, str):
            self.outcome.setText(p)
        elif isinstance(p, TrainProgress):
            self.curve.add(p.step, p.loss, p.cer)
            self.progress.setValue(p.step)
            self._time_left(p.step)

    @Slot()
    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.outcome.setText("Stopping at the next step; the checkpoint lets you continue later…")

    @Slot(object, object)
    def _trained(self, report: Any, error: BaseException | None) -> None:
        self.job = None
        self._running(False)
        self._save_pace(self.progress.value())
        if isinstance(error, Cancelled):
            self.outcome.setText("Stopped. Press Train with the same language to continue from the last checkpoint.")
            return
        if error is not None:
            self.outcome.setText(describe_error(error))
            return
        self.report = report
        self.progress.resetFormat()
        self.outcome.setText(verdict(report, self.advice, replaced=report.name in self._known))
        if worse(report):
            self.keep_button.show()
            self.remove_button.setVisible(report.name not in self._known)
        self.services.forget_models()
        self._fill_adapters()

    def _pace_file(self) -> Path:
        return self.services.context.paths.data / "training" / "pace.json"

    def _estimate(self, steps: int, device: str) -> str:
        """How long ``steps`` take on this machine, at the pace of the last training on this device."""
        try:
            pace = float(json.loads(self._pace_file().read_text(encoding="utf-8"))[device])
        except (OSError, ValueError, KeyError, TypeError):
            return "The time left is shown once the first steps are done."
        minutes = max(1, round(steps * pace / 60))
        return f"About {minutes} min on this machine ({pace:.2f} s a step in the last training here)."

    def _save_pace(self, step: int) -> None:
        if self._timing is None or step <= self._timing[1]:
            return
        pace = (time.monotonic() - self._timing[0]) / (step - self._timing[1])
        device, path = self.device.currentText(), self._pace_file()
        try:
            known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            atomic_write_text(path, json.dumps({**(known if isinstance(known, dict) else {}), device: round(pace, 4)}))
        except (OSError, ValueError):
            pass  # a pace not kept only means no estimate next time

    def _time_left(self, step: int) -> None:
        """The time left at the pace of this run's steps so far, in the progress bar."""
        now = time.monotonic()
        if self._timing is None:
            self._timing = (now, step)
            return
        started, first = self._timing
        if step > first:
            left = (now - started) / (step - first) * (self.progress.maximum() - step)
            self.progress.setFormat(f"Step %v of %m · about {max(1, round(left / 60))} min left")

    @Slot()
    def _keep(self) -> None:
        self.keep_button.hide()
        self.remove_button.hide()
        self.outcome.setText(f"Kept '{self.report.name}'; it is in the language chooser.")

    @Slot()
    def _remove(self) -> None:
        name, store = self.report.name, self.services.context.store
        self.keep_button.hide()
        self.remove_button.hide()

        def removed(result: Any, error: BaseException | None) -> None:
            self.outcome.setText(describe_error(error) if error else f"Removed '{name}'; nothing of it is left.")
            self.services.forget_models()
            self._fill_adapters()

        self.services.jobs.start(f"remove {name}", lambda report, cancel: store.remove([name]), removed)

    def reject(self) -> None:
        """Closing (or Esc) stops the training at its next step (its checkpoint is kept); the window goes after.

        Qt's dialogs close through this method, whether from the window's close button or from Esc, so one
        override covers both.
        """
        if self.job is not None:
            self.cancel()
            self.job.then(self.reject)
            return
        super().reject()


def worse(report: Any) -> bool:
    """Whether training made the held-out error rates worse (either of them)."""
    return bool(report.cer_after > report.cer_before or report.wer_after > report.wer_before)


def weak(report: Any) -> bool:
    """Whether the held-out recordings still come out mostly wrong (half the characters, or nearly every
    word): a rule of thumb for "not ready", not a measured threshold."""
    return bool(report.cer_after > 0.5 or report.wer_after >= 0.9)


def verdict(report: Any, advice: str, replaced: bool) -> str:
    """The result in plain words: ready only when the held-out recordings say it learned (``advice``: how
    much material would help, said when it is not ready)."""
    skipped = f" Skipped {len(report.skipped)}: {'; '.join(report.skipped[:3])}." if report.skipped else ""
    figures = (
        f"Trained {report.steps} steps on {counted(report.train_items, 'recording')} "
        f"({report.train_seconds / 60:.1f} min). On {counted(report.held_out_items, 'held-out recording')}: "
        f"CER {report.cer_before:.1%} → {report.cer_after:.1%}, WER {report.wer_before:.1%} → {report.wer_after:.1%}."
    )
    more = f"{advice} More steps may help too."
    if not worse(report) and weak(report):
        return (
            f"'{report.name}' is installed, but it is not ready: on the held-out recordings it still gets most of "
            f"it wrong. {figures}{skipped} {more}"
        )
    if not worse(report):
        return (
            f"'{report.name}' is installed and ready for dictation and transcription. {figures}{skipped} "
            "Share it from Tools → Languages → Export."
        )
    then = (
        "It replaced the adapter installed before; install that one again from Tools → Languages to go back, "
        "or keep this one."
        if replaced
        else "Keep it anyway, or remove it?"
    )
    return (
        f"Training made '{report.name}' worse on the recordings held out for testing, so it is not ready: "
        f"{figures}{skipped} {more} It is installed; {then}"
    )
