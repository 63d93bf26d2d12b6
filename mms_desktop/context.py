"""What every part of the application needs: paths, settings and the language store, built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mms_desktop import findings
from mms_desktop import paths as paths_module
from mms_desktop import settings as settings_module
from mms_desktop.core.store import LanguageStore, Repos

if TYPE_CHECKING:
    from mms_desktop.core.engine import ModelHost


@dataclass
class Context:
    """Paths, settings and the store; ``bundled`` are the read-only model folders shipped with the app."""

    paths: paths_module.Paths
    settings: settings_module.Settings
    bundled: list[Path] = field(default_factory=lambda: [paths_module.resources_dir() / "models"])
    notice: str = ""  # what could not be used from the settings file, for the user
    store: LanguageStore = field(init=False)

    def __post_init__(self) -> None:
        self.apply_settings(self.settings)

    @classmethod
    def create(cls, data_dir: str | None, device: str | None, precision: str | None = None,
               bundled: list[Path] | None = None) -> Context:  # fmt: skip
        paths = paths_module.resolve(data_dir)
        paths.create()
        settings, notice = settings_module.read(paths.settings_file)
        if device:
            settings.device = device
        if precision:
            settings.precision = precision
        if bundled is None:
            return cls(paths, settings, notice=notice)
        return cls(paths, settings, bundled, notice=notice)

    def apply_settings(self, settings: settings_module.Settings) -> None:
        """Use new settings (the store follows the model choices in them)."""
        self.settings = settings
        repos = Repos(asr=settings.asr_repo, lid=settings.lid_repo, tts_prefix=settings.tts_repo_prefix)
        self.store = LanguageStore(self.paths.store, repos, bundled=self.bundled)

    def model_host(self) -> ModelHost:
        """The models of this store on the chosen device and precision, loaded on first use; on the CPU the
        automatic precision follows what ``benchmark file`` found fastest here."""
        from mms_desktop.core.engine import ModelHost  # the recognizer's modules: not for every start

        preference = findings.cpu_precision(self.paths.findings_file)
        settings = self.settings
        return ModelHost(self.store, settings.device, settings.precision, preference, settings.word_lists == "use")
