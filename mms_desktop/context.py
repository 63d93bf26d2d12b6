"""What every part of the application needs: paths, settings and the language store, built once."""

from __future__ import annotations

from dataclasses import dataclass

from mms_desktop import paths as paths_module
from mms_desktop import settings as settings_module
from mms_desktop.core.store import LanguageStore, Repos


@dataclass
class Context:
    paths: paths_module.Paths
    settings: settings_module.Settings
    store: LanguageStore

    @classmethod
    def create(cls, data_dir: str | None, device: str | None, precision: str | None = None) -> Context:
        paths = paths_module.resolve(data_dir)
        settings = settings_module.load(paths.settings_file)
        if device:
            settings.device = device
        if precision:
            settings.precision = precision
        repos = Repos(asr=settings.asr_repo, lid=settings.lid_repo, tts_prefix=settings.tts_repo_prefix)
        bundled = [paths_module.resources_dir() / "models"]
        return cls(paths, settings, LanguageStore(paths.store, repos, bundled=bundled))
