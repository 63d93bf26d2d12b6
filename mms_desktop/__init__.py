"""MMS Desktop: offline speech recognition, language identification and read-aloud on Meta's MMS models.

``from mms_desktop import Engine`` is the way in from Python (see :mod:`mms_desktop.api`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mms_desktop.api import Engine

__version__ = "0.1.0"
__all__ = ["Engine", "__version__"]


def __getattr__(name: str) -> object:
    """``Engine``, imported when first asked for: the command line starts without the engine's modules."""
    if name == "Engine":
        from mms_desktop.api import Engine

        return Engine
    raise AttributeError(f"module 'mms_desktop' has no attribute '{name}'")
