"""The loaded models of one running program, shared by every front end."""

from __future__ import annotations

from mms_desktop.core.engine.host import ModelHost

__all__ = ["ModelHost"]
