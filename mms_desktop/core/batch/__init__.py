"""Archives at scale: many recordings transcribed into a folder, resumably, by worker processes that each
load the models once. What is done is kept in a journal in the output folder, so that a batch stopped at
any moment goes on where it was.
"""

from __future__ import annotations

from mms_desktop.core.batch.ledger import JOURNAL, MANIFEST, Ledger, Row
from mms_desktop.core.batch.runner import (
    Models,
    Task,
    default_workers,
    plan,
    remove_unfinished,
    run_local,
    settings_key,
    work,
)
from mms_desktop.core.batch.sources import Recording, recordings

__all__ = [
    "JOURNAL",
    "MANIFEST",
    "Ledger",
    "Models",
    "Recording",
    "Row",
    "Task",
    "default_workers",
    "plan",
    "recordings",
    "remove_unfinished",
    "run_local",
    "settings_key",
    "work",
]
