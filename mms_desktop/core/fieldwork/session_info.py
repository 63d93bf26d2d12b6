"""A field session's metadata: the session, its speakers, and what makes them valid and archive-safe."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mms_desktop.core.base import UserError, is_valid_name
from mms_desktop.core.synthesis import romanize


def safe_name(text: str) -> str:
    """An archive-safe name: other scripts romanized, accents folded, anything but letters, digits, ``-`` and
    ``_`` made ``-``."""
    if any(ord(c) > 0x24F and c.isalpha() for c in text):
        text = romanize(text)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", folded).strip("-_")
    return name[:60] or "session"


@dataclass
class Speaker:
    id: str
    name: str = ""


@dataclass
class SessionInfo:
    """What a linguist records about a session."""

    id: str
    title: str
    language: str = ""  # ISO 639-3 code (or an adapter name), empty when the language has none
    language_name: str = ""  # free text, for languages without a code
    date: str = field(default_factory=lambda: date.today().isoformat())
    place: str = ""
    recorder: str = ""
    equipment: str = ""
    consent: str = ""
    access: str = ""
    description: str = ""
    speakers: list[Speaker] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Any) -> SessionInfo:
        """The metadata as read from a session file; keys it does not know (from a newer version, or added
        by hand) are left out here and kept in the file by :meth:`Project.save`.

        Raises:
            ValueError: ``data`` is not session metadata (not an object, no id and title, a value of the
                wrong type), with what is wrong.
        """
        if not isinstance(data, dict):
            raise ValueError("it does not hold an object of named values")
        known = {f.name for f in dataclasses.fields(cls)} - {"speakers"}
        values = {key: value for key, value in data.items() if key in known}
        wrong = [key for key, value in values.items() if not isinstance(value, str)]
        missing = [key for key in ("id", "title") if key not in values]
        if wrong or missing:
            raise ValueError(f"'{(wrong or missing)[0]}' is {'not text' if wrong else 'missing'}")
        speakers = data.get("speakers", [])
        if not isinstance(speakers, list) or not all(
            isinstance(s, dict) and isinstance(s.get("id"), str) and isinstance(s.get("name", ""), str)
            for s in speakers
        ):
            raise ValueError("'speakers' is not a list of speakers with an id and a name")
        return cls(**values, speakers=[Speaker(s["id"], s.get("name", "")) for s in speakers])


def problem(info: SessionInfo) -> str | None:
    """One sentence about what must change in a session's metadata, or None when it can be saved."""

    if not info.title.strip():
        return "Give the session a title."
    if info.language and not is_valid_name(info.language):
        return f"'{info.language}' is not an ISO 639-3 code; leave it empty and fill in the language name instead."
    if not info.language and not info.language_name.strip():
        return "Give the language: its ISO 639-3 code, or its name if it has no code."
    if not _is_date(info.date):
        return f"'{info.date}' is not a date; write it as YYYY-MM-DD (or YYYY-MM, or YYYY), or leave it empty."
    if any(not s.id.strip() for s in info.speakers):
        return "Every speaker needs an ID, such as SP1."
    if len({s.id for s in info.speakers}) != len(info.speakers):
        return "Two speakers have the same ID; give each speaker a different one."
    return None


def check(info: SessionInfo) -> None:
    """Raises UserError with :func:`problem`'s sentence when the metadata cannot be saved."""
    wrong = problem(info)
    if wrong:
        raise UserError(wrong)


def _is_date(text: str) -> bool:
    """Whether ``text`` is empty or a calendar date, month or year in ISO 8601 form."""
    if not text:
        return True
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return False
    year, month, day = (int(part) for part in (text + "-01-01")[:10].split("-"))
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
