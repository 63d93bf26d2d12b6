"""Checks of numeric options that argparse cannot express, as one sentence each."""

from __future__ import annotations

from mms_desktop.core.errors import UserError


def require(option: str, value: float | None, minimum: float, maximum: float | None = None) -> None:
    """Accept ``value`` of ``--option`` when it is absent or within ``[minimum, maximum]``.

    Raises:
        UserError: it is outside, with the range in the sentence.
    """
    if value is None or (value >= minimum and (maximum is None or value <= maximum)):
        return
    if maximum is None:
        raise UserError(f"--{option} must be {minimum:g} or more.")
    raise UserError(f"--{option} must be between {minimum:g} and {maximum:g}.")
