"""Checks of options that argparse cannot express, as one sentence each: numeric ranges, and output files
that must not replace anything the user keeps."""

from __future__ import annotations

import os
from pathlib import Path

from mms_desktop.core.base import UserError

REPLACE_HELP = "write over output files that exist already (they are kept otherwise)"
UNSURE_HELP = (
    "with --lang auto: a language identified with a probability under P is called unsure and the recording is "
    "not transcribed (default 0.5; 0 always takes the likeliest)"
)


def require(option: str, value: float | None, minimum: float, maximum: float | None = None) -> None:
    """Accept ``value`` of ``--option`` when it is absent or within ``[minimum, maximum]``.

    Raises:
        UserError: it is outside, with the range in the sentence.
    """
    if value is None or (value >= minimum and (maximum is None or value <= maximum)):
        return
    if maximum is None:
        raise UserError(f"--{option} must be {minimum:g} or more.")
    raise UserError(f"--{option} must be between {minimum:g} and {maximum:g}.")


def output_paths(output: str | None, inputs: list[str], suffix: str, replace: bool = False,
                 folder: bool = False) -> list[Path | None]:  # fmt: skip
    """Where each input's transcript goes: standard output (None), the file ``output``, or a file named
    after each input in the folder ``output``, created if needed. ``output`` names a folder with several
    inputs, when ``folder`` says so (the inputs came from a folder), when it is one, or when it ends in a
    path separator.

    Checked before any work, so that nothing is lost: no transcript may replace an input, two inputs may
    not share a transcript, and no existing file is replaced (it may be a transcript the user corrected)
    unless ``replace`` says so.

    Raises:
        UserError: any of these, or a folder that cannot be created.
    """
    if output is None:
        return [None] * len(inputs)
    out = Path(output)
    if len(inputs) == 1 and not folder and not out.is_dir() and not output.endswith(("/", os.sep)):
        targets = [out]
    else:
        if out.exists() and not out.is_dir():
            raise UserError(f"{out} is a file, and the transcripts need a folder; name one with -o.")
        targets = [out / (Path(name).stem + suffix) for name in inputs]
    seen: dict[Path, str] = {}
    for name, target in zip(inputs, targets, strict=True):
        new_output(target, inputs, replace)
        if target.resolve() in seen:
            raise UserError(f"{seen[target.resolve()]} and {name} would both be transcribed into {target}; "
                            "rename one, or transcribe them separately.")  # fmt: skip
        seen[target.resolve()] = name
    make_folder(targets[0].parent)
    return list(targets)


def new_output(target: Path, inputs: list[str], replace: bool) -> None:
    """Raises UserError when ``target`` cannot take a command's output: it is one of the files the command
    reads, a folder, or (unless ``replace``) a file that exists already."""
    for name in inputs:
        if target.resolve() == Path(name).resolve():
            raise UserError(f"{target} is one of the files being read and would be replaced; choose another "
                            "name with -o.")  # fmt: skip
    if target.is_dir():
        raise UserError(f"{target} is a folder; give a file name with -o.")
    if target.exists() and not replace:
        raise UserError(f"{target} already exists; add --replace to write over it, or choose another name with -o.")


def make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) for output, before the work whose output goes there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"The folder {folder} could not be created ({exc.strerror}); choose another place.") from exc
