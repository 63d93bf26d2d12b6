"""Capture and the dictation loop, with a fake PortAudio stream that the test drives itself."""

import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from mms_desktop.core.capture import Capture, DeviceLost, InputDevice
from mms_desktop.core.dictation import Dictation
from mms_desktop.core.recorder import Recorder

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
