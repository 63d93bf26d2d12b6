"""Reading audio of any common format, rate and channel count into 16 kHz mono float32."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from mms_desktop.core.errors import AudioError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
SUPPORTED_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3")
_SUPPORTED_TEXT = "WAV, FLAC, OGG or MP3"
SILENCE_PEAK = 1e-4  # about -80 dBFS: nothing a microphone would call sound


def audio_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, each folder among them standing for the audio files directly in it (by name).

    Raises:
        AudioError: a folder holds no audio file.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if _is_audio_file(p))
        if not inside:
            raise AudioError(f"{path} holds no audio files ({_SUPPORTED_TEXT}); choose the recordings themselves.")
        files += inside
    return files


def _is_audio_file(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".") and path.is_file()


def load_audio(path: str | Path) -> np.ndarray:
    """Read an audio file as 16 kHz mono float32 in [-1, 1].

    Raises:
        AudioError: the file is missing, empty, not audio, in an unsupported format, or holds
            unusable samples (NaN/Inf or silence only).
    """
    path = Path(path)
    with _reading(path):
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return prepare(data, rate, source=str(path))


def check_audio(path: str | Path) -> None:
    """Check from its header alone that ``path`` is an audio file that can be read (its samples are read,
    and checked, by :func:`load_audio`).

    Raises:
        AudioError: the file is missing, empty, not audio or in an unsupported format.
    """
    path = Path(path)
    with _reading(path):
        sf.info(str(path))


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn what can go wrong in reading ``path`` with soundfile into one sentence."""
    if not path.exists():
        raise AudioError(f"{path} does not exist; check the file name.")
    if path.is_dir():
        raise AudioError(f"{path} is a folder; give an audio file ({_SUPPORTED_TEXT}).")
    if path.stat().st_size == 0:
        raise AudioError(f"{path} is empty; record or choose another file.")
    try:
        yield
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        log.debug("soundfile could not read %s: %s", path, exc)
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            raise AudioError(f"{path} could not be read as audio; the file may be damaged.") from exc
        raise AudioError(f"{path} is not in a supported audio format; convert it to {_SUPPORTED_TEXT}.") from exc
    except OSError as exc:
        raise AudioError(f"{path} could not be opened ({exc.strerror}); check its permissions.") from exc


def prepare(samples: np.ndarray, rate: int, source: str = "the audio") -> np.ndarray:
    """Mix down to mono, check the samples and resample to 16 kHz.

    Args:
        samples: ``(frames,)`` or ``(frames, channels)`` samples, any float or int dtype.
        rate: their sample rate in Hz.
        source: how to name the audio in an error message.
    """
    data = np.asarray(samples)
    if np.issubdtype(data.dtype, np.integer):
        data = data.astype(np.float32) / float(np.iinfo(data.dtype).max)
    data = data.astype(np.float32, copy=False)
    if data.ndim == 2:
        data = data.mean(axis=1, dtype=np.float32)
    if data.size == 0:
        raise AudioError(f"{source} contains no audio; record or choose another file.")
    if not np.isfinite(data).all():
        raise AudioError(f"{source} contains invalid samples (NaN or infinity); re-export it from its source.")
    if float(np.max(np.abs(data))) < SILENCE_PEAK:
        raise AudioError(f"{source} contains only silence; check the microphone or the file.")
    return resample(data, rate, SAMPLE_RATE)


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Resample mono float32 audio with soxr's high-quality filter."""
    if rate <= 0:
        raise AudioError(f"The sample rate {rate} is not valid.")
    if rate == target:
        return np.ascontiguousarray(samples, dtype=np.float32)
    return soxr.resample(samples, rate, target, quality="HQ").astype(np.float32, copy=False)


def write_wav(path: str | Path, samples: np.ndarray, rate: int) -> None:
    """Write mono float audio as 16-bit PCM WAV."""
    sf.write(str(path), np.clip(samples, -1.0, 1.0), rate, subtype="PCM_16")
