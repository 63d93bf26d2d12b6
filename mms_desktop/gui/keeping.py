"""Nothing the user made is lost: the main window's text is kept on disk while it changes and comes back when
the window opens again, and a window asks before closing over work that could not be saved, or before
replacing work with something new."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from mms_desktop.core.base import LatestWriter, Transcript, counted
from mms_desktop.core.formats import Draft
from mms_desktop.core.formats import draft as core_draft

SAVE_AFTER_MS = 1000  # a change reaches the disk this long after it was made, at the latest
SLOTS = 20


class DraftKeeper(QObject):
    """The text of one window, kept in ``draft.json`` in the data folder.

    Each running window claims a draft file of its own (``draft.json``, then ``draft-2.json``, …) with a
    lock file beside it, so that two windows open at once never overwrite each other's text; the lock of
    a process that crashed is taken over, and its text comes back.

    Args:
        folder: where drafts are kept (the data folder).
        snapshot: returns the window's current draft; called on the GUI thread.
    """

    def __init__(self, folder: Path, snapshot: Callable[[], Draft], parent: QObject | None = None):
        super().__init__(parent)
        self._snapshot = snapshot
        self._lock, self.path = self._claim(folder)
        self._writer: LatestWriter[Path, Draft] | None = LatestWriter(core_draft.save, name="draft-writer")
        self._timer = QTimer(self, singleShot=True, interval=SAVE_AFTER_MS)
        self._timer.timeout.connect(self.save)

    @staticmethod
    def _claim(folder: Path) -> tuple[QLockFile | None, Path]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # the writes will fail and say why in the log; the window works without them
        for slot in range(1, SLOTS + 1):
            path = folder / ("draft.json" if slot == 1 else f"draft-{slot}.json")
            lock = QLockFile(str(path.with_suffix(".lock")))
            if lock.tryLock(0):
                return lock, path
        return None, folder / "draft.json"  # unlocked: more windows than slots, or a folder without locks

    def restore(self) -> Draft | None:
        """The text this window's draft file kept, or None.

        Raises:
            UserError: the file was unreadable and has been set aside.
        """
        return core_draft.load(self.path)

    @Slot()
    def changed(self) -> None:
        """The text changed: keep it within :data:`SAVE_AFTER_MS`, however often it changes meanwhile."""
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def save(self) -> None:
        if self._writer is not None:
            self._writer.put(self.path, self._snapshot())

    def flush(self) -> bool:
        """Write the text as it is now and wait for it to reach the disk; False when it could not."""
        self._timer.stop()
        self.save()
        return self._writer is None or (self._writer.flush() and not self._writer.unsaved)

    def release(self) -> None:
        """Stop keeping the text (the window is closing) and let go of the draft file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def close_anyway(parent: QWidget, lost: str) -> bool:
    """Ask whether to close although ``lost`` (a sentence saying what could not be saved) will be lost."""
    answer = QMessageBox.warning(parent, "Close without saving?", f"{lost} Close anyway?",
                                 QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
                                 QMessageBox.StandardButton.Cancel)  # fmt: skip
    return answer == QMessageBox.StandardButton.Close


def ask_to_replace(parent: QWidget, title: str, question: str, replace: Callable[[], None]) -> QMessageBox:
    """Ask, without blocking, whether to replace work (``question`` says what would be lost and asks);
    ``replace`` runs on Yes. No, the default, keeps it."""
    return ask(parent, title, question, replace)


def ask(
    parent: QWidget,
    title: str,
    question: str,
    yes: Callable[[], None],
    no: Callable[[], None] | None = None,
    default_yes: bool = False,
) -> QMessageBox:
    """Ask a Yes/No ``question`` without blocking; ``yes`` or ``no`` runs with the answer (Esc answers No)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)  # fmt: skip
    box.setDefaultButton(QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No)
    box.accepted.connect(yes)
    if no is not None:
        box.rejected.connect(no)
    box.open()
    return box


def keep_lines(
    parent: QWidget, partial: Transcript, keep: Callable[[Transcript], None], drop: Callable[[], None]
) -> QMessageBox | None:
    """After a cancelled transcription: ask whether the lines of ``partial`` found so far stay (``keep``, Yes,
    the default) or go (``drop``); with none found, they go at once."""
    if not partial.segments:
        drop()
        return None
    lines = counted(len(partial.segments), "line")
    question = f"The transcription was cancelled after {lines}. Keep them in the text?"
    return ask(parent, "Keep the lines found so far?", question, lambda: keep(partial), drop, default_yes=True)
