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
from pulse import available

from mms_desktop.core.audio import load_audio

pytestmark = pytest.mark.skipif(not available(), reason="PulseAudio is not installed")


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """A recording at the device's rate, at 16 kHz to compare with what was played."""
    import soxr

    return soxr.resample(samples.astype(np.float32), rate, 16000, quality="HQ")


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
    assert stderr.splitlines()[0] == "mms-desktop: recording (Ctrl+C stops).", "said once audio comes, not before"
    recorded, rate = sf.read(out, dtype="float32", always_2d=True)
    assert rate in (44100, 48000)
    played = load_audio(phrase)
    score = best_correlation(resample(recorded.mean(axis=1), rate), played)
    assert score > 0.9, f"the recording does not contain the played speech (correlation {score:.2f})"


def test_session_record_shows_the_level_warns_of_clipping_and_notes_the_speaker(pulse, tmp_path, home) -> None:
    """`session record` on a terminal: the level line, then one line when the input clips; the session log
    notes the recording with its speaker, and the clipping."""
    import os
    import pty

    from mms_desktop.core.fieldwork import Project, SessionInfo, Speaker

    project = Project(tmp_path / "project")
    speakers = [Speaker("SP1", "Maria"), Speaker("SP2", "Juan")]
    info = project.create(SessionInfo(id="", title="Songs", language="spa", speakers=speakers))
    refused = run_cli("session", "record", str(project.folder), info.id, "--speaker", "SP9", home=home, env=pulse.env)
    assert refused.returncode == 2 and "'SP9' is not a speaker of session" in refused.stderr
    assert "give one of SP1, SP2." in refused.stderr and not list(project.folder.glob(f"{info.id}/*.wav"))
    loud = tmp_path / "loud.wav"
    subprocess.run(["espeak-ng", "-v", "es", "-w", str(loud), "son gente sol nueve camino"], check=True)
    sf.write(loud, np.clip(load_audio(loud) * 20, -1.0, 1.0), 16000)  # far too loud: it reaches full scale
    take = project.folder / info.id / f"{info.id}_01.wav"

    terminal, stderr_end = pty.openpty()  # standard error is a terminal, as when typed at one
    exe = Path(sys.executable).parent / "mms-desktop"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MMS_DESKTOP")}
    env.update(pulse.env, MMS_DESKTOP_HOME=str(home))
    args = [str(exe), "session", "record", str(project.folder), info.id, "--speaker", "SP2", "--device", "pulse"]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=stderr_end)
    os.close(stderr_end)
    wait_for_audio(take, timeout=30)
    time.sleep(2.0)  # the level line comes after the "recording" line
    pulse.play(loud)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    text = shown.decode("utf-8", "replace")
    assert "dBFS" in text and "disk:" in text and "● 0:0" in text, text
    assert "the input is clipping (it reached full scale): lower the recording level." in text
    assert f"{take.name} clipped in" in text
    log = (take.parent / "session-log.txt").read_text(encoding="utf-8")
    assert f"{take.name} recorded (0:0" in log and "speaker SP2" in log
    assert f"{take.name} clipped in" in log and "lower the level" in log
    assert sf.info(take).duration > 3


def test_losing_the_sound_server_finalizes_the_recording(pulse, tmp_path: Path, home: Path) -> None:
    out = tmp_path / "take.wav"
    process = start(["record", str(out), "--device", "pulse"], pulse.env, home)
    wait_for_audio(out)
    pulse.stop()
    stopped = time.monotonic()
    _, stderr = process.communicate(timeout=20)
    assert time.monotonic() - stopped < 1.0, "told, saved and ended within a second (0.12 s here)"
    assert process.returncode == 2 and "stopped delivering audio" in stderr, stderr
    data, _ = sf.read(out)  # a valid file with everything up to the loss
    assert len(data) > 0
    from mms_desktop.core.audio import Sidecar

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
    # "Mann" may come out as its homophone "man", and "der" as "er" when its onset is cut by the stream
    assert {"alte", "buch", "lesen", "haus"} <= words, stdout


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


