"""Every on-disk location the application uses, in one place.

The data directory comes from, in order: an explicit ``--data-dir``, the ``MMS_DESKTOP_HOME``
environment variable, a ``data`` folder beside a bundled executable that has a ``portable`` marker file
next to it, and the platform's user data directory. Tests point it at a temporary folder.

Files shipped with the application are found through :func:`resources_dir`, from a source checkout and
from a PyInstaller bundle alike; nothing depends on the current directory.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from mms_desktop.core.base import UserError

APP_NAME = "mms-desktop"
HOME_ENV = "MMS_DESKTOP_HOME"
PORTABLE_MARKER = "portable"


@dataclass(frozen=True)
class Paths:
    """Resolved locations; only the data folder itself is created at start (:meth:`create`)."""

    data: Path

    @property
    def store(self) -> Path:
        """Root of the language store (models, adapters, voices)."""
        return self.data / "store"

    @property
    def settings_file(self) -> Path:
        return self.data / "settings.json"

    @property
    def findings_file(self) -> Path:
        """What ``mms-desktop benchmark file`` measured here (the automatic precision follows it)."""
        return self.data / "benchmark.json"

    def create(self) -> None:
        """Create the data folder when it is missing (the folders inside are left to the code that writes there).

        Raises:
            UserError: it is a file, or it cannot be created (a file in its path, no permission).
        """
        if self.data.is_dir():
            return
        if self.data.exists():
            raise UserError(f"{self.data} is a file; name a folder for models and settings with --data-dir or "
                            f"{HOME_ENV}.")  # fmt: skip
        try:
            self.data.mkdir(parents=True)
        except OSError as exc:
            raise UserError(f"The folder {self.data} for models and settings could not be created ({exc.strerror}); "
                            f"name another with --data-dir or {HOME_ENV}.") from exc  # fmt: skip


def resolve(data_dir: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> Paths:
    """Work out the data directory.

    Args:
        data_dir: an explicit choice (the ``--data-dir`` option); wins over everything else.
        environ: the environment to read ``MMS_DESKTOP_HOME`` from; ``os.environ`` when None.
    """
    env = os.environ if environ is None else environ
    if data_dir:
        return Paths(Path(data_dir).expanduser().absolute())
    if env.get(HOME_ENV):
        return Paths(Path(env[HOME_ENV]).expanduser().absolute())
    portable = portable_home()
    if portable is not None:
        return Paths(portable)
    return Paths(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def portable_home() -> Path | None:
    """``<bundle>/data`` when a bundled executable has a ``portable`` marker file beside it, else None."""
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(sys.executable).resolve().parent
    return folder / "data" if (folder / PORTABLE_MARKER).exists() else None


def resources_dir() -> Path:
    """The folder of files shipped with the application (sample audio, bundled models, icons)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    installed = Path(__file__).resolve().parent / "resources"  # a wheel installs them inside the package
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "resources"  # a checkout, or an editable install of one


def recordings_dir(setting: str = "") -> Path:
    """Where dictations are recorded: the folder the user chose, else Documents/MMS Desktop (never a cache)."""
    if setting:
        return Path(setting).expanduser()
    return Path(platformdirs.user_documents_dir()) / "MMS Desktop"


def log_dir() -> Path:
    """Where the window writes its log file and crash reports (inside the data folder when portable)."""
    portable = portable_home()
    if portable is not None:
        return portable / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
