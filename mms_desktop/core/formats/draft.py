"""The window's transcript kept on disk, so that closing the window or a crash loses no text.

A draft is the text as the user sees it (edits included) with the timed segments behind it (what Export
writes), in one JSON file written atomically.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from mms_desktop.core.base import Transcript, UserError, atomic_write_text, parse_json, set_aside
from mms_desktop.core.formats import jsonfmt

log = logging.getLogger(__name__)
FORMAT = "mms-desktop draft"


@dataclass(frozen=True)
class Draft:
    """The text as shown, and the transcript (language, timed segments) behind it."""

    text: str
    transcript: Transcript = Transcript("", 0.0)


def dumps(draft: Draft) -> str:
    transcript = jsonfmt.to_dict(draft.transcript)
    return json.dumps({"format": FORMAT, "version": 1, "text": draft.text, "transcript": transcript},
                      ensure_ascii=False)  # fmt: skip


def load(path: Path) -> Draft | None:
    """The draft kept in ``path``, or None when there is none.

    Raises:
        UserError: the file cannot be read as a draft; it has been renamed (nothing is deleted) and the
            sentence names where it now is.
    """
    try:
        data = parse_json(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a draft")
        return Draft(str(data["text"]), jsonfmt.from_dict(data["transcript"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        log.warning("the kept text %s is unreadable (%s); setting it aside", path, exc)
        try:
            aside = set_aside(path)
        except OSError:
            raise UserError(f"The text kept from last time ({path}) could not be read; it was left there.") from exc
        raise UserError(f"The text kept from last time could not be read; it was set aside as {aside}.") from exc


def save(path: Path, draft: Draft) -> None:
    """Keep ``draft`` in ``path`` (atomically); an empty text removes the file."""
    if draft.text.strip():
        atomic_write_text(path, dumps(draft))
    else:
        path.unlink(missing_ok=True)
