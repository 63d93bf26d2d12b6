"""How much material to teach a language from: advice that quotes the figures it rests on.

Two sources: what MMS's own adapters were trained on (readings of the New Testament, about 32 hours per
language on average, as Meta reports for its MMS-lab data), and what ``benchmark material`` measured when
the demonstration model was taught a language it had never heard from a few amounts of speech, tested on
voices and words it was not taught (kept in :data:`FIGURES`, in the program's resources).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

FIGURES = "teaching-material.json"
USEFUL_WER = 0.5  # held-out word errors under this make a first draft worth correcting by hand
MMS_HOURS = 32  # MMS-lab's average of labelled speech per language


def material_advice(minutes: float, figures: Path) -> str:
    """One paragraph: how ``minutes`` of material compares with what is advisable, and why."""
    measured = _read(figures)
    points = sorted(measured.get("points", []), key=lambda p: p["minutes"]) if measured else []
    have = f"This material holds {minutes:.1f} min of speech."
    stock = f"MMS's own adapters were each trained on about {MMS_HOURS} hours of read speech."
    if not points:
        return f"{have} More speech, from several speakers, gives better results. {stock}"
    amounts = " / ".join(f"{p['minutes']:g}" for p in points)
    cers = " / ".join(f"{p['cer']:.0%}" for p in points)
    wers = " / ".join(f"{p['wer']:.0%}" for p in points)
    when = measured.get("measured", "")
    here = (
        f"Taught from {amounts} min of speech, the demonstration model made {cers} character errors and {wers} "
        f"word errors on voices and words it had not been taught (benchmark material, {when})."
    )
    enough = next((p["minutes"] for p in points if p["wer"] < USEFUL_WER), None)
    if enough is None:
        advice = "More speech, from several speakers, gives better results."
    elif minutes < enough:
        advice = f"Bring at least {enough:g} min, from several speakers, for a first draft worth correcting."
    else:
        advice = "That is enough for a first draft worth correcting; more, from several speakers, keeps helping."
    return f"{have} {advice} {here} {stock}"


def _read(path: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}
