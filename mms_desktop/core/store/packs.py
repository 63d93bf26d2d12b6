"""Language packs: installed languages exported to a folder or archive, and imported with no network.

A pack is a folder (or a ``.tar``, ``.tar.gz`` or ``.zip`` of one) holding ``mms-pack.json`` and the
files under ``<owner>/<name>/``. The index lists every file with its size and sha256; import checks
each one before it is placed in the store, so a damaged pack installs nothing damaged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from mms_desktop.core.base import Progress, StoreError, atomic_write_text
from mms_desktop.core.checkpoints import MASKS
from mms_desktop.core.store import hf_cache
from mms_desktop.core.store.installed import FAMILY_FILES, MODEL_FILES, FileRecord, LanguageStore, adapter_file
from mms_desktop.core.store.pack_reader import INDEX, MAX_EXPANSION, Declared, PackReader, pack_reader, read_index

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".zip")
ProgressCallback = Callable[[Progress], None]


def _is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def pack_contents(store: LanguageStore, names: Iterable[str]) -> dict[str, dict[str, FileRecord]]:
    """The repo files that make up the given languages or repo ids, with their records.

    Raises:
        StoreError: a name has nothing installed.
    """
    contents: dict[str, dict[str, FileRecord]] = {}

    def add(repo_id: str, wanted: Iterable[str]) -> bool:
        folder = store.find(repo_id)
        if folder is None:
            return False
        files = store.installed_files(folder)
        chosen = {n: files[n] for n in wanted if n in files}
        contents.setdefault(repo_id, {}).update(chosen)
        return bool(chosen)

    for name in names:
        if "/" in name:  # a whole model, with what its family has besides (language masks, its languages)
            found = add(name, [*MODEL_FILES, *FAMILY_FILES, MASKS])
        else:
            asr = store.repos.asr
            has_adapter = store.has(asr, adapter_file(name)) and add(asr, [*MODEL_FILES, adapter_file(name)])
            found = has_adapter | add(store.repos.voice(name), MODEL_FILES)
        if not found and store.find(store.repos.demo_asr, adapter_file(name)) is not None:
            raise StoreError(f"'{name}' comes with the demonstration pack that every copy of MMS Desktop has, "
                             "so it needs no export; export languages you installed or trained.")  # fmt: skip
        if not found:
            raise StoreError(f"'{name}' is not installed, so it cannot be exported.")
    return contents


def export_pack(
    store: LanguageStore, names: Iterable[str], dest: Path, progress: ProgressCallback | None = None
) -> Path:
    """Write the languages to ``dest``: a new folder, or an archive when its name ends in an archive suffix.

    Raises:
        StoreError: nothing to export, or ``dest`` exists already.
    """
    contents = pack_contents(store, names)
    if dest.exists() and not (dest.is_dir() and not any(dest.iterdir())):
        raise StoreError(f"{dest} already exists; choose a new name for the pack.")
    index = {
        "format": 1,
        "repos": {
            repo: {name: {"size": rec.size, "sha256": rec.sha256} for name, rec in files.items()}
            for repo, files in contents.items()
        },
    }
    total = sum(rec.size for files in contents.values() for rec in files.values())
    done = 0
    sources = []
    for repo, files in contents.items():
        folder = store.find(repo)
        assert folder is not None
        sources += [(folder / name, f"{repo}/{name}", rec.size) for name, rec in files.items()]
    if _is_archive(dest):
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.part")
        _write_archive(tmp, json.dumps(index, indent=1), sources, progress, total)
        tmp.replace(dest)
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    for source, arcname, size in sources:
        (dest / arcname).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest / arcname)
        done += size
        if progress:
            progress(Progress("export", done, total, arcname))
    atomic_write_text(dest / INDEX, json.dumps(index, indent=1))
    return dest


def _write_archive(
    path: Path, index: str, sources: list[tuple[Path, str, int]], progress: ProgressCallback | None, total: int
) -> None:
    done = 0
    index_file = path.with_name(f".{path.name}.index")
    index_file.write_text(index, encoding="utf-8")
    try:
        if path.name.endswith(".zip.part"):
            with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                zf.write(index_file, INDEX)
                for source, arcname, size in sources:
                    zf.write(source, arcname)
                    done += size
                    if progress:
                        progress(Progress("export", done, total, arcname))
        else:
            mode = "w:gz" if path.name.endswith((".tar.gz.part", ".tgz.part")) else "w"
            with tarfile.open(path, mode) as tf:  # type: ignore[call-overload]
                tf.add(index_file, INDEX)
                for source, arcname, size in sources:
                    tf.add(source, arcname)
                    done += size
                    if progress:
                        progress(Progress("export", done, total, arcname))
    finally:
        index_file.unlink(missing_ok=True)


def import_pack(store: LanguageStore, source: Path, progress: ProgressCallback | None = None) -> list[str]:
    """Install every file of a pack folder or archive, each checked against the pack's index.

    The index is read first and checked (names that stay inside the store, sizes, checksums), then the free
    space and, for an archive, how much it claims to expand; only then are the files it lists copied, each
    cut off at its declared size. A hostile archive (a bomb, names that climb out of the store, links)
    therefore writes nothing beyond what the index declared, and nothing is left of a refused one.

    A repository of the Hugging Face cache (``models--owner--name`` or one of its snapshots) is installed
    by reference instead (see :mod:`~mms_desktop.core.store.hf_cache`).

    Returns:
        ``repo/file`` names that were installed.

    Raises:
        StoreError: the pack is missing, not a pack, too large for the free space on the disk, claims more
            than an archive of its size can hold, or a file in it is damaged (nothing damaged is kept).
    """
    if not source.exists():
        raise StoreError(f"{source} does not exist; give the folder or archive of a language pack.")
    if hf_cache.snapshot_of(source) is not None:  # downloaded with Hugging Face tools: linked, not copied
        return hf_cache.install_from_cache(store, source, progress)
    if source.is_file() and not _is_archive(source):
        raise StoreError(f"{source} is not a language pack (a folder, .tar, .tar.gz or .zip).")
    try:
        with pack_reader(source) as pack:
            index = read_index(pack, source)
            total = sum(meta.size for files in index.values() for meta in files.values())
            if source.is_file() and total > MAX_EXPANSION * source.stat().st_size + (1 << 20):
                raise StoreError(
                    f"{source} claims {total} bytes of files in a {source.stat().st_size}-byte "
                    "archive, more than a language pack can hold; it was not imported."
                )
            store.require_space(total)
            return _install(store, pack, index, total, progress, source)
    except OSError as exc:
        raise StoreError(
            f"{source} could not be read ({exc.strerror or exc}); it may be damaged or not fully "
            "copied, so copy it again."
        ) from exc
    except (EOFError, zlib.error, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise StoreError(
            f"{source} could not be read as a .tar, .tar.gz or .zip archive; it may be damaged or "
            "not fully copied, so copy it again."
        ) from exc


def _install(
    store: LanguageStore,
    pack: PackReader,
    index: dict[str, dict[str, Declared]],
    total: int,
    progress: ProgressCallback | None,
    source: Path,
) -> list[str]:
    """Copy and check every file of ``index`` into staging, then place them all: a pack that turns out to
    be damaged or cut short installs nothing."""
    done, checked = 0, dict[str, tuple[str, str, Path, Declared]]()
    with store.staging() as staging:
        for repo, name, stream in pack.members(index):
            meta = index[repo][name]
            copy = staging / str(len(checked))
            if _copy_capped(stream, copy, meta.size) != meta.sha256:
                raise StoreError(
                    f"{repo}/{name} in the pack is damaged (its checksum does not match); export it again."
                )
            checked[f"{repo}/{name}"] = (repo, name, copy, meta)
            done += meta.size
            if progress:
                progress(Progress("import", done, total, f"{repo}/{name}"))
        missing = [
            f"{repo}/{name}" for repo, files in index.items() for name in files if f"{repo}/{name}" not in checked
        ]
        if missing:
            raise StoreError(
                f"{source} lacks {missing[0]}; it may be damaged or not fully copied, so copy it again "
                "(nothing was installed)."
            )
        for repo, name, copy, meta in checked.values():
            store.place(repo, name, copy, FileRecord(meta.size, sha256=meta.sha256))
    return list(checked)


def _copy_capped(stream: BinaryIO, target: Path, size: int, chunk: int = 1 << 20) -> str:
    """Copy ``stream`` to ``target`` and return its sha256, writing at most ``size`` bytes: a member longer
    than the index says gets a digest that cannot match (nothing past its size is written)."""
    digest, left = hashlib.sha256(), size
    with open(target, "wb") as out:
        while left >= 0 and (block := stream.read(min(chunk, left + 1))):
            left -= len(block)
            block = block if left >= 0 else block[: len(block) + left]
            digest.update(block)
            out.write(block)
    return digest.hexdigest() if left == 0 else ""
