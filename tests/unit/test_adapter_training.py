"""Adapter training on the tiny model with espeak-ng speech in a language it has no adapter for."""

import dataclasses
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from mms_desktop.core.base import Cancelled, UserError, sha256_file
from mms_desktop.core.recognition import Recognizer
from mms_desktop.core.training import AdapterJob, Normalization, collect, train_adapter

PHRASES = ["buongiorno a tutti", "la casa rossa", "il cane nero", "una bella giornata", "grazie mille amico",
           "dove sei andato", "il libro aperto", "acqua fresca", "la luna piena", "sei sette otto",
           "nove dieci undici", "il gatto dorme", "la porta chiusa", "un albero verde", "mangiamo insieme",
           "parla piano", "vieni qui", "tre mele rosse", "il fiume lungo", "la strada vecchia"]  # fmt: skip


@pytest.fixture(scope="module")
def italian(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("italian")
    for i, text in enumerate(PHRASES):
        subprocess.run(["espeak-ng", "-v", "it", "-w", str(folder / f"{i:02d}.wav"), text], check=True)
        (folder / f"{i:02d}.txt").write_text(text.capitalize() + ".", encoding="utf-8")
    (folder / "bad.wav").write_bytes(b"not audio")
    (folder / "bad.txt").write_text("x")
    (folder / "empty.txt").write_text("   ")
    shutil.copy(folder / "00.wav", folder / "empty.wav")
    return folder


def test_a_recording_with_exported_transcripts_is_read_once(italian: Path, tmp_path: Path) -> None:
    """A session's recording with its transcript and the ELAN, Praat and text files exported from it gives
    its speech once: the transcript worked on last."""
    import os

    from mms_desktop.core.audio import load_audio
    from mms_desktop.core.base import Segment, Transcript
    from mms_desktop.core.fieldwork import export_beside, save_transcript, transcript_path

    session = tmp_path / "session"
    session.mkdir()
    for n, phrase in ((1, PHRASES[0]), (2, PHRASES[1])):
        wav = session / f"S_{n:02d}.wav"
        shutil.copy(italian / f"{n - 1:02d}.wav", wav)
        seconds = len(load_audio(wav)) / 16000
        transcript = Transcript("ita", seconds, (Segment(0.0, seconds, phrase),))
        save_transcript(transcript_path(wav), transcript, edited=True)
        for fmt in ("eaf", "textgrid", "txt"):
            export_beside(wav, transcript, fmt)
    data = collect([session], held_out=0.5)
    assert sorted(item.text for item in data.train + data.held_out) == sorted(PHRASES[:2])
    assert len(data.skipped) == 6, "each recording's three other transcripts are listed as not used"
    assert all(line.endswith("is used instead, a transcript of the same recording") for line in data.skipped)

    eaf = session / "S_01.eaf"  # corrected in ELAN after the export: the newest, so the one used
    eaf.write_text(eaf.read_text(encoding="utf-8").replace(PHRASES[0], "buongiorno a tutte"), encoding="utf-8")
    later = transcript_path(session / "S_01.wav").stat().st_mtime_ns + 10**9
    os.utime(eaf, ns=(later, later))
    data = collect([session], held_out=0.5)
    assert sorted(item.text for item in data.train + data.held_out) == sorted(["buongiorno a tutte", PHRASES[1]])
    assert any(line.startswith(f"{session / 'S_01.json'}: S_01.eaf is used instead") for line in data.skipped)

    shutil.copy(italian / "02.wav", session / "S_03.wav")  # the linguist's own text, and a machine transcript
    (session / "S_03.txt").write_text(PHRASES[2], encoding="utf-8")
    save_transcript(session / "S_03.json", Transcript("ita", 1.0, (Segment(0.0, 1.0, "il cane naro"),)), False)
    data = collect([session], held_out=0.5)
    texts = [item.text for item in data.train + data.held_out]
    assert PHRASES[2] in texts and "il cane naro" not in texts, "a machine transcript nobody corrected comes last"


def test_too_little_material_says_what_was_found_and_why(italian: Path, tmp_path: Path) -> None:
    """Training refused for want of material says in its one sentence what to give, or why what was given
    did not count, and lists recordings that have no transcript at all."""
    with pytest.raises(UserError, match=r"^No recordings with transcripts were found; put each recording beside"):
        collect([tmp_path])
    untranscribed = tmp_path / "untranscribed"
    untranscribed.mkdir()
    for name in ("03.wav", "04.wav"):
        shutil.copy(italian / name, untranscribed / name)
    with pytest.raises(
        UserError, match=r"^No usable recording was found, .*03\.wav: no transcript .*\(and 1 more\)\.$"
    ):
        collect([untranscribed])
    (untranscribed / "03.txt").write_text(PHRASES[3], encoding="utf-8")
    with pytest.raises(UserError, match=r"^Only one usable recording .*04\.wav: no transcript"):
        collect([untranscribed])
    (untranscribed / "04.txt").write_text(PHRASES[4], encoding="utf-8")
    shutil.copy(italian / "05.wav", untranscribed / "05.wav")
    data = collect([untranscribed])
    assert len(data.train) + len(data.held_out) == 2
    assert data.skipped == [
        f"{untranscribed / '05.wav'}: no transcript of the same name (.txt, .eaf, .TextGrid or a session's .json)"
    ]


@pytest.fixture()
def base(tiny_repos, tmp_path: Path) -> Path:
    folder = tmp_path / "base"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], folder)
    return folder


