"""Dictated words as written text: capitals, each script's marks, spoken commands and scratch that."""

import pytest

from mms_desktop.core.recognition.writing import COMMANDS, CONVENTIONS, DictatedText, Edit, script_of


def written(utterances: list[str], language: str = "eng", **options) -> str:
    text = DictatedText(**options)
    typed = ""
    for words in utterances:
        edit = text.add(words, language)
        typed = typed[: len(typed) - edit.erase] + edit.insert  # what a target receiving the edits shows
    assert typed == text.text
    return text.text


def test_each_utterance_is_a_sentence_with_a_capital_and_a_full_stop() -> None:
    assert (
        written(["the old man can read", "a book is on the table"]) == "The old man can read. A book is on the table."
    )


def test_utterances_can_be_separated_by_lines() -> None:
    assert written(["one day", "two days"], separator="line") == "One day.\nTwo days."


@pytest.mark.parametrize(
    ("words", "language", "expected"),
    [
        ("привет мир", "rus", "Привет мир."),
        ("γεια σου", "ell", "Γεια σου."),
        ("नमस्ते दुनिया", "hin", "नमस्ते दुनिया।"),
        ("مرحبا بالعالم", "ara", "مرحبا بالعالم."),
        ("你 好 世 界", "cmn-script_simplified", "你好世界。"),
        ("สวัสดี ครับ", "tha", "สวัสดี ครับ"),
        ("ሰላም ዓለም", "amh", "ሰላም ዓለም።"),
    ],
)
def test_each_script_gets_its_own_mark_or_none(words: str, language: str, expected: str) -> None:
    assert written([words], language) == expected


def test_spoken_commands_become_marks_and_line_breaks() -> None:
    assert written(["hello comma world full stop new line how are you question mark"]) == "Hello, world.\nHow are you?"
    assert written(["first new paragraph second"]) == "First\n\nSecond."


def test_a_mark_said_alone_replaces_the_automatic_full_stop() -> None:
    text = DictatedText()
    text.add("hello", "eng")
    assert text.add("comma", "eng") == Edit(1, ",")
    assert text.add("world", "eng") == Edit(0, " world.")
    assert text.text == "Hello, world."


def test_commands_are_per_language_and_can_be_turned_off() -> None:
    assert written(["ja komma nein"], "deu") == "Ja, nein."
    assert written(["hola coma adiós"], "spa") == "Hola, adiós."
    assert written(["hello comma world"], commands=False) == "Hello comma world."
    assert written(["the comma"], "xyz") == "The comma."  # a language without commands writes the words
    assert {"eng", "fra", "deu", "spa"} <= set(COMMANDS)


def test_scratch_that_removes_the_last_utterance_and_can_be_repeated() -> None:
    text = DictatedText()
    for words in ["one", "two", "three"]:
        text.add(words, "eng")
    assert text.add("scratch that", "eng") == Edit(len(" Three."), "", scratched=True)
    assert text.text == "One. Two."
    assert text.add("Scratch That", "eng") == Edit(len(" Two."), "", scratched=True)
    assert text.add("four", "eng") == Edit(0, " Four.")
    assert text.text == "One. Four."
    empty = DictatedText()
    assert empty.add("scratch that", "eng") == Edit(0, "", scratched=False)


def test_scratch_that_after_words_drops_them_and_before_words_replaces_the_last_utterance() -> None:
    assert written(["one", "two three scratch that four"]) == "One. Four."
    assert written(["one", "scratch that two"]) == "Two."
    text = DictatedText()
    text.add("one", "eng")
    assert text.add("scratch that two", "eng") == Edit(len("One."), "Two.", scratched=True)


def test_the_script_is_read_from_the_letters() -> None:
    assert script_of("abc 123") == "LATIN"
    assert script_of("१२३ नमस्ते") == "DEVANAGARI"
    assert script_of("123") == ""
    assert all(c.end == "" or not c.end.isalnum() for c in CONVENTIONS.values())
