"""MMS Desktop's recognizers driven exactly as ELAN drives a local recognizer, without ELAN: the CMDI read
as ELAN's RecognizerParser reads it, the run command split at spaces and started in the recognizer's
folder, the parameter document written to its standard input and closed, standard output (with standard
error merged) read line by line for PROGRESS and RESULT, the tier files read back as ELAN's XmlTierIO reads
them, and an EAF built from them with pympi-ling. Cancelling is ELAN's: the process is destroyed."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import numpy as np
import pytest
import soundfile as sf
from helpers import espeak, run_cli

from mms_desktop.elan.recognizers import SPECS


def cmdi(folder: Path) -> dict:
    """What ELAN's RecognizerParser takes from a recognizer's CMDI (element names without namespace)."""
    (path,) = folder.glob("*.cmdi")
    found: dict = {"params": {}}
    for element in ElementTree.parse(path).getroot().iter():
        name = element.tag.split("}")[-1]
        if name == "recognizer":
            found |= {"id": element.text.strip(), "type": element.get("recognizerType"), **element.attrib}
        elif name in ("textparam", "input", "output"):
            found["params"][element.text.strip()] = {"kind": name, **element.attrib}
        elif name == "documentation":
            found["documentation"] = element.text.strip()
    return found


def span_time(token: str) -> float:
    """As ELAN's XmlTierIO: seconds where there is a decimal point, milliseconds where there is none."""
    return float(token) if "." in token else int(token) / 1000


def read_tier(path: Path) -> tuple[str, list[tuple[float, float, str]]]:
    root = ElementTree.parse(path).getroot()
    tier = root if root.tag == "TIER" else root.find("TIER")
    spans = [(span_time(s.get("start")), span_time(s.get("end")), s.find("v").text or "") for s in tier.iter("span")]
    return tier.get("columns"), spans


def elan_tier(path: Path, spans: list[tuple[float, float, str]]) -> None:
    """An input tier as ELAN's RecTierWriter writes it (times as ss.mmm)."""
    body = "".join(f'\t<span start="{a:.3f}" end="{b:.3f}"><v>{escape(t)}</v></span>\n' for a, b, t in spans)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<TIER xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:noNamespaceSchemaLocation="file:avatech-tier.xsd" columns="tier_1">\n{body}</TIER>\n',
        encoding="utf-8",
    )


def start(folder: Path, params: dict[str, str]) -> subprocess.Popen[str]:
    """The recognizer started as ELAN starts it, its parameters written and its input closed."""
    described = cmdi(folder)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<PARAM xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="file:avatech-call.xsd">',
        f'<param name="InvocationContext">{described["id"]} 2026-12-07 09:30:00+0100</param>',
        *[f'<param name="{name}">{escape(params.get(name, ""))}</param>' for name in described["params"]],
        "</PARAM>",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MMS_DESKTOP", "HF_"))}
    process = subprocess.Popen(
        described["runLinux"].split(),
        cwd=folder,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    process.stdin.write("\n".join(lines) + "\n")
    process.stdin.close()
    return process


def finish(process: subprocess.Popen[str]) -> list[str]:
    lines = [line.rstrip("\n") for line in process.stdout]
    process.wait(60)
    return lines


def run_done(folder: Path, params: dict[str, str]) -> list[str]:
    """Run a recognizer to its end as ELAN does; it must end with its result DONE, having shown progress."""
    lines = finish(start(folder, params))
    assert lines[-1] == "RESULT: DONE.", lines
    check_progress(lines)
    return lines


def check_progress(lines: list[str]) -> None:
    fractions = [float(line.split()[1]) for line in lines if line.startswith("PROGRESS:")]
    assert fractions and fractions == sorted(fractions) and 0 <= fractions[0] and fractions[-1] <= 1
    assert not any("Traceback" in line or "Warning" in line for line in lines), lines


@pytest.fixture(scope="module")
def elan(installed_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ELAN installation's extensions folder with our recognizers installed by the command."""
    root = tmp_path_factory.mktemp("elan")
    extensions = root / "ELAN_6-9" / "lib" / "app" / "extensions"
    (extensions / "other-recognizer").mkdir(parents=True)
    result = run_cli("elan", "install", "--elan-dir", str(root / "ELAN_6-9"), home=installed_home)
    assert result.returncode == 0, result.stderr
    assert str(extensions) in result.stdout
    return extensions


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[float, float]]]:
    """A recording with two phrases (in a folder whose name needs XML escaping), and where they are."""
    folder = tmp_path_factory.mktemp("media") / "Fieldwork & <notes>"
    folder.mkdir()
    first, second = espeak("hello world", "en", folder), espeak("good morning to you", "en", folder)
    gap = np.zeros(16000, np.float32)
    samples = np.concatenate([gap[:8000], first, gap, second, gap[:8000]])
    path = folder / "session 1.wav"
    sf.write(path, samples, 16000)
    one = (0.5, 0.5 + len(first) / 16000)
    two = (one[1] + 1.0, one[1] + 1.0 + len(second) / 16000)
    return path, [one, two]


