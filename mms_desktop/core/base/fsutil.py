"""Small file-system helpers shared by everything that must not leave half-written files."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mms_desktop.core.base.errors import Cancelled, UserError


def is_plain_name(name: object) -> bool:
    """Whether ``name`` (read from a file a user may have been given) can become one file or folder name
    inside a folder and nothing else: text, not empty, not ``.`` or ``..``, no separator of any system,
    no NUL, not hidden."""
    return (
        isinstance(name, str)
        and bool(name)
        and not name.startswith(".")
        and not any(c in name for c in "/\\\0:")
        and name == name.strip()
    )


def parse_json(text: str | bytes) -> Any:
    """``json.loads``, with JSON nested too deeply for the parser (a hostile or broken file) refused as a
    ValueError, like any other text that is not JSON, instead of a RecursionError."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def decode_text(data: bytes, source: str) -> str:
    """Text a user gave (a file or standard input), which must be UTF-8 (a byte-order mark is allowed): the
    one rule for every text MMS Desktop reads, so that no character is silently dropped or replaced.

    Raises:
        UserError: ``data`` is not UTF-8 text, saying how to make it so.
    """
    if b"\0" in data:
        raise UserError(
            f"{source} is not UTF-8 text (it looks like UTF-16 or a binary file); save it as UTF-8 "
            "text and give it again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{source} is not UTF-8 text (byte {exc.start + 1} is not); save it as UTF-8, which every "
            "text editor offers, and give it again."
        ) from exc


def read_text_file(path: Path) -> str:
    """The UTF-8 text of the file at ``path`` (see :func:`decode_text`).

    Raises:
        UserError: it cannot be read, or is not UTF-8 text.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path} could not be read ({exc.strerror or exc}); check the file name.") from exc
    return decode_text(data, str(path))


def save_text(path: Path, text: str) -> None:
    """:func:`atomic_write_text` for a file the user chose, a failure told in one sentence.

    Raises:
        UserError: the file could not be written.
    """
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise UserError(f"{path} could not be written ({exc.strerror}); choose another place.") from exc


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see either the old file or the whole new one."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, fsync it, rename it into place, and fsync the
    folder (where the system allows), so that after a power cut the file is the old one or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def copy_verified(source: Path, target: Path, copied: Callable[[int], None] | None = None,
                  cancel: threading.Event | None = None, chunk: int = 1 << 22) -> str:  # fmt: skip
    """Copy ``source`` to ``target`` (which must not exist) so that ``target`` appears only once it is whole and
    read back equal to the original; returns its sha256.

    Args:
        copied: told the bytes copied so far, after each chunk.
        cancel: checked after each chunk; nothing of the copy is left when it is set.

    Raises:
        Cancelled: ``cancel`` was set.
        OSError: the copy failed, or read back different from the original (EIO).
    """

    digest, done = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-", suffix=".part")
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            while block := src.read(chunk):
                digest.update(block)
                dst.write(block)
                done += len(block)
                if copied is not None:
                    copied(done)
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
            dst.flush()
            os.fsync(dst.fileno())
        if sha256_file(Path(tmp)) != digest.hexdigest():
            raise OSError(errno.EIO, "the copy read back different from the original", str(target))
        os.chmod(tmp, 0o644)
        if target.exists():  # appeared meanwhile: never replaced
            raise FileExistsError(errno.EEXIST, "a file of that name appeared meanwhile", str(target))
        os.replace(tmp, target)  # a rename, where the file systems of USB sticks have no hard links
    finally:
        Path(tmp).unlink(missing_ok=True)
    _sync_folder(target.parent)
    return digest.hexdigest()


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` made to stand for ``source`` without writing its bytes again where the file system allows:
    a symbolic link, else a hard link, else a copy."""
    try:
        target.symlink_to(source)
        return
    except OSError:
        pass
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


SIDE_FOLDER = ".mms-desktop"  # the hidden folder beside the user's files that holds what the program keeps about them


def side_file(path: Path, suffix: str = "") -> Path:
    """Where the program keeps a file about ``path`` (a recording's description, a transcript's previous
    version; ``suffix`` is added to its name): in the hidden folder beside it, out of the way of the user and
    of the tools (ELAN, Praat) that open the folder."""
    return path.parent / SIDE_FOLDER / (path.name + suffix)


def set_aside(path: Path) -> Path:
    """Rename a file that cannot be read to ``<name>-unreadable-<time><suffix>`` beside it, so that nothing
    written over it later destroys what the user may still want; returns the new path.

    Raises:
        OSError: it could not be renamed.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside, n = path.with_name(f"{path.stem}-unreadable-{stamp}{path.suffix}"), 2
    while aside.exists():  # two set aside within a second: neither replaces the other
        aside, n = path.with_name(f"{path.stem}-unreadable-{stamp}-{n}{path.suffix}"), n + 1
    path.replace(aside)
    return aside


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; Windows cannot open folders for this (NTFS logs renames)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network shares) refuse it; the file itself was synced
    finally:
        os.close(fd)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def git_blob_sha1(path: Path, chunk: int = 1 << 20) -> str:
    """The git object id of a file: what the hub reports for files that are not stored in LFS."""
    digest = hashlib.sha1()
    digest.update(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
