"""Streaming recognition on the tiny model, with a detector driven by the test's own audio."""

import contextlib
import time

import numpy as np
import pytest
from helpers import noise

from mms_desktop.core.audio import CHUNK, SpeechDetector
from mms_desktop.core.base import FinalResult, LanguageDetected, PartialResult, SpeechStarted
from mms_desktop.core.recognition import (
    LanguageIdentifier,
    PassCosts,
    RecognitionStream,
    Recognizer,
    StreamOptions,
    WindowOptions,
    ctc,
    window_frames,
    window_ladder,
)


class EnergyDetector:
    """Speech wherever a 32 ms chunk has energy: a deterministic stand-in for the neural detector."""

    def __init__(self) -> None:
        self._pending = np.zeros(0, np.float32)

    def reset(self) -> None:
        self._pending = np.zeros(0, np.float32)

    def __call__(self, samples):
        self._pending = np.concatenate([self._pending, samples])
        n = len(self._pending) // CHUNK
        chunks = self._pending[: n * CHUNK].reshape(n, CHUNK)
        self._pending = self._pending[n * CHUNK :]
        return (np.sqrt((chunks**2).mean(axis=1)) > 0.01).astype(np.float32)


OPTIONS = StreamOptions(window=WindowOptions(chunk_s=2.0, context_s=0.5), partial_every_s=0.5, compute_budget=1e9)


@pytest.fixture(scope="module")
def recognizer(tiny_repos) -> Recognizer:
    """The tiny model, with its word delimiter made likelier so that random weights still emit words."""
    import torch

    recognizer = Recognizer.load(tiny_repos["facebook/mms-1b-all"], "eng", device="cpu")
    with torch.no_grad():
        recognizer._model.lm_head.bias[recognizer.alphabet("eng").token_ids["|"]] += 2.0
    return recognizer


def dictation() -> np.ndarray:
    silence = np.zeros(16000, np.float32)
    return np.concatenate([silence, noise(3.0, 1), silence, silence, noise(7.3, 2), silence])


def run(stream: RecognitionStream, audio: np.ndarray, block: int = 320, rate: int = 16000) -> list:
    events = []
    for start in range(0, len(audio), block):
        stream.accept_waveform(rate, audio[start : start + block])
        events += stream.decode()
    return events + stream.finish()


def test_finals_equal_offline_and_committed_text_never_changes(recognizer: Recognizer) -> None:
    audio = dictation()
    events = run(RecognitionStream(recognizer, OPTIONS, "eng", detector=EnergyDetector()), audio)
    finals = [e for e in events if isinstance(e, FinalResult)]
    assert [e.utterance for e in events if isinstance(e, SpeechStarted)] == [0, 1]
    assert len(finals) == 2
    for final in finals:
        start, end = round(final.segment.start * 16000), round(final.segment.end * 16000)
        offline = recognizer.transcribe(audio[start:end], "eng", OPTIONS.window)
        assert final.segment.text == offline.text
        assert [w.word for w in final.segment.words] == offline.text.split()
        partials = [e for e in events if isinstance(e, PartialResult) and e.utterance == final.utterance]
        assert partials, "partial results arrive while speaking"
        committed = [p.committed.split() for p in partials]
        for earlier, later in zip(committed, committed[1:], strict=False):
            assert later[: len(earlier)] == earlier, "committed text only grows"
        assert final.segment.text.split()[: len(committed[-1])] == committed[-1]
    assert any(p.committed for p in events if isinstance(p, PartialResult)), "the long utterance commits text"


def test_final_words_are_timed_in_stream_seconds(recognizer: Recognizer) -> None:
    events = run(RecognitionStream(recognizer, OPTIONS, "eng", detector=EnergyDetector()), dictation())
    second = [e for e in events if isinstance(e, FinalResult)][1]
    assert second.segment.start == pytest.approx(6.0 - OPTIONS.pre_roll_s, abs=0.04)  # speech starts at 6 s
    assert second.segment.end > 13.0
    assert all(second.segment.start <= w.start <= w.end <= second.segment.end for w in second.segment.words)


