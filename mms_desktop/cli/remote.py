"""``mms-desktop dictation toggle|start|stop``: drive the running program's dictation from anywhere, so
that any desktop's keyboard-shortcut settings can bind a key to it."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from mms_desktop.core.base import UserError

NOT_RUNNING = "MMS Desktop is not running, so there is no dictation to stop."


def add_commands(sub: Any) -> None:
    parser = sub.add_parser(
        "dictation",
        help="start or stop dictating into the application in front, in the running program (bind it to a key)",
        description="Start or stop dictation in the running MMS Desktop; the words are typed into the "
        "application in front. With no program running, toggle and start open it in the tray, dictating.",
    )
    parser.add_argument("action", choices=["toggle", "start", "stop"])
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, context: Any) -> int:
    from mms_desktop.desktop.instance import send, socket_name, start_in_tray

    answer = send(socket_name(context.paths.data), args.action)
    if answer == "ok":
        return 0
    if answer is not None:
        raise UserError(
            f"The running MMS Desktop did not understand '{args.action}'; it may be an older version: "
            "quit it and start it again."
        )
    if args.action == "stop":
        print(f"mms-desktop: {NOT_RUNNING}", file=sys.stderr)
        return 0
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UserError("There is no desktop here to dictate into; run this command in a desktop session.")
    start_in_tray(args.data_dir, dictate=True)
    print("mms-desktop: MMS Desktop was started in the tray and is dictating.", file=sys.stderr)
    return 0
