"""Batches of recordings with the real program on the tiny real-layout models: a tree of 200 recordings
with bad ones among them, a batch killed with SIGKILL and run again, and a run with nothing new."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import espeak, run_cli

from mms_desktop.core.batch import Ledger

PHRASES = ["hello world", "the weather is fine", "good morning to you", "one two three four"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """200 short recordings in a tree (each its own audio: four phrases at different loudness and offsets),
    and a folder of bad ones: not audio, silent, too short."""
    root = tmp_path_factory.mktemp("archive")
    spoken = [espeak(text, "en", root) for text in PHRASES]
    for i in range(200):
        folder = root / "src" / ("north" if i < 100 else "south/villages")
        folder.mkdir(parents=True, exist_ok=True)
        samples = np.concatenate([np.zeros(800 + 37 * i, np.float32), spoken[i % 4] * (0.5 + (i % 7) / 14)])
        sf.write(folder / f"rec{i:03d}.{'wav' if i % 3 else 'flac'}", samples, 16000)
    bad = root / "bad"
    bad.mkdir()
    (bad / "broken.wav").write_bytes(b"RIFF but not a wave file at all")
    sf.write(bad / "silent.wav", np.zeros(32000, np.float32), 16000)
    sf.write(bad / "short.wav", spoken[0][:100], 16000)
    sf.write(bad / "good.wav", spoken[1], 16000)
    return root


def batch(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("batch", *args, "--lang", "eng", "--quiet", home=home, timeout=600)


def test_bad_recordings_are_rows_with_a_reason_and_the_batch_goes_on(
    installed_home: Path, archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = batch(installed_home, str(archive / "bad"), "--out", str(out), "--format", "txt", "--format", "srt")
    assert result.returncode == 2, result.stderr
    assert "1 transcribed, 0 already done, 3 failed" in result.stderr
    rows = Ledger(out).rows()
    assert rows["good"].status == "done" and (out / "good.txt").exists() and (out / "good.srt").exists()
    assert rows["silent"].error.endswith("silent.wav contains only silence; check the microphone or the file.")
    assert rows["broken"].status == "failed" and rows["broken"].error.endswith(".")
    assert rows["short"].status == "failed"
    manifest = (out / "manifest.csv").read_text()
    assert manifest.splitlines()[0].startswith("path,source,status,language,duration_s,model,precision,seconds")
    assert len(manifest.splitlines()) == 5


def test_a_killed_batch_goes_on_and_every_recording_is_transcribed_once_as_transcribe_would(
    installed_home: Path, archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    exe = Path(sys.executable).parent / "mms-desktop"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MMS_DESKTOP")},
        "MMS_DESKTOP_HOME": str(installed_home),
    }
    command = [str(exe), "batch", str(archive / "src"), "--out", str(out), "--lang", "eng", "--workers", "2", "--quiet"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(Ledger(out).history()) < 40 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, at once
    process.wait()
    first = len(Ledger(out).history())
    assert 40 <= first < 200, "killed in the middle"
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    history = Ledger(out).history()
    assert sorted(r.path for r in history if r.status == "done") == sorted(
        f"{'north' if i < 100 else 'south/villages'}/rec{i:03d}" for i in range(200)
    ), "each recording transcribed exactly once over the two runs"
    assert not list(out.rglob("*.tmp")), "no unfinished file is left"
    single = tmp_path / "single"
    for part in ("north", "south/villages"):
        done = run_cli(
            "transcribe",
            str(archive / "src" / part),
            "--lang",
            "eng",
            "-o",
            str(single / part),
            home=installed_home,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
    for expected in single.rglob("*.txt"):
        assert (out / expected.relative_to(single)).read_text() == expected.read_text(), expected.name

    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}
    nothing = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert nothing.returncode == 0 and "0 transcribed, 200 already done, 0 failed" in nothing.stderr
    assert len(Ledger(out).history()) == len(history), "a run with nothing new recognizes nothing"
    assert stamps == {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}, "no transcript was rewritten"


def test_a_manifest_names_recordings_and_their_languages(installed_home: Path, archive: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "list.tsv"
    # one absolute path with its own language, one relative to the manifest's folder with the batch's
    manifest.write_text(f"path\tlanguage\n{archive / 'src/north/rec001.wav'}\tfra\n../{archive.name}/bad/good.wav\t\n")
    out = tmp_path / "out"
    result = batch(installed_home, str(manifest), "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = Ledger(out).rows()
    assert rows["rec001"].language == "fra" and rows["rec001"].status == "done"
    assert rows[f"{archive.name}/bad/good"].language == "eng", "never written above the output folder"
    broken = tmp_path / "broken.csv"
    broken.write_text("file,language\nx.wav,eng\n")
    refused = batch(installed_home, str(broken), "--out", str(out))
    assert refused.returncode == 2 and "has no 'path' column" in refused.stderr


@pytest.fixture
def ray_env(installed_home: Path) -> Iterator[dict[str, str]]:
    """The program's environment with Ray's files in a folder of the test's own (a short path: Ray's sockets
    live under it), removed at the end with whatever Ray left there."""
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MMS_DESKTOP", "RAY_"))}
    yield {**env, "MMS_DESKTOP_HOME": str(installed_home), "RAY_TMPDIR": str(temp)}
    shutil.rmtree(temp, ignore_errors=True)


def ray_processes(temp: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if temp in text:
            found.append(text)
    return found


def test_a_recording_whose_language_is_unsure_fails_with_why_instead_of_being_guessed(
    installed_home: Path, archive: Path, tmp_path: Path
) -> None:
    """The tiny identifier has random weights: sure of nothing. Each recording fails with the sentence; the
    same batch with --unsure-below 0 takes the likeliest language and transcribes them."""
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(archive / "bad" / "good.wav", source / "a.wav")
    out, common = tmp_path / "out", ["--lang", "auto", "--among", "eng,fra", "--quiet"]
    refused = run_cli("batch", str(source), "--out", str(out), *common, "--unsure-below", "1.5", home=installed_home)
    assert refused.returncode == 2 and "--unsure-below" in refused.stderr and not out.exists()
    unsure = run_cli("batch", str(source), "--out", str(out), *common, home=installed_home, timeout=600)
    assert unsure.returncode == 2 and "0 transcribed, 0 already done, 1 failed" in unsure.stderr
    assert Ledger(out).rows()["a"].error.startswith("The language is unsure: the likeliest of the candidates")
    taken = run_cli(
        "batch", str(source), "--out", str(out), *common, "--unsure-below", "0", home=installed_home, timeout=600
    )
    assert taken.returncode == 0, taken.stderr
    assert Ledger(out).rows()["a"].status == "done" and (out / "a.txt").exists()


@pytest.mark.slow
def test_the_ray_engine_goes_on_after_a_kill_and_writes_what_the_local_engine_writes(
    installed_home: Path, archive: Path, tmp_path: Path, ray_env: dict[str, str]
) -> None:
    out = tmp_path / "ray"
    exe = str(Path(sys.executable).parent / "mms-desktop")
    sources = [str(archive / "src"), str(archive / "bad")]
    command = [exe, "batch", *sources, "--out", str(out), "--lang", "eng", "--engine", "ray", "--workers", "2"]
    process = subprocess.Popen([*command, "--quiet"], env=ray_env, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 300
    while len(Ledger(out).history()) < 40 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the driver and the Ray it started, at once
    process.wait()
    first = len(Ledger(out).history())
    assert 40 <= first < 204, "killed in the middle"
    again = subprocess.run(command, env=ray_env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 2, again.stderr
    assert "3 failed" in again.stderr and "bad/broken.wav" not in again.stderr.split("failed (see")[0]
    history = Ledger(out).history()
    expected = [f"{'north' if i < 100 else 'south/villages'}/rec{i:03d}" for i in range(200)] + ["good"]
    assert sorted(r.path for r in history if r.status == "done") == sorted(expected), "each exactly once"
    assert Ledger(out).rows()["silent"].error.endswith("contains only silence; check the microphone or the file.")
    assert not list(out.rglob("*.tmp")), "no unfinished file is left"

    local = tmp_path / "local"
    assert batch(installed_home, *sources, "--out", str(local), "--workers", "2").returncode == 2
    for expected_file in local.rglob("*.txt"):
        assert (out / expected_file.relative_to(local)).read_text() == expected_file.read_text(), expected_file.name

    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}
    retried = subprocess.run(command, env=ray_env, capture_output=True, text=True, timeout=600)
    assert "0 transcribed, 201 already done, 3 failed" in retried.stderr, retried.stderr
    assert len(Ledger(out).history()) == len(history) + 3, "only the failed ones are tried again"
    assert stamps == {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}, "no transcript was rewritten"
    assert not ray_processes(ray_env["RAY_TMPDIR"]), "Ray started for a batch ends with it"


def test_the_ray_engine_says_how_to_get_it_and_where_a_cluster_is_not(
    installed_home: Path, archive: Path, tmp_path: Path
) -> None:
    shadow = tmp_path / "shadow" / "ray"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named ray')\n")  # as if not installed
    args = [str(archive / "bad"), "--out", str(tmp_path / "out"), "--engine", "ray"]
    missing = run_cli("batch", *args, home=installed_home, env={"PYTHONPATH": str(shadow.parent)})
    assert missing.returncode == 2
    assert "The Ray engine needs Ray: pip install 'mms-desktop[cluster]' (or use --engine local)." in missing.stderr
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    absent = run_cli("batch", *args, "--address", f"127.0.0.1:{port}", home=installed_home)
    assert absent.returncode == 2 and f"The Ray cluster at 127.0.0.1:{port} does not answer" in absent.stderr
    mixed = run_cli(
        "batch", str(archive / "bad"), "--out", str(tmp_path / "o"), "--address", "auto", home=installed_home
    )
    assert mixed.returncode == 2 and "--address names a Ray cluster; add --engine ray to use it." in mixed.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists(), "nothing is written"


@pytest.mark.slow
def test_the_batch_benchmark_compares_both_engines_on_the_same_recordings(ray_env: dict[str, str]) -> None:
    exe = str(Path(sys.executable).parent / "mms-desktop")
    command = [exe, "benchmark", "batch", "--recordings", "6", "--seconds", "2", "--workers", "1", "--workers", "2"]
    result = subprocess.run(command, env=ray_env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("batch; processor: ") and "recognition: demonstration model" in lines[0]
    assert lines[1].startswith("6 recordings, 0.00 h of audio, "), "with the precision it ran at"
    runs = [line.split()[:2] for line in lines[2:]]
    assert runs == [["local", "1"], ["local", "2"], ["ray", "2"]], "ray is compared where it is installed"
    rates = [float(line.split("audio h/h")[0].split()[-1]) for line in lines[2:]]
    assert all(rate > 0 for rate in rates) and lines[2].endswith("(1.00 x local 1 worker)")
    assert "full-size" not in result.stderr, "the demonstration model needs no full-size download folder"