def test_resampling_from_the_capture_rate(recognizer: Recognizer) -> None:
    import soxr

    audio48 = soxr.resample(dictation(), 16000, 48000)
    stream = RecognitionStream(recognizer, OPTIONS, "eng", detector=EnergyDetector())
    events = run(stream, audio48, block=960, rate=48000)
    assert len([e for e in events if isinstance(e, FinalResult)]) == 2
    assert abs(stream.end - len(dictation())) <= 2


def test_auto_language_is_identified_for_each_utterance_and_reported(recognizer: Recognizer, tiny_repos) -> None:
    identifier = LanguageIdentifier.load(tiny_repos["facebook/mms-lid-126"], device="cpu")
    stream = RecognitionStream(recognizer, OPTIONS, language="auto", identifier=identifier,
                               among=["fra", "cmn"], detector=EnergyDetector())  # fmt: skip
    events = run(stream, dictation())
    detected = [e for e in events if isinstance(e, LanguageDetected)]
    finals = [e for e in events if isinstance(e, FinalResult)]
    assert [d.utterance for d in detected] == [f.utterance for f in finals] == [0, 1], "after a pause, again"
    assert all(d.language in {"fra", "cmn-script_simplified"} and 0 < d.probability <= 1 for d in detected)
    assert [f.language for f in finals] == [d.language for d in detected]
    stream.choose_language("fra")  # a language chosen by hand holds for every utterance after
    later = run(stream, dictation())
    assert not [e for e in later if isinstance(e, LanguageDetected)]
    assert {e.language for e in later if isinstance(e, FinalResult)} == {"fra"}


def test_an_identifier_still_loading_is_waited_for_only_when_the_utterance_needs_it(recognizer: Recognizer,
                                                                                   tiny_repos) -> None:  # fmt: skip
    identifier = LanguageIdentifier.load(tiny_repos["facebook/mms-lid-126"], device="cpu")
    asked: list[int] = []

    def when_loaded() -> LanguageIdentifier:
        asked.append(stream.end)
        return identifier

    stream = RecognitionStream(recognizer, OPTIONS, language="auto", identifier=when_loaded,
                               among=["fra", "cmn"], detector=EnergyDetector())  # fmt: skip
    events = run(stream, dictation())
    first = next(e for e in events if isinstance(e, SpeechStarted))
    assert len(asked) == 1 and asked[0] >= (first.time + OPTIONS.detect_s) * 16000  # once, seconds in
    detected = [e for e in events if isinstance(e, LanguageDetected)]
    finals = [e for e in events if isinstance(e, FinalResult)]
    assert [d.language for d in detected] == [f.language for f in finals] and len(finals) == 2


def test_a_language_chosen_mid_utterance_applies_from_the_next_one(recognizer: Recognizer) -> None:
    stream = RecognitionStream(recognizer, OPTIONS, language="eng", detector=EnergyDetector())
    audio = dictation()
    events = run_until(stream, audio, 32000)  # inside the first utterance
    stream.choose_language("fra")
    events += run(stream, audio[32000:])
    finals = [e for e in events if isinstance(e, FinalResult)]
    assert [f.language for f in finals] == ["eng", "fra"]
    with pytest.raises(Exception, match="language identifier"):
        stream.choose_language("auto")


def run_until(stream: RecognitionStream, audio: np.ndarray, stop: int, block: int = 320) -> list:
    events = []
    for start in range(0, stop, block):
        stream.accept_waveform(16000, audio[start : min(start + block, stop)])
        events += stream.decode()
    return events


def test_silero_detector_finds_speech_and_not_silence() -> None:
    import subprocess
    import tempfile
    from pathlib import Path

    from mms_desktop.core.audio import load_audio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-w", str(path), "hello there, this is a test"], check=True)
        speech = load_audio(path)
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)  # whatever earlier work on a busy machine left (recognition fits threads to load)
    try:
        detector = SpeechDetector()
        probs = detector(np.concatenate([np.zeros(16000, np.float32), speech, np.zeros(16000, np.float32)]))
        assert torch.get_num_threads() == 2, "silero must not pin torch to 1 thread"
    finally:
        torch.set_num_threads(before)
    assert probs[:25].max() < 0.3 and probs[40:60].max() > 0.8 and probs[-20:].max() < 0.3


