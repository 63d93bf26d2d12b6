"""``mms-desktop languages``: list, install, remove, export and import languages."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from mms_desktop.cli.reporting import Reporter
from mms_desktop.context import Context


def add_commands(sub: Any) -> None:
    p = sub.add_parser("languages", help="the language store: list, install, remove, export, import")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list", help="languages installed and (from the catalogue) available")
    a.add_argument("--installed", action="store_true", help="only what is installed")
    a.set_defaults(run=run_list)
    a = actions.add_parser("models", help="the recognition models of each family: licence, size, languages")
    a.set_defaults(run=run_models)
    a = actions.add_parser("refresh", help="fetch the catalogue of available languages (uses the network)")
    a.set_defaults(run=run_refresh)
    a = actions.add_parser("install", help="download languages (or an owner/name model) from the hub")
    a.add_argument("names", nargs="+", metavar="CODE")
    a.set_defaults(run=run_install)
    a = actions.add_parser("remove", help="remove installed languages")
    a.add_argument("names", nargs="+", metavar="CODE")
    a.set_defaults(run=run_remove)
    a = actions.add_parser("export", help="write installed languages to a folder or .tar/.tar.gz/.zip")
    a.add_argument("names", nargs="+", metavar="CODE")
    a.add_argument("path", metavar="PATH")
    a.set_defaults(run=run_export)
    a = actions.add_parser("import", help="install a language pack from a folder or archive")
    a.add_argument("path", metavar="PATH")
    a.set_defaults(run=run_import)


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.base import human_size
    from mms_desktop.core.store import language_entries

    entries, have_catalogue = language_entries(ctx.store, installed_only=args.installed)
    for e in entries:
        print(f"{e.code}\t{e.name}\t{e.state}\t{human_size(e.size)}")
    if not args.installed and not have_catalogue:
        print("(only installed languages are shown; run `mms-desktop languages refresh` to see all)", file=sys.stderr)
    if not entries and args.installed:
        print("(nothing is installed yet; see `mms-desktop languages install CODE`)", file=sys.stderr)
    _say_where_models_are(ctx)
    return 0


def run_models(args: argparse.Namespace, ctx: Context) -> int:
    """The public checkpoints of each family, and whether each is installed."""
    from mms_desktop.core.base import human_size
    from mms_desktop.core.store import KNOWN_MODELS

    for m in KNOWN_MODELS:
        state = "installed" if m.on_the_hub and ctx.store.find(m.name) else "not installed"
        print(f"{m.name}\t{m.family}\t{m.licence}\t{human_size(m.size)}\t{m.languages} languages\t{state}")
        if m.note:
            print(f"\t({m.note})")
    return 0


def _say_before_download(names: list[str]) -> None:
    """The family, licence and size of each whole model asked for, said before it downloads."""
    from mms_desktop.core.base import human_size
    from mms_desktop.core.store import known_model

    for name in names:
        known = known_model(name) if "/" in name else None
        if known is not None:
            print(f"{known.name}: {known.family}, {known.licence} licence, about {human_size(known.size)}, "
                  f"{known.languages} languages.", file=sys.stderr)  # fmt: skip


def _say_where_models_are(ctx: Context) -> None:
    """Where each model in use lives, and the models of the Hugging Face cache that could be installed
    from it without a download."""
    from mms_desktop.core.store import cached_repos, default_cache

    for repo in (ctx.store.repos.asr, ctx.store.repos.lid, ctx.store.repos.demo_asr, ctx.store.repos.demo_lid):
        folder = ctx.store.find(repo)
        if folder is not None:
            model = folder / "model.safetensors"
            linked = f" (linked from {model.resolve().parent})" if model.is_symlink() else ""
            print(f"(model {repo}: {folder}{linked})", file=sys.stderr)
    for repo in cached_repos():
        if not ctx.store.has(repo):
            path = default_cache() / f"models--{repo.replace('/', '--')}"
            print(
                f"({repo} is in the Hugging Face cache: `mms-desktop languages import {path}` installs it without "
                "copying it)",
                file=sys.stderr,
            )


def run_refresh(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.store import HubClient

    catalogue = HubClient(ctx.store).refresh_catalogue()
    print(
        f"{len(catalogue.adapters)} recognition languages, {len(catalogue.voices)} voices, "
        f"{len(catalogue.lid_models)} language identifiers available."
    )
    return 0


def run_install(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.store import HubClient

    _say_before_download(args.names)
    with Reporter() as reporter:
        fetched = HubClient(ctx.store).install(args.names, progress=reporter, cancel=threading.Event())
    print(f"Installed {', '.join(args.names)} ({len(fetched)} files downloaded).")
    return 0


def run_remove(args: argparse.Namespace, ctx: Context) -> int:
    removed = ctx.store.remove(args.names)
    print(f"Removed {', '.join(removed)}.")
    return 0


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.store import export_pack

    with Reporter() as reporter:
        dest = export_pack(ctx.store, args.names, Path(args.path), progress=reporter)
    print(f"Exported {', '.join(args.names)} to {dest}.")
    return 0


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    from mms_desktop.core.store import import_pack

    with Reporter() as reporter:
        files = import_pack(ctx.store, Path(args.path), progress=reporter)
    print(f"Imported {len(files)} files from {args.path}.")
    return 0
