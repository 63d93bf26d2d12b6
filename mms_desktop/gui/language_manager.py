"""The language manager: every language the store knows, searchable; install, remove, import, export."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mms_desktop.core.base import Progress, UserError, human_size
from mms_desktop.core.recognition import family_of
from mms_desktop.core.store import LanguageEntry, LanguageStore, language_entries
from mms_desktop.gui.jobs import Job, JobRunner, describe_error
from mms_desktop.gui.places import Places

COLUMNS = ("Language", "Code", "Status", "Size", "Recognition", "Voice")
ARCHIVES = "Language packs (*.zip *.tar *.tar.gz *.tgz)"


class LanguageManager(QDialog):
    """Lists languages from the store and the cached catalogue; works offline.

    Args:
        endpoint: the hub to install from (None: the default hub).

    Signals:
        changed(): something was installed, removed or imported.
    """

    changed = Signal()

    def __init__(self, store: LanguageStore, jobs: JobRunner, endpoint: str | None, parent: QWidget | None = None,
                 places: Places | None = None):  # fmt: skip
        super().__init__(parent)
        self.places = places or Places()
        self.setWindowTitle("Languages")
        self.resize(760, 520)
        self._store = store
        self._jobs = jobs
        self._endpoint = endpoint
        self._job: Job | None = None
        self.entries: list[LanguageEntry] = []
        self._message = ""

        self.search = QLineEdit(placeholderText="Search by name or code…", clearButtonEnabled=True)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.table = QTableView(sortingEnabled=True)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel(wordWrap=True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        names = ("Install", "Remove", "Import pack…", "Import folder…", "Export…", "Refresh catalogue", "Close")
        self.buttons = {name: QPushButton(name) for name in names}
        self.buttons["Import pack…"].setToolTip("Install languages from a pack archive (.zip, .tar, .tar.gz)")
        self.buttons["Import folder…"].setToolTip(
            "Install languages from a pack folder, or a model folder of the Hugging Face cache"
        )
        self._layout()
        self._connect()
        self.reload()

    def _layout(self) -> None:
        root = QVBoxLayout(self)
        root.addWidget(self.search)
        root.addWidget(self.table, 1)
        root.addWidget(self.note)
        busy = QHBoxLayout()
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        root.addLayout(busy)
        row = QHBoxLayout()
        for name, button in self.buttons.items():
            if name == "Close":
                row.addStretch(1)
            row.addWidget(button)
        root.addLayout(row)

    def _connect(self) -> None:
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.cancel_button.clicked.connect(self.cancel)
        self.buttons["Install"].clicked.connect(self.install_selected)
        self.buttons["Remove"].clicked.connect(self.remove_selected)
        self.buttons["Import pack…"].clicked.connect(self._ask_import)
        self.buttons["Import folder…"].clicked.connect(self._ask_import_folder)
        self.buttons["Export…"].clicked.connect(self._ask_export)
        self.buttons["Refresh catalogue"].clicked.connect(self.refresh_catalogue)
        self.buttons["Close"].clicked.connect(self.close)

    # -- listing ---------------------------------------------------------------------------------

    def reload(self, message: str = "") -> None:
        """Read the store and the cached catalogue again (in the background); ``message`` leads the note."""
        self._message = message
        self._run("list", lambda report, cancel: (*language_entries(self._store), in_use(self._store)), self._listed,
                  busy=False)  # fmt: skip

    @Slot(object, object)
    def _listed(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self.note.setText(describe_error(error))
            return
        chosen = {e.code for e in self.selected()}
        self.entries, have_catalogue, model = result
        self.model.removeRows(0, self.model.rowCount())
        for e in self.entries:
            size = QStandardItem(human_size(e.size) if e.size else "")
            size.setData(e.size, Qt.ItemDataRole.UserRole)
            status = "Installed" if e.installed else "Available"
            row = [QStandardItem(e.name), QStandardItem(e.code), QStandardItem(status), size,
                   QStandardItem(_part(e.has_recognition, e.offers_recognition)),
                   QStandardItem(_part(e.has_voice, e.offers_voice))]  # fmt: skip
            for item in row:
                item.setEditable(False)
            self.model.appendRow(row)
        self._reselect(chosen)
        installed = sum(e.installed for e in self.entries)
        lead = f"{self._message}\n{model} " if self._message else f"{model} "
        self.note.setText(
            lead + f"{installed} installed, {len(self.entries) - installed} more available."
            if have_catalogue
            else lead + f"{installed} installed. Only installed languages are shown: press Refresh catalogue "
            "(needs the network) to see every language, or import a pack."
        )
        self._update_buttons()

    def selected(self) -> list[LanguageEntry]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.entries[r] for r in sorted(rows)]

    def _reselect(self, codes: set[str]) -> None:
        selection = self.table.selectionModel()
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 1).data() in codes:
                selection.select(
                    self.proxy.index(row, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                )

    def select_code(self, code: str) -> None:
        """Select the row of a language (searching for it first)."""
        self.search.setText(code)
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 1).data() == code:
                self.table.selectRow(row)
                return

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self.selected()
        idle = self._job is None
        self.buttons["Install"].setEnabled(idle and any(not e.installed for e in chosen))
        own = [e for e in chosen if e.installed and not e.bundled]  # the demonstration pack's are the app's
        self.buttons["Remove"].setEnabled(idle and bool(own))
        self.buttons["Export…"].setEnabled(idle and bool(own))
        for name in ("Import pack…", "Import folder…", "Refresh catalogue"):
            self.buttons[name].setEnabled(idle)

    # -- actions ---------------------------------------------------------------------------------

    @Slot()
    def install_selected(self) -> None:
        codes = [e.code for e in self.selected() if not e.installed]
        if codes:
            work = lambda report, cancel: self._hub().install(codes, report, cancel)  # noqa: E731
            self._run(f"Installing {', '.join(codes)}", work, self._changed_done)

    @Slot()
    def remove_selected(self) -> None:
        codes = [e.code for e in self.selected() if e.installed and not e.bundled]
        if codes:
            self._run(f"Removing {', '.join(codes)}", lambda report, cancel: self._store.remove(codes),
                      self._changed_done)  # fmt: skip

    @Slot()
    def refresh_catalogue(self) -> None:
        self._run("Fetching the catalogue", lambda report, cancel: self._hub().refresh_catalogue(), self._refreshed)

    def import_pack(self, path: Path) -> None:
        from mms_desktop.core.store import import_pack

        self._run(f"Importing {path.name}", lambda report, cancel: import_pack(self._store, path, report),
                  self._changed_done)  # fmt: skip

    def export_pack(self, codes: list[str], path: Path) -> None:
        from mms_desktop.core.store import export_pack

        self._run(f"Exporting to {path.name}", lambda report, cancel: export_pack(self._store, codes, path, report),
                  self._exported)  # fmt: skip

    @Slot()
    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.note.setText("Cancelling…")

    @Slot()
    def _ask_import(self) -> None:
        path = self.places.open_file(self, "Import a language pack", f"{ARCHIVES};;All files (*)")
        if path is not None:
            self.import_pack(path)

    @Slot()
    def _ask_import_folder(self) -> None:
        path = self.places.choose_folder(self, "Import a language pack folder or a Hugging Face cache model")
        if path is not None:
            self.import_pack(path)

    @Slot()
    def _ask_export(self) -> None:
        codes = [e.code for e in self.selected() if e.installed and not e.bundled]
        path, _ = self.places.save_file(self, "Export languages", self.places.folder() / f"{'-'.join(codes)}.zip",
                                        ARCHIVES)  # fmt: skip
        if path is not None:
            self.export_pack(codes, path)

    def _hub(self) -> Any:
        from mms_desktop.core.store import HubClient

        return HubClient(self._store, endpoint=self._endpoint)

    # -- running ---------------------------------------------------------------------------------

    def _run(self, what: str, work: Callable[[Any, threading.Event], Any], done: Any, busy: bool = True) -> None:
        if busy:
            self.note.setText(f"{what}…")
            self.progress.setRange(0, 0)
            self.progress.setVisible(True)
            self.cancel_button.setVisible(True)
        job = self._jobs.start(what, work, lambda result, error: self._finish(job, done, result, error),
                               self._report)  # fmt: skip
        if busy:
            self._job = job
            self._update_buttons()

    def _finish(self, job: Job, done: Any, result: Any, error: BaseException | None) -> None:
        if job is self._job:
            self._job = None
            self.progress.setVisible(False)
            self.cancel_button.setVisible(False)
        done(result, error)
        self._update_buttons()

    @Slot(object)
    def _report(self, p: Progress) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(p.fraction * 1000))
        self.progress.setFormat(f"{p.detail} %p%")
        if p.detail:
            self.note.setText(f"{p.what}: {p.detail} ({human_size(p.done)} of {human_size(p.total)})")

    def _changed_done(self, result: Any, error: BaseException | None) -> None:
        message = describe_error(error) if error is not None else "Done."
        self.note.setText(message)
        self.changed.emit()
        self.reload(message)

    def _refreshed(self, result: Any, error: BaseException | None) -> None:
        self.reload(describe_error(error) if error is not None else "")

    def _exported(self, result: Any, error: BaseException | None) -> None:
        self.note.setText(describe_error(error) if error is not None else f"Exported to {result}.")

    @property
    def busy(self) -> bool:
        return self._job is not None

    def reject(self) -> None:
        """Closing (or Esc) cancels a download; the dialog goes once the download has stopped.

        Qt's dialogs close through this method, whether from the window's close button or from Esc.
        """
        if self._job is not None:
            self.cancel()
            self._job.then(self.reject)
            return
        super().reject()


def _part(has: bool, offers: bool) -> str:
    return "installed" if has else ("available" if offers else "—")


def in_use(store: LanguageStore) -> str:
    """Which recognition model the languages are for, and its family."""
    try:
        folder = store.default_model("asr")
        family = family_of(folder).title
    except UserError:
        return "No recognition model is installed yet."
    return f"Recognition model: {folder.parent.name}/{folder.name} ({family})."