def test_partial_results_compute_each_samples_features_once(recognizer: Recognizer) -> None:
    import torch

    stream = RecognitionStream(recognizer, OPTIONS, "eng", detector=EnergyDetector())
    audio = dictation()
    computed: list[int] = []
    original = recognizer.features

    def counting(samples, stats=None):
        computed.append(len(samples))
        return original(samples, stats)

    run_until(stream, audio, 16000 * 6)  # the first utterance, finished
    recognizer.features = counting  # type: ignore[method-assign]
    try:
        start = 16000 * 6  # then 2 s into the long one, before anything is committed
        events = run_until(stream, audio[start:], 16000 * 2)
    finally:
        del recognizer.features
    partials = [e for e in events if isinstance(e, PartialResult) and e.utterance == 1]
    assert len(partials) >= 3
    utterance = stream._utterance
    assert utterance is not None and utterance.tail is not None and not utterance.parts
    stretch = stream.audio(utterance.start + utterance.tail.start, stream.end)
    whole = original(stretch, utterance.tail.stats)
    assert torch.allclose(utterance.tail.features, whole[: len(utterance.tail.features)], atol=1e-6)
    assert sum(computed) < len(stretch) + 80 * len(computed)  # each sample once, plus the frames' overlap
    tail_text = recognizer.decode(recognizer.log_probs_from_features(utterance.tail.features, "eng"), "eng")
    assert partials[-1].tentative == " ".join(w.word for w in tail_text)


def test_partial_results_stay_within_the_compute_budget(recognizer: Recognizer) -> None:
    import dataclasses

    audio = dictation()
    counts = {}
    for budget in (1e9, 1.5):
        options = dataclasses.replace(OPTIONS, compute_budget=budget)
        stream = RecognitionStream(recognizer, options, "eng", detector=EnergyDetector())
        before = recognizer.encoded_frames
        events = run(stream, audio)
        run_frames = recognizer.encoded_frames - before
        counts[budget] = [sum(isinstance(e, PartialResult) and e.utterance == i for e in events) for i in (0, 1)]
        finals = [e.segment.text for e in events if isinstance(e, FinalResult)]
        assert len(finals) == 2, "finals never wait for the budget"
        if budget == 1.5:  # over it by at most one final pass over an uncommitted stretch
            chunk, context = window_frames(OPTIONS.window)
            assert run_frames <= 1.5 * ctc.frames_for_samples(len(audio)) + chunk + 2 * context
        else:
            assert run_frames > 1.5 * ctc.frames_for_samples(len(audio)), "unlimited, partials cost more"
    assert counts[1.5][0] > 0, "partial results still come"
    assert counts[1.5][1] < counts[1e9][1], "fewer of them in the long stretch of speech"


def run_with_positions(stream: RecognitionStream, audio: np.ndarray, block: int = 320) -> list[tuple[int, object]]:
    """Events, each with the stream samples received when it came."""
    events = []
    for start in range(0, len(audio), block):
        stream.accept_waveform(16000, audio[start : start + block])
        events += [(stream.end, e) for e in stream.decode()]
    return events + [(stream.end, e) for e in stream.finish()]


