"""``mms-desktop benchmark``: figures for this machine."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mms_desktop.cli.options import require
from mms_desktop.context import Context
from mms_desktop.core.checkpoints import require_cuda


def add_commands(sub: Any) -> None:
    p = sub.add_parser("benchmark", help="measure speed on this machine (prints figures)")
    kinds = p.add_subparsers(dest="action", metavar="WHAT", required=True)
    s = kinds.add_parser("streaming", help="live recognition: compute against offline, latencies")
    s.add_argument("--model", action="append", default=None,
                   help="'demo' (bundled), 'full' (MMS-1B architecture, random weights), 'omni-300m' "
                        "(Omnilingual CTC 300M architecture, random weights) or a folder; repeatable "
                        "(default: demo and full)")  # fmt: skip
    s.add_argument("--chunk", type=float, help="seconds of new audio per window")
    s.add_argument("--context", type=float, help="seconds of context on each side of a window")
    s.add_argument("--sweep", action="store_true", help="compare several window and context lengths")
    s.add_argument(
        "--load",
        action="store_true",
        help="run each model also with another program keeping one core busy, and compare; MMS-1B (full) "
        "at every CPU precision, and the automatic precision follows what it shows",
    )
    s.set_defaults(run=run_streaming)
    f = kinds.add_parser("file", help="file transcription: load, switch, speed against the pipeline, memory")
    f.add_argument("--seconds", type=float, default=60.0, help="length of the test recording")
    f.add_argument("--model", choices=FULL_SIZE, default="full",
                   help="the recognition architecture: MMS-1B (full) or Omnilingual CTC 300M (omni-300m)")  # fmt: skip
    f.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="where the models run (cuda: fp16, and bf16 where the GPU has it)")  # fmt: skip
    f.set_defaults(run=run_file)
    w = kinds.add_parser("startup", help="the window with the full-size models: how soon after it opens they are ready")
    w.add_argument("--runs", type=int, default=2, help="warm starts per precision and language choice")
    w.set_defaults(run=run_startup)
    b = kinds.add_parser("batch", help="batch transcription: audio hours per hour with 1 and 2 worker processes")
    b.add_argument("--recordings", type=int, default=60, help="how many recordings (default 60)")
    b.add_argument("--seconds", type=float, default=20.0, help="the length of each (default 20 s)")
    b.add_argument("--workers", type=int, action="append", help="worker counts to compare (default: 1 and 2)")
    engines = "engines to compare (default: local, and ray where it is installed)"
    b.add_argument("--engine", action="append", choices=("local", "ray"), help=engines)
    models = "'demo' (bundled, the default), 'full' (MMS-1B architecture, random weights), 'omni-300m' or a folder"
    b.add_argument("--model", default="demo", help=models)
    b.add_argument("--lang", default="eng", help="the language they are transcribed in (default: eng)")
    b.set_defaults(run=run_batch)
    k = kinds.add_parser("typing", help="dictation into another application: end of speech to the text there (X11)")
    k.add_argument("--lang", default="eng", help="the language of the shipped sample's sentence (default: eng)")
    k.add_argument("--runs", type=int, default=5, help="timed sentences, after one that loads the models")
    k.set_defaults(run=run_typing)
    _add_training_benchmarks(kinds)
    for command in (s, f, w, b):
        command.add_argument(
            "--cache",
            metavar="DIR",
            help="where the full-size models are written (default: benchmark/ in the data folder)",
        )
        command.add_argument(
            "--keep",
            action="store_true",
            help="keep them there for the next run (by default what a run wrote is removed)",
        )


def _add_training_benchmarks(kinds: Any) -> None:
    """The benchmarks of teaching a language: one adapter step's cost, and accuracy against material."""
    t = kinds.add_parser("adapter-step", help="one adapter training step on the full-size architecture")
    t.add_argument("--batch", type=int, default=4)
    t.add_argument("--seconds", type=float, default=5.0, help="seconds of audio per example")
    t.add_argument("--train-device", choices=("cpu", "cuda"), default="cpu")
    t.set_defaults(run=run_adapter_step)
    m = kinds.add_parser("material", help="teaching a new language: held-out accuracy against minutes of material")
    m.add_argument("--lang", default="ita", help="the language taught (default: ita, not in the demonstration pack)")
    m.add_argument("--voice", default="it", help="its espeak-ng voice (default: it)")
    m.add_argument("--minutes", type=float, action="append", help="amounts to compare (default: 1, 4 and 16)")
    m.add_argument("--steps", type=int, default=300, help="training steps for each amount (default: 300)")
    m.add_argument("--write", action="store_true", help="keep the figures for the advice the teaching window gives")
    m.set_defaults(run=run_material)


