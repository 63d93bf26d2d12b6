"""Reading audio of any common format, rate and channel count into 16 kHz mono float32."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from mms_desktop.core.base import AudioError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
SUPPORTED_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3")
_SUPPORTED_TEXT = "WAV, FLAC, OGG or MP3"
SILENCE_PEAK = 1e-4  # about -80 dBFS: nothing a microphone would call sound
MIN_SAMPLES = 400  # 25 ms: the model's first convolution needs this much for a single frame
MIN_RATE, MAX_RATE = 1000, 768_000  # what recorders and sound cards use, with room on both sides


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
    """Read an audio file as 16 kHz mono float32 in [-1, 1], a block at a time (a long recording at 48 kHz
    stereo never sits in memory at its own rate).

    Raises:
        AudioError: the file is missing, empty, not audio, in an unsupported format, too short to hold
            speech, or holds unusable samples (NaN/Inf or silence only).
    """
    path = Path(path)
    with _reading(path):
        info = sf.info(os.fsencode(path))
    # Filled in place: a list of blocks joined at the end would hold the recording twice.
    samples = np.empty(int(info.frames * SAMPLE_RATE / max(info.samplerate, 1)) + SAMPLE_RATE, np.float32)
    filled = 0
    for block in audio_blocks(path):
        if filled + len(block) > len(samples):  # a header that understates the length
            samples = np.concatenate([samples[:filled], np.empty(max(len(block), filled), np.float32)])
        samples[filled : filled + len(block)] = block
        filled += len(block)
    return check_samples(samples[:filled], str(path))


def audio_blocks(path: Path, block_s: float = 10.0) -> Iterator[np.ndarray]:
    """The file's audio as 16 kHz mono float32 blocks of about ``block_s`` seconds, read as they are asked
    for (so that a caller that needs the first minute reads only that).

    Raises:
        AudioError: as :func:`load_audio`, for what the header or the samples read so far show.
    """
    with _reading(path), sf.SoundFile(os.fsencode(path)) as f:  # bytes: names that are not valid UTF-8 too
        rate = int(f.samplerate)
        if not MIN_RATE <= rate <= MAX_RATE:
            raise AudioError(
                f"{path} claims a sample rate of {rate} Hz, which no recording has; the file is damaged "
                "or was saved wrongly, so export it again."
            )
        stream = (
            soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ") if rate != SAMPLE_RATE else None
        )
        for block in f.blocks(blocksize=max(1, int(block_s * rate)), dtype="float32", always_2d=True):
            mono = block.mean(axis=1, dtype=np.float32) if block.shape[1] > 1 else block[:, 0]
            if not np.isfinite(mono).all():
                raise AudioError(f"{path} contains invalid samples (NaN or infinity); re-export it from its source.")
            yield stream.resample_chunk(mono) if stream is not None else mono.copy()
        if stream is not None:
            yield stream.resample_chunk(np.zeros(0, np.float32), last=True)


def check_audio(path: str | Path) -> None:
    """Check from its header alone that ``path`` is an audio file that can be read (its samples are read,
    and checked, by :func:`load_audio`).

    Raises:
        AudioError: the file is missing, empty, not audio or in an unsupported format.
    """
    path = Path(path)
    with _reading(path):
        sf.info(os.fsencode(path))


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


def check_samples(data: np.ndarray, source: str) -> np.ndarray:
    """``data`` (16 kHz mono float32), unless it holds no audio, is too short for the model's first frame, or
    is silent.

    Raises:
        AudioError: one of those, in one sentence naming ``source``.
    """
    if data.size == 0:
        raise AudioError(f"{source} contains no audio; record or choose another file.")
    if data.size < MIN_SAMPLES:
        raise AudioError(
            f"{source} is only {1000 * data.size / SAMPLE_RATE:.0f} ms long, too short to hold speech; "
            "choose a longer recording."
        )
    if float(np.max(np.abs(data))) < SILENCE_PEAK:
        raise AudioError(f"{source} contains only silence; check the microphone or the file.")
    return data


@contextlib.contextmanager
def wav_writer(path: Path, rate: int) -> Iterator[Callable[[np.ndarray], None]]:
    """A function that appends mono float audio to ``path`` as 16-bit PCM WAV, piece by piece. The file
    appears under its name only once the block ends without an error (written under a temporary name,
    synced, then renamed); on an error nothing is left.

    Raises:
        AudioError: the file could not be written, with where and why.
    """
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "wb") as fh, sf.SoundFile(fh, "w", rate, 1, "PCM_16", format="WAV") as out:
            yield lambda samples: out.write(np.clip(samples, -1.0, 1.0))
            out.flush()
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except (OSError, sf.LibsndfileError) as exc:
        raise AudioError(
            f"{path} could not be written ({getattr(exc, 'strerror', None) or exc}); choose another "
            "place or free some space."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def write_wav(path: str | Path, samples: np.ndarray, rate: int) -> None:
    """Write mono float audio as 16-bit PCM WAV."""
    sf.write(str(path), np.clip(samples, -1.0, 1.0), rate, subtype="PCM_16")
