"""Errors a user can cause or fix, each carrying one sentence that says what to do."""


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
