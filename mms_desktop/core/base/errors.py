"""Errors a user can cause or fix, each carrying one sentence that says what to do."""

from __future__ import annotations

import errno


class UserError(Exception):
    """A problem the user can fix; ``str(error)`` is one sentence meant for them."""


class AudioError(UserError):
    """An audio file or buffer that cannot be used for recognition."""


class ModelError(UserError):
    """A model or language that is missing, incomplete or not loadable."""


class StoreError(UserError):
    """An install, removal, import or export that could not be done."""


class Cancelled(Exception):
    """Raised inside long work when the user asked it to stop."""


def disk_full(error: BaseException) -> UserError | None:
    """The sentence for a disk that filled up (or a quota reached) anywhere in the work that raised ``error``,
    or None when that is not what happened."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            where = f" ({seen.filename})" if seen.filename else ""
            return UserError(f"The disk is full{where}; free some space and try again.")
        seen = seen.__cause__ or seen.__context__
    return None
