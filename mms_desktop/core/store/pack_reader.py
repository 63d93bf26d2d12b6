"""Reading a language pack (folder, ``.tar``, ``.tar.gz`` or ``.zip``) without unpacking it.

The index is read on its own first, and each file the index lists is then read as a stream in the order
the pack holds it, so that an import writes only what the index declared. Nothing in a pack is trusted
as a path: every repo id and file name of the index must be a plain name, and an archive member is
used only when it is a regular file whose name the index lists.
"""

from __future__ import annotations

import contextlib
import json
import re
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from mms_desktop.core.base import StoreError, is_plain_name

INDEX = "mms-pack.json"
MAX_INDEX_BYTES = 1 << 20
# Weights hardly compress; an archive that claims to expand more than this is not a language pack.
MAX_EXPANSION = 20


@dataclass(frozen=True)
class Declared:
    """A file as the index declares it."""

    size: int
    sha256: str


class PackReader(Protocol):
    def index_text(self) -> str:
        """The index as text (at most MAX_INDEX_BYTES)."""
        ...

    def members(self, index: dict[str, dict[str, Declared]]) -> Iterator[tuple[str, str, BinaryIO]]:
        """``(repo, name, stream)`` for each file of ``index`` the pack holds, in the pack's order."""
        ...


def _limited(stream: BinaryIO) -> str:
    data = stream.read(MAX_INDEX_BYTES + 1)
    if len(data) > MAX_INDEX_BYTES:
        raise ValueError("index too large")
    return data.decode("utf-8")


class _Folder:
    def __init__(self, folder: Path):
        self.folder = folder

    def index_text(self) -> str:
        with open(self.folder / INDEX, "rb") as stream:
            return _limited(stream)

    def members(self, index: dict[str, dict[str, Declared]]) -> Iterator[tuple[str, str, BinaryIO]]:
        for repo, files in index.items():
            for name in files:
                path = self.folder / repo / name
                if path.is_file():
                    with open(path, "rb") as stream:
                        yield repo, name, stream


class _Zip:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive

    def index_text(self) -> str:
        with self.archive.open(INDEX) as stream:
            return _limited(stream)  # type: ignore[arg-type]

    def members(self, index: dict[str, dict[str, Declared]]) -> Iterator[tuple[str, str, BinaryIO]]:
        names = set(self.archive.namelist())
        for repo, files in index.items():
            for name in files:
                if f"{repo}/{name}" in names:
                    with self.archive.open(f"{repo}/{name}") as stream:
                        yield repo, name, stream  # type: ignore[misc]


class _Tar:
    """A tar read front to back (a compressed one cannot be read otherwise without decompressing twice)."""

    def __init__(self, archive: Path):
        self.archive = archive

    def _regular(self) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
        with tarfile.open(self.archive, "r:*") as tar:
            for member in tar:
                if member.isfile():
                    yield tar, member

    def index_text(self) -> str:
        for tar, member in self._regular():
            if member.name.removeprefix("./") == INDEX:
                stream = tar.extractfile(member)
                assert stream is not None  # a regular file
                return _limited(stream)  # type: ignore[arg-type]
        raise FileNotFoundError(INDEX)

    def members(self, index: dict[str, dict[str, Declared]]) -> Iterator[tuple[str, str, BinaryIO]]:
        seen: set[str] = set()
        for tar, member in self._regular():
            repo, _, name = member.name.removeprefix("./").rpartition("/")
            if name in index.get(repo, {}) and member.name not in seen:
                seen.add(member.name)
                stream = tar.extractfile(member)
                assert stream is not None
                yield repo, name, stream  # type: ignore[misc]


@contextlib.contextmanager
def pack_reader(source: Path) -> Iterator[PackReader]:
    """The reader for a pack folder or archive (by its suffix)."""
    if source.is_dir():
        yield _Folder(source)
    elif source.name.lower().endswith(".zip"):
        with zipfile.ZipFile(source) as archive:
            yield _Zip(archive)
    else:
        yield _Tar(source)


def read_index(pack: PackReader, source: Path) -> dict[str, dict[str, Declared]]:
    """The index's files by repo id, every name checked to be safe and every size and checksum well formed.

    Raises:
        StoreError: the pack has no index of this version, or it names something unsafe.
        OSError, tarfile.TarError, zipfile.BadZipFile: the archive itself cannot be read.
    """
    try:
        data = json.loads(pack.index_text())
        repos = data["repos"]
        if data.get("format") != 1 or not isinstance(repos, dict):
            raise ValueError("unknown format")
        index = {repo: _files(repo, files) for repo, files in repos.items()}
    except (FileNotFoundError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise StoreError(f"{source} is not a language pack (it has no readable {INDEX}).") from exc
    for repo, files in index.items():
        parts = repo.split("/")
        unsafe = [f"{repo}/{name}" for name in files if not is_plain_name(name)]
        if len(parts) != 2 or not all(is_plain_name(p) for p in parts) or unsafe:
            raise StoreError(f"{source} names an unsafe file ({(unsafe or [repo])[0]}); it was not imported.")
    return index


def _files(repo: object, files: object) -> dict[str, Declared]:
    if not isinstance(repo, str) or not isinstance(files, dict):
        raise TypeError("not a repo of files")
    declared = {}
    for name, meta in files.items():
        size, digest = meta["size"], meta["sha256"]
        if (
            type(size) is not int
            or size < 0
            or not isinstance(digest, str)
            or not re.fullmatch(r"[0-9a-f]{64}", digest)
        ):
            raise ValueError(f"bad record for {name}")
        declared[name] = Declared(size, digest)
    return declared
