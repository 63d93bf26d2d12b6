"""Commands that run models: transcribe, identify, speak."""

from __future__ import annotations

import argparse
import collections
import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mms_desktop.cli.options import REPLACE_HELP, UNSURE_HELP, make_folder, new_output, output_paths, require
from mms_desktop.cli.reporting import Reporter, sentence
from mms_desktop.context import Context
from mms_desktop.core.base import CHOOSE_LANGUAGE, UserError, save_text

if TYPE_CHECKING:
    from mms_desktop.core.engine import ModelHost

FORMATS = ("txt", "json", "srt", "vtt", "eaf", "textgrid")


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def add_commands(sub: Any) -> None:
    p = sub.add_parser("transcribe", help="transcribe audio files")
    p.add_argument("files", nargs="+", metavar="FILE", help="WAV, FLAC, OGG or MP3 files, or folders of them")
    p.add_argument("--lang", help="language code (adapter name) or 'auto' to detect it (default: setting)")
    p.add_argument("--among", type=_codes, default=[], help="with --lang auto: choose only among these codes")
    p.add_argument("--model", help="recognition model: a folder or an installed owner/name")
    p.add_argument("--lid-model", help="identification model: a folder or an installed owner/name")
    p.add_argument("--unsure-below", type=float, metavar="P", help=UNSURE_HELP)
    p.add_argument("--format", choices=FORMATS, default="txt")
    p.add_argument("-o", "--output", help="output file (a folder when several files are given)")
    p.add_argument("--replace", action="store_true", help=REPLACE_HELP)
    p.add_argument("--word-list", choices=["use", "ignore"],
                   help="keep to the language's word list (if any) or spell freely (default: setting)")  # fmt: skip
    p.set_defaults(run=run_transcribe)

    p = sub.add_parser("identify", help="identify the spoken language of audio files")
    p.add_argument("files", nargs="+", metavar="FILE", help="WAV, FLAC, OGG or MP3 files, or folders of them")
    p.add_argument("--top", type=int, default=5, help="how many candidates to print (default 5)")
    p.add_argument("--among", type=_codes, default=[], help="choose only among these codes")
    p.add_argument("--lid-model", help="identification model: a folder or an installed owner/name")
    p.set_defaults(run=run_identify)

    p = sub.add_parser("speak", help="read text aloud into a WAV file")
    p.add_argument("text", metavar="TEXT", help="the text to speak ('-' reads standard input)")
    p.add_argument("--lang", required=True, help="language code of the voice")
    p.add_argument("--voice", help="voice: a folder or an installed owner/name")
    p.add_argument("--seed", type=int, help="seed for repeatable output")
    p.add_argument("-o", "--output", help="WAV file to write")
    p.add_argument("--play", action="store_true", help="play it on the sound output, each sentence as it is made")
    p.add_argument("--replace", action="store_true", help=REPLACE_HELP)
    p.set_defaults(run=run_speak)


Audio = tuple[list[Path], Iterable[tuple[Path, Any]], list[tuple[Path, str]]]


def _open_audio(files: list[str]) -> Audio:
    """The audio files named (a folder: those in it), all checked before any model loads; their samples, read
    one file at a time as they are needed (a folder of long recordings never has to fit in memory at once);
    and the list that collects, with why, the files left out because their samples turned out unusable."""
    from mms_desktop.core.audio import audio_files, check_audio, load_audio

    paths = audio_files(files)
    if len(paths) == 1:  # read at once: a silent recording is said before the models load
        return paths, [(paths[0], load_audio(paths[0]))], []
    for path in paths:
        check_audio(path)
    failures: list[tuple[Path, str]] = []

    def each() -> Iterator[tuple[Path, Any]]:
        for path in paths:
            try:
                yield path, load_audio(path)
            except UserError as exc:
                failures.append((path, sentence(exc)))

    return paths, each(), failures


def _check_outcome(verb: str, paths: list[Path], failures: list[tuple[Path, str]]) -> None:
    from mms_desktop.core.base import batch_outcome

    if failures:
        raise UserError(batch_outcome(verb, len(paths), failures))


def host(ctx: Context) -> ModelHost:
    return ctx.model_host()


def load_identifier(args: argparse.Namespace, ctx: Context) -> Any:
    """The language identifier named by ``--lid-model``, or the default one."""
    models = host(ctx)
    _check_identifier(args, models)
    return models.identifier(args.lid_model)


def _check_identifier(args: argparse.Namespace, models: Any) -> None:
    """Check that the identifier is there before anything loads; when the default one is missing, the message
    adds that choosing the language does without it."""
    try:
        models.identifier_dir(args.lid_model)
    except UserError as exc:
        if args.lid_model:
            raise
        *parts, last = exc.parts
        ending = last.rstrip(".") if isinstance(last, str) else last
        raise type(exc)(*parts, ending, ", or choose the language ", CHOOSE_LANGUAGE, ".") from exc


def check_recognizer(args: argparse.Namespace, ctx: Context) -> str:
    """What can be checked in milliseconds before anything loads: the language code and that the model is
    there; returns the language asked for (``auto`` included).

    Raises:
        UserError: the code is not a language, or the model (or, for ``auto``, the identifier) is missing.
    """
    from mms_desktop.core.base import AUTO, check_code

    language = str(args.lang or ctx.settings.language)
    if language != AUTO:
        check_code(language)
    models = host(ctx)
    models.recognizer_dir(args.model)  # a missing model is reported before the identifier is loaded
    if language == AUTO and _identifies(args, models):
        _check_identifier(args, models)
    return language


