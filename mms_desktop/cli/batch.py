"""``mms-desktop batch``: transcribe many recordings into a folder, resumably, on this machine's cores."""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path
from typing import Any

from mms_desktop.cli.models import FORMATS, _codes, check_recognizer, host, load_recognizer
from mms_desktop.cli.options import UNSURE_HELP, require
from mms_desktop.core.base import UserError


def add_commands(sub: Any) -> None:
    p = sub.add_parser(
        "batch",
        help="transcribe many recordings into a folder; stopped at any moment, it goes on where it was",
        description="Transcribe every recording under folders (all the way down) or listed in manifests "
        "(.csv or .tsv with a 'path' column and an optional 'language' column) into --out, mirroring the "
        "folders. A journal in --out records each recording done: run the same command again to go on, to "
        "retry the ones that failed, or after adding recordings; nothing done is done again.",
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="folders, audio files or manifests")
    p.add_argument("--out", required=True, metavar="DIR", help="where the transcripts and the manifest go")
    p.add_argument(
        "--lang", help="language code (adapter name), or 'auto' to detect each recording's language (default: setting)"
    )
    p.add_argument("--among", type=_codes, default=[], help="with --lang auto: choose only among these codes")
    p.add_argument("--model", help="recognition model: a folder or an installed owner/name")
    p.add_argument("--lid-model", help="identification model: a folder or an installed owner/name")
    p.add_argument("--unsure-below", type=float, metavar="P", help=UNSURE_HELP)
    p.add_argument(
        "--format", action="append", choices=FORMATS, help="transcript format; repeat it for several (default: txt)"
    )
    p.add_argument("--word-list", choices=["use", "ignore"], help="as for transcribe (default: setting)")
    p.add_argument(
        "--workers",
        type=int,
        help="processes transcribing at once (default: as many as there "
        "are cores, and as the free memory holds models for; with --engine ray on a cluster: one per GPU, "
        "or one per 4 CPUs)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: worker processes on this machine (default); ray: Ray Data, on this machine or a cluster "
        "(needs pip install 'mms-desktop[cluster]')",
    )
    p.add_argument(
        "--address",
        metavar="ADDR",
        help="with --engine ray: the cluster to join (host:port of its head, or 'auto'); without it, "
        "Ray is started on this machine for the batch",
    )
    p.add_argument("--quiet", action="store_true", help="no progress line, only the summary")
    p.set_defaults(run=run_batch)


def load_models(
    data_dir: str | None,
    device: str | None,
    precision: str | None,
    word_lists: str,
    model: str | None,
    lid_model: str | None,
    language: str,
    among: tuple[str, ...],
    unsure_below: float | None = None,
) -> Any:
    """The models of one worker (a process of its own: everything is opened anew from the data folder)."""
    from mms_desktop.context import Context
    from mms_desktop.core.batch import Models
    from mms_desktop.core.recognition import WindowOptions

    ctx = Context.create(data_dir, device, precision)
    ctx.settings.word_lists = word_lists
    args = argparse.Namespace(model=model, lid_model=lid_model, lang=language)
    recognizer, language, identifier = load_recognizer(args, ctx)
    if identifier is not None and unsure_below is not None:
        identifier.unsure_below = unsure_below
    options = WindowOptions(ctx.settings.window_s, ctx.settings.context_s)
    chosen = str(model or ctx.settings.asr_repo)
    return Models(recognizer, identifier, language, among, options, chosen, recognizer.placement.dtype)


class Progress:
    """A line on the terminal: recordings and hours done, audio hours per hour, and the time left."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet = total, quiet or not sys.stderr.isatty()
        self.done = self.failed = 0
        self.audio_s = 0.0
        self.started = time.monotonic()

    def add(self, row: Any) -> None:
        self.done += 1
        self.failed += row.status != "done"
        self.audio_s += row.duration_s
        if self.quiet:
            return
        spent = time.monotonic() - self.started
        rate = self.audio_s / spent if spent else 0.0  # audio hours per hour
        left = spent / self.done * (self.total - self.done)
        line = (
            f"{self.done}/{self.total} recordings, {self.audio_s / 3600:.2f} h of audio, {rate:.1f} h/h, "
            f"{self.failed} failed, about {left / 60:.0f} min left "
        )
        print(f"\r{line}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if not self.quiet and self.done:
            print(file=sys.stderr)


def _check_engine(args: argparse.Namespace) -> None:
    """The engine and its options make sense, and Ray (and its cluster) is there when asked for."""
    if args.workers is not None:
        require("workers", args.workers, 1, 1024)
    if args.address and args.engine != "ray":
        raise UserError("--address names a Ray cluster; add --engine ray to use it.")
    if args.engine == "ray":
        from mms_desktop.core.batch.cluster import reachable, require_ray

        require_ray()
        if args.address:
            reachable(args.address)


def _output_folder(path: str) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"The output folder {out} cannot be created ({exc.strerror}); choose another.") from exc
    return out


def run_batch(args: argparse.Namespace, ctx: Any) -> int:
    from mms_desktop.core import batch
    from mms_desktop.core.recognition import WindowOptions

    _check_engine(args)
    require("unsure-below", args.unsure_below, 0.0, 1.0)
    recordings = batch.recordings(args.sources)
    language = check_recognizer(args, ctx)
    models = host(ctx)
    folder = models.recognizer_dir(args.model)
    precision = models.effective_precision(folder)
    formats = list(dict.fromkeys(args.format or ["txt"]))
    word_lists = args.word_list or ctx.settings.word_lists
    among = tuple(args.among or ctx.settings.auto_among)
    options = WindowOptions(ctx.settings.window_s, ctx.settings.context_s)
    settings = batch.settings_key(str(folder), precision, language, among, formats, options, word_lists)
    out = _output_folder(args.out)
    ledger = batch.Ledger(out)
    batch.remove_unfinished(out)
    tasks, skipped = batch.plan(recordings, ledger, out, formats, settings)
    progress = Progress(len(tasks), args.quiet)
    chosen = (args.model, args.lid_model, language, among, args.unsure_below)
    load = functools.partial(load_models, args.data_dir, args.device, args.precision, word_lists, *chosen)
    fits = batch.default_workers(sum(p.stat().st_size for p in folder.iterdir() if p.is_file()), precision)

    def finished(row: Any) -> None:
        ledger.append(row)
        progress.add(row)

    try:
        if tasks and args.engine == "ray":
            from mms_desktop.core.batch.cluster import run_ray

            run_ray(tasks, load, finished, args.address, args.workers, fits)
        elif tasks:
            batch.run_local(tasks, load, min(len(tasks), args.workers or fits), finished)
    finally:
        progress.close()
        ledger.write_manifest()
    failed = [r for r in ledger.rows().values() if r.status != "done"]
    print(
        f"mms-desktop: {progress.done - progress.failed} transcribed, {skipped} already done, {len(failed)} failed "
        f"(see {out / batch.MANIFEST}).",
        file=sys.stderr,
    )
    for row in failed[:10]:
        print(f"  {row.source}: {row.error}", file=sys.stderr)
    return 2 if failed else 0
