"""Microphone input through sounddevice (PortAudio).

The PortAudio callback only copies the block into a bounded queue and returns: no locks, no Qt, no
growing arrays. Overflows reported by PortAudio and blocks dropped because the queue was full are
counted, never silent. A consumer that sees no block for ``watchdog_s`` treats the device as lost.
"""

from __future__ import annotations

import logging
import queue
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mms_desktop.core.base import UserError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    sample_rate: int
    is_default: bool = False


# Names sound systems give devices that say nothing to a user, and what to show instead.
PLAIN_DEVICE_NAMES = {
    "default": "System default",
    "sysdefault": "System default (ALSA)",
    "pulse": "Sound server (PulseAudio)",
    "pipewire": "Sound server (PipeWire)",
    "jack": "JACK sound server",
    "Microsoft Sound Mapper - Input": "Windows default",
}
_ALSA_ADDRESS = re.compile(r"\s*\((hw|plughw):\d+,\d+\)$")


def plain_device_name(name: str) -> str:
    """What to call an input device: its system name without ALSA's card address, or a plain name for a
    sound server's device (the system name still chooses the device)."""
    return PLAIN_DEVICE_NAMES.get(name, _ALSA_ADDRESS.sub("", name).strip() or name)


class DeviceLost(UserError):
    """The input device stopped delivering audio (unplugged, or the sound server went away)."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # PortAudio itself is missing
        raise UserError("Audio input is unavailable: the PortAudio library is not installed.") from exc
    return sounddevice


NO_INPUT = (
    "No microphone or other input device was found; connect one, or check that the sound system "
    "(PulseAudio or PipeWire) is running."
)


def list_devices() -> list[InputDevice]:
    """Every device with input channels, the default one marked."""
    sd = _sounddevice()
    try:
        default = sd.default.device[0]
        devices = sd.query_devices()
    except sd.PortAudioError as exc:
        raise UserError(f"The sound system could not be queried ({exc}); check that it is running.") from exc
    # Sound-server bridges advertise dozens of channels; a microphone has one or two.
    return [
        InputDevice(i, d["name"], min(2, int(d["max_input_channels"])), int(d["default_samplerate"]), i == default)
        for i, d in enumerate(devices)
        if d["max_input_channels"] > 0
    ]


def find_device(spec: str | int | None) -> InputDevice:
    """The device given by index or by (part of) its name; the default device when ``spec`` is None.

    Raises:
        UserError: no input device, or none matches.
    """
    devices = list_devices()
    if not devices:
        raise UserError(NO_INPUT)
    if spec is None or spec == "":
        return next((d for d in devices if d.is_default), devices[0])
    if isinstance(spec, int) or str(spec).isdigit():
        match = [d for d in devices if d.index == int(spec)]
    else:
        match = [d for d in devices if str(spec).lower() in d.name.lower()]
    if not match:
        names = ", ".join(f"{d.index}: {d.name}" for d in devices)
        raise UserError(f"No input device matches '{spec}'; choose one of {names}.")
    return match[0]


class Capture:
    """Records from one input device into a bounded queue of ``(frames, channels)`` float32 blocks.

    Args:
        device: the input device; its native rate and channel count are used.
        block_s: seconds per PortAudio block.
        queue_s: how much audio the queue holds before blocks are dropped.
        stream_factory: builds the PortAudio stream (tests pass a fake that they drive themselves).
    """

    def __init__(
        self,
        device: InputDevice,
        block_s: float = 0.02,
        queue_s: float = 10.0,
        stream_factory: Callable[..., Any] | None = None,
    ):
        self.device = device
        self.sample_rate = device.sample_rate
        self.channels = device.channels
        self.blocksize = max(1, int(block_s * device.sample_rate))
        self.blocks: queue.Queue[np.ndarray] = queue.Queue(maxsize=max(1, int(queue_s / block_s)))
        self.overflows = 0
        self.dropped = 0
        self.last_block = 0.0
        self._factory = stream_factory
        self._stream: Any = None
        self._got_block = False

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status and getattr(status, "input_overflow", False):
            self.overflows += 1
        try:
            self.blocks.put_nowait(indata.copy())
        except queue.Full:
            self.dropped += 1
        self.last_block = time.monotonic()

    def start(self) -> None:
        """Open and start the stream.

        Raises:
            UserError: the device cannot be opened.
        """
        factory = self._factory or _sounddevice().InputStream
        try:
            self._stream = factory(
                device=self.device.index, samplerate=self.sample_rate, channels=self.channels,
                dtype="float32", blocksize=self.blocksize, callback=self._callback,
            )  # fmt: skip
            self._stream.start()
        except Exception as exc:
            raise UserError(f"The input device '{self.device.name}' could not be opened ({exc}).") from exc
        self.last_block = time.monotonic()

    def read(self, timeout: float = 0.1, watchdog_s: float = 1.0) -> np.ndarray | None:
        """The next block, or None if none came within ``timeout``.

        Raises:
            DeviceLost: no block for ``watchdog_s`` seconds, or the stream stopped by itself.
        """
        try:
            block = self.blocks.get(timeout=timeout)
            self._got_block = True
            return block
        except queue.Empty:
            # PortAudio's first block can take up to ~2 s to arrive after start(): allow more before it.
            limit = watchdog_s if self._got_block else max(watchdog_s, 5.0)
            stalled = time.monotonic() - self.last_block > limit
            inactive = self._stream is not None and not getattr(self._stream, "active", True)
            if stalled or inactive:
                raise DeviceLost(
                    f"The input device '{self.device.name}' stopped delivering audio; "
                    "check that it is connected. The recording was saved."
                ) from None
            return None

    def stop(self) -> None:
        """Stop and close the stream; blocks already queued stay readable."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # a device that vanished may fail to close; nothing is lost by ignoring it
                log.debug("closing the input stream failed", exc_info=True)

    def drain(self) -> list[np.ndarray]:
        """Every block still queued."""
        blocks = []
        while True:
            try:
                blocks.append(self.blocks.get_nowait())
            except queue.Empty:
                return blocks
