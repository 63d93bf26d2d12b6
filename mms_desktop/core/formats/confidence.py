"""Word confidences as the transcript formats store them: a number between 0 and 1 in a tier's text."""

from __future__ import annotations

import math


def number_or_certain(text: str) -> float:
    """A confidence read from a tier; anything that is not a number in [0, 1] (a linguist's note, a word
    typed in the wrong tier) counts as certain."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return 1.0
    return value if math.isfinite(value) and 0.0 <= value <= 1.0 else 1.0
