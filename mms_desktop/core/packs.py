"""Language packs: installed languages exported to a folder or archive, and imported with no network.

A pack is a folder (or a ``.tar``, ``.tar.gz`` or ``.zip`` of one) holding ``mms-pack.json`` and the
files under ``<owner>/<name>/``. The index lists every file with its size and sha256; import checks
each one before it is placed in the store, so a damaged pack installs nothing damaged.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

from mms_desktop.core.errors import StoreError
from mms_desktop.core.events import Progress
from mms_desktop.core.fsutil import atomic_write_text, sha256_file
from mms_desktop.core.store import MODEL_FILES, FileRecord, LanguageStore, adapter_file

INDEX = "mms-pack.json"
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
        if "/" in name:
            found = add(name, MODEL_FILES)
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

    Returns:
        ``repo/file`` names that were installed.

    Raises:
        StoreError: the pack is missing, not a pack, too large for the free space on the disk, or a file in
            it is damaged (nothing damaged is kept).
    """
    if not source.exists():
        raise StoreError(f"{source} does not exist; give the folder or archive of a language pack.")
    with store.staging() as staging:
        folder = source
        if source.is_file():
            if not _is_archive(source):
                raise StoreError(f"{source} is not a language pack (a folder, .tar, .tar.gz or .zip).")
            folder = staging / "pack"
            _extract(source, folder)
        index = _read_index(folder)
        total = sum(int(f["size"]) for files in index.values() for f in files.values())
        store.require_space(total)
        done, installed = 0, []
        for repo, files in index.items():
            for name, meta in files.items():
                _place_checked(store, folder, repo, name, meta, staging)
                done += int(meta["size"])
                installed.append(f"{repo}/{name}")
                if progress:
                    progress(Progress("import", done, total, f"{repo}/{name}"))
    return installed


def _place_checked(store: LanguageStore, folder: Path, repo: str, name: str, meta: dict, staging: Path) -> None:
    path = folder / repo / name
    if not path.is_file():
        raise StoreError(f"The pack lacks {repo}/{name}; export it again.")
    copy = staging / "file"
    shutil.copyfile(path, copy)
    digest = sha256_file(copy)
    if copy.stat().st_size != int(meta["size"]) or digest != meta["sha256"]:
        copy.unlink()
        raise StoreError(f"{repo}/{name} in the pack is damaged (its checksum does not match); export it again.")
    store.place(repo, name, copy, FileRecord(int(meta["size"]), sha256=digest))


def _read_index(folder: Path) -> dict[str, dict[str, dict]]:
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
        repos = data["repos"]
        if data.get("format") != 1 or not isinstance(repos, dict):
            raise ValueError("unknown format")
        return repos
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{folder} is not a language pack (it has no readable {INDEX}).") from exc


def _extract(archive: Path, dest: Path) -> None:
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise StoreError(f"{archive} holds an unsafe path ({member}); it was not imported.")
                zf.extractall(dest)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(dest, filter="data")
    except (tarfile.ReadError, tarfile.CompressionError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise StoreError(f"{archive} could not be read as a .tar, .tar.gz or .zip archive; it may be damaged or "
                         "not fully copied, so copy it again.") from exc  # fmt: skip
    except (tarfile.TarError, OSError) as exc:
        raise StoreError(f"{archive} could not be unpacked ({exc}); it may be damaged.") from exc
