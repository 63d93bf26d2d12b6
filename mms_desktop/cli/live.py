"""Live commands: dictate, record, devices, recover."""

from __future__ import annotations

import argparse
import math
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mms_desktop.context import Context
from mms_desktop.core.base import UserError


def add_commands(sub: Any) -> None:
    p = sub.add_parser("dictate", help="transcribe the microphone live")
    p.add_argument("--lang", help="language code or 'auto' (default: setting)")
    p.add_argument("--among", type=lambda t: [c for c in t.split(",") if c], default=[],
                   help="with --lang auto: choose only among these codes")  # fmt: skip
    p.add_argument("--device", dest="input", help="input device: index or part of its name")
    p.add_argument("--record", help="also save the recording to this WAV file")
    p.add_argument("--model", help="recognition model: a folder or an installed owner/name")
    p.add_argument("--lid-model", help="identification model: a folder or an installed owner/name")
    p.set_defaults(run=run_dictate)

    p = sub.add_parser("record", help="record the microphone to a WAV file (no recognition)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--device", dest="input", help="input device: index or part of its name")
    p.set_defaults(run=run_record)

    p = sub.add_parser("devices", help="list audio input devices")
    p.set_defaults(run=run_devices)

    p = sub.add_parser("recover", help="repair recordings left unfinished by a crash")
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="a recording or a folder (default: the recordings folder, where dictations go)")  # fmt: skip
    p.set_defaults(run=run_recover)


