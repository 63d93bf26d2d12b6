"""The real ``mms-desktop`` program, run as a process against tiny models and a local hub."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import espeak, noise, run_cli


@pytest.fixture(scope="module")
def speech_file(tmp_path_factory) -> Path:
    """Half a second of silence, then three seconds of English speech."""
    folder = tmp_path_factory.mktemp("audio")
    spoken = espeak("hello world, the weather is fine again today", "en", folder)[: 3 * 16000]
    spoken = np.concatenate([spoken, np.zeros(3 * 16000 - len(spoken), np.float32)])
    path = folder / "speech.flac"
    sf.write(path, np.concatenate([np.zeros(8000, np.float32), spoken]), 16000)
    return path


def assert_user_error(result, message: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_help_is_instant_and_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("transcribe", "identify", "speak", "languages"):
        assert command in result.stdout


def test_output_read_only_in_part_ends_quietly(tmp_path: Path) -> None:
    """`mms-desktop languages models | head -1`: the reader goes away before the output is written."""
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "mms-desktop"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MMS_DESKTOP")}
    read, write = os.pipe()
    process = subprocess.Popen(
        [str(exe), "languages", "models"],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "MMS_DESKTOP_HOME": str(tmp_path / "home")},
    )
    os.close(write)
    os.close(read)  # before the program has printed anything: its first write finds no reader
    _, stderr = process.communicate(timeout=120)
    assert stderr == "" and process.returncode == 141, stderr


def test_transcribe_json_has_the_contract_fields(installed_home: Path, speech_file: Path) -> None:
    result = run_cli("transcribe", str(speech_file), "--lang", "fra", "--format", "json", home=installed_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["language"] == "fra" and data["duration"] == pytest.approx(3.5)
    assert set(data) >= {"language", "duration", "text", "segments"}
    words = [w for s in data["segments"] for w in s["words"]]
    assert words, "random weights still emit characters"
    assert set(words[0]) == {"start", "end", "word", "confidence"}
    assert data["text"] == " ".join(s["text"] for s in data["segments"])
    assert all(0 <= w["start"] <= w["end"] <= 3.5 and 0 <= w["confidence"] <= 1 for w in words)


def test_a_transcription_shows_its_progress_on_a_terminal_only(
    installed_home: Path, speech_file: Path, tmp_path: Path
) -> None:
    import select

    recording = tmp_path / "long.wav"
    sf.write(
        recording, np.tile(sf.read(speech_file, dtype="float32")[0], 9)[: 30 * 16000], 16000
    )  # two windows of 20 s
    terminal, its_end = os.openpty()
    result = run_cli("transcribe", str(recording), "--lang", "eng", home=installed_home, stderr=its_end)
    os.close(its_end)
    shown = b""
    while select.select([terminal], [], [], 1)[0]:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the other end is closed and everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    assert result.returncode == 0 and result.stdout.strip()
    assert b"\rTranscribing " in shown and shown.rstrip().endswith(b"long.wav 100%"), shown
    piped = run_cli("transcribe", str(recording), "--lang", "eng", home=installed_home)
    assert piped.returncode == 0 and piped.stderr == "", "scripts see only the transcript"


def test_transcripts_never_replace_a_recording_or_each_other(installed_home: Path, speech_file: Path,
                                                             tmp_path: Path) -> None:  # fmt: skip
    original = speech_file.read_bytes()
    (tmp_path / "a").mkdir()
    same_name = tmp_path / "a" / "speech.wav"
    sf.write(same_name, noise(1.0, seed=3), 16000)
    other = tmp_path / "a" / "other.wav"
    sf.write(other, noise(1.0, seed=4), 16000)
    out = tmp_path / "out"
    out.mkdir()
    (out / "other.txt").write_text("my own transcript")

    def transcribe(*args: str):  # noqa: ANN202
        return run_cli("transcribe", *args, "--lang", "eng", home=installed_home)

    assert_user_error(transcribe(str(speech_file), "-o", str(speech_file)), "is one of the files being read")
    words = tmp_path / "words.txt"
    words.write_text("hello world\n")
    for target in (speech_file, words):
        result = run_cli("align", str(speech_file), str(words), "--lang", "eng", "-o", str(target), home=installed_home)
        assert_user_error(result, f"{target} is one of the files being read and would be replaced")
    assert words.read_text() == "hello world\n"
    (tmp_path / "empty.txt").write_text("\n")
    result = run_cli("align", str(speech_file), str(tmp_path / "empty.txt"), "--lang", "eng", home=installed_home)
    assert_user_error(result, "empty.txt has no text to align; give the transcript of")
    assert_user_error(
        transcribe(str(speech_file), str(other), "-o", str(speech_file)), "is a file, and the transcripts need a folder"
    )
    assert_user_error(transcribe(str(speech_file), str(same_name), "-o", str(tmp_path / "new")),
                      "would both be transcribed into")  # fmt: skip
    assert_user_error(transcribe(str(speech_file), str(other), "-o", str(out)), "other.txt already exists")
    assert_user_error(transcribe(str(other), "-o", str(out / "other.txt")),
                      "other.txt already exists; add --replace to write over it")  # fmt: skip
    assert_user_error(transcribe(str(other), "-o", str(out)), "out/other.txt already exists")  # into the folder
    assert speech_file.read_bytes() == original and (out / "other.txt").read_text() == "my own transcript"
    assert not (tmp_path / "new").exists() and not (out / "speech.txt").exists(), "refused before any work"
    result = transcribe(str(speech_file), str(other), "-o", str(tmp_path / "new"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["other.txt", "speech.txt"]
    assert transcribe(str(other), "-o", str(out / "other.txt"), "--replace").returncode == 0
    assert (out / "other.txt").read_text() != "my own transcript", "--replace writes over it"
    result = transcribe(str(tmp_path / "a"), "-o", str(tmp_path / "from-folder"))  # a folder: its recordings
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "from-folder").iterdir()) == ["other.txt", "speech.txt"]
    (tmp_path / "a" / "other.wav").unlink()  # a folder of one recording: -o still names a folder
    assert transcribe(str(tmp_path / "a"), "-o", str(tmp_path / "one")).returncode == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["speech.txt"]
    assert transcribe(str(speech_file), "-o", f"{tmp_path / 'slash'}/").returncode == 0  # a new folder: the slash
    assert [p.name for p in (tmp_path / "slash").iterdir()] == ["speech.txt"]


def test_speech_and_alignments_keep_existing_files_unless_told(installed_home: Path, speech_file: Path,
                                                               tmp_path: Path) -> None:  # fmt: skip
    kept = tmp_path / "interview.wav"
    kept.write_bytes(speech_file.read_bytes())
    speak = ["speak", "hello", "--lang", "eng", "-o", str(kept)]
    assert_user_error(run_cli(*speak, home=installed_home), "interview.wav already exists; add --replace")
    assert kept.read_bytes() == speech_file.read_bytes()
    assert run_cli(*speak, "--replace", home=installed_home).returncode == 0
    assert kept.read_bytes() != speech_file.read_bytes()
    nested = tmp_path / "new" / "folder" / "hello.wav"
    assert run_cli("speak", "hello", "--lang", "eng", "-o", str(nested), home=installed_home).returncode == 0
    assert sf.info(nested).samplerate == 16000, "the folder is made, as for transcripts"

    words, timed = tmp_path / "words.txt", tmp_path / "timed.json"
    words.write_text("hello world\n")
    timed.write_text("my own timings")
    align = ["align", str(speech_file), str(words), "--lang", "eng", "-o", str(timed)]
    assert_user_error(run_cli(*align, home=installed_home), "timed.json already exists; add --replace")
    assert timed.read_text() == "my own timings"
    result = run_cli(*align, "--replace", home=installed_home)
    assert result.returncode == 0, result.stderr
    assert json.loads(timed.read_text())["segments"], "aligned"


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt"])
def test_transcribe_writes_each_format(installed_home: Path, speech_file: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run_cli(
        "transcribe", str(speech_file), "--lang", "eng", "--format", fmt, "-o", str(out), home=installed_home
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert {
        "txt": lambda t: t.strip(),
        "srt": lambda t: "1\n00:00:0" in t and " --> " in t,
        "vtt": lambda t: t.startswith("WEBVTT\n\n"),
    }[fmt](text)


def test_a_folder_of_recordings_goes_on_past_an_unusable_one(installed_home: Path, speech_file: Path,
                                                             tmp_path: Path) -> None:  # fmt: skip
    """Each recording of a folder is read when its turn comes; one whose samples are unusable is left out and
    named at the end, while one that is not audio at all stops everything before the models load."""
    import shutil

    folder = tmp_path / "field"
    folder.mkdir()
    shutil.copy(speech_file, folder / "1.wav")
    sf.write(folder / "2.wav", np.zeros(16000, np.float32), 16000)
    shutil.copy(speech_file, folder / "3.flac")
    result = run_cli("transcribe", str(folder), "--lang", "eng", home=installed_home)
    assert_user_error(result, f"Transcribed 2 of 3 files. {folder / '2.wav'} contains only silence;")
    assert [line for line in result.stdout.splitlines() if line.startswith("==>")] == [
        f"==> {folder / '1.wav'} <==", f"==> {folder / '3.flac'} <==",
    ]  # fmt: skip
    result = run_cli("identify", str(folder), "--top", "1", home=installed_home)
    assert_user_error(result, "Identified 2 of 3 files.")
    assert result.stdout.count("eng\t") == 2
    (folder / "4.ogg").write_bytes(b"OggS and nothing of a recording")
    result = run_cli("transcribe", str(folder), "--lang", "eng", home=installed_home)
    assert_user_error(result, "4.ogg could not be read as audio; the file may be damaged.")
    assert result.stdout == "", "checked before any work"


def test_transcribe_with_a_model_folder_and_auto_language(tiny_repos, speech_file: Path, home: Path) -> None:
    models = ["--model", str(tiny_repos["facebook/mms-1b-all"]), "--lid-model", str(tiny_repos["facebook/mms-lid-126"])]
    command = ["transcribe", str(speech_file), "--lang", "auto", "--among", "fra,cmn-script_simplified", *models]
    unsure = run_cli(*command, home=home)  # an identifier with random weights is sure of nothing
    assert_user_error(unsure, "The language is unsure: the likeliest of the candidates (fra, cmn-script_simplified)")
    assert "choose the language with --lang, or install the one spoken." in unsure.stderr
    assert unsure.stdout == ""
    assert_user_error(run_cli(*command, "--unsure-below", "2", home=home), "--unsure-below")
    result = run_cli(*command, "--unsure-below", "0", "--format", "json", home=home)  # take the likeliest anyway
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["language"] in {"fra", "cmn-script_simplified"} and 0.0 < data["language_probability"] <= 1.0


def test_identify_prints_code_tab_probability_best_first(installed_home: Path, speech_file: Path) -> None:
    result = run_cli("identify", str(speech_file), "--top", "3", home=installed_home)
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.strip().splitlines()]
    assert len(rows) == 3 and all(code in {"eng", "fra", "cmn", "deu"} for code, _ in rows)
    probabilities = [float(p) for _, p in rows]
    assert probabilities == sorted(probabilities, reverse=True)
    restricted = run_cli("identify", str(speech_file), "--among", "eng,deu", home=installed_home)
    assert {line.split("\t")[0] for line in restricted.stdout.splitlines()} == {"eng", "deu"}


def test_speak_writes_a_wav_and_is_repeatable_with_a_seed(installed_home: Path, tmp_path: Path) -> None:
    paths = [tmp_path / "a.wav", tmp_path / "b.wav"]
    for path in paths:
        result = run_cli(
            "speak", "Привет мир. Как дела?", "--lang", "rus", "--seed", "3", "-o", str(path), home=installed_home
        )
        assert result.returncode == 0, result.stderr
    a, rate = sf.read(paths[0])
    assert rate == 16000 and len(a) > 1000
    assert np.array_equal(a, sf.read(paths[1])[0])


def test_languages_install_list_remove_export_import(home: Path, hub, tmp_path: Path) -> None:
    env = {"HF_ENDPOINT": hub.url}
    result = run_cli("languages", "install", "fra", "eng", home=home, env=env)
    assert result.returncode == 0, result.stderr
    assert "Installed fra, eng" in result.stdout and "download 100%" in result.stderr
    listing = run_cli("languages", "list", "--installed", home=home, env=env).stdout
    assert "eng\tEnglish\tinstalled recognition+voice" in listing and "fra\tFrench\tinstalled recognition" in listing
    everything = run_cli("languages", "list", home=home, env=env).stdout
    assert "cmn-script_simplified\tMandarin Chinese (Simplified)\tavailable recognition" in everything
    assert "rus\tRussian\tavailable voice" in everything
    requests = len(hub.requests)

    assert run_cli("languages", "remove", "eng", home=home, env=env).returncode == 0
    pack = tmp_path / "fra.tar"
    assert run_cli("languages", "export", "fra", str(pack), home=home, env=env).returncode == 0
    other = tmp_path / "other-home"
    result = run_cli("languages", "import", str(pack), home=other)
    assert result.returncode == 0, result.stderr
    listing = run_cli("languages", "list", "--installed", home=other).stdout
    assert "fra\tFrench\tinstalled recognition\t12.0 kB" in listing.splitlines()  # the imported adapter's size
    assert len(hub.requests) == requests, "only install and refresh may touch the network"


def test_commands_other_than_install_never_touch_the_network(installed_home, speech_file, hub, tmp_path) -> None:
    env = {"HF_ENDPOINT": hub.url}
    run_cli("transcribe", str(speech_file), "--lang", "fra", home=installed_home, env=env)
    run_cli("identify", str(speech_file), home=installed_home, env=env)
    run_cli("speak", "hello", "--lang", "eng", "-o", str(tmp_path / "x.wav"), home=installed_home, env=env)
    run_cli("transcribe", str(speech_file), "--lang", "deu", home=installed_home, env=env)
    assert hub.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["transcribe", "missing.wav", "--lang", "eng"], "missing.wav does not exist"),
        (["transcribe", "{speech}", "--lang", "xyz"], "'xyz' is not an ISO 639-3 language code"),
        (["transcribe", "{speech}", "--lang", "deu"], "'deu' is not installed"),
        (["transcribe", "{text}", "--lang", "eng"], "could not be read as audio"),
        (["transcribe", "{speech}", "--model", "nobody/nothing"], "nobody/nothing is not installed"),
        (["transcribe", "{speech}", "--model", "{tmp}"], "is not a complete speech recognition model"),
        (["train-adapter", "{tmp}", "--lang", "ita"], "notes.wav: no transcript of the same name"),
        (["identify", "{speech}", "--among", "eng,qqq"], "does not know qqq"),
        (["identify", "{speech}", "--top", "0"], "--top must be 1 or more"),
        (["speak", "hello", "--lang", "deu", "-o", "x.wav"], "No voice is installed for 'deu'"),
        (["speak", "你好", "--lang", "eng", "-o", "x.wav"], "Nothing in this text can be spoken"),
        (["speak", "hello", "--lang", "eng", "-o", "x.mp3"], "must be a .wav file"),
        (["languages", "remove", "ita"], "'ita' is not installed"),
        (["words", "add", "eng", "{tmp}/missing.txt"], "missing.txt does not exist; give the file of the word list"),
        (["words", "add", "eng", "{tmp}"], "is a folder; give the file of the word list"),
        (["words", "add", "eng", "{speech}"], "speech.flac is not UTF-8 text"),
        (["words", "add", "e/g", "{speech}"], "'e/g' is not a language code: three lowercase letters"),
        (["train-adapter", "{tmp}", "--lang", "ita", "--name", "ita dialect"], "(like sah-dialect_kolyma)"),
        (["train-adapter", "{tmp}", "--lang", "ita", "--from-adapter", "zzz"], "no adapter 'zzz' to start from"),
        (["languages", "import", "nowhere.tar"], "does not exist"),
        (["session", "new", "{text}", "--title", "Songs", "--language", "sah"], "is a file, not a folder"),
        (
            ["session", "new", "{tmp}/project", "--title", "Songs", "--language", "sah", "--date", "23/11"],
            "is not a date",
        ),
        (["session", "new", "{tmp}/project", "--title", "Songs"], "Give the language"),
        (
            ["session", "new", "{tmp}/project", "--title", "Songs", "--language", "sah", "--speaker", ":Maria"],
            "Every speaker needs an ID",
        ),
        (["benchmark", "streaming", "--chunk", "0"], "--chunk must be between 2 and 60"),
        (["benchmark", "streaming", "--context", "-1"], "--context must be between 0 and 10"),
        (["benchmark", "adapter-step", "--batch", "0"], "--batch must be 1 or more"),
        (["record", "{text}"], "notes.wav already exists; choose another name so that nothing is overwritten"),
        (["record", "{tmp}/missing/x.wav"], "missing does not exist; choose where recordings go"),
        (["dictate", "--record", "{tmp}/x.mp3", "--lang", "eng"], "x.mp3 must be a .wav file"),
        (["--data-dir", "{text}", "languages", "list"], "notes.wav is a file; name a folder for models and settings"),
        (["--data-dir", "{text}/data", "words", "list"], "data for models and settings could not be created"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(installed_home, speech_file, tmp_path, args, message) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio " * 50)
    args = [a.format(speech=speech_file, text=text, tmp=tmp_path) for a in args]
    result = run_cli(*args, home=installed_home)
    assert_user_error(result, message)


def no_cuda() -> bool:
    import torch

    return not torch.cuda.is_available()


@pytest.mark.skipif(not no_cuda(), reason="this machine has a CUDA GPU")
@pytest.mark.parametrize(
    "args",
    [
        ["transcribe", "{speech}"],  # with detection, the identifier is the first model it loads
        ["train-adapter", "{speech}", "--lang", "ita", "--device", "cuda"],
        ["benchmark", "adapter-step", "--train-device", "cuda"],
        ["benchmark", "file", "--device", "cuda"],
    ],
)
def test_asking_for_a_gpu_that_is_not_there_is_one_sentence(installed_home, speech_file, args) -> None:
    args = [a.format(speech=speech_file) for a in args]
    device = [] if "cuda" in args else ["--device", "cuda"]
    result = run_cli(*device, *args, home=installed_home)
    assert_user_error(result, "No CUDA GPU is available on this machine; choose the cpu device.")
    assert "--lang" not in result.stderr, "choosing the language would not help"


def test_no_network_says_what_to_do(home: Path) -> None:
    result = run_cli("languages", "install", "fra", home=home, env={"HF_ENDPOINT": "http://127.0.0.1:9"})
    assert_user_error(result, "(the model hub could not be reached); check the network connection and try again")
    assert "Errno" not in result.stderr
    result = run_cli("languages", "refresh", home=home, env={"HF_ENDPOINT": "http://127.0.0.1:9"})
    assert_user_error(
        result,
        "mms-desktop: The list of languages could not be fetched (the model hub could not be "
        "reached); check the network connection and try again.",
    )


def test_bad_option_exits_2() -> None:
    result = run_cli("transcribe", "x.wav", "--format", "docx")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_benchmark_streaming_prints_its_figures(tiny_repos, home: Path) -> None:
    result = run_cli("benchmark", "streaming", "--model", str(tiny_repos["facebook/mms-1b-all"]),
                     home=home, env={"OMP_NUM_THREADS": "1"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    for figure in (
        "offline pass",
        "x offline",
        "final text after end of speech",
        "keeps up in real time",
        "the utterances used 8 + 1 s (4 of 4)",
    ):  # a small model affords the longest windows
        assert figure in result.stdout


def test_recover_repairs_a_copy_and_keeps_the_original(tmp_path: Path, home: Path) -> None:
    from mms_desktop.core.audio import Sidecar, wav_header

    wav = tmp_path / "take.wav"
    wav.write_bytes(wav_header(16000, 1, 0) + b"\x01\x00" * 16000 + b"\x02")  # header never updated
    Sidecar("recording", 16000, 1).write(wav)
    result = run_cli("recover", str(tmp_path), home=home)
    assert result.returncode == 0, result.stderr
    data, rate = sf.read(tmp_path / "take.recovered.wav", dtype="int16")
    assert rate == 16000 and len(data) == 16000 and wav.stat().st_size == 44 + 32001
    assert "Nothing to recover: every recording in" in run_cli("recover", str(tmp_path), home=home).stdout

    recordings = tmp_path / "my recordings"  # where dictations go: what `recover` alone repairs
    recordings.mkdir()
    (home / "settings.json").write_text(json.dumps({"recordings_dir": str(recordings)}))
    (recordings / "dictation.wav").write_bytes(wav.read_bytes())
    Sidecar("recording", 16000, 1).write(recordings / "dictation.wav")
    result = run_cli("recover", home=home)
    assert result.returncode == 0 and f"into {recordings / 'dictation.recovered.wav'}" in result.stdout
    assert (
        run_cli("recover", home=home).stdout == f"Nothing to recover: every recording in {recordings} was finished.\n"
    )


def test_recover_on_a_new_machine_and_of_a_recording_that_holds_no_audio(tmp_path: Path, home: Path) -> None:
    from mms_desktop.core.audio import Sidecar, wav_header

    (home / "settings.json").write_text(json.dumps({"recordings_dir": str(tmp_path / "never made")}))
    result = run_cli("recover", home=home)
    assert result.returncode == 0 and result.stdout.startswith("Nothing to recover: no recording has been made yet")
    empty = tmp_path / "killed-at-once.wav"  # killed before the device delivered its first block
    empty.write_bytes(wav_header(16000, 1, 0) + b"\x01")
    Sidecar("recording", 16000, 1).write(empty)
    result = run_cli("recover", str(tmp_path), home=home)
    assert result.returncode == 0 and "killed-at-once.wav held no audio" in result.stdout, result.stderr
    assert not empty.exists() and not Sidecar.path_for(empty).exists() and not list(tmp_path.glob("*.recovered.*"))


def test_devices_without_any_input_device_is_one_sentence(monkeypatch, capsys) -> None:
    from mms_desktop import cli
    from mms_desktop.core.audio import capture

    monkeypatch.setattr(capture, "list_devices", lambda: [])  # a machine without a microphone
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert cli.main(["devices"]) == 2
    assert capsys.readouterr().err.strip() == f"mms-desktop: {capture.NO_INPUT}"


def test_sessions_from_the_command_line(tmp_path: Path, home: Path) -> None:
    project = tmp_path / "fieldwork"
    made = run_cli(
        "session",
        "new",
        str(project),
        "--title",
        "Stories 1",
        "--language",
        "sah",
        "--speaker",
        "S1:Aiyyna",
        "--consent",
        "oral, recorded",
        "--date",
        "2026-07-01",
        home=home,
    )
    assert made.returncode == 0, made.stderr
    session_id = made.stdout.strip()
    assert session_id == "2026-07-01_Stories-1"
    assert run_cli("session", "list", str(project), home=home).stdout.startswith(f"{session_id}\t2026-07-01\tsah")
    shown = run_cli("session", "show", str(project), session_id, home=home)
    assert '"consent": "oral, recorded"' in shown.stdout
    assert_user_error(run_cli("session", "show", str(project), "nope", home=home), "There is no session 'nope'")
    empty = run_cli("session", "transcribe", str(project), session_id, home=home)
    assert empty.returncode == 0 and empty.stdout.startswith(f"Session {session_id} has no recordings yet"), empty
    assert_user_error(
        run_cli("session", "show", str(project), "../elsewhere", home=home),
        "'../elsewhere' is not the name of a session folder",
    )
    (project / "2026-07-02_Songs").mkdir()
    (project / "2026-07-02_Songs" / "session.json").write_text("{")  # damaged: the other is still listed
    listed = run_cli("session", "list", str(project), home=home)
    assert listed.returncode == 2 and listed.stdout.startswith(f"{session_id}\t2026-07-01\tsah")
    assert "The details of session '2026-07-02_Songs' could not be read" in listed.stderr


def test_a_session_is_transcribed_and_exported_from_the_command_line(tmp_path: Path, home: Path) -> None:
    import subprocess

    project = tmp_path / "fieldwork"
    made = run_cli("session", "new", str(project), "--title", "Cuentos", "--language", "spa", "--speaker", "SP1:Ana",
                   home=home)  # fmt: skip
    session = project / made.stdout.strip()
    for n, text in ((1, "son gente sol nueve"), (2, "camino pez viejo")):
        subprocess.run(["espeak-ng", "-v", "es", "-w", str(session / f"{session.name}_{n:02d}.wav"), text], check=True)

    def session_cli(*args: str):  # noqa: ANN202
        return run_cli("session", *args, str(project), session.name, home=home)

    assert_user_error(session_cli("export"), "has a transcript yet; run `mms-desktop session transcribe` first")

    broken = session / f"{session.name}_03.wav"
    broken.write_bytes(b"RIFF and then nothing a sound file needs")
    assert_user_error(session_cli("transcribe"), "2 recordings transcribed before it stopped.")
    first = json.loads((session / f"{session.name}_01.json").read_text())
    assert "gente" in first["segments"][0]["text"] and first["segments"][0]["speaker"] == "SP1"
    subprocess.run(["espeak-ng", "-v", "es", "-w", str(broken), "ojo andar"], check=True)  # recorded again
    assert session_cli("transcribe").stdout == "Transcribed 1 recording.\n"
    assert session_cli("transcribe").stdout == "Every recording of this session has a transcript already.\n"

    assert session_cli("export").stdout.count("Exported ") == 3
    eaf = session / f"{session.name}_01.eaf"
    eaf.write_text(eaf.read_text().replace("gente", "gente (corrected in ELAN)"))
    assert session_cli("export").returncode == 2 and "corrected in ELAN" in eaf.read_text()
    assert_user_error(session_cli("export"), f"{eaf.name} has changed since it was exported")
    assert session_cli("export", "--replace").returncode == 0 and "ELAN" not in eaf.read_text()
    (session / f"{session.name}_02.json").write_text('{"segments": [')  # damaged: the others are exported
    exported = session_cli("export", "--replace")
    assert exported.returncode == 2 and exported.stdout.count("Exported ") == 2
    assert f"{session.name}_02.json could not be read as a transcript" in exported.stderr
    assert session_cli("transcribe").stdout == "Transcribed 1 recording.\n"  # the damaged one, set aside
    assert [p.read_text() for p in session.glob("*_02-unreadable-*.json")] == ['{"segments": [']
    shown = session_cli("show").stdout.splitlines()[-3:]
    expected = [rf"recording\t{session.name}_0{n}\.wav\t0:0[12] · transcribed" for n in (1, 2, 3)]
    assert all(re.fullmatch(*pair) for pair in zip(expected, shown, strict=True)), shown  # lengths and states

    card = tmp_path / "ZOOM0042.flac"  # from a field recorder: added, then transcribed with the others
    speech, rate = sf.read(str(broken))
    sf.write(card, speech, rate)
    added = run_cli("session", "add", str(project), session.name, str(card), home=home)
    assert added.stdout == f"{card}\t{session / (session.name + '_04.flac')}\n", added.stderr
    assert session_cli("transcribe").stdout == "Transcribed 1 recording.\n"
    shown = session_cli("show").stdout.splitlines()[-1]
    assert re.fullmatch(rf"recording\t{session.name}_04\.flac\t0:0[12] · transcribed · from {card.name}", shown), shown


def test_align_times_a_known_text_and_writes_textgrid(installed_home, speech_file, tmp_path: Path) -> None:
    text = tmp_path / "known.txt"
    text.write_text("hello world\nagain\n", encoding="utf-8")
    out = tmp_path / "aligned.TextGrid"
    result = run_cli("align", str(speech_file), str(text), "--lang", "eng", "--format", "textgrid", "-o", str(out),
                     home=installed_home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    from mms_desktop.core.formats import load

    aligned = load(out)
    words = [w for s in aligned.segments for w in s.words]
    assert [w.word for w in words] == ["hello", "world", "again"]
    assert all(0 <= w.start < w.end <= 3.5 for w in words)
    assert all(a.end <= b.start for a, b in zip(words, words[1:], strict=False))
    assert_user_error(run_cli("align", str(speech_file), str(text), home=installed_home), "with --lang")


def test_transcribe_to_elan_links_the_audio(installed_home, speech_file, tmp_path: Path) -> None:
    out = tmp_path / "speech.eaf"
    result = run_cli("transcribe", str(speech_file), "--lang", "eng", "--format", "eaf", "-o", str(out),
                     home=installed_home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    linked = re.search(r'RELATIVE_MEDIA_URL="([^"]+)"', out.read_text(encoding="utf-8")).group(1)
    assert linked.startswith("../") and (out.parent / linked).resolve() == speech_file.resolve(), (
        "ELAN resolves the link against the EAF's own folder"
    )


def elan_file(path: Path, media: Path) -> Path:
    """An EAF laid out as ELAN users do: a tier per speaker (with participants), a translation beneath one,
    and a notes tier, none of them named as MMS Desktop names its own."""
    import pympi

    eaf = pympi.Eaf(author="someone else")
    eaf.add_linked_file(media.absolute().as_uri(), relpath=f"./{media.name}", mimetype="audio/x-wav")
    eaf.remove_tier("default")
    eaf.add_linguistic_type("utterance")
    eaf.add_linguistic_type("translation", constraints="Symbolic_Association", timealignable=False)
    eaf.add_tier("Anna", ling="utterance", part="Anna")
    eaf.add_tier("Ben", ling="utterance", part="Ben")
    eaf.add_tier("Anna (English)", ling="translation", parent="Anna", part="Anna")
    eaf.add_tier("notes", ling="utterance")
    eaf.add_annotation("Anna", 600, 1500, "hello there")
    eaf.add_annotation("Ben", 1600, 3300, "again world")
    eaf.add_ref_annotation("Anna (English)", "Anna", 1000, "greetings")
    eaf.add_annotation("notes", 0, 3400, "recorded outdoors")
    eaf.to_file(str(path))
    return path


def test_align_on_an_elan_file_aligns_each_tier_in_its_own_times_and_keeps_every_tier(
    installed_home, speech_file, tmp_path: Path
) -> None:
    import pympi

    source = elan_file(tmp_path / "field.eaf", speech_file)
    out = tmp_path / "out" / "aligned.eaf"
    result = run_cli(
        "align",
        str(speech_file),
        str(source),
        "--lang",
        "eng",
        "--tier",
        "Anna",
        "--tier",
        "Ben",
        "--format",
        "eaf",
        "-o",
        str(out),
        home=installed_home,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "Aligned tiers Anna, Ben."
    before, after = pympi.Eaf(str(source)), pympi.Eaf(str(out))
    for tier in before.get_tier_names():  # every tier the user had, with its annotations as they were
        assert sorted(after.get_annotation_data_for_tier(tier)) == sorted(before.get_annotation_data_for_tier(tier))
    for tier, (start, end), said in (("Anna", (600, 1500), "hello there"), ("Ben", (1600, 3300), "again world")):
        (words,) = [c for c in after.get_child_tiers_for(tier) if after.tiers[c][2]["LINGUISTIC_TYPE_REF"] == "words"]
        timed = sorted(after.get_annotation_data_for_tier(words))
        assert " ".join(w[2] for w in timed) == said
        assert all(start <= w[0] < w[1] <= end for w in timed), (tier, timed)
    assert after.linked_file_descriptors == before.linked_file_descriptors or after.media_descriptors
    again = run_cli("align", str(speech_file), str(out), "--lang", "eng", "--format", "json", home=installed_home)
    assert again.returncode == 0 and again.stderr.strip() == "Aligned tiers Anna, Ben, notes.", (
        "an EAF made elsewhere: every top-level tier"
    )


def test_an_elan_file_with_broken_times_is_one_sentence(installed_home, speech_file, tmp_path: Path) -> None:
    source = elan_file(tmp_path / "field.eaf", speech_file)
    text = source.read_text(encoding="utf-8")
    unvalued = tmp_path / "unvalued.eaf"
    unvalued.write_text(re.sub(r'(TIME_SLOT_ID="ts2") TIME_VALUE="\d+"', r"\1", text, count=1), encoding="utf-8")
    result = run_cli("align", str(speech_file), str(unvalued), "--lang", "eng", "--tier", "Anna", home=installed_home)
    assert_user_error(result, "annotation(s) of tier 'Anna' in")
    missing = tmp_path / "missing.eaf"
    missing.write_text(re.sub(r'<TIME_SLOT TIME_SLOT_ID="ts2"[^>]*/>', "", text, count=1), encoding="utf-8")
    result = run_cli("align", str(speech_file), str(missing), "--lang", "eng", "--tier", "Anna", home=installed_home)
    assert_user_error(result, "points at a time slot it lacks")


def test_train_adapter_then_transcribe_with_it(tiny_repos, tmp_path: Path, home: Path) -> None:
    import shutil
    import subprocess

    base = tmp_path / "base"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], base)
    data = tmp_path / "data"
    data.mkdir()
    for i, text in enumerate(["la casa rossa", "il cane nero", "acqua fresca", "la luna piena", "vieni qui"]):
        subprocess.run(["espeak-ng", "-v", "it", "-w", str(data / f"{i}.wav"), text], check=True)
        (data / f"{i}.txt").write_text(text, encoding="utf-8")
    result = run_cli("train-adapter", str(data), "--lang", "ita", "--steps", "10", "--model", str(base), home=home)
    assert result.returncode == 0, result.stderr
    assert "Adapter 'ita' saved" in result.stdout and "held-out CER" in result.stdout
    advice = next(line for line in result.stderr.splitlines() if line.startswith("This material holds"))
    assert "word errors on voices and words it had not been taught (benchmark material, 20" in advice, advice
    again = run_cli("transcribe", str(data / "0.wav"), "--lang", "ita", "--model", str(base), home=home)
    assert again.returncode == 0, again.stderr
    assert_user_error(run_cli("train-adapter", str(data), "--lang", "Italian", "--steps", "1", "--model",
                              str(base), home=home), "is not a language code")  # fmt: skip


def test_without_a_display_the_window_command_says_so(home: Path) -> None:
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""}
    result = run_cli(home=home, env=env)
    assert result.returncode == 0 and "transcribe" in result.stdout  # no command, no display: the help
    import shutil
    import subprocess
    import sys

    gui = shutil.which("mms-desktop-gui", path=str(Path(sys.executable).parent))
    full = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([gui], capture_output=True, text=True, env={**full, "MMS_DESKTOP_HOME": str(home)})
    assert result.returncode == 2 and "no display" in result.stderr


def test_no_command_opens_the_window_and_a_kill_closes_it(home: Path, tmp_path: Path) -> None:
    import shutil
    import signal
    import subprocess
    import sys
    import time

    exe = shutil.which("mms-desktop", path=str(Path(sys.executable).parent))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MMS_DESKTOP")},
           "QT_QPA_PLATFORM": "offscreen", "MMS_DESKTOP_HOME": str(home), "XDG_STATE_HOME": str(tmp_path),
           "HOME": str(tmp_path)}  # fmt: skip
    process = subprocess.Popen([exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = tmp_path / "mms-desktop" / "log" / "mms-desktop.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (log.exists() and "window open" in log.read_text()):
        time.sleep(0.1)
    assert "window open" in log.read_text()
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 0
    assert "window closed" in log.read_text()


def non_speech() -> dict[str, np.ndarray]:
    """Ten seconds of what a recorder picks up when nobody speaks."""
    t = np.arange(10 * 16000) / 16000
    return {
        "quiet noise": noise(10.0, seed=1) * 0.05,
        "loud noise": noise(10.0, seed=2) * 3,
        "DC offset": np.full(len(t), 0.2, np.float32),
        "infrasound": (0.5 * np.sin(2 * np.pi * 5 * t)).astype(np.float32),
        "mains hum": (0.3 * np.sin(2 * np.pi * 50 * t)).astype(np.float32),
    }


@pytest.mark.parametrize("kind", list(non_speech()))
def test_non_speech_gives_no_text_and_no_language(installed_home: Path, tmp_path: Path, kind: str) -> None:
    recording = tmp_path / f"{kind}.wav"
    sf.write(recording, np.clip(non_speech()[kind], -1, 1), 16000)
    result = run_cli("transcribe", str(recording), "--lang", "eng", "--format", "json", home=installed_home)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["segments"] == []
    assert result.stderr.strip() == f"mms-desktop: no speech was found in {recording}; nothing was transcribed."
    detected = run_cli("transcribe", str(recording), home=installed_home)  # nothing is identified either
    assert detected.returncode == 0 and detected.stdout.strip() == "", detected.stderr
    assert_user_error(run_cli("identify", str(recording), home=installed_home), "holds no speech to identify")


def test_words_made_up_in_the_noise_around_speech_are_left_out(installed_home, speech_file, tmp_path) -> None:
    speech, _ = sf.read(speech_file, dtype="float32")
    recording = tmp_path / "speech-in-noise.wav"
    hiss = noise(20.0, seed=6) * 0.3
    sf.write(recording, np.concatenate([hiss, speech, hiss]), 16000)
    result = run_cli("transcribe", str(recording), "--lang", "eng", "--format", "json", home=installed_home)
    assert result.returncode == 0, result.stderr
    words = [w for s in json.loads(result.stdout)["segments"] for w in s["words"]]
    assert words, "the speech is transcribed"
    assert all(19.0 < w["end"] and w["start"] < 24.5 for w in words), words


def test_benchmarks_write_where_they_are_told_say_so_and_clean_up(tiny_repos, tmp_path, monkeypatch, capsys) -> None:
    """The full-size models went to the user cache whatever --data-dir said (13 GB, unsaid, never removed)."""
    import shutil

    from mms_desktop import cli
    from mms_desktop.benchmark import fullsize

    def small_repo(folder: Path) -> Path:  # the tiny model stands in for the 3.9 GB one: the same layout
        if not folder.exists():
            shutil.copytree(tiny_repos["facebook/mms-1b-all"], folder)
            (folder / "complete.json").write_text("{}")
        return folder

    monkeypatch.setattr(fullsize, "ensure_repo", small_repo)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    home, cache = tmp_path / "home", tmp_path / "cache"
    assert cli.main(["--data-dir", str(home), "benchmark", "streaming", "--model", "full"]) == 0
    said = capsys.readouterr().err
    assert f"written to {home / 'benchmark'}: up to 13.0 GB, removed at the end." in said
    assert not (home / "benchmark").exists(), "removed"
    assert cli.main(["--data-dir", str(home), "benchmark", "streaming", "--model", "full", "--cache", str(cache),
                     "--keep"]) == 0  # fmt: skip
    assert "kept there (--keep)" in capsys.readouterr().err and (cache / "mms-1b-random").is_dir()
    assert cli.main(["--data-dir", str(home), "benchmark", "streaming", "--model", "full", "--cache", str(cache)]) == 0
    assert "written to" not in capsys.readouterr().err and (cache / "mms-1b-random").is_dir(), "a kept one stays"


def test_a_model_already_in_the_hugging_face_cache_is_found_and_installed_without_a_download(
    tiny_repos, home: Path, tmp_path: Path
) -> None:
    from factory import hf_cache_copy

    cached = hf_cache_copy(tiny_repos["facebook/mms-1b-all"], tmp_path / "hf")
    env = {"HF_HUB_CACHE": str(tmp_path / "hf")}
    listed = run_cli("languages", "list", "--installed", home=home, env=env)
    assert f"`mms-desktop languages import {cached}` installs it without copying it" in listed.stderr
    imported = run_cli("languages", "import", str(cached), home=home, env=env)
    assert imported.returncode == 0, imported.stderr
    listed = run_cli("languages", "list", "--installed", home=home, env=env)
    assert "fra" in listed.stdout and f"linked from {cached / 'blobs'}" in listed.stderr, listed.stderr
