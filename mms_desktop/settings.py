"""Every setting, declared once with its type, default and description, and persisted as JSON.

The engine receives a plain :class:`Settings` object; only the composition root reads and writes the file.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from mms_desktop.core.fsutil import atomic_write_text

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2


@dataclass
class Settings:
    """User settings. Each field's metadata holds its description."""

    asr_repo: str = field(
        default="facebook/mms-1b-all",
        metadata={"help": "Speech recognition model repo (owner/name) in the store."},
    )
    lid_repo: str = field(
        default="facebook/mms-lid-126",
        metadata={"help": "Language identification model repo (owner/name) in the store."},
    )
    tts_repo_prefix: str = field(
        default="facebook/mms-tts-",
        metadata={"help": "Repo id prefix of the voices; the language code is appended."},
    )
    language: str = field(
        default="auto", metadata={"help": "Recognition language: an adapter name, or 'auto' to detect it."}
    )
    auto_among: list[str] = field(
        default_factory=list, metadata={"help": "Languages auto-detection may choose from (empty: all)."}
    )
    window_s: float = field(default=20.0, metadata={"help": "Seconds of new audio per recognition window."})
    context_s: float = field(default=2.0, metadata={"help": "Seconds of context on each side of a recognition window."})
    favourites: list[str] = field(
        default_factory=list, metadata={"help": "The user's own languages, listed first in the language chooser."}
    )
    input_device: str = field(default="", metadata={"help": "Microphone: part of its name (empty: the default)."})
    recordings_dir: str = field(
        default="", metadata={"help": "Folder where dictations are recorded (empty: Documents/MMS Desktop)."}
    )
    device: str = field(default="auto", metadata={"help": "Compute device: auto, cpu or cuda."})
    precision: str = field(
        default="auto", metadata={"help": "Model precision: auto, float32, bfloat16 or float16 (GPU only)."}
    )


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring settings written by an older version up to :data:`SCHEMA_VERSION`, one step per version.

    Version 2 added favourite languages: a user who had limited auto-detection to some languages gets
    those as favourites.
    """
    version = data.pop("schema_version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        log.warning("Settings were written by a newer version (%r); reading what is understood.", version)
        return data
    if version < 2 and "favourites" not in data and isinstance(data.get("auto_among"), list):
        data["favourites"] = list(data["auto_among"])
    return data


def load(path: Path) -> Settings:
    """Read settings, falling back to defaults for anything missing, unknown or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("Ignoring unreadable settings file %s: %s", path, exc)
        return Settings()
    data = _migrate(data if isinstance(data, dict) else {})
    known = {f.name: f for f in fields(Settings)}
    defaults = Settings()
    values = {}
    for name, value in data.items():
        if name in known and isinstance(value, type(getattr(defaults, name))):
            values[name] = value
        elif name in known:
            log.warning("Ignoring setting %s with a value of the wrong type: %r", name, value)
    return Settings(**values)


def save(settings: Settings, path: Path) -> None:
    """Write settings atomically (temp file, fsync, rename)."""
    payload = {"schema_version": SCHEMA_VERSION, **asdict(settings)}
    atomic_write_text(path, json.dumps(payload, indent=2))
