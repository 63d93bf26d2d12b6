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

from mms_desktop.core.audio import DiskLimits, Recorder, Sidecar, recover, unfinished
from mms_desktop.core.base import UserError

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
    from mms_desktop.core.audio import repair_unfinished

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
import os, sys, time, numpy as np
from pathlib import Path
sys.path.insert(0, {tests!r})
if {sync_delay}:  # a disk that takes this long to sync (a slow card, a busy machine's disk)
    os.fsync = lambda fd, _fsync=os.fsync: (time.sleep({sync_delay}), _fsync(fd))[1]
from test_recorder import signal_of
from mms_desktop.core.audio.recorder import Recorder
audio = signal_of(48000 * 30)
recorder = Recorder(Path({path!r}), 48000, 2, sync_s=0.5, free_space=lambda p: 10**12)
block = 960  # 20 ms, as a sound card delivers it
for start in range(0, len(audio), block):
    recorder.write(audio[start:start + block])
    print(start + block, flush=True)
    time.sleep(0.02)
"""


@pytest.mark.parametrize(
    ("seed", "sync_delay"), [(seed, 0.0) for seed in range(20)] + [(seed, 0.4) for seed in range(4)]
)
def test_sigkill_at_a_random_moment_loses_at_most_a_tenth_of_a_second(
    tmp_path: Path, seed: int, sync_delay: float
) -> None:
    """Against a clean stop, which keeps every block handed to the recorder: what a kill -9 loses is what
    the writer thread had not yet written (the operating system keeps what was written), however long the
    disk takes to sync."""
    from mms_desktop.core.audio import NothingRecorded

    path = tmp_path / "take.wav"
    code = CHILD.format(tests=str(Path(__file__).parent), path=str(path), sync_delay=sync_delay)
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    handed = int(child.stdout.readline())  # the recording has begun
    # A random moment, or one in the first sync (due 0.5 s in) of a disk slow to sync.
    wait = 0.7 + random.Random(seed).random() * 0.2 if sync_delay else random.Random(seed).random() * 1.5
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        handed = int(child.stdout.readline() or handed)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert unfinished(tmp_path) == [path]
    original = path.read_bytes()
    try:
        repaired = recover(path)
    except NothingRecorded:  # killed before the first block was written: nothing to keep, and no empty copy
        assert handed <= 48000 * 0.1 and not path.exists()
        return
    assert path.read_bytes() == original, "the original is never modified"
    data, rate = sf.read(repaired, dtype="int16")
    expected = (signal_of(48000 * 30) * 32767).round().astype(np.int16)
    assert rate == 48000 and len(data) > 0
    assert np.array_equal(data, expected[: len(data)]), "recovered audio is an exact prefix"
    assert handed - len(data) <= 48000 * 0.1, f"lost {(handed - len(data)) / 48000:.3f} s"
    assert unfinished(tmp_path) == []


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 1 MB file system of its own (a tmpfs), so that a disk can really fill up or be read-only."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"this machine does not let the tests mount a file system ({made.stderr.decode().strip()})")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_disk_filled_to_the_last_byte_keeps_the_recording_whole(small_disk: Path, monkeypatch) -> None:
    import threading

    crashes = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    events = []
    path = small_disk / "take.wav"
    # Another program fills the disk: the recorder's own free-space checks see nothing coming.
    recorder = Recorder(path, RATE, 2, on_event=events.append, sync_s=0.0, free_space=lambda p: 10**12)
    audio = signal_of(RATE * 10)  # 1.9 MB: more than the disk holds
    for start in range(0, len(audio), 960):
        recorder.write(audio[start : start + 960])
    recorder.close()
    assert crashes == [], "no traceback from the writer thread"
    assert any(e.kind == "error" and "No space left" in e.message for e in events), events
    assert Sidecar.read(path).state == "complete", "the side file says it is finished"
    data, rate = sf.read(path, dtype="int16")
    assert rate == RATE and len(data) > RATE // 2
    assert np.array_equal(data, (audio[: len(data)] * 32767).round().astype(np.int16))
    assert unfinished(small_disk) == [], "nothing for recover to copy again"


def test_a_read_only_disk_is_one_sentence(small_disk: Path, tmp_path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(UserError, match="cannot be written .*choose another folder for recordings"):
        Recorder(small_disk / "take.wav", RATE, 2, free_space=lambda p: 10**12)
    from helpers import run_cli

    home = tmp_path / "home"
    home.mkdir()
    result = run_cli("record", str(small_disk / "take.wav"), home=home)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "cannot be written" in result.stderr
