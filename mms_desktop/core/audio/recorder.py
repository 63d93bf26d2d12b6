"""Crash-safe recording: audio reaches the disk as it is captured and survives a killed process.

The master recording is a 16-bit PCM WAV at the device's own rate and channel count, written by a
dedicated thread that never waits on the disk: every ``sync_s`` seconds a second thread brings the header's
sizes up to date and fsyncs the file. A killed process loses only the blocks not yet handed to the system
(which keeps what it was given however slow the disk is); a power cut loses at most ``sync_s`` and the
fsync's own time. A sidecar ``.mms-desktop/<name>.wav.json`` (in the hidden folder
beside the recording; older versions wrote it beside it, where it is still read) says whether the recording
finished; core/recovery.py repairs unfinished ones into a copy and never touches the original.

A recording in progress holds an advisory lock on its file (POSIX systems), so that another window or
process looking for unfinished recordings in the same folder leaves it alone instead of taking a live
recording for one a crash left behind; the system drops the lock when the recording process ends, however
it ends.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; every unfinished recording is taken as left by a crash
    fcntl = None  # type: ignore[assignment]

from mms_desktop.core.base import UserError, atomic_write_text, parse_json, side_file

log = logging.getLogger(__name__)

HEADER_BYTES = 44
SIDECAR_SUFFIX = ".json"


class RecordingState(Enum):
    RECORDING = "recording"
    COMPLETE = "complete"
    RECOVERED = "recovered"


@dataclass(frozen=True)
class DiskLimits:
    """Free-space thresholds in bytes: refuse to start, warn, and stop cleanly."""

    refuse_below: int = 200_000_000
    warn_below: int = 500_000_000
    stop_below: int = 50_000_000


@dataclass(frozen=True)
class RecorderEvent:
    """Something the user should hear about: low disk, a stop forced by the disk, an I/O error."""

    kind: str  # "low-disk", "disk-full", "error", "finished"
    message: str


@dataclass
class Sidecar:
    state: str
    sample_rate: int
    channels: int
    sample_format: str = "PCM_16"
    started: float = 0.0
    device: str = ""

    @classmethod
    def path_for(cls, wav: Path) -> Path:
        return side_file(wav, SIDECAR_SUFFIX)

    @classmethod
    def old_path_for(cls, wav: Path) -> Path:
        """Where versions before the hidden folder kept it: beside the recording."""
        return wav.with_name(wav.name + SIDECAR_SUFFIX)

    def write(self, wav: Path) -> None:
        """Write it in the hidden folder; one left beside the recording by an older version is then removed."""
        atomic_write_text(self.path_for(wav), json.dumps(asdict(self), indent=1))
        self.old_path_for(wav).unlink(missing_ok=True)

    @classmethod
    def remove(cls, wav: Path) -> None:
        for path in (cls.path_for(wav), cls.old_path_for(wav)):
            path.unlink(missing_ok=True)

    def rewrite(self, wav: Path) -> None:
        """Write over the existing sidecar in place, padded to its length: on a disk with no byte left, where
        a new file cannot be made, this needs no new space.

        Raises:
            OSError: it could not be written either way.
        """
        try:
            self.write(wav)
            return
        except OSError:
            log.info("rewriting %s in place: the disk has no room for a new file", self.path_for(wav))
        text = json.dumps(asdict(self)).encode("utf-8")
        with open(self.path_for(wav), "r+b") as fh:
            old = len(fh.read())
            fh.seek(0)
            fh.write(text + b" " * max(0, old - len(text)))
            fh.flush()
            os.fsync(fh.fileno())

    @classmethod
    def read(cls, wav: Path) -> Sidecar | None:
        """The recording's description, from the hidden folder or else from beside it (an older version's)."""
        for path in (cls.path_for(wav), cls.old_path_for(wav)):
            try:
                return cls(**parse_json(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue
        return None


def wav_header(sample_rate: int, channels: int, data_bytes: int) -> bytes:
    """A canonical 44-byte PCM_16 WAV header for ``data_bytes`` of samples."""
    block = channels * 2
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,
        channels,
        sample_rate,
        sample_rate * block,
        block,
        16,
        b"data",
        data_bytes,
    )


def to_pcm16(block: np.ndarray) -> bytes:
    """Float samples in [-1, 1] (frames × channels) to interleaved little-endian 16-bit PCM."""
    return bytes((np.clip(block, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes())


def _disk_free(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def check_target(path: Path, limits: DiskLimits = DiskLimits(), free_space: Callable[[Path], int] = _disk_free) -> None:
    """Raises UserError unless a new recording can start at ``path``: a file that does not exist yet, in a
    folder that does, on a disk with room (checked before the microphone is opened, and again at the start).
    """
    if path.exists():
        raise UserError(f"{path} already exists; choose another name so that nothing is overwritten.")
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist; choose where recordings go.")
    if not os.access(path.parent, os.W_OK):
        raise UserError(
            f"The folder {path.parent} cannot be written (it may be on a read-only disk); choose "
            "another folder for recordings."
        )
    free = free_space(path.parent)
    if free < limits.refuse_below:
        raise UserError(
            f"Only {free // 1_000_000} MB are free on the disk of {path.parent}; free some space or record to "
            "another disk."
        )


class Recorder:
    """Writes blocks handed to :meth:`write` on its own thread; :meth:`close` finalizes the file.

    Args:
        path: the WAV file to create (its folder must exist; an existing file is never overwritten).
        sample_rate, channels: the capture format, kept as is.
        on_event: called on the writer thread for low disk, forced stops and errors.
        sync_s: how often the header is fixed up and the file fsynced.
        free_space: returns free bytes on the recording's disk (replaceable in tests).
    """

    def __init__(
        self,
        path: Path,
        sample_rate: int,
        channels: int,
        on_event: Callable[[RecorderEvent], None] | None = None,
        sync_s: float = 0.5,
        limits: DiskLimits = DiskLimits(),
        free_space: Callable[[Path], int] | None = None,
        device: str = "",
    ):
        self.path = path
        self.sample_rate = sample_rate
        self.channels = channels
        self._on_event = on_event or (lambda e: None)
        self._sync_s = sync_s
        self._limits = limits
        self._free = free_space or _disk_free
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()
        self._data_bytes = 0
        self._warned = False
        self.stopped_by_disk = False
        check_target(path, self._limits, self._free)
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            raise UserError(
                f"{path.name} cannot be created in {path.parent} ({exc.strerror}); choose a folder "
                "that can be written for recordings."
            ) from exc
        try:
            _hold(self._fd)
            os.write(self._fd, wav_header(sample_rate, channels, 0))
            Sidecar(RecordingState.RECORDING.value, sample_rate, channels, started=time.time(), device=device).write(
                path
            )
        except OSError as exc:  # nothing was recorded yet: nothing is left behind
            os.close(self._fd)
            path.unlink(missing_ok=True)
            raise UserError(
                f"{path.name} could not be started in {path.parent} ({exc.strerror}); free some "
                "space or choose another folder for recordings."
            ) from exc
        self._sync_due = threading.Event()
        self._closing = False
        self._sync_failed: OSError | None = None
        self._syncer = threading.Thread(target=self._keep_synced, name="recorder-sync", daemon=True)
        self._syncer.start()
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    @property
    def frames_written(self) -> int:
        return self._data_bytes // (2 * self.channels)

    def write(self, block: np.ndarray) -> None:
        """Queue a ``(frames, channels)`` float block; returns at once (safe from the capture side)."""
        self._queue.put(block)

    def close(self) -> Path:
        """Write what is queued, finalize header and sidecar, and return the path."""
        self._queue.put(None)
        self._thread.join()
        return self.path

    def _run(self) -> None:
        last_sync = time.monotonic()
        try:
            while True:
                block = self._queue.get()
                if block is None:
                    break
                if self.stopped_by_disk:
                    continue
                if self._sync_failed is not None:
                    raise self._sync_failed
                data = to_pcm16(block.reshape(-1, self.channels))
                os.write(self._fd, data)
                self._data_bytes += len(data)
                if time.monotonic() - last_sync >= self._sync_s:
                    self._sync_due.set()
                    last_sync = time.monotonic()
                    self._watch_disk()
        except OSError as exc:
            self.stopped_by_disk = True
            self._on_event(
                RecorderEvent(
                    "error",
                    f"Writing {self.path.name} failed ({exc.strerror}); the recording was saved up to this point.",
                )
            )
        finally:
            self._closing = True
            self._sync_due.set()
            self._syncer.join()
            self._finish()

    def _keep_synced(self) -> None:
        """The syncing thread: header and fsync when the writer says one is due, until the writer ends."""
        while True:
            self._sync_due.wait()
            self._sync_due.clear()
            if self._closing:
                return
            try:
                self._sync()
            except OSError as exc:  # the writer stops at its next block and says why
                self._sync_failed = exc
                return

    def _sync(self) -> None:
        os.pwrite(self._fd, wav_header(self.sample_rate, self.channels, self._data_bytes), 0)
        os.fsync(self._fd)

    def _watch_disk(self) -> None:
        free = self._free(self.path.parent)
        if free < self._limits.stop_below:
            self.stopped_by_disk = True
            self._on_event(
                RecorderEvent(
                    "disk-full",
                    f"The disk is nearly full; recording to {self.path.name} stopped and everything so far was saved.",
                )
            )
        elif free < self._limits.warn_below and not self._warned:
            self._warned = True
            self._on_event(
                RecorderEvent(
                    "low-disk",
                    f"Only {free // 1_000_000} MB are left on the disk; recording will stop before it is full.",
                )
            )

    def _finish(self) -> None:
        """Bring the header up to date and mark the recording complete. Where the disk refuses even that (a
        full disk, a card pulled out), the audio on disk stays as it is and the sidecar keeps saying
        "recording", so that :func:`recover` rebuilds the header from it later."""
        try:
            self._sync()
            synced = True
        except OSError:
            log.warning("the header of %s could not be brought up to date", self.path, exc_info=True)
            synced = False
        finally:
            os.close(self._fd)
        sidecar = Sidecar.read(self.path)
        if sidecar is not None and synced:
            sidecar.state = RecordingState.COMPLETE.value
            try:
                sidecar.rewrite(self.path)
            except OSError:
                log.warning("%s could not be marked complete; recover will repair it", self.path, exc_info=True)
        self._on_event(RecorderEvent("finished", f"Saved {self.path.name}."))


def _hold(fd: int) -> None:
    """Mark an open recording as in progress until its file is closed (see the module's notes)."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a file system without locks: the recording goes on unmarked
            log.debug("no lock on the recording", exc_info=True)
