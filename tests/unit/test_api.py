"""The Python API: ``Engine`` on the tiny real-layout models installed from the local hub."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import espeak, noise

from mms_desktop import Engine
from mms_desktop.core.audio import write_wav
from mms_desktop.core.base import AUTO, AudioError, FinalResult, ModelError, SpeechStarted, install
from mms_desktop.core.recognition import Recognizer, transcribe

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def engine(installed_home: Path) -> Engine:
    return Engine.load(device="cpu", precision="float32", data_dir=installed_home)


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("speech")
    path = folder / "speech.wav"
    write_wav(path, np.concatenate([np.zeros(8000, np.float32), espeak("one two three four", "en", folder)]), 16000)
    return path


def test_a_file_transcribed_through_the_engine_is_what_the_recognizer_gives(engine: Engine, speech: Path) -> None:
    result = engine.transcribe(speech, language="eng")
    assert result.language == "eng" and result.segments and result.duration > 1.0
    assert all(w.start < w.end and 0.0 <= w.confidence <= 1.0 for s in result.segments for w in s.words)
    recognizer = Recognizer.load(engine.host.recognizer_dir(), "eng", "cpu", "float32")
    from mms_desktop.core.audio import load_audio

    assert result == transcribe(load_audio(speech), recognizer, "eng")
    assert engine.transcribe(str(speech), "eng") == engine.transcribe(load_audio(speech), "eng")  # path or samples


def test_a_known_text_is_aligned_as_the_align_command_aligns_it(engine: Engine, speech: Path) -> None:
    from mms_desktop.core.audio import load_audio
    from mms_desktop.core.base import Segment, Transcript
    from mms_desktop.core.fieldwork import align

    plain = engine.align(speech, "one two three four", "eng")
    assert [w.word for w in plain.segments[0].words] == ["one", "two", "three", "four"]
    recognizer = Recognizer.load(engine.host.recognizer_dir(), "eng", "cpu", "float32")
    expected = align(recognizer, load_audio(speech), Transcript("eng", 0.0, (Segment(0.0, 0.0, "one two three four"),)))
    assert plain == expected, "the same alignment as the fieldwork code gives"
    timed = engine.align(speech, [Segment(0.4, 1.2, "one two"), Segment(1.2, 2.4, "three four")], "eng")
    assert [(s.start, s.end) for s in timed.segments] == [(0.4, 1.2), (1.2, 2.4)], "annotations keep their times"
    assert all(s.start <= w.start and w.end <= s.end + 0.02 for s in timed.segments for w in s.words)


def test_auto_identifies_among_the_languages_given(engine: Engine, speech: Path) -> None:
    from mms_desktop.core.recognition import LanguageUnsure

    with pytest.raises(LanguageUnsure, match="The language is unsure"):  # random weights: sure of nothing
        engine.transcribe(speech, language=AUTO, among=["fra", "cmn"])
    engine.host.unsure_below = 0.0  # take the likeliest whatever its probability
    result = engine.transcribe(speech, language=AUTO, among=["fra", "cmn"])
    assert result.language in ("fra", "cmn-script_simplified") and result.language_probability is not None
    scores = engine.identify(speech, among=["eng", "fra"], top=2)
    assert {s.code for s in scores} == {"eng", "fra"} and abs(sum(s.probability for s in scores) - 1.0) < 1e-4
    assert engine.identify(np.zeros(32000, np.float32)) == []  # silence: nothing to identify


def test_two_threads_in_two_languages_on_one_engine_each_get_their_own_text(engine: Engine, speech: Path) -> None:
    alone = {lang: engine.transcribe(speech, lang) for lang in ("eng", "fra")}
    assert alone["eng"].text != alone["fra"].text or alone["eng"].segments != alone["fra"].segments
    together: dict[str, list] = {"eng": [], "fra": []}
    start = threading.Barrier(2)

    def work(lang: str) -> None:
        start.wait()
        together[lang] += [engine.transcribe(speech, lang) for _ in range(3)]

    threads = [threading.Thread(target=work, args=(lang,)) for lang in together]
    [t.start() for t in threads]
    [t.join(120) for t in threads]
    assert together == {lang: [alone[lang]] * 3 for lang in alone}


def test_a_stream_has_its_own_language(engine: Engine, speech: Path) -> None:
    from mms_desktop.core.audio import load_audio

    audio = np.concatenate([load_audio(speech), np.zeros(24000, np.float32)])
    streams = {lang: engine.stream(lang) for lang in ("eng", "fra")}
    events: dict[str, list] = {lang: [] for lang in streams}
    for start in range(0, len(audio), 1600):
        for lang, stream in streams.items():
            stream.accept_waveform(16000, audio[start : start + 1600])
            events[lang] += stream.decode()
    for lang, stream in streams.items():
        events[lang] += stream.finish()
        finals = [e for e in events[lang] if isinstance(e, FinalResult)]
        assert any(isinstance(e, SpeechStarted) for e in events[lang]) and finals
        assert all(f.language == lang for f in finals)


def test_errors_carry_their_remedy(engine: Engine, speech: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        engine.transcribe(speech, "deu")
    assert caught.value.remedies == [install("deu")]
    with pytest.raises(AudioError):
        engine.transcribe(noise(1.0).reshape(2, -1))
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(AudioError):
        engine.transcribe(tmp_path / "notes.wav", "eng")


def test_the_readme_example_runs_as_written(tmp_path: Path) -> None:
    """The "Use it from Python" example, on a fresh data folder: the bundled demonstration model."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Use it from Python") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "MMS_DESKTOP"))}
    env["MMS_DESKTOP_HOME"] = str(tmp_path / "home")
    root = README.parent
    done = subprocess.run([sys.executable, "-c", code.group(1)], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "the example printed nothing"


def test_the_public_api_names_its_types() -> None:
    """No ``Any`` in what a Python program calls: every argument and result of Engine has a real type."""
    import inspect
    import typing

    for name, member in vars(Engine).items():
        function = getattr(member, "__func__", member)
        if name.startswith("_") or not inspect.isfunction(function):
            continue
        hints = typing.get_type_hints(function)
        assert "return" in hints and all("Any" not in str(h) for h in hints.values()), (name, hints)
