"""Models a user already downloaded with Hugging Face tools, installed by reference from the standard cache.

The cache keeps a repository as ``models--<owner>--<name>/`` with ``snapshots/<revision>/<file>`` links
into ``blobs/``, each blob named by its content's hash (sha256 for files in LFS, the git object id for
the others). Installing from it checks every file against that name, as a download is checked against
the hub's hash, and links it into the store instead of copying it: 3.9 GB are not written twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mms_desktop.core.base import Progress, StoreError, git_blob_sha1, sha256_file
from mms_desktop.core.store.installed import MODEL_FILES, FileRecord, LanguageStore, check_repo_id

PREFIX = "models--"


def default_cache() -> Path:
    """The standard Hugging Face cache of this user (``HF_HUB_CACHE``, else under ``HF_HOME``)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    return Path(home) / "hub"


def snapshot_of(path: Path) -> tuple[str, Path] | None:
    """The repo id and snapshot folder when ``path`` is a repository of the Hugging Face cache
    (``models--owner--name``, its ``main`` snapshot then) or one of its snapshots; else None."""
    path = path.absolute()
    if path.parent.name == "snapshots" and path.parent.parent.name.startswith(PREFIX):
        return _repo_id(path.parent.parent), path
    if not path.name.startswith(PREFIX) or not (path / "snapshots").is_dir():
        return None
    try:
        revision = (path / "refs" / "main").read_text(encoding="utf-8").strip()
    except OSError:
        revision = ""
    snapshots = sorted((p for p in (path / "snapshots").iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    chosen = path / "snapshots" / revision if revision and (path / "snapshots" / revision).is_dir() else None
    return (_repo_id(path), chosen or snapshots[-1]) if chosen or snapshots else None


def _repo_id(folder: Path) -> str:
    return folder.name[len(PREFIX) :].replace("--", "/", 1)


def cached_repos(cache: Path | None = None) -> list[str]:
    """The model repositories the standard cache holds a snapshot of."""
    cache = cache or default_cache()
    if not cache.is_dir():
        return []
    return sorted(_repo_id(p) for p in cache.glob(f"{PREFIX}*") if snapshot_of(p) is not None)


def _wanted(name: str) -> bool:
    return name in MODEL_FILES or (name.startswith(("adapter.", "words.")) and name.count(".") >= 2)


def install_from_cache(
    store: LanguageStore, path: Path, progress: Callable[[Progress], None] | None = None
) -> list[str]:
    """Install the model of a Hugging Face cache folder into the store by reference, every file checked.

    Returns:
        ``repo/file`` names installed.

    Raises:
        StoreError: ``path`` is not a repository of the cache, a file in it is damaged or missing (nothing of
            it is installed then), or the store cannot link to it.
    """
    found = snapshot_of(path)
    if found is None:
        raise StoreError(f"{path} is not a model in the Hugging Face cache (a models--OWNER--NAME folder).")
    repo_id, snapshot = found
    check_repo_id(repo_id)
    files = sorted(f for f in snapshot.iterdir() if _wanted(f.name))
    if not any(f.name == "model.safetensors" for f in files):
        raise StoreError(f"{snapshot} has no model.safetensors; download the model completely first.")
    checked = []
    for n, file in enumerate(files, start=1):
        blob = file.resolve()
        if not blob.is_file():
            raise StoreError(f"{file.name} of {repo_id} in the Hugging Face cache is missing; download it again.")
        digest = sha256_file(blob)  # the git object id is computed only for a blob not named by its sha256
        if blob.name != digest and blob.name != git_blob_sha1(blob):
            raise StoreError(
                f"{file.name} of {repo_id} in the Hugging Face cache is damaged (its checksum does not "
                "match); download it again."
            )
        checked.append((file.name, blob, FileRecord(blob.stat().st_size, sha256=digest)))
        if progress is not None:
            progress(Progress("checking", n, len(files), file.name))
    for name, blob, record in checked:
        store.place_reference(repo_id, name, blob, record)
    return [f"{repo_id}/{name}" for name, _, _ in checked]