# MMS-1B and MMS-LID-126 with random weights (3.9 GB each), and their converted bf16 and int8 copies
CACHE_BYTES = 13_000_000_000
# the full-size architectures with random weights, and their titles
FULL_SIZE = {"full": "MMS-1B", "omni-300m": "Omnilingual CTC 300M"}


@contextlib.contextmanager
def full_size_cache(args: argparse.Namespace, ctx: Context) -> Iterator[Path]:
    """The folder the full-size benchmark models go to, said before anything is written there and removed
    afterwards unless ``--keep`` (one kept by an earlier run is used and left as it is).

    Raises:
        UserError: the disk has no room for them.
    """
    from mms_desktop.core.base import UserError, human_size

    folder = Path(args.cache).absolute() if args.cache else ctx.paths.data / "benchmark"
    kept = (folder / "mms-1b-random" / "complete.json").exists()
    if not kept:
        probe = next(p for p in (folder, *folder.parents) if p.exists())
        if shutil.disk_usage(probe).free < CACHE_BYTES:
            raise UserError(
                f"The full-size benchmark models need up to {human_size(CACHE_BYTES)} in {folder}, and "
                f"its disk has {human_size(shutil.disk_usage(probe).free)} free; give another folder "
                "with --cache."
            )
        then = "kept there (--keep)" if args.keep else "removed at the end"
        print(
            f"The full-size benchmark models are written to {folder}: up to {human_size(CACHE_BYTES)}, {then}.",
            file=sys.stderr,
            flush=True,
        )
    try:
        yield folder
    finally:
        if not kept and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def resolve_model(name: str, ctx: Context, cache: Path) -> tuple[str, Path]:
    """A benchmark model name to a folder (the full-size one is written to ``cache`` when it is not there)."""
    from mms_desktop.benchmark.fullsize import ensure_omnilingual_repo, ensure_repo

    if name == "demo":
        return "demonstration model", ctx.store.default_model("asr")
    if name == "full":
        return f"{FULL_SIZE[name]} architecture, random weights", ensure_repo(cache / "mms-1b-random")
    if name == "omni-300m":
        return f"{FULL_SIZE[name]} architecture, random weights", ensure_omnilingual_repo(
            cache / "omniasr-ctc-300m-random"
        )
    return name, ctx.store.resolve(name, "recognition model")


def run_streaming(args: argparse.Namespace, ctx: Context) -> int:
    import dataclasses
    import os

    from mms_desktop.benchmark import streaming
    from mms_desktop.settings import limits, live_options

    require("chunk", args.chunk, *limits("live_window_s"))
    require("context", args.context, *limits("live_context_s"))
    options = live_options(ctx.settings)
    window = dataclasses.replace(
        options.window,
        **{k: v for k, v in (("chunk_s", args.chunk), ("context_s", args.context)) if v is not None},
    )
    options = dataclasses.replace(options, window=window)
    print(f"windows: at most {window.chunk_s:g} s new audio + {window.context_s:g} s context each side; "
          f"partial results every {options.partial_every_s:g} s; live text at most {options.lag_target_s:g} s "
          "behind the voice")  # fmt: skip
    print(f"processor: {os.cpu_count()} cores, {streaming.cpu_flags()}")
    names = args.model or ["demo", "full"]
    with full_size_cache(args, ctx) if set(FULL_SIZE) & set(names) else contextlib.nullcontext(Path()) as cache:
        _stream(args, ctx, options, names, cache)
    return 0


