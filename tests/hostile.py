"""A corpus of bad, hostile and unusual inputs, made afresh by each test run (nothing here is committed as a
binary): audio files, transcripts, session folders, language packs, text to speak, settings and language
codes, each with the command lines that read it.

Every input must end in success or in one sentence with exit status 2, and write nothing outside its
folders.
"""

from __future__ import annotations

import io
import json
import os
import struct
import tarfile
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16000


@dataclass(frozen=True)
class Case:
    """One bad input: its name, how to make it in a folder, and the command lines that read it
    (``{input}`` is the path made, ``{speech}`` a good recording, ``{out}`` a fresh output path)."""

    name: str
    make: Callable[[Path], Path]
    commands: tuple[tuple[str, ...], ...]
    stdin: bytes | None = None


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / os.fsdecode(name.encode("utf-8", "surrogateescape"))
        path.write_bytes(data)
        return path

    return make


def _sound(name: str, samples: np.ndarray, rate: int = RATE, subtype: str = "PCM_16") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        sf.write(path, samples, rate, subtype=subtype)
        return path

    return make


def _wav_header(rate: int, channels: int = 1, bits: int = 16, frames: int = 0) -> bytes:
    block = channels * bits // 8
    data = frames * block
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
        + b"data"
        + struct.pack("<I", data)
    )


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _noise(seconds: float, level: float, seed: int = 0) -> np.ndarray:
    return (np.random.RandomState(seed).randn(int(seconds * RATE)) * level).astype(np.float32)


AUDIO_COMMANDS = (
    ("transcribe", "{input}", "--lang", "eng"),
    ("identify", "{input}"),
    ("transcribe", "{input}", "--format", "eaf", "-o", "{out}.eaf"),
)


def _non_utf8_name(folder: Path) -> Path:
    path = folder / os.fsdecode(b"grabaci\xf3n-\xff.wav")  # Latin-1 names from a recorder's card
    with open(os.fsencode(path), "wb") as fh:
        sf.write(fh, _noise(1.0, 0.05), RATE, format="WAV")
    return path


def _dir_named_wav(folder: Path) -> Path:
    (folder / "folder.wav").mkdir()
    return folder / "folder.wav"


def _dangling_link(folder: Path) -> Path:
    (folder / "gone.wav").symlink_to(folder / "nowhere.wav")
    return folder / "gone.wav"


def _float_wav(name: str, values: np.ndarray) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        with open(path, "wb") as fh:  # soundfile refuses to write NaN; the file is written by hand
            data = values.astype("<f4").tobytes()
            fh.write(
                b"RIFF"
                + struct.pack("<I", 36 + len(data))
                + b"WAVEfmt "
                + struct.pack("<IHHIIHH", 16, 3, 1, RATE, RATE * 4, 4, 32)
                + b"data"
                + struct.pack("<I", len(data))
            )
            fh.write(data)
        return path

    return make


