"""Finding and repairing recordings that a crash, a kill or a full disk left unfinished.

A recording is unfinished when its sidecar still says "recording" and no recorder holds it open (see
core/recorder.py for the lock). Repair never touches the original: it writes ``<name>.recovered.wav`` with
a header rebuilt from the bytes on disk.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; every unfinished recording is taken as left by a crash
    fcntl = None  # type: ignore[assignment]

from mms_desktop.core.audio.recorder import HEADER_BYTES, SIDECAR_SUFFIX, RecordingState, Sidecar, wav_header
from mms_desktop.core.base import SIDE_FOLDER, UserError

log = logging.getLogger(__name__)


def unfinished(folder: Path) -> list[Path]:
    """Recordings in ``folder`` whose sidecar says they never finished, and that no recorder still writes."""
    found = []
    described = folder.glob(f"{SIDE_FOLDER}/*.wav{SIDECAR_SUFFIX}"), folder.glob(f"*.wav{SIDECAR_SUFFIX}")
    for wav in sorted({folder / p.name[: -len(SIDECAR_SUFFIX)] for paths in described for p in paths}):
        info = Sidecar.read(wav)
        if info is not None and info.state == RecordingState.RECORDING.value and wav.exists() and not is_live(wav):
            found.append(wav)
    return found


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
        Sidecar.remove(wav)
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