def test_speak_plays_the_speech_it_makes(pulse, installed_home: Path, tmp_path: Path) -> None:
    """`speak --play` sounds on the sound output (the virtual sink, recorded from its monitor), every
    sentence of it, and ends once the last has sounded; -o keeps what was played."""
    import os

    heard, said = tmp_path / "heard.wav", tmp_path / "said.wav"
    recorder = subprocess.Popen(["parecord", "--device=virtmic.monitor", "--rate=16000", "--channels=1",
                                 "--file-format=wav", str(heard)], env={**os.environ, **pulse.env})  # fmt: skip
    try:
        time.sleep(0.5)
        text = "Hello everyone. How are you today? Good morning to you all."
        result = run_cli("speak", text, "--lang", "eng", "--play", "-o", str(said), "--seed", "3",
                         home=installed_home, env=pulse.env)  # fmt: skip
        assert result.returncode == 0, result.stderr
        time.sleep(0.5)
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(10)
    recorded, rate = sf.read(heard, dtype="float32")
    played = load_audio(said)
    assert rate == 16000 and len(played) > 16000
    starts = []
    for part, piece in (("beginning", played[:8000]), ("end", played[-8000:])):
        corr = np.correlate(recorded, piece, mode="valid")
        window = np.sqrt(np.convolve(recorded**2, np.ones(len(piece)), mode="valid"))
        score = np.abs(corr) / (window * np.linalg.norm(piece) + 1e-9)
        assert score.max() > 0.8, f"the {part} of the speech was not heard (correlation {score.max():.2f})"
        starts.append(int(np.argmax(score)))
    gap = (starts[1] - starts[0]) - (len(played) - 8000)
    assert abs(gap) <= 160, f"the sentences did not follow each other as made ({gap / 16:.0f} ms apart)"
    refused = run_cli("speak", text, "--lang", "eng", home=installed_home)
    assert refused.returncode == 2 and "--play to hear it" in refused.stderr


PLAY_AS_MADE = """
import sys, time
import numpy as np
from mms_desktop.core.audio.playback import SoundDevicePlayer

rate = 16000
t = np.arange(rate // 2) / rate
first, second = (0.5 * np.sin(2 * np.pi * f * t).astype(np.float32) for f in (440, 660))
player = SoundDevicePlayer()
sounding = []

def made():
    yield first
    time.sleep(3.0)  # the next sentence takes long to make (longer than the sound server takes to start)
    sounding.append(player.playing)
    yield second

player.play_stream(made(), rate)
while player.playing:
    time.sleep(0.02)
print(sounding)
"""


def test_the_first_sentence_sounds_while_the_next_is_made(pulse, tmp_path: Path) -> None:
    """Through PortAudio: a piece handed over sounds at once, and one that comes late follows after silence
    (had the player waited for every piece, the second would follow the first at once)."""
    import os

    heard = tmp_path / "heard.wav"
    env = {**os.environ, **pulse.env}
    recorder = subprocess.Popen(["parecord", "--device=virtmic.monitor", "--rate=16000", "--channels=1",
                                 "--file-format=wav", str(heard)], env=env)  # fmt: skip
    try:
        time.sleep(0.5)
        result = subprocess.run([sys.executable, "-c", PLAY_AS_MADE], env=env, capture_output=True, text=True,
                                timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[True]", "playing while the second piece was being made"
        time.sleep(0.3)
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(10)
    recorded, _ = sf.read(heard, dtype="float32")
    t = np.arange(8000) / 16000
    starts = []
    for frequency in (440, 660):
        tone = np.sin(2 * np.pi * frequency * t[:1600]).astype(np.float32)  # its first 0.1 s
        corr = np.correlate(recorded, tone, mode="valid")
        window = np.sqrt(np.convolve(recorded**2, np.ones(len(tone)), mode="valid"))
        score = np.abs(corr) / (window * np.linalg.norm(tone) + 1e-9)
        starts.append(int(np.argmax(score > 0.95)))  # where the tone first sounds
    later = (starts[1] - starts[0]) / 16000  # 0.5 s had it waited for both; 3 s less the server's start (0.6-2 s)
    assert 0.8 <= later <= 3.2, f"the second piece sounded {later:.2f} s after the first"
