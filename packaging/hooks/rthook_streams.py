"""Runtime hook: a windowed bundle has no console, so sys.stdout and sys.stderr are None; anything that
writes to them (libraries printing warnings, progress bars) must find a harmless sink instead."""

import os
import sys

for name in ("stdout", "stderr"):
    if getattr(sys, name) is None:
        setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
