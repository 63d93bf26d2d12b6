"""The network side of the language store: the upstream catalogue and verified downloads.

Only this module talks to the hub, through huggingface_hub, and only when the user asks to install
something or to refresh the catalogue.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mms_desktop.core.base import (
    LANGUAGE_LIST,
    Cancelled,
    Progress,
    StoreError,
    atomic_write_text,
    disk_full,
    git_blob_sha1,
    parse_json,
    sha256_file,
)
from mms_desktop.core.base import languages as lang
from mms_desktop.core.checkpoints import MASKS, MASKS_SOURCE, read_masks
from mms_desktop.core.store.installed import FAMILY_FILES, MODEL_FILES, FileRecord, LanguageStore, adapter_file

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]
CATALOGUE_FILE = "catalogue.json"
CATALOGUE_FAILED = "The list of languages could not be fetched"


@dataclass(frozen=True)
class RemoteFile:
    """A file upstream: its size and hash (sha256 for LFS files, the git blob id otherwise)."""

    name: str
    size: int
    sha256: str | None
    blob_id: str | None


@dataclass
class Catalogue:
    """What exists upstream: recognition adapters with their sizes, voices, identification models."""

    fetched_at: float = 0.0
    asr_revision: str = ""
    base_size: int = 0
    adapters: dict[str, int] = field(default_factory=dict)
    voices: list[str] = field(default_factory=list)
    lid_models: list[str] = field(default_factory=list)

    def languages(self) -> list[str]:
        return sorted(set(self.adapters) | set(self.voices))


def load_catalogue(store: LanguageStore) -> Catalogue | None:
    """The catalogue as last fetched, or None if it never was (works offline)."""
    try:
        catalogue = Catalogue(**parse_json((store.root / CATALOGUE_FILE).read_text(encoding="utf-8")))
        if not _well_formed(catalogue):
            raise TypeError("a field of the wrong type")
        return catalogue
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, RecursionError) as exc:
        log.warning("Ignoring unreadable catalogue: %s", exc)
        return None


def _well_formed(c: Catalogue) -> bool:
    """Whether every field of a catalogue read from disk has the type it is used as."""
    if not (isinstance(c.adapters, dict) and isinstance(c.voices, list) and isinstance(c.lid_models, list)):
        return False
    texts = [c.asr_revision, *c.voices, *c.lid_models, *c.adapters]
    sizes = [c.base_size, *c.adapters.values()]
    return (
        all(isinstance(t, str) for t in texts)
        and all(type(n) is int for n in sizes)
        and (type(c.fetched_at) in (int, float))
    )


class _ByteProgress:
    """Duck-typed progress bar handed to huggingface_hub: reports bytes and stops on cancel."""

    def __init__(self, report: Callable[[int], None], cancel: threading.Event | None, **_: Any):
        self._report = report
        self._cancel = cancel
        self.n = 0

    def __enter__(self) -> _ByteProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        self.n += n
        self._report(self.n)
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled()


class HubClient:
    """Catalogue and installs for one store, against the hub at ``endpoint`` (None: the default hub)."""

    def __init__(self, store: LanguageStore, endpoint: str | None = None, timeout: float = 30.0):
        from huggingface_hub import HfApi

        self.store = store
        self.endpoint = endpoint
        self.timeout = timeout
        self._api = HfApi(endpoint=endpoint)

    # -- catalogue -------------------------------------------------------------------------------

    def repo_files(self, repo_id: str, failed: str = "") -> tuple[str, dict[str, RemoteFile]]:
        """The commit and file list (with sizes and hashes) of a repo upstream (``failed``: how a failure
        begins its sentence, when this is part of other work)."""
        info = self._call(
            lambda: self._api.model_info(repo_id, files_metadata=True, timeout=self.timeout), repo_id, failed
        )
        files = {}
        for sibling in info.siblings or []:
            lfs = sibling.lfs
            files[sibling.rfilename] = RemoteFile(
                sibling.rfilename,
                int(lfs.size if lfs else sibling.size or 0),
                lfs.sha256 if lfs else None,
                sibling.blob_id,
            )
        return str(info.sha), files

    def refresh_catalogue(self, listings: dict[str, tuple[str, dict[str, RemoteFile]]] | None = None) -> Catalogue:
        """Fetch what exists upstream and cache it for offline use.

        Args:
            listings: receives the recognition repo's file list, so an install need not fetch it again.
        """
        repos = self.store.repos
        revision, files = self.repo_files(repos.asr, CATALOGUE_FAILED)
        if listings is not None:
            listings[repos.asr] = (revision, files)
        adapters = {
            name[len("adapter.") : -len(".safetensors")]: f.size
            for name, f in files.items()
            if name.startswith("adapter.") and name.endswith(".safetensors")
        }
        owner, _, stem = repos.tts_prefix.partition("/")
        voices = self._search(owner, stem)
        lid = sorted(f"{owner}/{name}" for name in self._search(owner, "mms-lid-", keep_prefix=True))
        catalogue = Catalogue(
            fetched_at=time.time(),
            asr_revision=revision,
            base_size=sum(files[n].size for n in MODEL_FILES if n in files),
            adapters=dict(sorted(adapters.items())),
            voices=sorted(v for v in voices if lang.is_valid_name(v)),
            lid_models=lid,
        )
        self.store.root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.store.root / "catalogue.json", json.dumps(asdict(catalogue), indent=1))
        return catalogue

    def _search(self, owner: str, prefix: str, keep_prefix: bool = False) -> list[str]:
        models = self._call(
            lambda: list(self._api.list_models(author=owner, search=prefix)), f"{owner}/{prefix}*", CATALOGUE_FAILED
        )
        names = [m.id.split("/", 1)[1] for m in models if m.id.startswith(f"{owner}/{prefix}")]
        return names if keep_prefix else [n[len(prefix) :] for n in names]

    # -- installs --------------------------------------------------------------------------------

    def install(
        self,
        names: Iterable[str],
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[str]:
        """Install languages (recognition adapter and voice, whichever exist) or whole repos by id.

        Everything to fetch is worked out first, so an unknown name, or too little room on the disk for it,
        fails before any download.

        Returns:
            the file names that were downloaded.

        Raises:
            StoreError: an unknown language, too little free space, a network failure or a file that fails
                its check.
            Cancelled: ``cancel`` was set; nothing partial is left installed.
        """
        listings: dict[str, tuple[str, dict[str, RemoteFile]]] = {}
        catalogue = self.refresh_catalogue(listings)
        plan: dict[str, list[str]] = {}  # per repo, each file once however many languages share it
        for name in names:
            for repo_id, filenames in self._plan_one(name, catalogue):
                wanted = plan.setdefault(repo_id, [])
                wanted += [n for n in filenames if n not in wanted]
        work = [(repo_id, self._missing(repo_id, files, listings.get(repo_id))) for repo_id, files in plan.items()]
        self.store.require_space(sum(f.size for _, (_, todo) in work for f in todo))
        fetched = []
        for repo_id, (revision, todo) in work:
            fetched += self._fetch(repo_id, revision, todo, progress, cancel)
            folder = self.store.repo_dir(repo_id)
            if MASKS_SOURCE in (f.name for f in todo):  # kept as JSON in the store, never unpickled
                read_masks(folder)
                self.store.record_files(folder, [MASKS])
        return fetched

    def _plan_one(self, name: str, catalogue: Catalogue) -> list[tuple[str, list[str]]]:
        repos = self.store.repos
        if "/" in name:
            _, files = self.repo_files(name)
            return [(name, [n for n in (*MODEL_FILES, *FAMILY_FILES) if n in files])]
        steps = []
        if name in catalogue.adapters:
            steps.append((repos.asr, [*MODEL_FILES, adapter_file(name)]))
        if name in catalogue.voices:
            steps.append((repos.voice(name), list(MODEL_FILES)))
        if not steps:
            raise StoreError(f"'{name}' is not a language MMS offers; see ", LANGUAGE_LIST, " for the codes.")
        return steps

    def _missing(
        self, repo_id: str, filenames: list[str], listing: tuple[str, dict[str, RemoteFile]] | None
    ) -> tuple[str, list[RemoteFile]]:
        """The repo's commit and those of ``filenames`` it offers that are not installed as offered.

        Args:
            listing: the repo's commit and file list when already fetched.
        """
        revision, remote = listing or self.repo_files(repo_id)
        have = self.store.installed_files(self.store.repo_dir(repo_id))
        return revision, [remote[n] for n in filenames if n in remote and not _matches(have.get(n), remote[n])]

    def _fetch(
        self,
        repo_id: str,
        revision: str,
        todo: list[RemoteFile],
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> list[str]:
        """Download the files of one repo, one at a time, each verified."""
        total = sum(f.size for f in todo)
        done = 0
        for f in todo:

            def report(n: int, before: int = done, f: RemoteFile = f) -> None:
                if progress is not None:
                    progress(Progress("download", before + n, total, f"{repo_id}/{f.name}"))

            self._download(repo_id, revision, f, report, cancel)
            done += f.size
        return [f.name for f in todo]

    def _download(
        self,
        repo_id: str,
        revision: str,
        remote: RemoteFile,
        report: Callable[[int], None],
        cancel: threading.Event | None,
    ) -> None:
        from huggingface_hub import hf_hub_download

        with self.store.staging() as staging:

            def bar(**kwargs: Any) -> _ByteProgress:
                return _ByteProgress(report, cancel, **kwargs)

            path = Path(
                self._call(
                    lambda: hf_hub_download(  # type: ignore[call-overload]
                        repo_id,
                        remote.name,
                        revision=revision,
                        local_dir=staging,
                        endpoint=self.endpoint,
                        tqdm_class=bar,
                        etag_timeout=self.timeout,
                    ),
                    f"{repo_id}/{remote.name}",
                )
            )
            record = _verify(path, remote, revision, repo_id)
            self.store.place(repo_id, remote.name, path, record)
        log.info("installed %s/%s (%d bytes)", repo_id, remote.name, remote.size)

    def _call(self, fn: Callable[[], Any], what: str, failed: str = "") -> Any:
        """Run a hub call, turning network and hub errors into one sentence for the user, which begins with
        ``failed`` (default: that downloading ``what`` failed)."""
        from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError

        try:
            return fn()
        except Cancelled:
            raise
        except RepositoryNotFoundError as exc:
            raise StoreError(f"{what} does not exist on the model hub; check the name.") from exc
        except EntryNotFoundError as exc:
            raise StoreError(f"{what} is not on the model hub; check the language code.") from exc
        except Exception as exc:  # the network boundary: httpx, HTTP and file errors alike
            log.debug("hub call for %s failed", what, exc_info=True)
            full = disk_full(exc)
            if full is not None:
                raise full from exc
            raise StoreError(
                f"{failed or f'Downloading {what} failed'} ({_reason(exc)}); check the network connection and "
                "try again."
            ) from exc


def _verify(path: Path, remote: RemoteFile, revision: str, repo_id: str) -> FileRecord:
    size = path.stat().st_size
    if size != remote.size:
        raise StoreError(f"{repo_id}/{remote.name} arrived incomplete ({size} of {remote.size} bytes); try again.")
    if remote.sha256 is not None:
        digest = sha256_file(path)
        if digest != remote.sha256:
            raise StoreError(f"{repo_id}/{remote.name} failed its checksum and was discarded; try again.")
        return FileRecord(size, sha256=digest, revision=revision)
    blob = git_blob_sha1(path)
    if remote.blob_id is not None and blob != remote.blob_id:
        raise StoreError(f"{repo_id}/{remote.name} failed its checksum and was discarded; try again.")
    return FileRecord(size, sha256=sha256_file(path), blob_id=blob, revision=revision)


def _matches(have: FileRecord | None, remote: RemoteFile) -> bool:
    if have is None or have.size != remote.size:
        return False
    if remote.sha256 is not None:
        return have.sha256 == remote.sha256
    return remote.blob_id is None or have.blob_id == remote.blob_id


def _reason(exc: BaseException) -> str:
    """Why a hub call failed, in words: a network that cannot be reached is said as such, never as an errno."""
    unreachable = isinstance(exc, OSError) or any(
        word in type(exc).__name__ for word in ("Connect", "Timeout", "Offline", "Network")
    )
    return "the model hub could not be reached" if unreachable or "Errno" in str(exc) else _short(exc)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
