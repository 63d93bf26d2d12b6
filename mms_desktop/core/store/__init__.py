"""The language store: installed models and their verified files, the hub and its catalogue, language
packs for machines with no network, and models already in the Hugging Face cache.
"""

from __future__ import annotations

from mms_desktop.core.store import hf_cache
from mms_desktop.core.store.hf_cache import cached_repos, default_cache
from mms_desktop.core.store.hub import HubClient, load_catalogue
from mms_desktop.core.store.installed import MODEL_FILES, SPARE_BYTES, FileRecord, LanguageStore, Repos, check_repo_id
from mms_desktop.core.store.known_models import KNOWN_MODELS, KnownModel, known_model
from mms_desktop.core.store.listing import LanguageEntry, language_entries
from mms_desktop.core.store.packs import export_pack, import_pack

__all__ = [
    "KNOWN_MODELS",
    "KnownModel",
    "known_model",
    "FileRecord",
    "HubClient",
    "LanguageEntry",
    "LanguageStore",
    "MODEL_FILES",
    "Repos",
    "SPARE_BYTES",
    "cached_repos",
    "check_repo_id",
    "default_cache",
    "export_pack",
    "hf_cache",
    "import_pack",
    "language_entries",
    "load_catalogue",
]