def test_final_windows_run_while_the_silence_is_timed_and_serve_the_final(recognizer: Recognizer) -> None:
    import dataclasses

    from mms_desktop.core.recognition import END_PAD_S

    silence = np.zeros(16000, np.float32)
    audio = np.concatenate([silence, noise(1.5, 3), silence])  # voice stops at 2.5 s
    options = dataclasses.replace(OPTIONS, partial_every_s=100.0)  # no partial results while speaking
    before = recognizer.encoded_frames
    events = run_with_positions(RecognitionStream(recognizer, options, "eng", detector=EnergyDetector()), audio)
    frames_run = recognizer.encoded_frames - before
    ((final_at, final),) = [(at, e) for at, e in events if isinstance(e, FinalResult)]
    early = [(at, e) for at, e in events if isinstance(e, PartialResult)]
    assert len(early) == 1, "one pass once the voice stopped"
    at, partial = early[0]
    assert at <= (2.5 + END_PAD_S) * 16000 + CHUNK + 320, "it ran as soon as its audio was there"
    assert final_at >= (2.5 + options.min_silence_s) * 16000, "the final still waits for the whole silence"
    assert partial.tentative == final.segment.text
    start, end = round(final.segment.start * 16000), round(final.segment.end * 16000)
    assert final.segment.text == recognizer.transcribe(audio[start:end], "eng", options.window).text
    assert frames_run == ctc.frames_for_samples(end - start), "the final ran no pass of its own"


def test_a_pause_shorter_than_the_end_of_an_utterance_keeps_it_whole(recognizer: Recognizer) -> None:
    silence = np.zeros(16000, np.float32)
    pause = np.zeros(int(0.4 * 16000), np.float32)  # long enough for the final windows, too short to end it
    audio = np.concatenate([silence, noise(1.5, 4), pause, noise(1.5, 5), silence])
    events = run(RecognitionStream(recognizer, OPTIONS, "eng", detector=EnergyDetector()), audio)
    finals = [e for e in events if isinstance(e, FinalResult)]
    assert len(finals) == 1 and finals[0].segment.end > 4.3
    start, end = round(finals[0].segment.start * 16000), round(finals[0].segment.end * 16000)
    assert finals[0].segment.text == recognizer.transcribe(audio[start:end], "eng", OPTIONS.window).text


@contextlib.contextmanager
def slowed(recognizer: Recognizer, seconds_per_frame: float):
    """The real model, slowed to ``seconds_per_frame`` a frame, with what passes cost learnt afresh."""
    original, costs = recognizer.log_probs_from_features, recognizer.pass_costs

    def slow(features, language):
        time.sleep(seconds_per_frame * len(features))
        return original(features, language)

    recognizer.log_probs_from_features = slow  # type: ignore[method-assign]
    recognizer.pass_costs = PassCosts()
    try:
        yield
    finally:
        del recognizer.log_probs_from_features
        recognizer.pass_costs = costs


def run_noting_windows(recognizer: Recognizer, stream: RecognitionStream, audio: np.ndarray) -> tuple[list, set[int]]:
    """Events with positions, and the positions where a decode ran a window (and so may report a partial
    result that needed no pass of its own)."""
    windows_at: set[int] = set()
    original = recognizer.log_probs

    def noting(samples, language):
        windows_at.add(stream.end)
        return original(samples, language)

    recognizer.log_probs = noting  # type: ignore[method-assign]
    try:
        return run_with_positions(stream, audio), windows_at
    finally:
        del recognizer.log_probs


def test_partial_results_wait_as_long_as_they_take_on_a_slow_machine(recognizer: Recognizer) -> None:
    """At 6 ms a frame, a partial result over n frames is not due before n x 6 ms after the one before."""
    counts = {}
    for name in ("fast", "slow"):
        stream = RecognitionStream(recognizer, OPTIONS, "eng", detector=EnergyDetector())
        with slowed(recognizer, 0.006 if name == "slow" else 0.0):
            events, windows_at = run_noting_windows(recognizer, stream, dictation())
        partials = [(at, e) for at, e in events  # while the voice goes on (from 6 s to 13.3 s)
                    if isinstance(e, PartialResult) and e.utterance == 1 and at < 13.3 * 16000]  # fmt: skip
        counts[name] = len(partials)
        if name == "slow":
            chunk, context = window_frames(OPTIONS.window)
            passes = [at for at, _ in partials if at not in windows_at]
            assert len(passes) >= 2
            for earlier, later in zip(passes, passes[1:], strict=False):
                tail = ctc.frames_for_samples(later - round(6.0 * 16000)) % chunk + context  # at least
                assert later - earlier >= 0.9 * tail * 0.006 * 16000
    assert 0 < counts["slow"] < counts["fast"]


