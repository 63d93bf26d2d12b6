"""Errors a user can cause or fix, each carrying one sentence that says what to do."""

from __future__ import annotations

import errno
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Remedy:
    """Where the user goes to fix an error, which each front end names in its own words: the command line
    a command, the window a menu item.

    ``kind`` is ``install`` (install ``subject``, a language code or a model), ``languages`` (the list of
    language codes) or ``choose-language`` (naming the language instead of detecting it).
    """

    kind: str
    subject: str = ""


def install(subject: str) -> Remedy:
    return Remedy("install", subject)


LANGUAGE_LIST = Remedy("languages")
CHOOSE_LANGUAGE = Remedy("choose-language")
RemedyWords = Mapping[str, str]  # each remedy kind's words, ``{subject}`` standing for its subject

# The remedies as a Python program using the engine reads them.
PLAIN_WORDS: RemedyWords = {
    "install": "the language store (install {subject})",
    "languages": "the language store's list",
    "choose-language": "by naming it",
}


class UserError(Exception):
    """A problem the user can fix, said in one sentence.

    The sentence is text and :class:`Remedy` parts; ``str(error)`` words the remedies plainly, and a front
    end words them its own way with :meth:`say`, so that no front end reads another's wording.
    """

    def __init__(self, *parts: str | Remedy):
        self.parts = parts
        super().__init__(self.say(PLAIN_WORDS))

    def say(self, words: RemedyWords) -> str:
        """The sentence, with each remedy in ``words``."""
        return "".join(p if isinstance(p, str) else words[p.kind].format(subject=p.subject) for p in self.parts)

    @property
    def remedies(self) -> list[Remedy]:
        return [part for part in self.parts if isinstance(part, Remedy)]


class AudioError(UserError):
    """An audio file or buffer that cannot be used for recognition."""


class ModelError(UserError):
    """A model or language that is missing, incomplete or not loadable."""


class StoreError(UserError):
    """An install, removal, import or export that could not be done."""


class Cancelled(Exception):
    """Raised inside long work when the user asked it to stop; a transcription carries the ``partial``
    transcript it had found by then (None where there is nothing of the kind)."""

    def __init__(self, *args: object, partial: Any = None) -> None:
        super().__init__(*args)
        self.partial = partial


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
