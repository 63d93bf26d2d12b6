from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import noise

from mms_desktop.core.base import ModelError, UserError
from mms_desktop.core.checkpoints import loading
from mms_desktop.core.recognition import Recognizer, WindowOptions, ctc, plan_windows


@pytest.fixture(scope="module")
def recognizer(tiny_repos) -> Recognizer:
    return Recognizer.load(tiny_repos["facebook/mms-1b-all"], "eng", device="cpu", precision="float32")


def test_lists_installed_adapters(recognizer: Recognizer) -> None:
    assert recognizer.languages == ["cmn-script_simplified", "eng", "fra"]


def test_switching_adapters_matches_a_fresh_load_without_reloading(recognizer: Recognizer, tiny_repos) -> None:
    from transformers import Wav2Vec2ForCTC

    model_before = recognizer._model
    audio = noise(2.0)
    for language in ["cmn-script_simplified", "fra", "eng"]:
        got = recognizer.log_probs(audio, language)  # the adapter of the call's language swaps in
        assert recognizer._model is model_before
        reference = Wav2Vec2ForCTC.from_pretrained(str(tiny_repos["facebook/mms-1b-all"]), target_lang=language).eval()
        x = torch.from_numpy((audio - audio.mean()) / np.sqrt(audio.var() + 1e-7))[None]
        with torch.inference_mode():
            expected = torch.log_softmax(reference(x).logits[0], -1).numpy()
        assert got.shape == expected.shape
        assert np.allclose(got, expected, atol=1e-4)
    assert recognizer._model.lm_head.out_features == 4 + 1 + 27  # eng: specials, "|", a-z and "'"


def test_unknown_language_is_a_clear_error_whose_remedy_each_front_end_words_its_own_way(
    recognizer: Recognizer,
) -> None:
    from mms_desktop.cli.reporting import sentence
    from mms_desktop.core.base import install
    from mms_desktop.gui.jobs import describe_error

    with pytest.raises(ModelError, match="'deu' is not installed") as caught:
        recognizer.log_probs(noise(1.0), "deu")
    assert caught.value.remedies == [install("deu")]
    assert str(caught.value).endswith("install it with the language store (install deu).")
    assert sentence(caught.value).endswith("install it with `mms-desktop languages install deu`.")
    assert describe_error(caught.value).endswith("install it with Tools → Languages (deu).")
    from mms_desktop.cli.reporting import COMMAND_WORDS
    from mms_desktop.core.base import PLAIN_WORDS
    from mms_desktop.gui.jobs import MENU_WORDS

    assert set(PLAIN_WORDS) == set(COMMAND_WORDS) == set(MENU_WORDS), "every front end words every remedy"
    with pytest.raises(UserError, match="'xyz' is not an ISO 639-3 language code"):
        recognizer.transcribe(noise(1.0), "xyz")  # never suggested for installing


def test_missing_or_broken_model_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        Recognizer.load(tmp_path / "nowhere", "eng")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="not a complete"):
        Recognizer.load(tmp_path, "eng")


def test_short_audio_is_one_pass_and_identical_to_single_pass(recognizer: Recognizer) -> None:
    audio = noise(3.0, seed=3)
    options = WindowOptions(chunk_s=3.0, context_s=1.0)
    assert len(plan_windows(len(audio), options)) == 1
    assert np.array_equal(recognizer.windowed_log_probs(audio, "eng", options), recognizer.log_probs(audio, "eng"))
    single = " ".join(w.word for w in recognizer.decode(recognizer.log_probs(audio, "eng"), "eng"))
    assert recognizer.transcribe(audio, "eng", options).text == single


