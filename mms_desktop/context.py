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
        return cls(paths, settings, _store(paths, settings))

    def apply_settings(self, settings: settings_module.Settings) -> None:
        """Use new settings (the store follows the model choices in them)."""
        self.settings = settings
        self.store = _store(self.paths, settings)


def _store(paths: paths_module.Paths, settings: settings_module.Settings) -> LanguageStore:
    repos = Repos(asr=settings.asr_repo, lid=settings.lid_repo, tts_prefix=settings.tts_repo_prefix)
    return LanguageStore(paths.store, repos, bundled=[paths_module.resources_dir() / "models"])
