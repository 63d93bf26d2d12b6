"""Field-work commands: sessions of a project, and aligning a known transcript to its audio."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mms_desktop.cli.options import REPLACE_HELP, make_folder, new_output, require
from mms_desktop.cli.reporting import Reporter, sentence
from mms_desktop.context import Context
from mms_desktop.core.base import UserError, save_text

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
    for name, what, run in (
        ("show", "show a session's metadata and recordings", run_show),
        ("transcribe", "transcribe the recordings of a session that have no transcript yet", run_session_transcribe),
        ("export", "export a session's transcripts beside their recordings", run_session_export),
    ):
        a = actions.add_parser(name, help=what)
        a.add_argument("project", metavar="PROJECT")
        a.add_argument("session", metavar="SESSION")
        a.set_defaults(run=run)
    # the last of them, export, takes options of its own
    a.add_argument("--format", choices=("eaf", "textgrid", "srt", "vtt", "txt"), default="eaf")
    a.add_argument("--replace", action="store_true",
                   help="write over exports changed since (in ELAN or Praat) and files not made by one")  # fmt: skip
    a = actions.add_parser("record", help="record the microphone into a session's next recording (Ctrl+C stops)")
    a.add_argument("project", metavar="PROJECT")
    a.add_argument("session", metavar="SESSION")
    a.add_argument(
        "--speaker", metavar="ID", help="the speaker being recorded, one of the session's (default: the first)"
    )
    a.add_argument("--device", dest="input", help="input device: index or part of its name")
    a.set_defaults(run=run_session_record)
    a = actions.add_parser("add", help="copy recordings made elsewhere (a recorder's card) into a session")
    a.add_argument("project", metavar="PROJECT")
    a.add_argument("session", metavar="SESSION")
    a.add_argument("files", nargs="+", metavar="AUDIO", help="WAV, FLAC, OGG or MP3 files; they are not changed")
    a.set_defaults(run=run_add)

    _add_align_and_training(sub)


def _add_align_and_training(sub: Any) -> None:
    p = sub.add_parser("align", help="time a known transcript (text, .eaf or .TextGrid) against its audio")
    p.add_argument("audio", metavar="AUDIO")
    p.add_argument("transcript", metavar="TEXT|EAF|TEXTGRID")
    p.add_argument("--lang", help="language code (default: the transcript's, if it names one)")
    p.add_argument(
        "--tier",
        action="append",
        metavar="TIER",
        help="a tier to align, for .eaf and .TextGrid (repeatable; default: the transcription tiers, or "
        "in an EAF made elsewhere every top-level tier)",
    )
    p.add_argument("--model", help="recognition model: a folder or an installed owner/name")
    p.add_argument("--format", choices=("json", "eaf", "textgrid", "srt", "vtt", "txt"), default="json")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    p.add_argument("--replace", action="store_true", help=REPLACE_HELP)
    p.set_defaults(run=run_align)

    p = sub.add_parser("train-adapter", help="teach the model a new language from your recordings")
    p.add_argument("data", nargs="+", metavar="DATA",
                   help="folders of audio + .txt pairs, .eaf/.TextGrid files (beside their audio), session "
                        "folders, or a Common Voice .tsv (with its clips/ folder)")  # fmt: skip
    p.add_argument("--lang", required=True, help="ISO 639-3 code of the language")
    p.add_argument("--name", help="adapter name, if not the code (e.g. sah-dialect_kolyma)")
    p.add_argument(
        "--tier",
        action="append",
        default=[],
        metavar="TIER",
        help="a tier of the .eaf and .TextGrid files to learn from (repeatable; default: every "
        "transcription tier, or every top-level tier of an EAF made elsewhere)",
    )
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--from-adapter", help="start from an installed adapter instead of a fresh one")
    p.add_argument("--device", dest="train_device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--model", help="base model: a folder or an installed owner/name")
    p.set_defaults(run=run_train_adapter)


def run_new(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.fieldwork import Project, SessionInfo, Speaker

    values = {name: getattr(args, name) for name in INFO_FIELDS if getattr(args, name) is not None}
    speakers = [Speaker(*s.split(":", 1)) if ":" in s else Speaker(s) for s in args.speaker]
    info = Project(Path(args.project)).create(SessionInfo(id="", title=args.title, speakers=speakers, **values))
    print(info.id)
    return 0


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.fieldwork import Project

    unreadable: list[UserError] = []
    for info in Project(Path(args.project)).sessions(unreadable):
        language = info.language or info.language_name
        print(f"{info.id}\t{info.date}\t{language}\t{info.title}")
    for problem in unreadable:
        print(f"mms-desktop: {problem}", file=sys.stderr)
    return 2 if unreadable else 0


def run_session_transcribe(args: argparse.Namespace, ctx: Context) -> int:
    """Transcribe, in the session's language (identified when it has no code), the recordings without a
    transcript, each saved as soon as it is done."""
    from mms_desktop.cli.models import host
    from mms_desktop.core.base import AUTO, counted
    from mms_desktop.core.fieldwork import Project, transcribe_recordings
    from mms_desktop.core.recognition import WindowOptions

    project = Project(Path(args.project))
    info = project.session(args.session)
    if not project.recordings(info.id):
        print(f"Session {info.id} has no recordings yet; record some, or add them with `mms-desktop session add`.")
        return 0
    options = WindowOptions(ctx.settings.window_s, ctx.settings.context_s)
    speaker = info.speakers[0].id if info.speakers else ""
    done: list[Path] = []
    try:
        with Reporter(terminal_only=True) as reporter:
            transcribe_recordings(project.recordings(info.id), host(ctx), info.language or AUTO,
                                  ctx.settings.auto_among, options, speaker, only_new=True, progress=reporter,
                                  finished=done)  # fmt: skip
    except UserError as exc:
        if done:  # kept, and said, so that the next run goes on from there
            raise UserError(f"{exc} {counted(len(done), 'recording')} transcribed before it stopped.") from exc
        raise
    print(f"Transcribed {counted(len(done), 'recording')}." if done
          else "Every recording of this session has a transcript already.")  # fmt: skip
    return 0


def run_session_export(args: argparse.Namespace, ctx: Context) -> int:
    """Export every transcript of the session; those changed since their last export are kept, and said."""
    from mms_desktop.core.fieldwork import ExportChanged, Project, export_beside, open_transcript

    project = Project(Path(args.project))
    info = project.session(args.session)
    kept, problems, exported = [], [], 0
    for recording in project.recordings(info.id):
        try:
            transcript = open_transcript(recording)
            if transcript is None:
                continue
            print(f"Exported {export_beside(recording, transcript, args.format, args.replace)}")
            exported += 1
        except ExportChanged as exc:
            kept.append(sentence(exc))
        except UserError as exc:  # a transcript that cannot be read: the others are exported all the same
            problems.append(sentence(exc))
    if kept:
        problems.append(" ".join(kept) + f" Add --replace to write over {'them' if len(kept) > 1 else 'it'}.")
    if problems:
        raise UserError(" ".join(problems))
    if not exported:
        raise UserError(f"No recording of {info.id} has a transcript yet; run `mms-desktop session transcribe` first.")
    return 0


def run_show(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.fieldwork import Project, describe_recording

    project = Project(Path(args.project))
    info = project.session(args.session)
    print(json.dumps(asdict(info), indent=2, ensure_ascii=False))
    for recording in project.recordings(info.id):
        print(f"recording\t{recording.name}\t{describe_recording(recording)}")
    return 0


def run_session_record(args: argparse.Namespace, ctx: Context) -> int:
    """Record into the session's next recording, with the level shown on a terminal; the session log notes
    the recording, its speaker, and whether the input clipped."""
    from mms_desktop.cli.live import record_into
    from mms_desktop.core.base import clock
    from mms_desktop.core.fieldwork import Project, note

    project = Project(Path(args.project))
    info = project.session(args.session)
    speakers = [s.id for s in info.speakers]
    if args.speaker and args.speaker not in speakers:
        known = f"one of {', '.join(speakers)}" if speakers else "add speakers with the session's details first"
        raise UserError(f"'{args.speaker}' is not a speaker of session {info.id}; give {known}.")
    speaker = args.speaker or (speakers[0] if speakers else "")
    project.repair(info.id)
    target = project.next_recording(info.id)

    def noted(dictation: Any) -> None:
        import soundfile as sf

        if not target.exists():  # stopped before the microphone delivered any audio
            return
        length = clock(sf.info(str(target)).duration)
        note(target.parent, f"{target.name} recorded ({length})" + (f", speaker {speaker}" if speaker else ""))
        if dictation.clipped:
            said = (
                f"{target.name} clipped in {dictation.clipped} moments (the input reached full scale); lower the level."
            )
            note(target.parent, said)
            print(f"mms-desktop: {said}", file=sys.stderr)

    return record_into(target, args.input, noted)


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    """Copy recordings into the session, each verified, with a progress line on a terminal."""
    from mms_desktop.core.base import counted
    from mms_desktop.core.fieldwork import Project, add_recordings

    project = Project(Path(args.project))
    info = project.session(args.session)
    added: list[Path] = []
    try:
        with Reporter(terminal_only=True) as reporter:
            add_recordings(project, info.id, [Path(name) for name in args.files], reporter, added=added)
    except UserError as exc:
        if added:  # those copied are in the session: say so, so that they are not added twice
            raise UserError(f"{exc} {counted(len(added), 'recording')} added before it stopped.") from exc
        raise
    for source, recording in zip(args.files, added, strict=True):
        print(f"{source}\t{recording}")
    return 0


def run_align(args: argparse.Namespace, ctx: Context) -> int:
    """Align the chosen tiers (or the text), each annotation within its own times; an EAF written as EAF keeps
    every tier, with the words of the aligned ones added beneath them."""
    from mms_desktop.core import formats
    from mms_desktop.core.audio import load_audio
    from mms_desktop.core.base import Transcript
    from mms_desktop.core.fieldwork import align
    from mms_desktop.core.formats import eaf
    from mms_desktop.core.recognition import Recognizer, WindowOptions

    source = Path(args.transcript)
    samples = load_audio(args.audio)
    tiers = _tiers_to_align(source, args.tier)
    if not any(s.text.strip() for segments in tiers.segments.values() for s in segments):
        raise UserError(f"{args.transcript} has no text to align; give the transcript of {args.audio}.")
    output = Path(args.output) if args.output else None
    if output is not None:
        new_output(output, [args.audio, args.transcript], args.replace)
        make_folder(output.parent)
    language = args.lang or tiers.language
    if not language:
        raise UserError("Say which language the transcript is in with --lang.")
    model_dir = ctx.store.resolve(args.model, "recognition model") if args.model else ctx.store.default_model("asr")
    recognizer = Recognizer.load(model_dir, language, ctx.settings.device, ctx.settings.precision)
    options = WindowOptions(ctx.settings.window_s, ctx.settings.context_s)
    aligned = {
        name: list(align(recognizer, samples, Transcript(language, 0.0, tuple(segments)), options).segments)
        for name, segments in tiers.segments.items()
    }
    if tiers.elan is not None and args.format == "eaf":
        text = eaf.with_words(tiers.elan, aligned)
    else:
        segments = sorted((s for segments in aligned.values() for s in segments), key=lambda s: (s.start, s.speaker))
        result = Transcript(language, round(len(samples) / 16000, 3), tuple(segments))
        text = formats.render(result, args.format, media=Path(args.audio), target=output)
    if output is not None:
        save_text(output, text)
    else:
        print(text, end="")
    if any(tiers.segments):
        print(
            f"Aligned {'tier' if len(tiers.segments) == 1 else 'tiers'} {', '.join(tiers.segments)}.", file=sys.stderr
        )
    return 0


def _tiers_to_align(source: Path, names: list[str] | None) -> Any:
    """The segments to align by tier name ("" for a transcript without tiers), read once."""
    from mms_desktop.core import formats

    if source.suffix.lower() in (".eaf", ".textgrid"):
        return formats.load_tiers(source, names)
    if names:
        raise UserError(f"--tier is for .eaf and .TextGrid files; {source.name} has no tiers.")
    transcript = formats.load(source)
    return formats.Tiers({"": list(transcript.segments)}, transcript.language)


def run_train_adapter(args: argparse.Namespace, ctx: Context) -> int:
    import sys

    from mms_desktop.core.training import FIGURES, check_base, check_job, collect, material_advice, teach
    from mms_desktop.paths import resources_dir

    require("steps", args.steps, 1)
    name = args.name or args.lang
    check_job(name, args.train_device)
    base = ctx.store.resolve(args.model, "recognition model") if args.model else ctx.store.default_model("asr")
    check_base(base, args.from_adapter)
    data = collect([Path(d) for d in args.data], tiers=args.tier)
    print(f"Training '{name}' on {len(data.train)} recordings ({data.seconds / 60:.1f} min), "
          f"{len(data.held_out)} held out; {len(data.skipped)} skipped.", file=sys.stderr)  # fmt: skip
    print(material_advice(data.seconds / 60, resources_dir() / FIGURES), file=sys.stderr)

    def progress(p: Any) -> None:
        if p.step % 50 == 0 or p.step == p.steps:
            print(f"step {p.step}/{p.steps} loss {p.loss:.3f}", file=sys.stderr, flush=True)

    report = teach(ctx.store, data, name, args.steps, base, ctx.paths.data / "training", args.from_adapter,
                   args.train_device, progress)  # fmt: skip
    print(f"Adapter '{name}' saved to {report.adapter_file}")
    print(f"held-out CER {report.cer_before:.1%} -> {report.cer_after:.1%}, "
          f"WER {report.wer_before:.1%} -> {report.wer_after:.1%}")  # fmt: skip
    for item in report.skipped:
        print(f"skipped: {item}")
    return 0
