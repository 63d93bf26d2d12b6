"""Key chords as users and Qt write them, read into X11 key names, and what a global shortcut may be."""

import re

import pytest

from mms_desktop.desktop.keys import Chord, parse_chord, parse_shortcut


@pytest.mark.parametrize(
    ("text", "modifiers", "key"),
    [
        ("Ctrl+Alt+Space", {"ctrl", "alt"}, "space"),
        ("Ctrl+Shift+V", {"ctrl", "shift"}, "v"),
        ("Shift+Ins", {"shift"}, "Insert"),
        ("Meta+F12", {"super"}, "F12"),
        ("ctrl + alt + d", {"ctrl", "alt"}, "d"),
        ("Ctrl++", {"ctrl"}, "plus"),
    ],
)
def test_chords_are_read_into_x11_names(text: str, modifiers: set[str], key: str) -> None:
    assert parse_chord(text) == Chord(frozenset(modifiers), key)


def test_a_chord_is_written_back_as_qt_writes_it() -> None:
    assert str(parse_chord("alt+ctrl+space")) == "Ctrl+Alt+Space"
    assert str(parse_chord("Shift+Insert")) == "Shift+Insert"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "is not a key combination"),
        ("Ctrl+", "is not a key combination"),
        ("Hyper+A", "'Hyper' in 'Hyper+A' is not a modifier key"),
        ("Ctrl+Foo", "'Foo' in 'Ctrl+Foo' is not a key this program can listen for"),
    ],
)
def test_a_chord_that_cannot_be_is_one_sentence(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        parse_chord(text)


def test_a_global_shortcut_leaves_ordinary_typing_alone() -> None:
    for text in ("A", "Shift+A", "Space"):
        with pytest.raises(ValueError, match="would take that key from every application"):
            parse_shortcut(text)
    assert parse_shortcut("F9").key == "F9" and parse_shortcut("Alt+A").key == "a"