def _identifies(args: argparse.Namespace, models: ModelHost) -> bool:
    from mms_desktop.core.base import AUTO
    from mms_desktop.core.recognition import family_of

    return models.identifies(AUTO, family_of(models.recognizer_dir(args.model)), args.lid_model)


def load_recognizer(args: argparse.Namespace, ctx: Context, live: bool = False) -> tuple[Any, str, Any]:
    """The recognizer for ``--model`` (or the default), the language asked for, and the identifier
    when that language is ``auto``.

    Args:
        live: for dictation, which needs the identifier only seconds into the first utterance: it is then
            a function that waits for it, and it loads after the recognizer while the first words come.
    """
    from mms_desktop.core.base import AUTO

    language = check_recognizer(args, ctx)
    models = host(ctx)
    if language != AUTO or not _identifies(args, models):
        return models.recognizer(args.model, language), language, None
    if not live:
        identifier = models.identifier(args.lid_model)
        return models.recognizer(args.model, language), language, identifier
    recognizer = models.recognizer(args.model, language)
    return recognizer, language, models.identifier_soon(args.lid_model)


def run_transcribe(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core import formats
    from mms_desktop.core.recognition import WindowOptions, transcribe

    require("unsure-below", args.unsure_below, 0.0, 1.0)
    paths, audio, failures = _open_audio(args.files)
    if args.word_list:
        ctx.settings.word_lists = args.word_list
    folder = any(Path(name).is_dir() for name in args.files)
    targets = dict(zip(paths, output_paths(args.output, [str(p) for p in paths], formats.SUFFIXES[args.format],
                                           args.replace, folder), strict=True))  # fmt: skip
    recognizer, language, identifier = load_recognizer(args, ctx)
    if identifier is not None and args.unsure_below is not None:
        identifier.unsure_below = args.unsure_below
    options = WindowOptions(ctx.settings.window_s, ctx.settings.context_s)
    among = args.among or ctx.settings.auto_among
    for path, samples in audio:
        with Reporter(f"Transcribing {path.name}", terminal_only=True) as reporter:
            result = transcribe(samples, recognizer, language, identifier, among, options, reporter)
        if not result.segments:
            print(f"mms-desktop: no speech was found in {path}; nothing was transcribed.", file=sys.stderr)
        target = targets[path]
        text = formats.render(result, args.format, media=path, target=target)
        if target is None:
            if len(paths) > 1:
                print(f"==> {path} <==")
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            save_text(target, text)
    _check_outcome("transcribed", paths, failures)
    return 0


def run_identify(args: argparse.Namespace, ctx: Context) -> int:
    """Identify each recording from its first seconds of speech, reading no more of it than that."""
    from mms_desktop.core.audio import audio_blocks, audio_files, check_audio
    from mms_desktop.core.recognition import speech_to_identify

    require("top", args.top, 1)
    paths = audio_files(args.files)
    for path in paths:
        check_audio(path)
    identifier = load_identifier(args, ctx)
    failures: list[tuple[Path, str]] = []
    for path in paths:
        try:
            speech = speech_to_identify(audio_blocks(path))
        except UserError as exc:
            failures.append((path, sentence(exc)))
            continue
        if speech is None:
            failures.append((path, f"{path} holds no speech to identify; choose a recording in which someone speaks."))
            continue
        if len(paths) > 1:
            print(f"==> {path} <==")
        for score in identifier.identify(speech, top_k=args.top, among=args.among):
            print(f"{score.code}\t{score.probability:.4f}")
    _check_outcome("identified", paths, failures)
    return 0


def run_speak(args: argparse.Namespace, ctx: Context) -> int:
    """Speak the text sentence by sentence, each written to the file (and played) as it is made."""
    from mms_desktop.core.audio import wav_writer
    from mms_desktop.core.base import decode_text
    from mms_desktop.core.synthesis import Synthesizer

    text = decode_text(sys.stdin.buffer.read(), "The standard input") if args.text == "-" else args.text
    if not text.strip():
        raise UserError("There is no text to speak; give some text.")
    if not args.output and not args.play:
        raise UserError("Say where the speech goes: -o FILE.wav to save it, --play to hear it, or both.")
    output = Path(args.output) if args.output else None
    if output is not None:
        if output.suffix.lower() != ".wav":
            raise UserError(f"{output} must be a .wav file.")
        new_output(output, [], args.replace)
        make_folder(output.parent)
    voice = ctx.store.resolve(args.voice, "voice") if args.voice else ctx.store.voice_dir(args.lang)
    synthesizer = Synthesizer.load(voice, ctx.settings.device)
    sentences = synthesizer.sentences(text, seed=args.seed)
    with contextlib.ExitStack() as stack:
        if output is not None:  # each sentence goes to the file as it is made: a book is never held in memory
            write = stack.enter_context(wav_writer(output, synthesizer.sample_rate))
            sentences = _written(sentences, write)
        if args.play:
            _play(sentences, synthesizer.sample_rate)
        else:
            collections.deque(sentences, maxlen=0)
    return 0


def _written(pieces: Iterator[Any], write: Callable[[Any], None]) -> Iterator[Any]:
    for piece in pieces:
        write(piece)
        yield piece


def _play(sentences: Iterator[Any], sample_rate: int) -> None:
    """Play the sentences as they are made and wait until the last has sounded."""
    import time

    from mms_desktop.core.audio import SoundDevicePlayer

    player = SoundDevicePlayer()
    try:
        player.play_stream(sentences, sample_rate)
        while player.playing:
            time.sleep(0.05)
    finally:
        player.stop()  # Ctrl-C included
