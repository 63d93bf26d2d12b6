"""The window's transcript kept on disk, so that closing the window or a crash loses no text.

A draft is the text as the user sees it (edits included) with the timed segments behind it (what Export
writes), in one JSON file written atomically. :class:`DraftWriter` writes on a thread of its own, so that a
slow disk never stalls the window; a newer draft replaces one that is still waiting.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from mms_desktop.core.errors import UserError
from mms_desktop.core.events import Segment, Transcript
from mms_desktop.core.formats import jsonfmt
from mms_desktop.core.fsutil import atomic_write_text

log = logging.getLogger(__name__)
FORMAT = "mms-desktop draft"


@dataclass(frozen=True)
class Draft:
    text: str
    language: str = ""
    segments: tuple[Segment, ...] = ()


def dumps(draft: Draft) -> str:
    end = draft.segments[-1].end if draft.segments else 0.0
    transcript = jsonfmt.to_dict(Transcript(draft.language, end, draft.segments))
    return json.dumps({"format": FORMAT, "version": 1, "text": draft.text, "transcript": transcript},
                      ensure_ascii=False)  # fmt: skip


def load(path: Path) -> Draft | None:
    """The draft kept in ``path``, or None when there is none.

    Raises:
        UserError: the file cannot be read as a draft; it has been renamed (nothing is deleted) and the
            sentence names where it now is.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a draft")
        transcript = jsonfmt.from_dict(data["transcript"])
        return Draft(str(data["text"]), transcript.language, transcript.segments)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        aside = path.with_name(f"{path.stem}-unreadable-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
        log.warning("the kept text %s is unreadable (%s); moving it to %s", path, exc, aside)
        try:
            path.replace(aside)
        except OSError:
            raise UserError(f"The text kept from last time ({path}) could not be read; it was left there.") from exc
        raise UserError(f"The text kept from last time could not be read; it was set aside as {aside}.") from exc


class DraftWriter:
    """Writes drafts to ``path`` on a background thread, the latest one only; an empty text removes the file.

    A failed write is logged and retried with the next draft, so the window keeps working when the disk
    is full; :attr:`error` holds the last failure until a write succeeds.
    """

    def __init__(self, path: Path):
        self.path = path
        self.error: OSError | None = None
        self._pending: Draft | None = None
        self._closed = False
        self._busy = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="draft-writer", daemon=True)
        self._thread.start()

    def put(self, draft: Draft) -> None:
        """Keep ``draft``; returns at once."""
        with self._cond:
            self._pending = draft
            self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every draft put so far is on disk (or failed); False when ``timeout`` ran out."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def close(self, timeout: float = 10.0) -> bool:
        """Write what is pending, then stop the thread."""
        done = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        return done

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._pending is None:
                    return
                draft, self._pending, self._busy = self._pending, None, True
            try:
                self._write(draft)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _write(self, draft: Draft) -> None:
        try:
            if draft.text.strip():
                atomic_write_text(self.path, dumps(draft))
            else:
                self.path.unlink(missing_ok=True)
            self.error = None
        except OSError as exc:
            log.warning("could not keep the text in %s: %s", self.path, exc)
            self.error = exc
