"""What a batch has done, kept in its output folder so that a run can stop at any moment and the next one
goes on from there.

``journal.csv`` gets one line per recording finished, appended and synced to the disk at once (a line a
crash cut short is ignored when read); ``manifest.csv`` holds the latest line per recording, rewritten
whole (atomically) at the end of every run, and ``manifest.parquet`` beside it where pyarrow is installed.

Threads: one writer (the batch's driver).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from mms_desktop.core.base import atomic_write_text

JOURNAL, MANIFEST = "journal.csv", "manifest.csv"


@dataclass(frozen=True)
class Row:
    """One recording's outcome. ``path`` is its place under the output folder (its key); ``settings`` sums
    up what its transcript depends on (model, precision, language, formats, windows)."""

    path: str
    source: str
    status: str  # "done" or "failed"
    language: str = ""
    duration_s: float = 0.0
    model: str = ""
    precision: str = ""
    seconds: float = 0.0
    error: str = ""
    sha256: str = ""
    size: int = 0
    mtime_ns: int = 0
    settings: str = ""

    @classmethod
    def read(cls, line: dict[str, str]) -> Row | None:
        """The row a journal line holds, or None where it is not whole."""
        kinds = {"float": float, "int": int, "str": str}
        if any(line.get(f.name) is None for f in fields(cls)):
            return None  # the line ends before its last fields
        try:
            values: dict[str, Any] = {f.name: kinds[str(f.type)](line[f.name]) for f in fields(cls)}
            return cls(**values)
        except (KeyError, TypeError, ValueError):
            return None


FIELDS = [f.name for f in fields(Row)]


class Ledger:
    """The journal and manifest of the batch writing into ``out``."""

    def __init__(self, out: Path):
        self.out = out
        self.journal = out / JOURNAL

    def rows(self) -> dict[str, Row]:
        """The latest row of each recording in the journal."""
        try:
            text = self.journal.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        latest: dict[str, Row] = {}
        for line in csv.DictReader(io.StringIO(text)):
            row = Row.read(line)
            if row is not None:
                latest[row.path] = row
        return latest

    def history(self) -> list[Row]:
        """Every row the journal holds, in the order they were written."""
        text = self.journal.read_text(encoding="utf-8") if self.journal.exists() else ""
        return [row for line in csv.DictReader(io.StringIO(text)) if (row := Row.read(line)) is not None]

    def append(self, row: Row) -> None:
        """Add ``row`` to the journal, on the disk before this returns."""
        self.out.mkdir(parents=True, exist_ok=True)
        new = not self.journal.exists() or self.journal.stat().st_size == 0
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, FIELDS, lineterminator="\n")
        if new:
            writer.writeheader()
        elif not self._ends_a_line():  # a line cut short by a crash ends here
            buffer.write("\n")
        writer.writerow(asdict(row))
        with open(self.journal, "a", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())

    def _ends_a_line(self) -> bool:
        with open(self.journal, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def write_manifest(self) -> list[str]:
        """Rewrite the manifest from the journal; the files written, and why Parquet was not, if it was not."""
        rows = sorted(self.rows().values(), key=lambda r: r.path)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
        atomic_write_text(self.out / MANIFEST, buffer.getvalue())
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            return [MANIFEST, "no manifest.parquet: pyarrow is not installed (pip install pyarrow)"]
        temporary = self.out / ".manifest.parquet.tmp"
        pq.write_table(pa.Table.from_pylist([asdict(r) for r in rows]), temporary)
        os.replace(temporary, self.out / "manifest.parquet")
        return [MANIFEST, "manifest.parquet"]
