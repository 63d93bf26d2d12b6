"""Crash-safe recording: audio reaches the disk as it is captured and survives a killed process.

The master recording is a 16-bit PCM WAV at the device's own rate and channel count, written by a
dedicated thread. Every ``sync_s`` seconds the header's sizes are brought up to date and the file is
fsynced, so a crash loses at most that much. A sidecar ``<name>.wav.json`` says whether the recording
finished; :func:`recover` repairs unfinished ones into a copy and never touches the original.

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

from mms_desktop.core.errors import UserError
from mms_desktop.core.fsutil import atomic_write_text

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
        return wav.with_name(wav.name + SIDECAR_SUFFIX)

    def write(self, wav: Path) -> None:
        atomic_write_text(self.path_for(wav), json.dumps(asdict(self), indent=1))

    @classmethod
    def read(cls, wav: Path) -> Sidecar | None:
        try:
            return cls(**json.loads(cls.path_for(wav).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


def wav_header(sample_rate: int, channels: int, data_bytes: int) -> bytes:
    """A canonical 44-byte PCM_16 WAV header for ``data_bytes`` of samples."""
    block = channels * 2
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, channels, sample_rate,
        sample_rate * block, block, 16, b"data", data_bytes,
    )  # fmt: skip


def to_pcm16(block: np.ndarray) -> bytes:
    """Float samples in [-1, 1] (frames × channels) to interleaved little-endian 16-bit PCM."""
    return (np.clip(block, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


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
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        _hold(self._fd)
        os.write(self._fd, wav_header(sample_rate, channels, 0))
        Sidecar(RecordingState.RECORDING.value, sample_rate, channels, started=time.time(), device=device).write(path)
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
                data = to_pcm16(block.reshape(-1, self.channels))
                os.write(self._fd, data)
                self._data_bytes += len(data)
                if time.monotonic() - last_sync >= self._sync_s:
                    self._sync()
                    last_sync = time.monotonic()
                    self._watch_disk()
        except OSError as exc:
            self.stopped_by_disk = True
            self._on_event(RecorderEvent("error", f"Writing {self.path.name} failed ({exc.strerror}); "
                                                  "the recording was saved up to this point."))  # fmt: skip
        finally:
            self._finish()

    def _sync(self) -> None:
        os.pwrite(self._fd, wav_header(self.sample_rate, self.channels, self._data_bytes), 0)
        os.fsync(self._fd)

    def _watch_disk(self) -> None:
        free = self._free(self.path.parent)
        if free < self._limits.stop_below:
            self.stopped_by_disk = True
            self._on_event(RecorderEvent("disk-full", f"The disk is nearly full; recording to {self.path.name} "
                                                      "stopped and everything so far was saved."))  # fmt: skip
        elif free < self._limits.warn_below and not self._warned:
            self._warned = True
            self._on_event(RecorderEvent("low-disk", f"Only {free // 1_000_000} MB are left on the disk; "
                                                     "recording will stop before it is full."))  # fmt: skip

    def _finish(self) -> None:
        try:
            self._sync()
        finally:
            os.close(self._fd)
        sidecar = Sidecar.read(self.path)
        if sidecar is not None:
            sidecar.state = RecordingState.COMPLETE.value
            sidecar.write(self.path)
        self._on_event(RecorderEvent("finished", f"Saved {self.path.name}."))


def unfinished(folder: Path) -> list[Path]:
    """Recordings in ``folder`` whose sidecar says they never finished, and that no recorder still writes."""
    found = []
    for sidecar in sorted(folder.glob(f"*.wav{SIDECAR_SUFFIX}")):
        wav = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])
        info = Sidecar.read(wav)
        if info is not None and info.state == RecordingState.RECORDING.value and wav.exists() and not is_live(wav):
            found.append(wav)
    return found


def _hold(fd: int) -> None:
    """Mark an open recording as in progress until its file is closed (see the module's notes)."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a file system without locks: the recording goes on unmarked
            log.debug("no lock on the recording", exc_info=True)


def is_live(wav: Path) -> bool:
    """Whether a recorder, in this process or another, still has ``wav`` open for writing."""
    if fcntl is None:
        return False
    try:
        fd = os.open(wav, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the shared lock taken to ask
    return False


class NothingRecorded(UserError):
    """An unfinished recording held no audio at all (stopped before the first block came)."""


def recover(wav: Path) -> Path:
    """Repair an unfinished recording into ``<name>.recovered.wav``; the original is left untouched.

    The header is rebuilt from the bytes actually on disk (whole frames only). One that holds no audio
    (stopped before the device delivered its first block) is removed with its sidecar instead: there is
    nothing in it to keep, and an empty copy would be listed as a recording.

    Raises:
        NothingRecorded: the recording held no audio; it was removed.
        UserError: there is no sidecar describing the recording's format.
    """
    info = Sidecar.read(wav)
    if info is None:
        raise UserError(f"{wav} has no recording description ({Sidecar.path_for(wav).name}); it cannot be repaired.")
    block = 2 * info.channels
    data_bytes = max(0, wav.stat().st_size - HEADER_BYTES) // block * block
    if data_bytes == 0:
        wav.unlink()
        Sidecar.path_for(wav).unlink(missing_ok=True)
        raise NothingRecorded(
            f"{wav.name} held no audio (it was stopped before the microphone delivered any), so "
            "nothing was lost; it was removed."
        )
    target = wav.with_name(wav.stem + ".recovered.wav")
    tmp = target.with_name(f".{target.name}.tmp")
    with open(wav, "rb") as src, open(tmp, "wb") as dst:
        dst.write(wav_header(info.sample_rate, info.channels, data_bytes))
        src.seek(HEADER_BYTES)
        remaining = data_bytes
        while remaining:
            chunk = src.read(min(remaining, 1 << 20))
            if not chunk:
                break
            dst.write(chunk)
            remaining -= len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, target)
    info.state = RecordingState.RECOVERED.value
    info.write(wav)
    return target


def repair_unfinished(folder: Path) -> list[tuple[Path, Path]]:
    """Repair every unfinished recording in ``folder``; returns (original, repaired copy) pairs (one that held
    no audio is removed and not listed)."""
    repaired = []
    for wav in unfinished(folder) if folder.is_dir() else []:
        try:
            repaired.append((wav, recover(wav)))
        except NothingRecorded:
            log.info("removed %s, which held no audio", wav)
    return repaired
