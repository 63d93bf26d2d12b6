"""A session's log: dated notes about its recordings (a recording that clipped, for one), appended to
``session-log.txt`` in the session's folder and synced at once, so that a note is never lost."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

LOG = "session-log.txt"


def note(folder: Path, line: str) -> Path:
    """Append ``line`` with the date and time to the log of the session in ``folder``; the log's path."""
    path = folder / LOG
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{stamp}  {' '.join(line.split())}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path
