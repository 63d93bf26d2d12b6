"""Teach a new language: choose recordings with transcripts, train an adapter, watch it learn, use it."""

from __future__ import annotations

import threading
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

from mms_desktop.core.base import Cancelled, counted
from mms_desktop.core.training import TrainProgress
from mms_desktop.gui.jobs import Job, describe_error
from mms_desktop.gui.language_picker import LanguagePicker
from mms_desktop.gui.loss_curve import LossCurve
from mms_desktop.gui.services import Services


class TrainingWindow(QDialog):
    """Data, settings, a live training curve and the result, in one window."""

    def __init__(self, services: Services, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Teach a new language")
        self.resize(760, 640)
        self.services = services
        self.job: Job | None = None
        self.report: Any = None
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
        for text, slot in (("Add folder…", self._add_folder), ("Add files…", self._add_files),
                           ("Remove", self._remove_source)):  # fmt: skip
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
        root.addWidget(self.outcome)
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
        for path in self.services.places.open_files(self, "ELAN, Praat or Common Voice files",
                                                "Transcripts (*.eaf *.TextGrid *.tsv);;All files (*)"):  # fmt: skip
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
        self.outcome.setText("Reading the recordings…")
        self._running(True)

        def work(report: Any, cancel: threading.Event) -> Any:
            from mms_desktop.core.training import check_job, collect, teach

            check_job(name, device)
            data = collect(sources)
            report(f"Training on {len(data.train)} recordings ({data.seconds / 60:.1f} min), "
                   f"{len(data.held_out)} held out for testing; {len(data.skipped)} skipped.")  # fmt: skip
            base = context.store.default_model("asr")
            return teach(context.store, data, name, steps, base, context.paths.data / "training", start_from,
                         device, report, cancel)  # fmt: skip

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

    @Slot()
    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.outcome.setText("Stopping at the next step; the checkpoint lets you continue later…")

    @Slot(object, object)
    def _trained(self, report: Any, error: BaseException | None) -> None:
        self.job = None
        self._running(False)
        if isinstance(error, Cancelled):
            self.outcome.setText("Stopped. Press Train with the same language to continue from the last checkpoint.")
            return
        if error is not None:
            self.outcome.setText(describe_error(error))
            return
        self.report = report
        skipped = f" Skipped {len(report.skipped)}: {'; '.join(report.skipped[:3])}." if report.skipped else ""
        self.outcome.setText(
            f"'{report.name}' is installed and ready for dictation and transcription. Trained {report.steps} steps "
            f"on {counted(report.train_items, 'recording')} ({report.train_seconds / 60:.1f} min). On "
            f"{counted(report.held_out_items, 'held-out recording')}: CER {report.cer_before:.1%} → "
            f"{report.cer_after:.1%}, WER {report.wer_before:.1%} → {report.wer_after:.1%}.{skipped} "
            "Share it from Tools → Languages → Export."
        )
        self.services.forget_models()
        self._fill_adapters()

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
