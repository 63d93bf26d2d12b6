"""Crash-safe recording: incremental writes, recovery after SIGKILL, disk-space limits."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mms_desktop.core.errors import UserError
from mms_desktop.core.recorder import DiskLimits, Recorder, Sidecar, recover, unfinished

RATE = 48000


def signal_of(frames: int, channels: int = 2) -> np.ndarray:
    """A deterministic test signal whose every frame is distinct enough to check prefixes exactly."""
    rng = np.random.RandomState(1)
    return (rng.randint(-32000, 32000, size=(frames, channels)) / 32767.0).astype(np.float32)


def test_recording_is_an_exact_wav_of_what_was_written(tmp_path: Path) -> None:
    path = tmp_path / "take.wav"
    audio = signal_of(RATE * 2)
    recorder = Recorder(path, RATE, 2, free_space=lambda p: 10**12)
    for start in range(0, len(audio), 4800):
        recorder.write(audio[start : start + 4800])
    recorder.close()
    data, rate = sf.read(path, dtype="int16")
    assert rate == RATE and data.shape == audio.shape
    assert np.array_equal(data, (audio * 32767).round().astype(np.int16))
    assert Sidecar.read(path).state == "complete" and unfinished(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="recordings in progress are marked with POSIX locks")
def test_a_recording_in_progress_is_not_repaired_by_another_window(tmp_path: Path) -> None:
    from mms_desktop.core.recorder import repair_unfinished

    recorder = Recorder(tmp_path / "live.wav", RATE, 1, free_space=lambda p: 10**12)
    recorder.write(signal_of(RATE)[:, :1])
    assert repair_unfinished(tmp_path) == [] and not (tmp_path / "live.recovered.wav").exists()
    recorder.close()
    assert Sidecar.read(tmp_path / "live.wav").state == "complete"


def test_never_overwrites_and_refuses_a_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "take.wav").write_bytes(b"precious")
    with pytest.raises(UserError, match="already exists"):
        Recorder(tmp_path / "take.wav", RATE, 1)
    assert (tmp_path / "take.wav").read_bytes() == b"precious"
    with pytest.raises(UserError, match="does not exist"):
        Recorder(tmp_path / "nowhere" / "take.wav", RATE, 1)


def test_refuses_to_start_warns_then_stops_as_the_disk_fills(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="MB are free"):
        Recorder(tmp_path / "a.wav", RATE, 1, free_space=lambda p: 10_000_000)
    assert not (tmp_path / "a.wav").exists()
    # Free space as the writer thread sees it at start and after each block: low, then nearly full.
    readings = iter([400_000_000, 400_000_000, 10_000_000, 10_000_000])
    events = []
    recorder = Recorder(tmp_path / "b.wav", RATE, 1, on_event=events.append, sync_s=0.0,
                        limits=DiskLimits(), free_space=lambda p: next(readings))  # fmt: skip
    for _ in range(3):
        recorder.write(signal_of(RATE, 1))
    recorder.close()
    kinds = [e.kind for e in events]
    assert kinds[0] == "low-disk" and "disk-full" in kinds and kinds[-1] == "finished"
    data, _ = sf.read(tmp_path / "b.wav")
    assert len(data) == 2 * RATE  # the block after the stop was not written, the earlier ones were


CHILD = """
import sys, time, numpy as np
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_recorder import signal_of
from mms_desktop.core.recorder import Recorder
audio = signal_of(48000 * 30)
recorder = Recorder(Path({path!r}), 48000, 2, sync_s=0.5, free_space=lambda p: 10**12)
block = 960  # 20 ms, as a sound card delivers it
for start in range(0, len(audio), block):
    recorder.write(audio[start:start + block])
    print(start + block, flush=True)
    time.sleep(0.02)
"""


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_a_random_moment_loses_at_most_a_second(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "take.wav"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(tests=str(Path(__file__).parent), path=str(path))],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 1.5 + random.Random(seed).random() * 2.0
    handed = 0
    while time.monotonic() < deadline:
        handed = int(child.stdout.readline() or handed)
    assert unfinished(tmp_path) == [], "a recording still being written is not one a crash left behind"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert unfinished(tmp_path) == [path]
    original = path.read_bytes()
    repaired = recover(path)
    assert path.read_bytes() == original, "the original is never modified"
    data, rate = sf.read(repaired, dtype="int16")
    expected = (signal_of(48000 * 30) * 32767).round().astype(np.int16)
    assert rate == 48000 and len(data) > 0
    assert np.array_equal(data, expected[: len(data)]), "recovered audio is an exact prefix"
    assert handed - len(data) <= 48000 * 1.0, f"lost {(handed - len(data)) / 48000:.2f} s"
    assert unfinished(tmp_path) == []
