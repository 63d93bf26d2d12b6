"""The transcript view: live text that rewrites itself, and an undo history that makes sense to the user."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from mms_desktop.gui.transcript_view import TranscriptView


def make_view(qtbot) -> TranscriptView:
    view = TranscriptView()
    qtbot.addWidget(view)
    return view


def test_a_dictated_sentence_is_one_undo_step(qtbot) -> None:
    view = make_view(qtbot)
    view.add_final("primera frase")
    view.show_partial("", "hola")
    view.show_partial("hola", "mun")
    view.show_partial("hola", "mundo bo")
    view.add_final("hola mundo bonito")
    assert view.toPlainText() == "primera frase hola mundo bonito"
    view.undo()  # the whole sentence, its partial results never come back
    assert view.toPlainText() == "primera frase" and view.tentative_ranges() == []
    view.redo()
    assert view.toPlainText() == "primera frase hola mundo bonito"
    view.undo()
    view.show_partial("", "adi")  # dictation goes on after an undo, at the end of what is left
    view.add_final("adiós")
    assert view.toPlainText() == "primera frase adiós"
    view.undo()
    view.undo()
    assert view.toPlainText() == ""


def test_typing_while_dictating_stays_an_undo_step_of_its_own(qtbot) -> None:
    view = make_view(qtbot)
    view.add_final("uno")
    view.show_partial("", "dos")
    typing = QTextCursor(view.document())
    typing.insertText("¡")  # the user types at the start while the sentence is still live
    view.show_partial("dos", "tres")
    view.add_final("dos tres")
    assert view.toPlainText() == "¡uno dos tres"
    view.undo()  # the dictation after the typing
    assert view.toPlainText() == "¡uno dos"
    view.undo()  # the typing, and nothing else
    assert view.toPlainText() == "uno dos"
    view.undo()
    assert view.toPlainText() == "uno"


def test_clear_is_one_undo_step(qtbot) -> None:
    view = make_view(qtbot)
    view.add_final("uno dos")
    view.clear_all()
    assert view.toPlainText() == ""
    view.undo()
    assert view.toPlainText() == "uno dos"
    view.add_final("tres")
    assert view.toPlainText() == "uno dos tres"


def test_a_scratched_sentence_leaves_the_window_and_its_command_leaves_nothing(qtbot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.add_final("One.")
    view.show_partial("two", "")
    view.add_final("Two.")
    view.show_partial("scratch", "that")
    view.add_final("")  # the command's live words go, with the space before them
    assert view.toPlainText() == "One. Two."
    assert view.remove_last_final()
    assert view.toPlainText() == "One."
    view.add_final("Three.")
    assert view.toPlainText() == "One. Three."
    view.setPlainText(view.toPlainText() + " edited")
    assert not view.remove_last_final(), "text the user changed is never taken away"
    assert view.toPlainText() == "One. Three. edited"
