"""``mms-desktop elan install|uninstall|run``: MMS Desktop's recognizers inside ELAN."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from typing import Any

from mms_desktop.elan.recognizers import SPECS


def add_commands(sub: Any) -> None:
    p = sub.add_parser(
        "elan",
        help="install MMS Desktop's recognizers (transcribe, align, identify) into ELAN",
        description="ELAN runs MMS Desktop as local recognizers (Recognizer mode): transcribe speech with a "
        "word tier beneath, align a transcription tier word by word, or identify each stretch's language, "
        "with the languages and models installed in MMS Desktop.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="write the recognizers into ELAN's extensions folder")
    uninstall = actions.add_parser("uninstall", help="remove them again")
    for command in (install, uninstall):
        command.add_argument(
            "--elan-dir",
            metavar="DIR",
            help="ELAN's folder or its extensions folder (default: the newest ELAN installed in the usual places)",
        )
    install.set_defaults(run=run_install)
    uninstall.set_defaults(run=run_uninstall)
    run = actions.add_parser("run", help="what ELAN runs: reads ELAN's parameters on standard input")
    run.add_argument("recognizer", choices=sorted(SPECS))
    run.set_defaults(run=run_recognizer)


def run_install(args: argparse.Namespace, ctx: Any) -> int:
    from mms_desktop.elan import install

    folder = install.target(args.elan_dir)
    written = install.install(folder, ctx.paths.data.absolute())
    print(f"Installed {len(written)} recognizers into {folder}:")
    for place in written:
        print(f"  {place.name}")
    print("Restart ELAN, open a document with its recording, and choose them in Recognizer mode.")
    return 0


def run_uninstall(args: argparse.Namespace, ctx: Any) -> int:
    from mms_desktop.elan import install

    folder = install.target(args.elan_dir)
    removed = install.uninstall(folder)
    print(f"Removed {len(removed)} recognizers from {folder}." if removed else f"No recognizer of ours is in {folder}.")
    return 0


def run_recognizer(args: argparse.Namespace, ctx: Any) -> int:
    """ELAN's side of the protocol: every line on standard output is ELAN's to show, so Python's warnings and
    logging go to a file in the data folder instead."""
    from mms_desktop.api import Engine
    from mms_desktop.elan.protocol import Report, read_params
    from mms_desktop.elan.recognizers import run
    from mms_desktop.settings import live_options

    log = ctx.paths.data / "elan-recognizer.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr = open(log, "a", encoding="utf-8")  # noqa: SIM115 - for the rest of this process
    warnings.simplefilter("ignore")
    logging.getLogger().handlers[:] = [logging.StreamHandler(sys.stderr)]
    os.environ["TQDM_DISABLE"] = "1"
    report = Report(sys.stdout)
    try:
        params = read_params(sys.stdin)
    except Exception as exc:
        report.failed(str(exc))
        return 2

    def load(model: str | None) -> Engine:
        engine = Engine(ctx.model_host(), model, None, live_options(ctx.settings))
        engine.host.recognizer(engine.model)
        return engine

    run(args.recognizer, params, load, report)
    return 0
