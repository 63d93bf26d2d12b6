"""ELAN's local-recognizer protocol, as ELAN speaks it.

ELAN starts the recognizer's command in the recognizer's own folder, writes the parameters to its standard
input as one XML document (``<PARAM>`` holding ``<param name="…">value</param>``, values XML-escaped; file
parameters are paths, tier parameters paths of tier files; an ``InvocationContext`` comes first) and closes
it. It reads standard output (standard error merged in) line by line: every line goes to the recognizer's
report, ``PROGRESS: <fraction> <message>`` moves its progress bar, and ``RESULT: DONE.`` or ``RESULT:
FAILED.`` ends the run. Cancelling destroys the process (SIGTERM on Linux and macOS). Written against ELAN
6.x's LocalRecognizer; nothing here has run inside ELAN itself.
"""

from __future__ import annotations

import sys
from typing import TextIO
from xml.etree import ElementTree

from mms_desktop.core.base import UserError

DONE, FAILED = "RESULT: DONE.", "RESULT: FAILED."


def read_params(stream: TextIO) -> dict[str, str]:
    """The parameters ELAN wrote to ``stream``, by name (an empty value is an empty string).

    Raises:
        UserError: the input is not ELAN's parameter document.
    """
    text = stream.read()
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise UserError(f"The recognizer was not given ELAN's parameters ({exc}); start it from ELAN.") from exc
    if root.tag != "PARAM":
        raise UserError("The recognizer was not given ELAN's parameters; start it from ELAN.")
    return {p.get("name", ""): (p.text or "").strip() for p in root.iter("param") if p.get("name")}


class Report:
    """Lines for ELAN: progress (never going back, as ELAN's bar does not), then one result."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.last = 0.0

    def progress(self, fraction: float, message: str = "") -> None:
        self.last = max(self.last, min(1.0, max(0.0, fraction)))
        line = f"PROGRESS: {self.last:.3f} {' '.join(message.split())}".rstrip()
        print(line, file=self.out, flush=True)

    def done(self, summary: str) -> None:
        print(summary, file=self.out, flush=True)
        print(DONE, file=self.out, flush=True)

    def failed(self, sentence: str) -> None:
        """One sentence in the report, then the result ELAN shows as a failure."""
        print(" ".join(sentence.split()), file=self.out, flush=True)
        print(FAILED, file=self.out, flush=True)
