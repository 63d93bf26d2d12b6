"""Capture and the dictation loop, with a fake PortAudio stream that the test drives itself."""

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from mms_desktop.core.audio import Capture, DeviceLost, InputDevice, Recorder
from mms_desktop.core.recognition import Dictation

DEVICE = InputDevice(3, "Fake microphone", 2, 48000, True)


class FakeStream:
    """Stands in for sounddevice.InputStream; the test calls the callback with blocks."""

    def __init__(self, callback, **kwargs):
        self.callback = callback
        self.kwargs = kwargs
        self.active = False

    def start(self):
        self.active = True

    def stop(self):
        self.active = False

    def close(self):
        pass

    def feed(self, block, overflow=False):
        self.callback(block, len(block), None, SimpleNamespace(input_overflow=overflow))


def make_capture(**kwargs):
    streams = []

    def factory(**kw):
        streams.append(FakeStream(**kw))
        return streams[-1]

    capture = Capture(DEVICE, stream_factory=factory, **kwargs)
    return capture, streams


def test_callback_copies_into_a_bounded_queue_and_counts_losses() -> None:
    capture, streams = make_capture(block_s=0.02, queue_s=0.06)
    capture.start()
    stream = streams[0]
    assert stream.kwargs["samplerate"] == 48000 and stream.kwargs["channels"] == 2
    block = np.ones((960, 2), np.float32)
    for i in range(5):
        stream.feed(block * i, overflow=(i == 0))
    block[:] = 99  # the queue holds copies, not the driver's buffer
    queued = capture.drain()
    assert len(queued) == 3 and capture.dropped == 2 and capture.overflows == 1
    assert [float(b[0, 0]) for b in queued] == [0.0, 1.0, 2.0]


def test_a_silent_device_is_reported_lost() -> None:
    capture, streams = make_capture()
    capture.start()
    streams[0].feed(np.zeros((960, 2), np.float32))
    assert capture.read(timeout=0.01) is not None
    with pytest.raises(DeviceLost, match="Fake microphone' stopped delivering audio"):
        capture.read(timeout=0.01, watchdog_s=0.0)


def test_a_device_that_goes_quiet_is_reported_within_a_second() -> None:
    """A microphone unplugged mid-sentence whose stream stays open: told within a second of its last block."""
    capture, streams = make_capture()
    capture.start()
    streams[0].feed(np.zeros((960, 2), np.float32))
    last = time.monotonic()
    assert capture.read(timeout=0.01) is not None
    with pytest.raises(DeviceLost):
        while True:
            capture.read(timeout=0.1)
    assert time.monotonic() - last < 1.2


def test_dictation_records_everything_and_stops_when_asked(tmp_path: Path) -> None:
    capture, streams = make_capture()
    recorder = Recorder(tmp_path / "take.wav", 48000, 2, free_space=lambda p: 10**12)
    stop = threading.Event()
    events = []
    audio = (np.random.RandomState(0).rand(48000, 2).astype(np.float32) - 0.5) * 0.5

    def feeder():
        while not streams:
            pass
        for start in range(0, len(audio), 960):
            streams[0].feed(audio[start : start + 960])
        stop.set()

    thread = threading.Thread(target=feeder)
    thread.start()
    result = Dictation(capture, None, recorder, events.append).run(stop)
    thread.join()
    assert result.reason == "stopped" and result.dropped == 0
    written, rate = sf.read(tmp_path / "take.wav", dtype="int16")
    assert rate == 48000 and np.array_equal(written, (audio * 32767).round().astype(np.int16))


def test_speech_said_while_the_recognizer_loads_is_recorded_and_then_recognized(tmp_path: Path, tiny_repos) -> None:
    """The microphone opens at once; the recognizer loads on its own thread; what was said meanwhile is
    recognized once it is ready, and 'listening' is said only after the device delivered audio."""
    from helpers import noise

    from mms_desktop.core.base import FinalResult, MicrophoneOpen, RecognizerReady
    from mms_desktop.core.recognition import RecognitionStream, Recognizer, StreamOptions, WindowOptions

    capture, streams = make_capture()
    recorder = Recorder(tmp_path / "take.wav", 48000, 2, free_space=lambda p: 10**12)
    stop, release = threading.Event(), threading.Event()
    events: list = []
    silence = np.zeros(48000, np.float32)
    speech = np.repeat(np.concatenate([silence, noise(2.0, 3), silence]), 3)  # 16 kHz noise, as 48 kHz
    audio = np.stack([speech, speech], 1)

    class Energy:  # speech wherever there is energy (the neural detector does not take noise for speech)
        def reset(self) -> None:
            pass

        def __call__(self, samples):
            n = len(samples) // 512
            return (np.abs(samples[: n * 512]).reshape(n, 512).max(axis=1) > 0.01).astype(np.float32)

    def load() -> RecognitionStream:
        release.wait(30)  # the model takes its time
        recognizer = Recognizer.load(tiny_repos["facebook/mms-1b-all"], "eng", device="cpu")
        options = StreamOptions(window=WindowOptions(chunk_s=2.0, context_s=0.5), compute_budget=1e9)
        return RecognitionStream(recognizer, options, "eng", detector=Energy())

    def feeder():
        while not streams:
            pass
        for start in range(0, len(audio), 960):
            streams[0].feed(audio[start : start + 960])
        release.set()  # everything was said before the recognizer was ready
        while not any(isinstance(e, RecognizerReady) for e in events):
            streams[0].feed(np.zeros((960, 2), np.float32))  # the device goes on delivering silence
            time.sleep(0.02)
        stop.set()

    thread = threading.Thread(target=feeder)
    thread.start()
    result = Dictation(capture, load, recorder, events.append).run(stop)
    thread.join()
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("MicrophoneOpen") < kinds.index("RecognizerReady") < kinds.index("FinalResult")
    assert not next(e for e in events if isinstance(e, MicrophoneOpen)).recognizing
    assert [e for e in events if isinstance(e, FinalResult)], "what was said while loading is recognized"
    assert result.reason == "stopped"
    written, _ = sf.read(tmp_path / "take.wav", dtype="int16")
    assert np.array_equal(written[: len(audio)], (audio * 32767).round().astype(np.int16)), "recorded from the start"


def test_a_recognizer_that_cannot_load_ends_the_dictation_with_the_recording_kept(tmp_path: Path) -> None:
    from mms_desktop.core.base import ModelError

    capture, streams = make_capture()
    recorder = Recorder(tmp_path / "take.wav", 48000, 2, free_space=lambda p: 10**12)

    def load():
        raise ModelError("The language 'eng' is not installed.")

    def feeder():
        while not streams:
            pass
        for _ in range(50):
            streams[0].feed(np.full((960, 2), 0.1, np.float32))

    thread = threading.Thread(target=feeder)
    thread.start()
    result = Dictation(capture, load, recorder, lambda e: None).run(threading.Event())
    thread.join()
    assert result.reason == "recognition-failed" and "not installed" in result.message
    assert len(sf.read(tmp_path / "take.wav")[0]) > 0


def test_devices_have_plain_names_and_keep_their_own_for_choosing() -> None:
    from mms_desktop.core.audio import plain_device_name

    assert plain_device_name("HDA Intel PCH: ALC3246 Analog (hw:0,0)") == "HDA Intel PCH: ALC3246 Analog"
    assert plain_device_name("pulse") == "Sound server (PulseAudio)"
    assert plain_device_name("default") == "System default"
    assert plain_device_name("USB Audio Device: - (plughw:2,0)") == "USB Audio Device: -"
    assert plain_device_name("Yeti Stereo Microphone") == "Yeti Stereo Microphone"