def lags(stream: RecognitionStream, audio: np.ndarray, block: int = 320) -> tuple[list, float]:
    """Events and the largest lag when ``audio`` arrives in real time (work starts when the block has
    arrived and the work before it is done)."""
    events, clock, largest = [], 0.0, 0.0
    for start in range(0, len(audio), block):
        arrived = (start + block) / 16000
        stream.accept_waveform(16000, audio[start : start + block])
        began = time.perf_counter()
        events += stream.decode() if start + block < len(audio) else stream.finish()
        clock = max(clock, arrived) + time.perf_counter() - began
        largest = max(largest, clock - arrived)
    return events, largest


def test_live_text_keeps_within_the_lag_target_on_a_slow_machine(recognizer: Recognizer) -> None:
    """At 6 ms a frame, 8 + 1 s windows would leave the 7.3 s utterance's final text 2.2 s behind: shorter
    windows are chosen, and partial results that would add to the lag are left out."""
    import dataclasses

    audio = dictation()
    longest = dataclasses.replace(OPTIONS, window=WindowOptions(8.0, 1.0), lag_target_s=1.5)
    largest = {}
    for target in (1.5, 100.0):
        options = dataclasses.replace(longest, lag_target_s=target)
        stream = RecognitionStream(recognizer, options, "eng", detector=EnergyDetector())
        with slowed(recognizer, 0.006):
            events, largest[target] = lags(stream, audio)
        finals = [e for e in events if isinstance(e, FinalResult)]
        assert len(finals) == 2
        if target == 1.5:
            assert set(stream.windows_used) <= set(window_ladder(longest.window)[1:]), "shorter windows"
            for final, window in zip(finals, stream.windows_used, strict=True):
                start, end = round(final.segment.start * 16000), round(final.segment.end * 16000)
                assert final.segment.text == recognizer.transcribe(audio[start:end], "eng", window).text
            assert any(isinstance(e, PartialResult) and e.utterance == 1 for e in events)
    assert largest[1.5] < 1.5 + 0.3, "within the target, give or take the error of the cost estimates"
    assert largest[100.0] > 2.0, "the longest windows fall further behind"


def test_live_text_keeps_to_the_word_list_too(tiny_repos, tmp_path) -> None:
    """With a word list, the committed and tentative live text hold listed words only, as the final does
    (they were spelled freely: fragments such as 'sp' showed while the final text kept to the list)."""
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], model)
    (model / "words.eng.txt").write_text("cat\ndog\nbird\n", encoding="utf-8")
    recognizer = Recognizer.load(model, "eng", device="cpu")
    stream = RecognitionStream(recognizer, OPTIONS, "eng", detector=EnergyDetector())
    events = run(stream, dictation())
    partials = [e for e in events if isinstance(e, PartialResult)]
    shown = {w for p in partials for w in f"{p.committed} {p.tentative}".split()}
    final = {w.word for e in events if isinstance(e, FinalResult) for w in e.segment.words}
    assert partials and final and shown | final <= {"cat", "dog", "bird"}, (shown, final)


def test_a_machine_too_busy_to_keep_up_says_so_and_loses_nothing(recognizer: Recognizer) -> None:
    """At 30 ms a frame (1.5 s of work for each second of speech) no window keeps up: the stream takes the
    one that loses least, tells how far behind it is, and every utterance still gets its final text."""
    import dataclasses

    from mms_desktop.core.base import FallingBehind

    options = dataclasses.replace(OPTIONS, window=WindowOptions(8.0, 1.0), lag_target_s=1.5)
    stream = RecognitionStream(recognizer, options, "eng", detector=EnergyDetector())
    with slowed(recognizer, 0.030):
        events, largest = lags(stream, dictation())
    behind = [e for e in events if isinstance(e, FallingBehind)]
    assert behind and behind[0].lag_s > 3.0 and largest > 3.0
    assert len([e for e in events if isinstance(e, FinalResult)]) == 2, "nothing said is lost"
