"""Every bad, hostile or unusual input of tests/hostile.py, through the real command line: each ends in
success or in one sentence with exit status 2, writes nothing outside its folders, and the whole run stays
within 1 GB of memory."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import espeak
from hostile import Case, every_case

from mms_desktop import cli

CASES = every_case()


def test_the_corpus_is_large_and_covers_every_kind_of_input() -> None:
    kinds = {case.name.split(":")[0] for case in CASES}
    assert kinds == {"audio", "transcript", "session", "language pack", "speak", "language code", "settings"}
    assert sum(len(case.commands) for case in CASES) >= 300 and len(CASES) >= 150


@pytest.fixture(scope="module", autouse=True)
def no_progress_bars() -> None:
    """A command started as a process has transformers' progress bars off before it imports transformers;
    in this process transformers was imported by other tests first."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()


@pytest.fixture(scope="module")
def home(installed_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the installed languages and voices, so that nothing here can change the shared one."""
    copy = tmp_path_factory.mktemp("hostile") / "home"
    shutil.copytree(installed_home, copy)
    return copy


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("speech")
    path = folder / "speech.wav"
    sf.write(path, np.concatenate([np.zeros(8000, np.float32), espeak("hello world", "en", folder)]), 16000)
    return path


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        stdin: bytes | None) -> tuple[int, str]:  # fmt: skip
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # as the command sets it, restored afterwards
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    try:
        status = cli.main(args)
    except SystemExit as exc:  # argparse refusing an option
        status = int(exc.code or 0)
    return status, capsys.readouterr().err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_input_is_handled_or_one_sentence(case: Case, home: Path, speech: Path, tmp_path: Path,
                                                monkeypatch, capsys) -> None:  # fmt: skip
    work, canary = tmp_path / "work", tmp_path / "canary"
    work.mkdir()
    canary.mkdir()
    (canary / "precious.txt").write_text("untouched")
    data_home = home
    if case.name.startswith("settings"):
        data_home = tmp_path / "home"
        data_home.mkdir()
        made = case.make(data_home)
    else:
        made = case.make(work)
    monkeypatch.setenv("MMS_DESKTOP_HOME", str(data_home))
    for n, command in enumerate(case.commands):
        args = [a.format(input=made, speech=speech, out=work / f"out{n}") for a in command]
        status, err = run(args, monkeypatch, capsys, case.stdin)
        lines = err.strip().splitlines()
        assert "Traceback" not in err and "unexpected error" not in err, (args, err)
        assert status in (0, 2), (args, status, err)
        if status == 2:
            assert len(lines) == 1 and lines[0].startswith("mms-desktop: "), (args, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["work", "canary", *(["home"] if data_home != home else [])]
    )
    assert [p.name for p in canary.iterdir()] == ["precious.txt"] and (
        canary / "precious.txt"
    ).read_text() == "untouched"


def peak_mb(*args: str, home: Path, stdin: bytes = b"") -> tuple[int, float]:
    """Run the real program in a process of its own; its exit status and the most memory it used."""
    exe = Path(sys.executable).parent / "mms-desktop"
    probe = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "MMS_DESKTOP"))} | {
        "MMS_DESKTOP_HOME": str(home)
    }
    out = subprocess.run(
        [sys.executable, "-c", probe, str(exe), *args], input=stdin, env=env, capture_output=True, check=True
    )
    status, peak = out.stdout.split()
    return int(status), float(peak)


@pytest.mark.slow
def test_long_inputs_stay_within_1_gb(home: Path, speech: Path, tmp_path: Path) -> None:
    """Twenty minutes at 48 kHz in stereo (read whole it took 5 bytes a sample at its own rate), and 100 kB of
    text to speak (it was held whole as audio, 1.4 GB)."""
    said, _ = sf.read(speech, dtype="float32")
    long = tmp_path / "long.flac"
    with sf.SoundFile(long, "w", 48000, 2, "PCM_16") as out:
        piece = np.repeat(np.concatenate([said, np.zeros(16000, np.float32)]), 3)
        for _ in range(int(20 * 60 * 48000 / len(piece))):
            out.write(np.stack([piece, piece], 1))
    for args in (("identify", str(long)), ("transcribe", str(long), "--lang", "eng", "-o", str(tmp_path / "t.txt"))):
        status, peak = peak_mb(*args, home=home)
        assert status == 0 and peak < 1024, (args, status, peak)
    text = ("The river rose after the rain, and nobody crossed the old bridge that week. " * 1400).encode()
    assert len(text) > 100_000
    status, peak = peak_mb("speak", "-", "--lang", "eng", "-o", str(tmp_path / "book.wav"), home=home, stdin=text)
    assert status == 0 and peak < 1024, peak
    assert sf.info(str(tmp_path / "book.wav")).duration > 600
