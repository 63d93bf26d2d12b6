from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import tone

from mms_desktop.core.audio import SAMPLE_RATE, audio_files, load_audio
from mms_desktop.core.base import AudioError


@pytest.mark.parametrize(
    ("suffix", "fmt", "subtype"),
    [
        (".wav", "WAV", "PCM_16"),
        (".flac", "FLAC", "PCM_16"),
        (".ogg", "OGG", "VORBIS"),
        (".mp3", "MP3", "MPEG_LAYER_III"),
    ],
)
def test_reads_every_format_at_any_rate_and_channel_count(tmp_path: Path, suffix, fmt, subtype) -> None:
    path = tmp_path / f"tone{suffix}"
    sf.write(path, tone(1.5, rate=44100, channels=2), 44100, format=fmt, subtype=subtype)
    audio = load_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - 1.5 * SAMPLE_RATE) < 0.06 * SAMPLE_RATE  # mp3 adds encoder padding
    # The 440 Hz tone survives resampling: the spectrum peaks there.
    spectrum = np.abs(np.fft.rfft(audio[2000:18000]))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / 16000 - 440) < 5


def test_resamples_to_exact_length_for_wav(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    sf.write(path, tone(2.0, rate=8000), 8000)
    assert len(load_audio(path)) == 2 * SAMPLE_RATE


def test_integer_samples_are_scaled(tmp_path: Path) -> None:
    path = tmp_path / "pcm.wav"
    sf.write(path, (tone(0.5) * 32767).astype(np.int16), SAMPLE_RATE, subtype="PCM_16")
    assert np.allclose(load_audio(path), tone(0.5), atol=1e-3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_text("this is not audio at all " * 20), "could not be read as audio"),
        (lambda p: sf.write(p, np.zeros((0,), np.float32), 16000), "contains no audio"),
        (lambda p: sf.write(p, np.zeros(16000, np.float32), 16000), "only silence"),
    ],
)
def test_bad_files_give_one_clear_sentence(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(AudioError, match=message) as err:
        load_audio(path)
    assert "\n" not in str(err.value) and str(err.value).endswith(".")


def test_unsupported_format_names_the_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(AudioError, match="not in a supported audio format; convert it to WAV, FLAC, OGG or MP3"):
        load_audio(path)


def test_nan_and_inf_samples_are_refused(tmp_path: Path) -> None:
    data = tone(0.5)
    data[100] = np.nan
    path = tmp_path / "nan.wav"
    sf.write(path, data, 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="invalid samples"):
        load_audio(path)
    data[100] = np.inf
    sf.write(path, data, 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="invalid samples"):
        load_audio(path)


def test_a_folder_stands_for_the_audio_files_in_it(tmp_path: Path) -> None:
    for name in ("b.wav", "a.FLAC", "c.mp3", "notes.txt", ".hidden.wav"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "deeper.wav").write_bytes(b"")
    named = tmp_path / "elsewhere.ogg"
    assert audio_files([named, tmp_path]) == [named] + [tmp_path / n for n in ("a.FLAC", "b.wav", "c.mp3")]
    assert audio_files([tmp_path / "inner"]) == [tmp_path / "inner" / "deeper.wav"]
    (tmp_path / "inner" / "deeper.wav").unlink()
    (tmp_path / "inner" / "notes.txt").write_text("no recordings")
    with pytest.raises(AudioError, match=r"inner holds no audio files \(WAV, FLAC, OGG or MP3\); choose the"):
        audio_files([tmp_path, tmp_path / "inner"])