@pytest.mark.parametrize("seconds", [4.3, 5.0, 7.37, 12.0])
def test_windows_tile_every_frame_exactly_once(seconds: float) -> None:
    n = int(seconds * 16000)
    windows = plan_windows(n, WindowOptions(chunk_s=2.0, context_s=0.5))
    assert len(windows) > 1
    kept = [w.start // ctc.SAMPLES_PER_FRAME + k for w in windows for k in range(w.keep_from, w.keep_to)]
    assert kept == list(range(ctc.frames_for_samples(n)))
    for w in windows:
        assert w.start % ctc.SAMPLES_PER_FRAME == 0
        assert ctc.frames_for_samples(w.end - w.start) >= w.keep_to


def test_long_audio_windowed_has_the_single_pass_frame_grid(recognizer: Recognizer) -> None:
    audio = noise(9.0, seed=4)
    windowed = recognizer.windowed_log_probs(audio, "eng", WindowOptions(chunk_s=2.0, context_s=0.5))
    assert windowed.shape == recognizer.log_probs(audio, "eng").shape


def test_progress_and_cancel(recognizer: Recognizer) -> None:
    import threading

    from mms_desktop.core.base import Cancelled

    seen = []
    recognizer.transcribe(noise(6.0), "eng", WindowOptions(chunk_s=2.0, context_s=0.5), progress=seen.append)
    assert [p.done for p in seen] == [1, 2, 3] and all(p.total == 3 for p in seen)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        recognizer.transcribe(noise(6.0), "eng", WindowOptions(chunk_s=2.0, context_s=0.5), cancel=cancel)


def test_features_computed_in_stretches_give_the_log_probs_of_one_pass(tiny_repos) -> None:
    recognizer = Recognizer.load(tiny_repos["facebook/mms-1b-all"], "eng", "cpu", "float32")
    audio = noise(12.0)  # 600 frames: the feature encoder runs it in blocks
    assert ctc.frames_for_samples(len(audio)) > 2 * loading.FEATURE_BLOCK_FRAMES
    stats = (float(audio.mean()), float(audio.var()))
    whole = recognizer.features(audio)
    with torch.inference_mode():  # the split pass equals the model's own forward pass
        inputs = torch.from_numpy((audio - audio.mean()) / np.sqrt(audio.var() + 1e-7))[None]
        reference = torch.log_softmax(recognizer._model(inputs).logits[0], dim=-1).numpy()
    assert np.allclose(recognizer.log_probs_from_features(whole, "eng"), reference, atol=1e-5)
    first = recognizer.features(audio[: 320 * 40 + 80], stats)  # frames 0..39
    rest = recognizer.features(audio[320 * 40 :], stats)  # frames 40..
    assert torch.allclose(torch.cat([first, rest]), whole, atol=1e-6)
    empty = recognizer.log_probs_from_features(whole[:0], "eng")
    assert empty.shape == (0, len(recognizer.alphabet("eng").id_to_token))


def test_a_word_list_keeps_recognition_to_its_words(tiny_repos, tmp_path: Path) -> None:
    import shutil

    model, mine = tmp_path / "model", tmp_path / "wordlists"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], model)
    recognizer = Recognizer.load(model, "eng", device="cpu", precision="float32", word_list_dirs=[mine])
    log_probs = recognizer.log_probs(noise(4.0, seed=5), "eng")
    free = recognizer.decode(log_probs, "eng")
    assert free and recognizer.word_list("eng") is None

    (model / "words.eng.txt").write_text("cat\ndog\n", encoding="utf-8")  # shipped with the model
    shipped = [w.word for w in recognizer.decode(log_probs, "eng")]
    assert shipped and set(shipped) <= {"cat", "dog"}

    mine.mkdir()
    (mine / "words.eng.txt").write_text("Zebra\n", encoding="utf-8")  # the user's own list wins
    assert recognizer.word_list("eng") == mine / "words.eng.txt"
    assert {w.word for w in recognizer.decode(log_probs, "eng")} == {"zebra"}

    recognizer.use_word_lists = False
    assert recognizer.decode(log_probs, "eng") == free
    recognizer.use_word_lists = True
    assert recognizer.word_list("fra") is None


def test_two_languages_at_once_on_one_loaded_model_each_get_their_own_text(recognizer: Recognizer) -> None:
    """A file transcribed in French while a dictation runs in English on the same recognizer: each pass
    runs with its own call's adapter, so both equal what each gives alone."""
    import threading

    options = WindowOptions(chunk_s=1.0, context_s=0.25)  # many short passes, so that the two interleave
    audio = {"eng": noise(6.0, seed=11), "fra": noise(6.0, seed=12)}
    alone = {
        lang: (recognizer.windowed_log_probs(a, lang, options), recognizer.transcribe(a, lang, options))
        for lang, a in audio.items()
    }
    assert alone["eng"][0].shape[1] != alone["fra"][0].shape[1]  # two alphabets: a mix-up cannot pass unseen
    swaps = []
    load_adapter = recognizer._model.load_adapter
    recognizer._model.load_adapter = lambda language, **kw: (swaps.append(language), load_adapter(language, **kw))
    together: dict[str, list] = {"eng": [], "fra": []}
    start = threading.Barrier(2)

    def work(lang: str) -> None:
        start.wait()
        for _ in range(3):
            log_probs = recognizer.windowed_log_probs(audio[lang], lang, options)
            together[lang].append((log_probs, recognizer.transcribe(audio[lang], lang, options)))

    threads = [threading.Thread(target=work, args=(lang,)) for lang in audio]
    try:
        [t.start() for t in threads]
        [t.join(120) for t in threads]
    finally:
        del recognizer._model.load_adapter
    assert len(swaps) >= 4, "the two threads' passes did not interleave"
    for lang, runs in together.items():
        assert len(runs) == 3
        for log_probs, transcript in runs:
            np.testing.assert_array_equal(log_probs, alone[lang][0])
            assert transcript == alone[lang][1] and transcript.language == lang


def test_a_long_transcription_tells_its_lines_as_it_goes_and_a_cancel_keeps_them(recognizer: Recognizer) -> None:
    import threading

    from mms_desktop.core.base import Cancelled
    from mms_desktop.core.recognition import WindowOptions

    rng = np.random.default_rng(3)
    pieces = [
        rng.normal(0, 0.3, 16000 * 2).astype(np.float32) if i % 2 == 0 else np.zeros(16000, np.float32)
        for i in range(12)
    ]
    samples = np.concatenate(pieces)
    options = WindowOptions(4.0, 1.0)
    whole = recognizer.transcribe(samples, "eng", options)
    seen = []
    assert recognizer.transcribe(samples, "eng", options, seen.append) == whole, "the same result, told or not"
    partials = [p.partial for p in seen]
    assert all(p is not None for p in partials) and partials[-1].segments
    ends = [p.segments[-1].end if p.segments else 0.0 for p in partials]
    assert ends == sorted(ends), "lines come in order and stay"
    assert [s.text for s in partials[-1].segments[:-1]] == [
        s.text for s in whole.segments[: len(partials[-1].segments) - 1]
    ]

    cancel = threading.Event()

    def stop_after_three(p) -> None:
        if p.done == 3:
            cancel.set()

    with pytest.raises(Cancelled) as stopped:
        recognizer.transcribe(samples, "eng", options, stop_after_three, cancel)
    partial = stopped.value.partial
    assert partial is not None and partial.duration <= 3 * 4.0 + 0.1, "what the three windows found"
    assert partial.segments == partials[2].segments
