"""The tier files ELAN exchanges with its local recognizers (the AVATecH XML tier format).

A file holds one ``TIER`` whose ``columns`` attribute names it, and one ``span`` per annotation with its
``start`` and ``end`` (seconds with a decimal point, as ELAN writes them; ELAN reads a number without one
as milliseconds) and the value in ``v``. ELAN also writes several tiers as ``TIERS`` around ``TIER``s; both
are read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from mms_desktop.core.base import Segment, UserError, atomic_write_text


def _seconds(value: str | None, where: str) -> float:
    if value is None:
        raise UserError(f"The tier file {where} has an annotation without a time; give ELAN's own tier file.")
    try:
        number = float(value)
    except ValueError as exc:
        raise UserError(f"The tier file {where} has the time '{value}', which is not a number.") from exc
    return number if "." in value else number / 1000.0


def read_tier(path: str | os.PathLike[str]) -> list[Segment]:
    """The annotations of the first tier in ``path``, in time order (empty values kept as empty text).

    Raises:
        UserError: the file cannot be read or is not a tier file.
    """
    where = Path(path).name
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as exc:
        raise UserError(f"The tier file {where} cannot be read ({exc}); ask ELAN to write it again.") from exc
    tier = root if root.tag == "TIER" else root.find("TIER")
    if tier is None:
        raise UserError(f"{where} holds no TIER; it is not a tier file ELAN wrote.")
    segments = []
    for span in tier.iter("span"):
        start, end = _seconds(span.get("start"), where), _seconds(span.get("end"), where)
        value = span.find("v")
        text = " ".join((value.text or "").split()) if value is not None else ""
        segments.append(Segment(round(start, 3), round(end, 3), text))
    return sorted(segments, key=lambda s: (s.start, s.end))


def tier_name(name: str) -> str:
    """A tier name as the ``columns`` attribute holds it: ELAN splits the attribute at spaces."""
    return "_".join(name.split()) or "tier"


def render_tier(name: str, spans: Iterable[tuple[float, float, str]]) -> str:
    """One tier named ``name`` with ``(start, end, value)`` spans, in seconds."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<TIER xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:noNamespaceSchemaLocation="file:avatech-tier.xsd" columns={quoteattr(tier_name(name))}>',
    ]
    for start, end, value in spans:
        lines.append(f'    <span start="{start:.3f}" end="{end:.3f}"><v>{escape(value)}</v></span>')
    lines.append("</TIER>")
    return "\n".join(lines) + "\n"


def write_tier(path: str | os.PathLike[str], name: str, spans: Iterable[tuple[float, float, str]]) -> None:
    """Write one tier to ``path`` whole (a reader never sees half of it)."""
    atomic_write_text(Path(path), render_tier(name, spans))