def _stream(args: argparse.Namespace, ctx: Context, options: Any, names: list[str], cache: Path) -> None:
    """Each model at the precision in use; with ``--load``, MMS-1B at every CPU precision, quiet and with one
    core busy, and what that showed is kept for the automatic precision."""
    from mms_desktop import findings
    from mms_desktop.cli.models import host
    from mms_desktop.core.recognition import available_languages

    live: dict[str, dict[str, float]] = {}
    for name in names:
        title, folder = resolve_model(name, ctx, cache)
        languages = available_languages(folder)
        language = "eng" if "eng" in languages else languages[0]
        every_precision = args.load and name == "full" and ctx.settings.device != "cuda"
        for precision in _cpu_precisions() if every_precision else [host(ctx).effective_precision()]:
            quiet, loaded = _stream_one(args, ctx, options, title, folder, language, precision)
            if every_precision and loaded is not None:
                live[precision] = {
                    "final_max_s": round(quiet.final_latency_max_s, 3),
                    "final_max_loaded_s": round(loaded.final_latency_max_s, 3),
                    "lag_max_loaded_s": round(loaded.max_lag_s, 3),
                }
    if live:
        choice = findings.record_live(ctx.paths.findings_file, live)
        print(
            f"with one core busy, MMS-1B's final text within {findings.LIVE_GOAL_S:g} s of the voice: "
            + ", ".join(
                f"{p} {'yes' if f['final_max_loaded_s'] <= findings.LIVE_GOAL_S else 'no'} "
                f"({f['final_max_loaded_s']:.2f} s at most)"
                for p, f in live.items()
            )
            + f"; the automatic precision is now {choice} (saved in {ctx.paths.findings_file})"
        )


def _stream_one(
    args: argparse.Namespace, ctx: Context, options: Any, title: str, folder: Path, language: str, precision: str
) -> tuple[Any, Any]:
    """One model at one precision: its figures, and with ``--load`` those with one core busy too."""
    import dataclasses

    from mms_desktop.benchmark import streaming
    from mms_desktop.core.recognition import Recognizer, WindowOptions

    recognizer = Recognizer.load(folder, language, ctx.settings.device, precision)
    if args.sweep:
        swept = [
            dataclasses.replace(
                options, window=WindowOptions(chunk, context), partial_every_s=every, lag_target_s=float("inf")
            )
            for chunk, context, every in SWEEP
        ]
        # each window as it is, then the settings (shorter windows where they must be)
        rows = [streaming.run(recognizer, o, language) for o in [*swept, options]]
        print(streaming.table(title, rows), flush=True)
        quiet = rows[-1]
    else:
        quiet = streaming.run(recognizer, options, language)
        print(streaming.report(title, quiet), flush=True)
    loaded = None
    if args.load:
        with streaming.busy_core():
            loaded = streaming.run(recognizer, options, language)
        print(streaming.report(f"{title}, with one core busy", loaded), flush=True)
    return quiet, loaded


# seconds of new audio per window, of context on each side, between partial results; each window as it is,
# without the delay limit that shortens windows and leaves out partial results (the last row has it)
SWEEP = [(2.0, 0.5, 1.0), (4.0, 1.0, 1.0), (4.0, 1.0, 2.0), (8.0, 1.0, 1.0), (8.0, 1.0, 2.0), (8.0, 2.0, 2.0),
         (20.0, 2.0, 1.0), (20.0, 2.0, 2.0)]  # fmt: skip


def run_file(args: argparse.Namespace, ctx: Context) -> int:
    """Full-size recognition and identification, every precision this processor computes natively."""
    import dataclasses

    from mms_desktop import findings
    from mms_desktop.benchmark import file
    from mms_desktop.benchmark.fullsize import ensure_lid_repo

    require("seconds", args.seconds, 5)
    precisions = _cpu_precisions() if args.device == "cpu" else _gpu_precisions()
    with full_size_cache(args, ctx) as cache:
        _, asr = resolve_model(args.model, ctx, cache)
        lid = ensure_lid_repo(cache / "mms-lid-126-random")
        figures, baseline = file.run(asr, lid, precisions, args.seconds, args.device)
    title = f"{FULL_SIZE[args.model]} and MMS-LID-126 architectures, random weights, {args.device.upper()}"
    print(file.report(title, figures, baseline))
    if args.device != "cpu" or args.model != "full":  # the automatic precision follows MMS-1B's figures
        return 0
    choice = findings.record(ctx.paths.findings_file, [dataclasses.asdict(f) for f in figures])
    print(f"Automatic precision on this CPU from now on: {choice} (fastest, then least memory; "
          f"saved in {ctx.paths.findings_file})")  # fmt: skip
    return 0