def test_the_cmdi_describes_each_recognizer_as_elans_parser_reads_it(elan: Path) -> None:
    assert sorted(p.name for p in elan.iterdir()) == [
        "mms-desktop-align",
        "mms-desktop-identify",
        "mms-desktop-transcribe",
        "other-recognizer",
    ]
    for key, spec in SPECS.items():
        folder = elan / f"mms-desktop-{key}"
        described = cmdi(folder)
        assert described["type"] == "local" and described["id"] == spec.ident and described["info"] == spec.info
        assert described["runLinux"] == "./run.sh" and described["runWin"] == "cmd /c run.bat"
        assert (folder / described["documentation"]).is_file() and os.access(folder / "run.sh", os.X_OK)
        params = described["params"]
        assert params["source"] == {
            "kind": "input",
            "level": "basic",
            "type": "audio",
            "optional": "false",
            "mimetypes": "audio/x-wav",
            "info": "The recording (WAV)",
        }
        outputs = [p for p in params.values() if p["kind"] == "output"]
        assert outputs and all(p["type"] == "tier" and p["mimetypes"] == "text/xml" for p in outputs)
        assert all("default" in p for p in params.values() if p["kind"] == "textparam")


def test_transcribe_finds_the_speech_and_writes_an_annotation_and_a_word_tier(
    elan: Path, media: tuple[Path, list[tuple[float, float]]], tmp_path: Path
) -> None:
    audio, phrases = media
    out, words = tmp_path / "out tier.xml", tmp_path / "words.xml"
    params = {
        "source": str(audio),
        "language": "eng",
        "output_tier": str(out),
        "word_tier": str(words),
        "tier_name": "MMS transcription",
        "word_tier_name": "mms-words",
    }
    run_done(elan / "mms-desktop-transcribe", params)
    name, spans = read_tier(out)
    assert name == "MMS_transcription", "ELAN splits the columns attribute at spaces"
    assert 1 <= len(spans) <= 2 and all(text for _, _, text in spans)
    assert spans[0][0] < phrases[0][1] and spans[-1][1] > phrases[1][0], "the speech, where it is"
    word_name, timed = read_tier(words)
    assert word_name == "mms-words" and timed
    assert all(any(a - 0.01 <= s and e <= b + 0.01 for a, b, _ in spans) for s, e, _ in timed), "inside a span"

    import pympi  # an EAF made from the tiers, as a script would, and read back

    eaf = pympi.Elan.Eaf()
    eaf.add_linked_file(str(audio), mimetype="audio/x-wav")
    for tier, found in ((name, spans), (word_name, timed)):
        eaf.add_tier(tier)
        for a, b, text in found:
            eaf.add_annotation(tier, round(a * 1000), round(b * 1000), text)
    eaf.to_file(str(tmp_path / "built.eaf"))
    again = pympi.Elan.Eaf(str(tmp_path / "built.eaf"))
    assert [a[2] for a in sorted(again.get_annotation_data_for_tier(name))] == [t for _, _, t in spans]


def test_transcribe_and_identify_keep_the_times_of_an_input_tier(
    elan: Path, media: tuple[Path, list[tuple[float, float]]], tmp_path: Path
) -> None:
    audio, phrases = media
    tier = tmp_path / "input.xml"
    elan_tier(tier, [(a - 0.2, b + 0.2, "") for a, b in phrases])
    out = tmp_path / "transcribed.xml"
    run_done(
        elan / "mms-desktop-transcribe",
        {"source": str(audio), "input_tier": str(tier), "language": "eng", "output_tier": str(out)},
    )
    _, spans = read_tier(out)
    assert [(round(a, 3), round(b, 3)) for a, b, _ in spans] == [
        (round(a - 0.2, 3), round(b + 0.2, 3)) for a, b in phrases
    ]
    languages = tmp_path / "languages.xml"
    run_done(
        elan / "mms-desktop-identify",
        {"source": str(audio), "input_tier": str(tier), "among": "eng, fra", "output_tier": str(languages)},
    )
    name, labelled = read_tier(languages)
    assert name == "mms-language" and len(labelled) == 2
    for _, _, value in labelled:
        code, probability = value.split()
        assert code in ("eng", "fra") and 0 < float(probability) <= 1


