"""Field-work commands: sessions of a project, and aligning a known transcript to its audio."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mms_desktop.cli.context import Context
from mms_desktop.core.errors import UserError

INFO_FIELDS = ("language", "language_name", "date", "place", "recorder", "equipment", "consent", "access",
               "description")  # fmt: skip


def add_commands(sub: Any) -> None:
    p = sub.add_parser("session", help="field-recording sessions in a project folder")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("new", help="create a session")
    a.add_argument("project", metavar="PROJECT", help="the project folder (created if needed)")
    a.add_argument("--title", required=True)
    a.add_argument("--speaker", action="append", default=[], metavar="ID[:NAME]", help="repeatable")
    for name in INFO_FIELDS:
        a.add_argument(f"--{name.replace('_', '-')}", default=None)
    a.set_defaults(run=run_new)
    a = actions.add_parser("list", help="list the sessions of a project")
    a.add_argument("project", metavar="PROJECT")
    a.set_defaults(run=run_list)
    a = actions.add_parser("show", help="show a session's metadata and recordings")
    a.add_argument("project", metavar="PROJECT")
    a.add_argument("session", metavar="SESSION")
    a.set_defaults(run=run_show)

    p = sub.add_parser("align", help="time a known transcript (text, .eaf or .TextGrid) against its audio")
    p.add_argument("audio", metavar="AUDIO")
    p.add_argument("transcript", metavar="TEXT|EAF|TEXTGRID")
    p.add_argument("--lang", help="language code (default: the transcript's, if it names one)")
    p.add_argument("--tier", help="the tier to align, for .eaf and .TextGrid")
    p.add_argument("--model", help="recognition model: a folder or an installed owner/name")
    p.add_argument("--format", choices=("json", "eaf", "textgrid", "srt", "vtt", "txt"), default="json")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    p.set_defaults(run=run_align)


def run_new(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.sessions import Project, SessionInfo, Speaker

    values = {name: getattr(args, name) for name in INFO_FIELDS if getattr(args, name) is not None}
    speakers = [Speaker(*s.split(":", 1)) if ":" in s else Speaker(s) for s in args.speaker]
    info = Project(Path(args.project)).create(SessionInfo(id="", title=args.title, speakers=speakers, **values))
    print(info.id)
    return 0


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.sessions import Project

    for info in Project(Path(args.project)).sessions():
        language = info.language or info.language_name
        print(f"{info.id}\t{info.date}\t{language}\t{info.title}")
    return 0


def run_show(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.sessions import Project

    project = Project(Path(args.project))
    info = project.session(args.session)
    print(json.dumps(asdict(info), indent=2, ensure_ascii=False))
    for wav in project.recordings(info.id):
        print(f"recording\t{wav.name}")
    return 0


def run_align(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.cli.models import write_text
    from mms_desktop.core import formats
    from mms_desktop.core.align import align
    from mms_desktop.core.asr import Recognizer, WindowOptions
    from mms_desktop.core.audio import load_audio

    samples = load_audio(args.audio)
    transcript = formats.load(Path(args.transcript), args.tier)
    language = args.lang or transcript.language
    if not language:
        raise UserError("Say which language the transcript is in with --lang.")
    model_dir = ctx.store.resolve(args.model, "recognition model") if args.model else ctx.store.default_model("asr")
    recognizer = Recognizer.load(model_dir, language, ctx.settings.device)
    options = WindowOptions(ctx.settings.window_s, ctx.settings.context_s)
    aligned = align(recognizer, samples, transcript, options)
    aligned = type(aligned)(language, aligned.duration, aligned.segments)
    text = formats.render(aligned, args.format, media=Path(args.audio))
    if args.output:
        write_text(Path(args.output), text)
    else:
        print(text, end="")
    return 0