def test_collect_normalizes_splits_and_lists_bad_items(italian: Path) -> None:
    data = collect([italian], Normalization(), held_out=0.2)
    assert len(data.train) + len(data.held_out) == len(PHRASES) and len(data.held_out) == 4
    assert all(item.text == item.text.lower() and "." not in item.text for item in data.train)
    assert any("bad.wav" in s for s in data.skipped) and any("empty transcript" in s for s in data.skipped)
    vocab = data.vocabulary()
    assert list(vocab)[:5] == ["<pad>", "<s>", "</s>", "<unk>", "|"] and "q" in vocab
    with pytest.raises(UserError, match="does not exist"):
        collect([italian / "missing"])


def test_training_lowers_cer_keeps_the_base_and_transcribes(italian: Path, base: Path) -> None:
    model_sha = sha256_file(base / "model.safetensors")
    data = collect([italian], held_out=0.2)
    report = train_adapter(AdapterJob("ita", base, steps=120, learning_rate=3e-3), data)
    assert report.cer_after < 0.75 * report.cer_before, report
    assert sha256_file(base / "model.safetensors") == model_sha
    tensors = load_file(base / "adapter.ita.safetensors")
    assert tensors["lm_head.weight"].shape[0] == len(data.vocabulary())
    recognizer = Recognizer.load(base, "ita", device="cpu")
    assert "ita" in recognizer.languages
    assert recognizer.transcribe(data.held_out[0].samples, "ita").language == "ita"


