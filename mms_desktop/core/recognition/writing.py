"""Dictated words as written text: a capital at the start of a sentence, the script's end mark after each
utterance, the space (or line) between utterances, and spoken commands ("comma", "new line", "scratch
that") turned into what they mean.

The recognizer gives lower-case words without punctuation. What each script writes lives in
:data:`CONVENTIONS` and what each language says for a command in :data:`COMMANDS`: two data tables, so a
language or a script is added by adding a row, not a branch. A script that is not in the table gets words
and spaces only, never a mark it may not use.

Threads: a :class:`DictatedText` belongs to one dictation and is used from one thread.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Convention:
    """How a script writes sentences: its end mark ("" where it has none), comma and question mark, whether
    it has capitals, and what joins its words ("" where words are not spaced, as in Chinese)."""

    end: str
    comma: str
    question: str
    capitals: bool
    space: str = " "


_EUROPEAN = Convention(".", ",", "?", True)
# By script, named as Unicode names its letters (the first word of a letter's name).
CONVENTIONS: dict[str, Convention] = {
    "LATIN": _EUROPEAN,
    "CYRILLIC": _EUROPEAN,
    "GREEK": Convention(".", ",", "\u037e", True),  # the Greek question mark looks like a semicolon
    "ARMENIAN": Convention("\u0589", ",", "\u055e", True),
    "GEORGIAN": Convention(".", ",", "?", False),
    "DEVANAGARI": Convention("\u0964", ",", "?", False),  # । (danda)
    "BENGALI": Convention("\u0964", ",", "?", False),
    "GURMUKHI": Convention("\u0964", ",", "?", False),
    "ORIYA": Convention("\u0964", ",", "?", False),
    "GUJARATI": Convention(".", ",", "?", False),
    "TAMIL": Convention(".", ",", "?", False),
    "TELUGU": Convention(".", ",", "?", False),
    "KANNADA": Convention(".", ",", "?", False),
    "MALAYALAM": Convention(".", ",", "?", False),
    "SINHALA": Convention(".", ",", "?", False),
    "ARABIC": Convention(".", "\u060c", "\u061f", False),  # ، and ؟
    "HEBREW": Convention(".", ",", "?", False),
    "ETHIOPIC": Convention("\u1362", "\u1363", "?", False),  # ። and ፣
    "MYANMAR": Convention("\u104b", "\u104a", "?", False),  # ။ and ၊
    "CJK": Convention("\u3002", "\uff0c", "\uff1f", False, ""),  # 。，？
    "HIRAGANA": Convention("\u3002", "\u3001", "\uff1f", False, ""),
    "KATAKANA": Convention("\u3002", "\u3001", "\uff1f", False, ""),
    "HANGUL": Convention(".", ",", "?", False),
    "THAI": Convention("", "", "", False),  # sentences are separated by a space, not marked
    "LAO": Convention("", "", "", False),
    "KHMER": Convention("\u17d4", "", "", False),
    "TIBETAN": Convention("\u0f0d", "", "", False),
}
NO_CONVENTION = Convention("", "", "", False)  # a script we know nothing of: words and spaces only

SCRATCH = "scratch"
# Spoken commands by language (the adapter name's first part): the words, and what they stand for: a mark
# of the script (end, comma, question), a line break (line, paragraph), or removing the last utterance.
COMMANDS: dict[str, dict[str, str]] = {
    "eng": {
        "new line": "line",
        "new paragraph": "paragraph",
        "full stop": "end",
        "period": "end",
        "comma": "comma",
        "question mark": "question",
        "scratch that": SCRATCH,
    },
    "fra": {
        "à la ligne": "line",
        "nouvelle ligne": "line",
        "nouveau paragraphe": "paragraph",
        "point": "end",
        "virgule": "comma",
        "point d'interrogation": "question",
        "annule ça": SCRATCH,
    },
    "deu": {
        "neue zeile": "line",
        "neuer absatz": "paragraph",
        "punkt": "end",
        "komma": "comma",
        "fragezeichen": "question",
        "streich das": SCRATCH,
    },
    "spa": {
        "nueva línea": "line",
        "nuevo párrafo": "paragraph",
        "punto": "end",
        "coma": "comma",
        "signo de interrogación": "question",
        "borra eso": SCRATCH,
    },
}
BREAKS = {"line": "\n", "paragraph": "\n\n"}
SEPARATORS = {"space": " ", "line": "\n"}  # between utterances, as the setting names them


def script_of(text: str) -> str:
    """The script most letters of ``text`` are written in, as Unicode names it ("" for no letters)."""
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "").split(" ")[0]
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda s: counts[s]) if counts else ""


def convention_for(text: str) -> Convention:
    return CONVENTIONS.get(script_of(text), NO_CONVENTION)


def commands_for(language: str) -> dict[str, str]:
    """The spoken commands of ``language`` (an adapter name such as ``eng`` or ``cmn-script_simplified``)."""
    return COMMANDS.get(language.split("-")[0].split("_")[0], {})


@dataclass(frozen=True)
class Edit:
    """What to do to the text: remove ``erase`` characters from its end, then add ``insert``; ``scratched``:
    the last utterance was removed ("scratch that")."""

    erase: int
    insert: str
    scratched: bool = False


@dataclass
class _State:
    text: str = ""
    sentence_open: bool = True  # the next word starts a sentence
    auto_end: bool = False  # the text ends with an end mark added automatically (not spoken)


@dataclass
class DictatedText:
    """The written text of one dictation, built utterance by utterance.

    Args:
        separator: what comes between utterances: ``space`` or ``line``.
        commands: whether spoken commands are obeyed (else they are written as words).
    """

    separator: str = "space"
    commands: bool = True
    _state: _State = field(default_factory=_State)
    _history: list[_State] = field(default_factory=list)  # the state before each utterance, for scratch that

    @property
    def text(self) -> str:
        return self._state.text

    def add(self, words: str, language: str) -> Edit:
        """The edit that writes the recognized utterance ``words`` in ``language`` after the text so far.

        "Scratch that" alone removes the last utterance; after other words it drops those words, and words
        after it are written in place of what it removed."""
        items = self._items(words, language)
        erase, scratched = 0, False
        scratches = [i for i, item in enumerate(items) if item == ("command", SCRATCH)]
        if scratches:
            if scratches[-1] == 0:
                scratched = bool(self._history)
                erase = self._scratch()
            items = items[scratches[-1] + 1 :]
        spoken = " ".join(value for kind, value in items if kind == "word")
        written = self._write(items, convention_for(spoken or self._state.text or words))
        return Edit(erase + written.erase, written.insert, scratched)

    def _write(self, items: list[tuple[str, str]], convention: Convention) -> Edit:
        before = self._state
        state = _State(before.text, before.sentence_open, before.auto_end)
        erase = 0
        for kind, value in items:
            if kind == "word":
                gap = self._gap(state, convention, first=state.text == before.text)
                word = value[:1].upper() + value[1:] if state.sentence_open and convention.capitals else value
                state.text += gap + word
                state.sentence_open = state.auto_end = False
            elif value in BREAKS:
                state.text = state.text.rstrip(" ") + BREAKS[value]
                state.sentence_open, state.auto_end = True, False
            elif mark := getattr(convention, value, ""):
                if state.auto_end and state.text == before.text:  # "Hello." then "comma": "Hello,"
                    state.text, erase = state.text[: -len(convention.end)], len(convention.end)
                state.text += mark
                state.sentence_open, state.auto_end = value != "comma", False
        if items and items[-1][0] == "word" and convention.end:
            state.text += convention.end
            state.sentence_open = state.auto_end = True
        if state.text == before.text:
            return Edit(0, "")
        self._history.append(before)
        self._state = state
        return Edit(erase, state.text[len(before.text) - erase :])

    def _gap(self, state: _State, convention: Convention, first: bool) -> str:
        """What goes before a word: nothing at the start of the text or a line, the separator before an
        utterance's first word, else the script's word space."""
        if not state.text or state.text.endswith("\n"):
            return ""
        return SEPARATORS.get(self.separator, " ") if first else convention.space

    def _scratch(self) -> int:
        """Remove the last utterance written (nothing when there is none); how many characters went."""
        if not self._history:
            return 0
        before = self._history.pop()
        erase = len(self._state.text) - len(before.text)
        self._state = before
        return erase

    def _items(self, words: str, language: str) -> list[tuple[str, str]]:
        """The utterance as words and commands, the longest command phrase first."""
        table = commands_for(language) if self.commands else {}
        longest = max((len(phrase.split()) for phrase in table), default=0)
        tokens = words.split()
        items: list[tuple[str, str]] = []
        i = 0
        while i < len(tokens):
            for n in range(min(longest, len(tokens) - i), 0, -1):
                command = table.get(" ".join(tokens[i : i + n]).lower())
                if command is not None:
                    items.append(("command", command))
                    i += n
                    break
            else:
                items.append(("word", tokens[i]))
                i += 1
        return items
