"""``mms-desktop words``: the word lists that recognition keeps to, per language."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mms_desktop.context import Context
from mms_desktop.core.base import UserError


def add_commands(sub: Any) -> None:
    p = sub.add_parser("words", help="word lists: recognize a language in a closed set of words")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="use a text file of words (one per line) for a language")
    a.add_argument("lang", metavar="CODE")
    a.add_argument("file", metavar="FILE")
    a.set_defaults(run=run_add)
    a = actions.add_parser("remove", help="stop using your word list for a language")
    a.add_argument("lang", metavar="CODE")
    a.set_defaults(run=run_remove)
    a = actions.add_parser("list", help="the languages that have a word list")
    a.set_defaults(run=run_list)


def _vocabularies(ctx: Context) -> tuple[Path, dict[str, dict[int, str]]]:
    """The default recognition model's folder and each language's ``{id: token}``."""
    from mms_desktop.cli.models import host
    from mms_desktop.core.checkpoints import read_vocab
    from mms_desktop.core.recognition import available_languages

    folder = host(ctx).recognizer_dir()
    vocab = read_vocab(folder)
    return folder, {lang: {i: t for t, i in vocab[lang].items()} for lang in available_languages(folder)}


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.base import check_name
    from mms_desktop.core.recognition import wordlist

    check_name(args.lang)
    _, vocabularies = _vocabularies(ctx)
    if args.lang not in vocabularies:
        raise UserError(
            f"'{args.lang}' is not installed for recognition; "
            f"install it first with `mms-desktop languages install {args.lang}`."
        )
    listed = wordlist.install(Path(args.file), args.lang, vocabularies[args.lang], ctx.store.word_lists_dir)
    weighted = ", the frequent ones first where the sound allows either" if listed.counts else ""
    print(f"{args.lang}: recognition now keeps to your {len(listed.words)} words{weighted}.")
    if ctx.settings.word_lists != "use":
        print("Word lists are set to 'ignore'; set them to 'use' in the settings to apply it.")
    return 0


def run_remove(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.recognition import wordlist

    path = ctx.store.word_lists_dir / wordlist.file_name(args.lang)
    if not path.is_file():
        raise UserError(f"You have no word list for '{args.lang}'; `mms-desktop words list` shows those in use.")
    path.unlink()
    print(f"{args.lang}: your word list is removed.")
    return 0


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.recognition import wordlist

    folder, vocabularies = _vocabularies(ctx)
    found = False
    for lang, id_to_token in vocabularies.items():
        path = wordlist.find(lang, [ctx.store.word_lists_dir, folder])
        if path is None:
            continue
        listed = wordlist.read_words(path.read_text(encoding="utf-8"), id_to_token)
        source = "yours" if path.parent == ctx.store.word_lists_dir else "shipped with the model"
        counts = " with counts" if listed.counts else ""
        print(f"{lang}\t{len(listed.words)} words{counts}\t{source}\t{path}")
        found = True
    if not found:
        print("No language has a word list; add one with `mms-desktop words add CODE FILE`.")
    return 0
