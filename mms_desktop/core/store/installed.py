"""The language store: what is installed, where, and whether each file is complete and verified.

Layout under the store root::

    <owner>/<name>/                 one folder per model repo, in the Hugging Face file layout, so that
                                    ``from_pretrained`` and ``load_adapter`` find everything offline
    <owner>/<name>/.mms-store.json  manifest: every verified file with its size and hash
    catalogue.json                  what exists upstream, as last fetched
    .staging/                       downloads and imports in progress; never read as installed

A file is installed only when the manifest lists it and it is on disk with the listed size: a download
is moved into place after its hash was checked, and only then recorded.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mms_desktop.core.base import (
    ModelError,
    StoreError,
    atomic_write_text,
    human_size,
    install,
    is_plain_name,
    link_or_copy,
    parse_json,
    sha256_file,
)
from mms_desktop.core.base import languages as lang

log = logging.getLogger(__name__)

MANIFEST = ".mms-store.json"
# The files of a model repo the engine reads; weights only as safetensors, never pickles.
MODEL_FILES = (
    "config.json",
    "model.safetensors",
    "vocab.json",
    "tokenizer_config.json",
    "preprocessor_config.json",
    "special_tokens_map.json",
)
# What a model with one output head for every language has besides: its language masks (xlsr-56) or the
# list of languages it is offered for (Omnilingual)
FAMILY_FILES = ("lang_ids.pk", "languages.json")

SPARE_BYTES = 50_000_000  # left free after an install, for recordings and the rest of the system


@dataclass(frozen=True)
class FileRecord:
    """A verified file: its size and the hash it was checked against."""

    size: int
    sha256: str | None = None
    blob_id: str | None = None
    revision: str | None = None


@dataclass(frozen=True)
class Repos:
    """Which upstream repos the store serves (from the settings)."""

    asr: str = "facebook/mms-1b-all"
    lid: str = "facebook/mms-lid-126"
    tts_prefix: str = "facebook/mms-tts-"
    # The small bundled demonstration models, used while nothing else is installed.
    demo_asr: str = "mms-desktop/demo-asr"
    demo_lid: str = "mms-desktop/demo-lid"
    demo_tts_prefix: str = "mms-desktop/demo-tts-"

    def voice(self, name: str) -> str:
        return f"{self.tts_prefix}{name}"

    def demo_voice(self, name: str) -> str:
        return f"{self.demo_tts_prefix}{name}"


@dataclass(frozen=True)
class InstalledLanguage:
    """A language with something installed for it."""

    name: str
    recognition: bool
    voice: bool
    size: int
    bundled: bool = False  # all of it comes with the application (the demonstration pack): nothing to remove


def adapter_file(name: str) -> str:
    return f"adapter.{name}.safetensors"


def check_repo_id(repo_id: str) -> None:
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(is_plain_name(p) for p in parts):
        raise StoreError(f"'{repo_id}' is not a model name of the form owner/name.")


class LanguageStore:
    """Installed models and languages under one root folder, plus read-only bundled folders.

    Args:
        root: the store folder (created on first write).
        repos: the upstream repos of recognition, identification and voices.
        bundled: read-only folders in the same ``<owner>/<name>`` layout shipped with the application;
            consulted after ``root``.
    """

    def __init__(self, root: Path, repos: Repos = Repos(), bundled: Iterable[Path] = ()):
        self.root = root
        self.repos = repos
        self.bundled = [Path(b) for b in bundled]

    # -- folders and manifests -------------------------------------------------------------------

    def repo_dir(self, repo_id: str) -> Path:
        """The folder of ``repo_id`` in the writable store (which may not exist yet)."""
        check_repo_id(repo_id)
        return self.root / repo_id

    @property
    def word_lists_dir(self) -> Path:
        """The user's word lists (``words.<code>.txt``), which win over those shipped in a model folder."""
        return self.root / "wordlists"

    def _folders(self, repo_id: str) -> Iterator[Path]:
        yield self.repo_dir(repo_id)
        for base in self.bundled:
            yield base / repo_id

    def manifest(self, folder: Path) -> dict[str, FileRecord]:
        """Verified files of a repo folder (empty when nothing was installed there)."""
        try:
            files = parse_json((folder / MANIFEST).read_text(encoding="utf-8")).get("files", {})
            if not isinstance(files, dict) or not all(isinstance(r, dict) for r in files.values()):
                raise TypeError("its files are not records")
            return {name: FileRecord(**record) for name, record in files.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.warning("Manifest of %s is unreadable (%s); treating the folder as empty.", folder, exc)
            return {}

    def record(self, folder: Path, updates: dict[str, FileRecord | None]) -> None:
        """Add (or, with None, forget) files in a folder's manifest, atomically."""
        files = self.manifest(folder)
        for name, rec in updates.items():
            if rec is None:
                files.pop(name, None)
            else:
                files[name] = rec
        payload = {"files": {name: asdict(rec) for name, rec in sorted(files.items())}}
        atomic_write_text(folder / MANIFEST, json.dumps(payload, indent=1))

    def installed_files(self, folder: Path) -> dict[str, FileRecord]:
        """Files of the manifest that are really on disk with their recorded size."""
        result = {}
        for name, rec in self.manifest(folder).items():
            path = folder / name
            if path.is_file() and path.stat().st_size == rec.size:
                result[name] = rec
        return result

    def has(self, repo_id: str, filename: str | None = None) -> bool:
        """Whether a repo's model (or one file of it) is installed in the store or bundled."""
        return self.find(repo_id, filename) is not None

    def find(self, repo_id: str, filename: str | None = None) -> Path | None:
        """The folder that holds an installed model (with ``filename``, when given), or None."""
        for folder in self._folders(repo_id):
            files = self.installed_files(folder)
            needed = [filename] if filename else ["config.json", "model.safetensors"]
            if all(n in files for n in needed):
                return folder
        return None

    # -- what the user sees ----------------------------------------------------------------------

    def resolve(self, ref: str, what: str) -> Path:
        """A model reference from the user (a local folder or an installed repo id) to a folder.

        Raises:
            ModelError: neither a folder nor an installed model.
        """
        path = Path(ref).expanduser()
        if path.is_dir():
            return path
        if "/" in ref and not path.is_absolute() and len(ref.split("/")) == 2:
            folder = self.find(ref)
            if folder is not None:
                return folder
            raise ModelError(
                f"The {what} {ref} is not installed; install a language with ", install("CODE"),
                " or give a model folder.",
            )  # fmt: skip
        raise ModelError(f"The {what} '{ref}' is neither a folder nor a model name of the form owner/name.")

    def default_model(self, kind: str) -> Path:
        """The recognition (``asr``) or identification (``lid``) model to use when none is named:
        the installed MMS model, else the bundled demonstration model.

        Raises:
            ModelError: neither is present.
        """
        asr = kind == "asr"
        repo, demo = (self.repos.asr, self.repos.demo_asr) if asr else (self.repos.lid, self.repos.demo_lid)
        folder = self.find(repo) or self.find(demo)
        if folder is None:
            what = "speech recognition model" if asr else "language identifier"
            hint = ("a language with ", install("CODE")) if asr else ("it with ", install(repo))
            raise ModelError(f"No {what} is installed; install ", *hint, ".")
        return folder

    def voice_dir(self, name: str) -> Path:
        """The folder of the installed voice for a language, else of the bundled demonstration voice.

        Raises:
            ModelError: no voice is installed for it.
        """
        folder = self.find(self.repos.voice(name)) or self.find(self.repos.demo_voice(name))
        if folder is None:
            raise ModelError(f"No voice is installed for '{name}'; install it with ", install(name), ".")
        return folder

    def installed(self) -> list[InstalledLanguage]:
        """Every language with a recognition adapter or a voice installed, by name."""
        found: dict[str, dict[str, Any]] = {}
        # Recognition languages are those of the model used when none is named: the installed MMS model,
        # or the demonstration pack while there is none (so the list matches what `transcribe` accepts).
        asr_folder = self.find(self.repos.asr) or self.find(self.repos.demo_asr)
        shipped = asr_folder is not None and not asr_folder.is_relative_to(self.root)
        if asr_folder is not None:
            for fname, rec in self.installed_files(asr_folder).items():
                if fname.startswith("adapter.") and fname.endswith(".safetensors"):
                    name = fname[len("adapter.") : -len(".safetensors")]
                    entry = found.setdefault(name, {"recognition": False, "voice": False, "size": 0})
                    if not entry["recognition"]:
                        entry.update(recognition=True, size=entry["size"] + rec.size, bundled=shipped)
        for base, prefix in self._voice_places():
            owner, _, stem = prefix.partition("/")
            for folder in sorted((base / owner).glob(f"{stem}*")) if (base / owner).is_dir() else []:
                name = folder.name[len(stem) :]
                files = self.installed_files(folder)
                if "model.safetensors" in files and lang.is_valid_name(name):
                    entry = found.setdefault(name, {"recognition": False, "voice": False, "size": 0})
                    if not entry["voice"]:
                        entry.update(
                            voice=True,
                            size=entry["size"] + sum(r.size for r in files.values()),
                            bundled=entry.get("bundled", True) and base != self.root,
                        )
        return [InstalledLanguage(name, **found[name]) for name in sorted(found)]

    def _voice_places(self) -> Iterator[tuple[Path, str]]:
        """Where voices are looked for, in the order :meth:`voice_dir` prefers them: installed MMS voices,
        bundled ones, then the bundled demonstration voices."""
        for base in [self.root, *self.bundled]:
            yield base, self.repos.tts_prefix
        for base in self.bundled:
            yield base, self.repos.demo_tts_prefix

    def remove(self, names: Iterable[str]) -> list[str]:
        """Remove the adapters and voices of languages, or whole models named ``owner/name`` (a model with
        one head for every language, say); returns what was removed.

        Raises:
            StoreError: a language or model is not installed in the writable store.
        """
        removed = []
        for name in names:
            if "/" in name:
                folder = self.repo_dir(name)
                if not folder.is_dir():
                    raise StoreError(f"The model {name} is not installed, so there is nothing to remove.")
                shutil.rmtree(folder)
                removed.append(name)
                continue
            did = False
            asr = self.repo_dir(self.repos.asr)
            if adapter_file(name) in self.installed_files(asr):
                self.record(asr, {adapter_file(name): None})
                (asr / adapter_file(name)).unlink(missing_ok=True)
                did = True
            voice = self.repo_dir(self.repos.voice(name))
            if voice.is_dir():
                shutil.rmtree(voice)
                did = True
            if not did and any(lang.name == name for lang in self.installed()):
                raise StoreError(f"'{name}' comes with the application's demonstration pack and cannot be removed.")
            if not did:
                raise StoreError(f"'{name}' is not installed, so there is nothing to remove.")
            removed.append(name)
        return removed

    # -- writing files ---------------------------------------------------------------------------

    def writable_model(self, folder: Path) -> Path:
        """A folder of the writable store holding the model in ``folder``, copied there if it is bundled.

        New adapters must sit next to their base, and bundled folders are read-only.
        """
        for base in self.bundled:
            if folder.is_relative_to(base):
                target = self.root / folder.relative_to(base)
                if not self.installed_files(target):
                    target.mkdir(parents=True, exist_ok=True)
                    for name, rec in self.installed_files(folder).items():
                        shutil.copyfile(folder / name, target / name)
                        self.record(target, {name: rec})
                return target
        return folder

    def record_files(self, folder: Path, names: Iterable[str]) -> None:
        """Record files written in place (a trained adapter, an updated vocabulary) as installed."""

        self.record(folder, {n: FileRecord((folder / n).stat().st_size, sha256=sha256_file(folder / n)) for n in names})

    def require_space(self, nbytes: int) -> None:
        """Raises StoreError unless the disk that holds the store has room for ``nbytes`` more, with
        SPARE_BYTES left over for recordings and everything else.

        Checked before a download or an import starts, so that the disk is not filled to the last byte and
        the user learns it at once rather than after a long download.
        """

        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        if nbytes and nbytes + SPARE_BYTES > free:
            raise StoreError(f"This needs {human_size(nbytes + SPARE_BYTES)} of free space on the disk that holds "
                             f"{self.root} ({human_size(nbytes)} to install, the rest to spare), and it has "
                             f"{human_size(free)}; free some space and try again.")  # fmt: skip

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A private folder for work in progress, removed afterwards whatever happens."""
        base = self.root / ".staging"
        base.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=base))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def place_reference(self, repo_id: str, filename: str, blob: Path, rec: FileRecord) -> None:
        """Install a verified file that stays where it is (the Hugging Face cache) by linking to it."""
        if not is_plain_name(filename):
            raise StoreError(f"Refusing the file name '{filename}' of {repo_id}.")
        folder = self.repo_dir(repo_id)
        folder.mkdir(parents=True, exist_ok=True)
        self.record(folder, {filename: None})
        (folder / filename).unlink(missing_ok=True)
        link_or_copy(blob, folder / filename)
        self.record(folder, {filename: rec})

    def place(self, repo_id: str, filename: str, source: Path, rec: FileRecord) -> None:
        """Move a verified file into its repo folder and only then record it as installed."""
        if not is_plain_name(filename):
            raise StoreError(f"Refusing the file name '{filename}' of {repo_id}.")
        folder = self.repo_dir(repo_id)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / filename
        self.record(folder, {filename: None})  # never leave a stale record over a file being replaced
        os.chmod(source, 0o644)
        os.replace(source, target)
        self.record(folder, {filename: rec})