def run_devices(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.audio import NO_INPUT, list_devices

    devices = list_devices()
    if not devices:
        raise UserError(NO_INPUT)
    for d in devices:
        mark = "*" if d.is_default else " "
        print(f"{mark}{d.index}\t{d.name}\t{d.channels} ch\t{d.sample_rate} Hz")
    return 0


def run_recover(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.audio import NothingRecorded, recover, unfinished
    from mms_desktop.paths import recordings_dir

    path = Path(args.path).absolute() if args.path else recordings_dir(ctx.settings.recordings_dir)
    if not path.exists() and not args.path:
        print(f"Nothing to recover: no recording has been made yet (they go to {path}).")
        return 0
    if not path.exists():
        raise UserError(f"{path} does not exist; give a recording or the folder that holds it.")
    targets = unfinished(path) if path.is_dir() else [path]
    if not targets:
        print(f"Nothing to recover: every recording in {path} was finished.")
    for wav in targets:
        try:
            print(f"Repaired {wav} into {recover(wav)} (the original is unchanged).")
        except NothingRecorded as exc:
            print(exc)
    return 0


def _repair_unfinished(folder: Path) -> None:
    """Recordings a crash left unfinished in the folder are repaired (into copies) before a new one starts."""
    from mms_desktop.core.audio import repair_unfinished

    for wav, copy in repair_unfinished(folder):
        print(f"mms-desktop: {wav.name} was not finished (a crash?); repaired into {copy.name}.", file=sys.stderr)


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


class _Printer:
    """Final text one utterance per line; the live partial on a rewritten terminal line."""

    def __init__(self) -> None:
        self.tty = sys.stdout.isatty()
        self._shown = 0

    def __call__(self, event: object) -> None:
        from mms_desktop.core.audio import RecorderEvent
        from mms_desktop.core.base import (
            CaughtUp,
            FallingBehind,
            FinalResult,
            LanguageDetected,
            MicrophoneOpen,
            PartialResult,
            behind_notice,
        )

        if isinstance(event, PartialResult) and self.tty:
            line = f"{event.committed} {event.tentative}".strip()[-(120):]
            print("\r" + line.ljust(self._shown), end="", flush=True)
            self._shown = len(line)
        elif isinstance(event, FinalResult):
            prefix = "\r" + " " * self._shown + "\r" if self.tty and self._shown else ""
            self._shown = 0
            print(prefix + event.segment.text, flush=True)
        elif isinstance(event, FallingBehind):
            print(f"mms-desktop: {behind_notice(event.lag_s)}", file=sys.stderr, flush=True)
        elif isinstance(event, CaughtUp):
            print("mms-desktop: caught up.", file=sys.stderr, flush=True)
        elif isinstance(event, MicrophoneOpen):  # only now is anything said kept: say so
            loading = "" if event.recognizing else "; the model is still loading, and what you say is kept for it"
            print(f"mms-desktop: recording (Ctrl+C stops){loading}.", file=sys.stderr, flush=True)
        elif isinstance(event, LanguageDetected):
            print(f"mms-desktop: language {event.language} ({event.probability:.0%})", file=sys.stderr)
        elif isinstance(event, RecorderEvent) and event.kind != "finished":
            print(f"mms-desktop: {event.message}", file=sys.stderr)


def _check_recording(path: str | None) -> None:
    """Say what is wrong with where a recording would go before the microphone is opened."""
    from mms_desktop.core.audio import check_target

    if not path:
        return
    if Path(path).suffix.lower() != ".wav":
        raise UserError(f"{path} must be a .wav file.")
    check_target(Path(path).absolute())


def _recorder(path: str | None, capture: Any, printer: _Printer) -> Any:
    from mms_desktop.core.audio import Recorder

    if not path:
        return None
    _repair_unfinished(Path(path).absolute().parent)
    return Recorder(Path(path).absolute(), capture.sample_rate, capture.channels, on_event=printer,
                    device=capture.device.name)  # fmt: skip


def _run(
    capture: Any, stream: Any, recorder: Any, printer: _Printer, after: Callable[[Any], None] | None = None
) -> int:
    """Record (and recognize, with ``stream``) until Ctrl+C; a recording without recognition shows its level
    as it goes (see :class:`_Meter`; dictation's own line shows the words), and ``after`` is given the finished
    Dictation (its clipping count)."""
    from mms_desktop.core.recognition import Dictation

    stop = threading.Event()
    _stop_on_signals(stop)
    dictation = Dictation(capture, stream, recorder, printer)
    meter = _Meter(dictation, recorder.path) if recorder is not None and stream is None else None
    if meter is not None:
        meter.start()
    try:
        result = dictation.run(stop)
    finally:
        if meter is not None:
            meter.finish()
    if after is not None:
        after(dictation)
    if result.overflows or result.dropped:
        print(f"mms-desktop: {result.overflows} input overflows, {result.dropped} blocks dropped.", file=sys.stderr)
    if result.recording:
        print(f"mms-desktop: saved {result.recording}", file=sys.stderr)
    if result.reason != "stopped":
        print(f"mms-desktop: {result.message}", file=sys.stderr)
        return 2
    return 0


class _Meter(threading.Thread):
    """While recording: on a terminal, the input's peak level, the time recorded and how long the disk lasts
    at this rate, on one line of standard error rewritten twice a second; anywhere, one line the first time
    the input clips (reaches full scale)."""

    WIDTH = 24  # characters of the level bar, for -60 to 0 dBFS

    def __init__(self, dictation: Any, path: Path):
        super().__init__(name="level meter", daemon=True)
        self.dictation, self.path, self.done = dictation, path, threading.Event()
        self.tty, self.started, self._warned, self._shown = sys.stderr.isatty(), time.monotonic(), False, 0

    def run(self) -> None:
        while not self.done.wait(0.5):
            if self.dictation.clipped and not self._warned:
                self._warned = True
                self._say("mms-desktop: the input is clipping (it reached full scale): lower the recording level.\n")
            if self.tty and time.monotonic() - self.started > 1.5:  # after the "recording" line, not across it
                self._say(self.line())

    def line(self) -> str:
        from mms_desktop.core.base import clock, disk_left

        seconds = time.monotonic() - self.started
        level = self.dictation.level
        db = 20 * math.log10(level) if level > 1e-6 else -60.0
        filled = round(self.WIDTH * (max(-60.0, db) + 60) / 60)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        written = self.path.stat().st_size if self.path.exists() else 0
        left = disk_left(shutil.disk_usage(self.path.parent).free, written, seconds)
        clipped = "  CLIPPING" if self.dictation.clipped else ""
        return f"\r● {clock(seconds)}  [{bar}] {max(-60, round(db)):>3} dBFS  {left}{clipped}"

    def _say(self, text: str) -> None:
        cleared = "\r" + " " * self._shown + "\r" if self._shown and text.endswith("\n") else ""
        print(cleared + text, end="", file=sys.stderr, flush=True)
        self._shown = 0 if text.endswith("\n") else len(text)

    def finish(self) -> None:
        self.done.set()
        self.join(2)
        if self._shown:
            print("\r" + " " * self._shown + "\r", end="", file=sys.stderr, flush=True)


def run_record(args: argparse.Namespace, ctx: Context) -> int:
    return record_into(Path(args.path), args.input)


def record_into(path: Path, device: str | None, after: Callable[[Any], None] | None = None) -> int:
    """Record the microphone (``device``: index or part of its name) into ``path`` until Ctrl+C; ``after``
    is given the finished Dictation."""
    from mms_desktop.core.audio import Capture, find_device

    _check_recording(str(path))
    printer = _Printer()
    capture = Capture(find_device(device))
    return _run(capture, None, _recorder(str(path), capture, printer), printer, after)


def run_dictate(args: argparse.Namespace, ctx: Context) -> int:
    """Dictate: the microphone opens at once and the models load while the first words are recorded."""
    from mms_desktop.cli.models import check_recognizer, load_recognizer
    from mms_desktop.core.audio import Capture, find_device
    from mms_desktop.core.recognition import RecognitionStream
    from mms_desktop.settings import live_options

    _check_recording(args.record)
    check_recognizer(args, ctx)  # a missing model or a mistyped language is said before the microphone opens
    printer = _Printer()
    capture = Capture(find_device(args.input))

    def stream() -> RecognitionStream:
        recognizer, language, identifier = load_recognizer(args, ctx, live=True)
        return RecognitionStream(
            recognizer,
            live_options(ctx.settings),
            language=language,
            identifier=identifier,
            among=args.among or ctx.settings.auto_among,
        )

    return _run(capture, stream, _recorder(args.record, capture, printer), printer)
