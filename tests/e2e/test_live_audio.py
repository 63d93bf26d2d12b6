"""Real capture through PortAudio from a private PulseAudio server, with real processes."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import run_cli
from pulse import PulseServer, available

from mms_desktop.core.audio import load_audio, resample

pytestmark = pytest.mark.skipif(not available(), reason="PulseAudio is not installed")


@pytest.fixture()
def pulse(tmp_path: Path):
    (tmp_path / "pulse").mkdir()
    server = PulseServer(tmp_path / "pulse").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def phrase(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("phrase") / "phrase.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), "the old man can read a book"], check=True)
    return path


def start(args: list[str], env: dict[str, str], home: Path) -> subprocess.Popen[str]:
    exe = Path(sys.executable).parent / "mms-desktop"
    import os

    full = {**{k: v for k, v in os.environ.items() if not k.startswith("MMS_DESKTOP")}, **env,
            "MMS_DESKTOP_HOME": str(home)}  # fmt: skip
    return subprocess.Popen([str(exe), *args], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_audio(path: Path, timeout: float = 10.0) -> None:
    """Wait until the recording holds samples: PortAudio's first block comes 0.6–1.8 s after start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 44 + 48000:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} received no audio")


def play_into(pulse, args: list[str], take: Path, home: Path, wavs: list[Path], pause: float) -> tuple[str, str]:
    """Run the command ``args`` (which records into ``take``), play ``wavs`` into its microphone with
    ``pause`` seconds after each, then stop it with Ctrl+C; its output once it ended well."""
    process = start(args, pulse.env, home)
    wait_for_audio(take, timeout=30)
    for wav in wavs:
        pulse.play(wav)
        time.sleep(pause)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    return stdout, stderr


def best_correlation(recorded: np.ndarray, played: np.ndarray) -> float:
    corr = np.correlate(recorded, played, mode="valid")
    window = np.sqrt(np.convolve(recorded**2, np.ones(len(played)), mode="valid"))
    return float(np.max(np.abs(corr) / (window * np.linalg.norm(played) + 1e-9)))


def test_devices_lists_the_virtual_microphone(pulse, home: Path) -> None:
    result = run_cli("devices", home=home, env=pulse.env)
    assert result.returncode == 0 and "pulse" in result.stdout


def test_record_captures_what_was_played(pulse, phrase: Path, tmp_path: Path, home: Path) -> None:
    out = tmp_path / "take.wav"
    _, stderr = play_into(pulse, ["record", str(out), "--device", "pulse"], out, home, [phrase], 0.5)
    assert "saved" in stderr
    recorded, rate = sf.read(out, dtype="float32", always_2d=True)
    assert rate in (44100, 48000)
    played = load_audio(phrase)
    score = best_correlation(resample(recorded.mean(axis=1), rate), played)
    assert score > 0.9, f"the recording does not contain the played speech (correlation {score:.2f})"


def test_losing_the_sound_server_finalizes_the_recording(pulse, tmp_path: Path, home: Path) -> None:
    out = tmp_path / "take.wav"
    process = start(["record", str(out), "--device", "pulse"], pulse.env, home)
    wait_for_audio(out)
    pulse.stop()
    stopped = time.monotonic()
    _, stderr = process.communicate(timeout=20)
    assert time.monotonic() - stopped < 6
    assert process.returncode == 2 and "stopped delivering audio" in stderr, stderr
    data, _ = sf.read(out)  # a valid file with everything up to the loss
    assert len(data) > 0
    from mms_desktop.core.recorder import Sidecar

    assert Sidecar.read(out).state == "complete"


def test_dictate_transcribes_speech_played_into_the_microphone(pulse, tmp_path: Path, home: Path) -> None:
    """The bundled demonstration model, live: espeak-ng sentences in, their words out, recording intact."""
    from mms_desktop.core.training import character_error_rate
    from mms_desktop.demo.corpus import sentences

    texts = sentences("spa", 40, 1000)[:2]  # held out from the demonstration model's training
    wavs = []
    for i, text in enumerate(texts):
        wavs.append(tmp_path / f"s{i}.wav")
        subprocess.run(["espeak-ng", "-v", "es", "-w", str(wavs[-1]), text], check=True)
    take = tmp_path / "dictation.wav"
    command = ["dictate", "--lang", "spa", "--device", "pulse", "--record", str(take)]
    stdout, _ = play_into(pulse, command, take, home, wavs, 1.5)  # pauses long enough to end each utterance
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 2, stdout
    assert character_error_rate(texts, lines) <= 0.15, list(zip(texts, lines, strict=True))
    recorded, rate = sf.read(take, dtype="float32", always_2d=True)
    assert len(recorded) / rate > 5.0
    for wav in wavs:
        assert best_correlation(resample(recorded.mean(axis=1), rate), load_audio(wav)) > 0.9


def test_dictate_detects_the_language_of_the_first_utterance(pulse, tmp_path: Path, home: Path) -> None:
    """With ``--lang auto`` the identifier loads while the first words are spoken, then names German."""
    wav = tmp_path / "de.wav"
    sentence = "der alte Mann kann ein Buch lesen und das Haus ist sehr groß"
    subprocess.run(["espeak-ng", "-v", "de", "-w", str(wav), sentence], check=True)
    take = tmp_path / "dictation.wav"
    command = ["dictate", "--lang", "auto", "--device", "pulse", "--record", str(take)]
    stdout, stderr = play_into(pulse, command, take, home, [wav], 1.5)
    assert "mms-desktop: language deu (" in stderr
    words = set(stdout.lower().split())
    assert {"der", "mann", "buch", "haus"} <= words, stdout


def test_a_killed_dictation_leaves_a_recoverable_recording(pulse, phrase: Path, tmp_path: Path, home: Path) -> None:
    take = tmp_path / "take.wav"
    process = start(["dictate", "--lang", "eng", "--device", "pulse", "--record", str(take)], pulse.env, home)
    wait_for_audio(take, timeout=30)
    pulse.play(phrase)
    time.sleep(1.5)  # the phrase ended more than a second before the kill
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=20)
    # The next recording into the same folder finds the unfinished one and repairs a copy first.
    again = start(["record", str(tmp_path / "next.wav"), "--device", "pulse"], pulse.env, home)
    wait_for_audio(tmp_path / "next.wav", timeout=30)
    again.send_signal(signal.SIGINT)
    _, stderr = again.communicate(timeout=20)
    assert "take.wav was not finished (a crash?); repaired into take.recovered.wav" in stderr
    recovered, rate = sf.read(tmp_path / "take.recovered.wav", dtype="float32", always_2d=True)
    assert best_correlation(resample(recovered.mean(axis=1), rate), load_audio(phrase)) > 0.9
