"""The ``mms-desktop`` command line: the composition root for everything but the window."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence

from mms_desktop import __version__
from mms_desktop.cli import batch, bench, elan, fieldwork, live, models, remote, store_commands, words
from mms_desktop.cli.reporting import sentence
from mms_desktop.context import Context
from mms_desktop.core.base import Cancelled, UserError, disk_full

log = logging.getLogger("mms_desktop")

# Commands that may use the network; every other command runs with the hub switched off.
NETWORK_COMMANDS = {("languages", "install"), ("languages", "refresh")}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mms-desktop",
        description="Offline speech recognition, language identification and read-aloud "
        "in ~1,100 languages with Meta's MMS models.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="where models and settings live (default: the user data folder)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], help="compute device (default: auto)")
    parser.add_argument(
        "--precision",
        choices=["auto", "float32", "bfloat16", "float16", "int8"],
        help="model precision (default: auto: fp16 on GPU; on the CPU the fastest `benchmark file` found, "
        "else bf16 where the processor supports it, else int8)",
    )
    parser.add_argument("--debug", action="store_true", help="show debug logging and full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    models.add_commands(sub)
    batch.add_commands(sub)
    store_commands.add_commands(sub)
    live.add_commands(sub)
    remote.add_commands(sub)
    fieldwork.add_commands(sub)
    bench.add_commands(sub)
    words.add_commands(sub)
    elan.add_commands(sub)
    return parser


def _configure_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not debug:
        for noisy in ("transformers", "huggingface_hub", "httpx", "httpx2", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def one_line(message: str) -> str:
    """A message on one line, whatever the names in it hold (a file name may hold a line break)."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def main(argv: Sequence[str] | None = None, open_window: Callable[[list[str]], int | None] | None = None) -> int:
    """Run one command; returns the exit status (2 for errors the user can fix).

    Args:
        open_window: opens the window when no command is given, returning its exit status, or None where
            none can open; without it (or when it returns None) no command prints the help.
    """
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        # File names that are not valid UTF-8 (a recorder's card) are printed as they are on disk, and said
        # in messages with their odd bytes escaped, never as an encoding error.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=errors)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        window_args = [*(["--data-dir", args.data_dir] if args.data_dir else []), *(["--debug"] if args.debug else [])]
        status = open_window(window_args) if open_window else None
        if status is None:
            parser.print_help()
            return 0
        return status
    _configure_logging(args.debug)
    if (args.command, getattr(args, "action", None)) not in NETWORK_COMMANDS:
        # Read by huggingface_hub at import time: set it before anything imports it.
        os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        context = Context.create(args.data_dir, args.device, args.precision)
        return int(args.run(args, context) or 0)
    except UserError as exc:
        print(f"mms-desktop: {one_line(sentence(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Whatever read the output stopped early (`| head`): end quietly, as command-line tools do there; the
        # output is pointed at nothing so that writing what is left at exit fails no more.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # as a tool ended by SIGPIPE
    except (Cancelled, KeyboardInterrupt):
        print("mms-desktop: cancelled; nothing partial was kept.", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        log.debug("unexpected error", exc_info=True)
        full = disk_full(exc)
        if full is not None:
            print(f"mms-desktop: {full}", file=sys.stderr)
            return 2
        print(
            f"mms-desktop: unexpected error ({type(exc).__name__}: {exc}); run with --debug for details.",
            file=sys.stderr,
        )
        return 1