def _wave_module(name: str, width: int, rate: int, frames: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        with wave.open(str(folder / name), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(width)
            w.setframerate(rate)
            w.writeframes(frames)
        return folder / name

    return make


def audio_cases() -> Iterator[Case]:
    silence, t1 = np.zeros(RATE, np.float32), _t(1.0)
    files: dict[str, Callable[[Path], Path]] = {
        "empty file": _write("empty.wav", b""),
        "header only": _write("header.wav", _wav_header(RATE)),
        "half a header": _write("half.wav", _wav_header(RATE)[:20]),
        "text named .wav": _write("notes.wav", b"these are my notes " * 100),
        "random .flac": _write("random.flac", np.random.RandomState(1).bytes(5000)),
        "random .ogg": _write("random.ogg", np.random.RandomState(2).bytes(5000)),
        "random .mp3": _write("random.mp3", np.random.RandomState(3).bytes(5000)),
        "unknown suffix": _write("audio.xyz", np.random.RandomState(4).bytes(500)),
        "folder named .wav": _dir_named_wav,
        "dangling link": _dangling_link,
        "name not UTF-8": _non_utf8_name,
        "name with a newline": _sound("two\nlines.wav", _noise(1.0, 0.05)),
        "one sample": _sound("one.wav", np.array([0.5], np.float32)),
        "10 ms": _sound("ten-ms.wav", _noise(0.01, 0.1)),
        "24 ms": _sound("24ms.wav", _noise(0.024, 0.1)),
        "26 ms": _sound("26ms.wav", _noise(0.026, 0.1)),
        "rate of 2,000,000,000 Hz": _write("fast.wav", _wav_header(2_000_000_000, frames=100) + b"\x01\x00" * 100),
        "rate of 1 Hz": _write("slow.wav", _wav_header(1, frames=100) + b"\x01\x00" * 100),
        "rate of 0 Hz": _write("zero-rate.wav", _wav_header(0, frames=100) + b"\x01\x00" * 100),
        "header claims more than there is": _write(
            "short-data.wav", _wav_header(RATE, frames=10**9) + b"\x01\x00" * 8000
        ),
        "NaN samples": _float_wav("nan.wav", np.full(RATE, np.nan)),
        "infinite samples": _float_wav("inf.wav", np.concatenate([_noise(0.5, 0.1), [np.inf]])),
        "silence": _sound("silence.wav", silence),
        "DC offset": _sound("dc.wav", np.full(RATE * 5, 0.3, np.float32)),
        "quiet noise": _sound("quiet-noise.wav", _noise(5.0, 0.01)),
        "infrasound": _sound("infra.wav", (0.5 * np.sin(2 * np.pi * 3 * _t(5.0))).astype(np.float32)),
        "mains hum": _sound("hum.wav", (0.4 * np.sin(2 * np.pi * 60 * _t(5.0))).astype(np.float32)),
        "square wave, clipped": _sound("square.wav", np.sign(np.sin(2 * np.pi * 200 * t1)).astype(np.float32)),
        "8 channels": _sound("eight.wav", np.tile(_noise(1.0, 0.05)[:, None], (1, 8))),
        "channels in opposite phase": _sound("phase.wav", np.stack([_noise(1.0, 0.1), -_noise(1.0, 0.1)], 1)),
        "24-bit": _sound("deep.wav", _noise(1.0, 0.05), subtype="PCM_24"),
        "8-bit unsigned": _sound("u8.wav", _noise(1.0, 0.05), subtype="PCM_U8"),
        "64-bit float": _sound("double.wav", _noise(1.0, 0.05), subtype="DOUBLE"),
        "mu-law": _sound("ulaw.wav", _noise(1.0, 0.05), subtype="ULAW"),
        "A-law": _sound("alaw.wav", _noise(1.0, 0.05), subtype="ALAW"),
        "8 kHz telephone": _sound("phone.wav", _noise(2.0, 0.05)[::2], rate=8000),
        "192 kHz": _sound("hires.flac", np.repeat(_noise(1.0, 0.05), 12), rate=192000),
        "odd byte count": _wave_module("odd.wav", 2, RATE, np.zeros(1000, np.int16).tobytes() + b"\x01"),
    }
    for name, make in files.items():
        yield Case(f"audio: {name}", make, AUDIO_COMMANDS)


def _eaf(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ANNOTATION_DOCUMENT AUTHOR="" DATE="2026-01-01T00:00:00Z" '
        'FORMAT="3.0" VERSION="3.0"><HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>' + body + "</ANNOTATION_DOCUMENT>"
    )


_TIER = (
    '<TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="100"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="900"/>'
    '</TIME_ORDER><TIER LINGUISTIC_TYPE_REF="lt" TIER_ID="A"><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" '
    'TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>hello world</ANNOTATION_VALUE>'
    '</ALIGNABLE_ANNOTATION></ANNOTATION></TIER><LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="lt" TIME_ALIGNABLE="true"/>'
)


def transcript_cases() -> Iterator[Case]:
    align = (("align", "{speech}", "{input}", "--lang", "eng"),)
    texts: dict[str, Callable[[Path], Path]] = {
        "empty text": _write("empty.txt", b""),
        "only spaces and lines": _write("blank.txt", b"  \n\n\t \n"),
        "Latin-1 text": _write("latin1.txt", "caf\xe9 cr\xe8me".encode("latin-1")),
        "UTF-16 text": _write("utf16.txt", "hello world".encode("utf-16")),
        "binary as text": _write("binary.txt", np.random.RandomState(5).bytes(2000)),
        "NUL bytes in text": _write("nul.txt", b"hello\x00world"),
        "one line of 100 kB": _write("long-line.txt", b"word " * 20000),
        "text of symbols only": _write("symbols.txt", "!!! ??? ... 123 ★☆".encode()),
        "text in another script": _write("cjk.txt", "你好世界".encode()),
        "right-to-left text": _write("rtl.txt", "مرحبا بالعالم".encode()),
        "control characters": _write("control.txt", b"hello\x1b[31m world\x07\r\n"),
        "JSON, not a transcript": _write("list.json", b"[1, 2, 3]"),
        "JSON nested deeply": _write("deep.json", b"[" * 100_000 + b"]" * 100_000),
        "JSON text is a number": _write(
            "number.json",
            b'{"language": "eng", "duration": 1, "segments": [{"start": 0, "end": 1, "text": 5, "words": []}]}',
        ),
        "JSON broken": _write("broken.json", b'{"segments": ['),
        "EAF not XML": _write("broken.eaf", b"<ANNOTATION_DOCUMENT"),
        "EAF with no tiers": _write("no-tiers.eaf", _eaf("").encode()),
        "EAF slot without a time": _write("no-time.eaf", _eaf(_TIER.replace(' TIME_VALUE="100"', "")).encode()),
        "EAF slot missing": _write(
            "no-slot.eaf", _eaf(_TIER.replace('TIME_SLOT_ID="ts1"', 'TIME_SLOT_ID="ts9"')).encode()
        ),
        "EAF with an external entity": _write(
            "xxe.eaf",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM '
            b'"file:///etc/passwd">]><ANNOTATION_DOCUMENT>&x;</ANNOTATION_DOCUMENT>',
        ),
        "EAF entity bomb": _write(
            "bomb.eaf",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(
                f'<!ENTITY {c} "{("&" + p + ";") * 10}">'.encode() for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + b"]><ANNOTATION_DOCUMENT>&i;</ANNOTATION_DOCUMENT>",
        ),
        "TextGrid garbage": _write("garbage.TextGrid", b'File type = "ooTextFile"\ngarbage'),
        "TextGrid binary": _write("binary.TextGrid", b"ooBinaryFile\x08TextGrid" + bytes(64)),
        "subtitles without cues": _write("none.srt", b"1\nno times here\n"),
        "subtitles with broken times": _write("bad.vtt", b"WEBVTT\n\n00:00:99.000 --> 00:00:01.000\nhello\n"),
        "unknown suffix": _write("notes.docx", b"PK\x03\x04"),
    }
    for name, make in texts.items():
        yield Case(f"transcript: {name}", make, align)


def _session(project: Path, data: bytes | None, name: str = "S1") -> Path:
    (project / name).mkdir(parents=True)
    if data is not None:
        (project / name / "session.json").write_bytes(data)
    return project


def session_cases() -> Iterator[Case]:
    good = {"id": "S1", "title": "Stories", "language": "eng", "speakers": [{"id": "SP1", "name": "Anna"}]}
    variants: dict[str, bytes | None] = {
        "id climbing out": json.dumps(good | {"id": "../../elsewhere"}).encode(),
        "absolute id": json.dumps(good | {"id": "/tmp/elsewhere"}).encode(),
        "id that is a number": json.dumps(good | {"id": 7}).encode(),
        "title missing": json.dumps({k: v for k, v in good.items() if k != "title"}).encode(),
        "speakers a string": json.dumps(good | {"speakers": "Anna"}).encode(),
        "speaker without id": json.dumps(good | {"speakers": [{"name": "Anna"}]}).encode(),
        "language a list": json.dumps(good | {"language": ["eng"]}).encode(),
        "language climbing out": json.dumps(good | {"language": "../../eng"}).encode(),
        "not JSON": b"{",
        "JSON nested deeply": b"[" * 100_000 + b"]" * 100_000,
        "not UTF-8": json.dumps(good).encode().replace(b"Stories", b"Hist\xf3rias"),
        "a list": b"[]",
        "no session.json": None,
    }
    commands = (
        ("session", "show", "{input}", "S1"),
        ("session", "transcribe", "{input}", "S1"),
        ("session", "export", "{input}", "S1"),
        ("session", "add", "{input}", "S1", "{speech}"),
        ("session", "list", "{input}"),
    )
    for name, data in variants.items():
        yield Case(f"session: {name}", lambda folder, data=data: _session(folder / "project", data), commands)
    yield Case(
        "session: name climbing out",
        lambda folder: _session(folder / "project", json.dumps(good).encode()),
        (("session", "show", "{input}", "../S1"), ("session", "add", "{input}", "../../x", "{speech}")),
    )


def _tar(index: bytes, members: dict[str, bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "pack.tar.gz"
        with tarfile.open(path, "w:gz") as tar:
            for name, data in {"mms-pack.json": index, **members}.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path

    return make


def pack_cases() -> Iterator[Case]:
    index = {"format": 1, "repos": {"facebook/mms-1b-all": {"adapter.x.safetensors": {"size": 3, "sha256": "0" * 64}}}}
    packs: dict[str, Callable[[Path], Path]] = {
        "archive of text": _write("pack.tar.gz", b"not an archive"),
        "zip of nothing": _write("pack.zip", b"PK\x05\x06" + bytes(18)),
        "index missing": _tar(b"", {}),
        "index of another program": _tar(b'{"format": 9}', {}),
        "checksum wrong": _tar(json.dumps(index).encode(), {"facebook/mms-1b-all/adapter.x.safetensors": b"abc"}),
        "name climbing out": _tar(
            json.dumps({"format": 1, "repos": {"../..": {"x": {"size": 1, "sha256": "0" * 64}}}}).encode(),
            {"../../x": b"a"},
        ),
        "not a pack suffix": _write("pack.rar", b"Rar!"),
    }
    for name, make in packs.items():
        yield Case(f"language pack: {name}", make, (("languages", "import", "{input}"),))


def speak_cases() -> Iterator[Case]:
    speak = ("speak", "-", "--lang", "eng", "-o", "{out}.wav")
    inputs = {
        "Latin-1 bytes": "caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1"),
        "UTF-16 bytes": "hello".encode("utf-16"),
        "nothing": b"",
        "only spaces": b"   \n\t\n",
        "only punctuation": b"?!... --- ;;;",
        "only emoji": "😀😀😀".encode(),
        "another script": "你好".encode(),
        "control characters": b"hello \x1b[2J world\x07",
        "one word of 20 kB": b"a" * 20000,
        "NUL bytes": b"hello\x00world",
    }
    for name, data in inputs.items():
        yield Case(f"speak: {name}", lambda folder: folder, (speak,), stdin=data)
    for code in ("../../eng", "xyz", "", "ENG", "e" * 200):
        yield Case(
            f"speak: voice '{code[:12]}'",
            lambda folder: folder,
            (("speak", "hello", "--lang", code, "-o", "{out}.wav"),),
        )


def language_code_cases() -> Iterator[Case]:
    for code in (
        "../../eng",
        "/etc/passwd",
        "eng\n",
        "ENG",
        "",
        "-",
        "e" * 300,
        "eng-script_",
        "ëng",
        "eng ",
        "xyz",
        "qaa",
    ):
        yield Case(
            f"language code: {code!r}"[:40],
            lambda folder: folder,
            (
                ("transcribe", "{speech}", "--lang", code),
                ("identify", "{speech}", "--among", code),
                ("words", "add", code, "{speech}"),
            ),
        )


def settings_cases() -> Iterator[Case]:
    values = [5, None, True, [1], {"a": 1}, "../../x", "x" * 5000, -1e308, [None], "eng\n"]
    fields = [
        "favourites",
        "auto_among",
        "language",
        "recordings_dir",
        "asr_repo",
        "device",
        "precision",
        "window_s",
        "live_budget",
        "input_device",
        "word_lists",
    ]
    for field in fields:
        for i, value in enumerate(values):
            data = json.dumps({"schema_version": 2, field: value}).encode()
            yield Case(
                f"settings: {field} = {str(value)[:12]}",
                lambda folder, data=data: _settings(folder, data),
                (("languages", "list"),) if i % 2 else (("transcribe", "{speech}", "--lang", "eng"),),
            )
    for name, data in {"nested": b"[" * 100_000, "not UTF-8": b'{"language": "\xff"}', "a list": b"[]"}.items():
        yield Case(f"settings: {name}", lambda folder, data=data: _settings(folder, data), (("languages", "list"),))


def _settings(folder: Path, data: bytes) -> Path:
    (folder / "settings.json").write_bytes(data)
    return folder


def data_file_cases() -> Iterator[Case]:
    """The other files the program keeps in its data folder, damaged or of the wrong shape."""
    catalogue = {
        "fetched_at": 1.0,
        "asr_revision": "x",
        "base_size": 1,
        "adapters": {"fra": 1},
        "voices": ["fra"],
        "lid_models": [],
    }
    files = {
        "catalogue with adapters as a list": ("store/catalogue.json", json.dumps(catalogue | {"adapters": ["fra"]})),
        "catalogue with a size as text": ("store/catalogue.json", json.dumps(catalogue | {"adapters": {"fra": "1"}})),
        "catalogue of an unknown field": ("store/catalogue.json", json.dumps(catalogue | {"extra": 1})),
        "catalogue nested deeply": ("store/catalogue.json", "[" * 100_000),
        "kept text nested deeply": ("draft.json", "{" * 50_000),
        "store record of another shape": ("store/facebook/mms-1b-all/.mms-store.json", '{"files": [1, 2]}'),
    }
    for name, (where, text) in files.items():
        yield Case(
            f"settings: {name}",
            lambda folder, where=where, text=text: _data_file(folder, where, text),
            (("languages", "list"), ("transcribe", "{speech}", "--lang", "eng")),
        )


def _data_file(folder: Path, where: str, text: str) -> Path:
    (folder / where).parent.mkdir(parents=True, exist_ok=True)
    (folder / where).write_text(text, encoding="utf-8")
    return folder


def every_case() -> list[Case]:
    return [
        *audio_cases(),
        *transcript_cases(),
        *session_cases(),
        *pack_cases(),
        *speak_cases(),
        *language_code_cases(),
        *settings_cases(),
        *data_file_cases(),
    ]