def test_starting_from_an_adapter_that_is_missing_or_does_not_fit_says_so(italian: Path, base: Path) -> None:
    data = collect([italian], held_out=0.2)
    with pytest.raises(UserError, match="The model has no adapter 'zzz' to start from"):
        train_adapter(AdapterJob("ita", base, steps=1, from_adapter="zzz"), data)
    vocab = json.loads((base / "vocab.json").read_text(encoding="utf-8"))
    stock = next(iter(vocab))
    vocab[stock].update({c: len(vocab[stock]) + i for i, c in enumerate("жщфы")})  # more than its head writes
    (base / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    with pytest.raises(UserError, match=f"The adapter '{stock}' does not fit the model's vocab.json"):
        train_adapter(AdapterJob("ita", base, steps=1, from_adapter=stock), data)
    assert not (base / "adapter.ita.safetensors").exists(), "nothing is written"


def test_an_interrupted_run_resumes_from_its_checkpoint(italian: Path, base: Path, tmp_path: Path) -> None:
    data = collect([italian], held_out=0.2)
    job = AdapterJob("ita", base, steps=40, checkpoint_dir=tmp_path / "ckpt")
    cancel = threading.Event()
    seen = []

    def stop_at_25(p) -> None:
        seen.append(p.step)
        if p.step == 25:
            cancel.set()

    with pytest.raises(Cancelled):
        train_adapter(job, data, progress=stop_at_25, cancel=cancel)
    assert (tmp_path / "ckpt" / "ita.ckpt").exists()
    resumed = []
    train_adapter(job, data, progress=lambda p: resumed.append(p.step))
    assert resumed[0] == 21 and resumed[-1] == 40  # the last checkpoint was at step 20
    resumed_weights = load_file(base / "adapter.ita.safetensors")
    other = base.parent / "straight"
    shutil.copytree(base, other)
    train_adapter(dataclasses.replace(job, base_dir=other, checkpoint_dir=None), data)
    straight = load_file(other / "adapter.ita.safetensors")
    assert all(torch.allclose(resumed_weights[k], straight[k], atol=1e-5) for k in straight)


def test_an_elan_file_gives_every_speaker_tier_from_the_media_it_links_to(italian: Path, tmp_path: Path) -> None:
    """An EAF lying elsewhere than its recording (linked relatively, or absolutely only), with a tier per
    speaker: every annotation of every tier is used, and what is not is counted with its reason."""
    import numpy as np
    import pympi
    import soundfile as sf

    media = tmp_path / "media" / "interview.wav"
    media.parent.mkdir()
    a, rate = sf.read(str(italian / "00.wav"))
    b, _ = sf.read(str(italian / "01.wav"))
    sf.write(media, np.concatenate([a, b]), rate)
    cut = round(len(a) / rate * 1000)
    for link in ("relative", "absolute"):
        eaf = pympi.Eaf()
        eaf.remove_tier("default")
        eaf.add_linked_file(media.as_uri(), relpath="../media/interview.wav" if link == "relative" else None)
        eaf.add_linguistic_type("utterance")
        for speaker in ("Anna", "Ben"):
            eaf.add_tier(speaker, ling="utterance", part=speaker)
        eaf.add_annotation("Anna", 0, cut, PHRASES[0])
        eaf.add_annotation("Ben", cut, cut + round(len(b) / rate * 1000), PHRASES[1])
        eaf.add_annotation("Ben", cut + 60_000, cut + 61_000, "after the end")
        folder = tmp_path / f"annotations-{link}"
        folder.mkdir()
        if link == "absolute":
            media = media.rename(tmp_path / "media" / "moved.wav")  # the relative link alone would fail
            eaf.remove_linked_files()
            eaf.add_linked_file(media.as_uri())
        eaf.to_file(str(folder / "transcribed.eaf"))
        data = collect([folder / "transcribed.eaf", italian], held_out=0.2)
        texts = sorted(item.text for item in data.train + data.held_out)
        assert PHRASES[0] in texts and PHRASES[1] in texts, texts
        assert texts.count(PHRASES[0]) == 2, "the EAF's and the folder's own"
        assert any("transcribed.eaf" in s and "(Ben)" in s and "outside the audio" in s for s in data.skipped)
    only_ben = collect([folder / "transcribed.eaf", italian], held_out=0.2, tiers=["Ben"])
    texts = [item.text for item in only_ben.train + only_ben.held_out]
    assert texts.count(PHRASES[1]) == 2 and texts.count(PHRASES[0]) == 1, "Anna's tier left out when Ben's is named"
    nobody = collect([folder / "transcribed.eaf", italian], held_out=0.2, tiers=["Nobody"])
    assert any("has no tier 'Nobody'; its tiers are: Anna, Ben." in s for s in nobody.skipped), nobody.skipped


def test_the_advice_on_material_quotes_the_figures_it_rests_on(tmp_path: Path) -> None:
    import json

    from mms_desktop.core.training import material_advice

    figures = tmp_path / "figures.json"
    points = [
        {"minutes": 1.0, "cer": 0.7, "wer": 0.9},
        {"minutes": 16.0, "cer": 0.2, "wer": 0.45},
        {"minutes": 4.0, "cer": 0.4, "wer": 0.7},
    ]
    figures.write_text(json.dumps({"measured": "2026-12-07", "points": points}))
    little = material_advice(2.5, figures)
    assert little.startswith("This material holds 2.5 min of speech. Bring at least 16 min, from several speakers")
    assert (
        "Taught from 1 / 4 / 16 min of speech, the demonstration model made 70% / 40% / 20% character errors" in little
    )
    assert "(benchmark material, 2026-12-07)" in little and "about 32 hours of read speech" in little
    assert "enough for a first draft" in material_advice(20, figures)
    figures.write_text(json.dumps({"points": [{"minutes": 16.0, "cer": 0.2, "wer": 0.8}]}))
    assert "More speech, from several speakers" in material_advice(20, figures)
    assert material_advice(3, tmp_path / "none.json") == (
        "This material holds 3.0 min of speech. More speech, from several speakers, gives better results. MMS's own "
        "adapters were each trained on about 32 hours of read speech."
    )
