"""Transcript files: plain text, JSON, SubRip and WebVTT subtitles, ELAN and Praat, chosen by format
name or file suffix, and the window's transcript kept on disk.
"""

from __future__ import annotations

from mms_desktop.core.formats import avatech, confidence, draft, eaf, jsonfmt, subtitles, textgrid
from mms_desktop.core.formats.draft import Draft
from mms_desktop.core.formats.registry import SUFFIXES, WRITERS, Tiers, load, load_tiers, render

__all__ = [
    "Draft",
    "SUFFIXES",
    "Tiers",
    "WRITERS",
    "avatech",
    "confidence",
    "draft",
    "eaf",
    "jsonfmt",
    "load",
    "load_tiers",
    "render",
    "subtitles",
    "textgrid",
]