def run_startup(args: argparse.Namespace, ctx: Context) -> int:
    """Warm starts of the real window on MMS-1B and MMS-LID-126 (random weights), per CPU precision."""
    from mms_desktop.benchmark import startup
    from mms_desktop.benchmark.fullsize import ensure_lid_repo

    require("runs", args.runs, 1)
    with full_size_cache(args, ctx) as cache:
        _, asr = resolve_model("full", ctx, cache)
        lid = ensure_lid_repo(cache / "mms-lid-126-random")
        figures = startup.run(cache, asr, lid, _cpu_precisions(), args.runs)
    print("MMS-1B and MMS-LID-126 architectures, random weights, CPU, warm disk cache")
    print(startup.report(figures))
    return 0


def run_batch(args: argparse.Namespace, ctx: Context) -> int:
    """The batch engines on recordings made from the shipped sample, with the chosen recognizer."""
    import functools
    import importlib.util
    import os
    import tempfile

    from mms_desktop.benchmark import batch, streaming
    from mms_desktop.cli.batch import load_models

    require("recordings", args.recordings, 1, 100_000)
    require("seconds", args.seconds, 1.0, 3600.0)
    workers = args.workers or [1, 2]
    for count in workers:
        require("workers", count, 1, 64)
    engines = args.engine or ["local", *(["ray"] if importlib.util.find_spec("ray") else [])]
    runs = [(engine, count) for engine in engines for count in (workers if engine == "local" else workers[-1:])]
    sized = full_size_cache(args, ctx) if args.model in FULL_SIZE else contextlib.nullcontext(Path())
    with sized as cache, tempfile.TemporaryDirectory(prefix="mms-batch-") as folder:
        described, model = resolve_model(args.model, ctx, cache)
        settings = (args.data_dir, args.device, args.precision, ctx.settings.word_lists)
        load = functools.partial(load_models, *settings, str(model), None, args.lang, ())
        source = batch.make_recordings(Path(folder), args.recordings, args.seconds)
        figures = batch.run(load, Path(folder), source, runs)
    print(f"batch; processor: {os.cpu_count()} cores, {streaming.cpu_flags()}; recognition: {described}")
    print(batch.report(figures))
    return 0


def run_typing(args: argparse.Namespace, ctx: Context) -> int:
    """The shipped sample into another program's window on this X display, at a microphone's pace."""
    import os

    from mms_desktop.benchmark import typing
    from mms_desktop.core.base import UserError

    require("runs", args.runs, 1)
    if not os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        raise UserError("benchmark typing needs an X11 desktop (DISPLAY); without one, run it under xvfb-run.")
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    figures = typing.run(ctx, args.lang, args.runs)
    print(
        f"typing into another application on this X display; paste key {ctx.settings.paste_key}; "
        f"recognition: {ctx.settings.asr_repo} or the bundled demonstration pack, CPU"
    )
    print(typing.report(figures))
    return 0


def _cpu_precisions() -> list[str]:
    """The precisions worth measuring on this CPU: fp32, bf16 where it is native, int8 where available."""
    from mms_desktop.core.checkpoints import choose_placement, int8_available

    precisions = ["float32"] + [p for p in ("bfloat16",) if choose_placement("cpu", "auto").dtype == p]
    return precisions + (["int8"] if int8_available() else [])


def _gpu_precisions() -> list[str]:
    """fp16, and bf16 where the GPU computes it.

    Raises:
        UserError: this program sees no CUDA GPU.
    """
    import torch

    require_cuda()
    return ["float16"] + (["bfloat16"] if torch.cuda.is_bf16_supported() else [])


def run_adapter_step(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.benchmark import training_step

    require("batch", args.batch, 1)
    require("seconds", args.seconds, 1)
    if args.train_device == "cuda":
        require_cuda()
    print(training_step.report(training_step.run(args.batch, args.seconds, device=args.train_device)))
    return 0


def run_material(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.benchmark import material
    from mms_desktop.core.training import FIGURES
    from mms_desktop.paths import resources_dir

    require("steps", args.steps, 1)
    minutes = tuple(args.minutes or (1, 4, 16))
    for amount in minutes:
        require("minutes", amount, 0.1)
    points = material.run(args.lang, args.voice, minutes, args.steps)
    print(material.report(points, args.lang, args.steps))
    if args.write:
        material.write(points, args.lang, args.steps, resources_dir() / FIGURES)
    return 0