def test_align_times_each_word_of_a_transcription_tier(
    elan: Path, media: tuple[Path, list[tuple[float, float]]], tmp_path: Path
) -> None:
    audio, phrases = media
    tier = tmp_path / "transcription.xml"
    elan_tier(
        tier,
        [
            (phrases[0][0] - 0.1, phrases[0][1] + 0.1, "hello world"),
            (phrases[1][0] - 0.1, phrases[1][1] + 0.1, "good morning to you"),
        ],
    )
    words = tmp_path / "aligned.xml"
    run_done(
        elan / "mms-desktop-align",
        {"source": str(audio), "input_tier": str(tier), "language": "eng", "word_tier": str(words)},
    )
    name, timed = read_tier(words)
    assert name == "mms-aligned-words"
    assert [w for _, _, w in timed] == ["hello", "world", "good", "morning", "to", "you"]
    assert all(a < b for a, b, _ in timed) and [a for a, _, _ in timed] == sorted(a for a, _, _ in timed)
    assert phrases[0][0] - 0.1 <= timed[0][0] and timed[1][1] <= phrases[0][1] + 0.1, "inside its annotation"


def test_a_mistake_is_one_sentence_in_elans_report_and_a_failed_result(elan: Path, media, tmp_path: Path) -> None:
    audio, _ = media
    lines = finish(start(elan / "mms-desktop-align", {"source": str(audio), "word_tier": str(tmp_path / "w.xml")}))
    assert lines[-2:] == [
        "Give the language of the transcription (an installed ISO 639-3 code) to align it.",
        "RESULT: FAILED.",
    ]
    lines = finish(
        start(
            elan / "mms-desktop-transcribe",
            {"source": str(tmp_path / "gone.wav"), "output_tier": str(tmp_path / "o.xml")},
        )
    )
    assert lines[-1] == "RESULT: FAILED." and "cannot be found" in lines[-2]
    assert not any("Traceback" in line for line in lines) and not (tmp_path / "o.xml").exists()


def test_cancelling_in_elan_stops_the_recognizer_and_leaves_no_tier(elan: Path, tmp_path: Path) -> None:
    long = tmp_path / "long.wav"
    phrase = espeak("one two three four five six seven eight", "en", tmp_path)
    sf.write(long, np.tile(np.concatenate([phrase, np.zeros(8000, np.float32)]), 40), 16000)
    out = tmp_path / "never.xml"
    process = start(elan / "mms-desktop-transcribe", {"source": str(long), "language": "eng", "output_tier": str(out)})
    first = process.stdout.readline()
    assert first.startswith("PROGRESS:")
    process.send_signal(signal.SIGTERM)  # what Process.destroy() sends
    started = time.monotonic()
    process.wait(10)
    assert time.monotonic() - started < 10 and process.returncode != 0
    assert not out.exists() and not list(tmp_path.glob(".never.xml*"))


def test_uninstall_removes_only_our_recognizers(installed_home: Path, tmp_path: Path) -> None:
    extensions = tmp_path / "ELAN_6-9" / "lib" / "app" / "extensions"
    (extensions / "other-recognizer").mkdir(parents=True)
    assert run_cli("elan", "install", "--elan-dir", str(extensions), home=installed_home).returncode == 0
    result = run_cli("elan", "uninstall", "--elan-dir", str(tmp_path / "ELAN_6-9"), home=installed_home)
    assert result.returncode == 0 and "Removed 3 recognizers" in result.stdout
    assert [p.name for p in extensions.iterdir()] == ["other-recognizer"]
    missing = run_cli("elan", "install", "--elan-dir", str(tmp_path / "nowhere"), home=installed_home)
    assert (
        missing.returncode == 2 and "is not a folder; give ELAN's extensions folder with --elan-dir." in missing.stderr
    )
