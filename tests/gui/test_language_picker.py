"""The language picker: every ISO 639-3 language by name or code, the installed ones first."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from mms_desktop.gui.language_picker import LanguagePicker


def test_a_language_is_found_by_part_of_its_name_or_code_and_the_installed_come_first(qtbot) -> None:
    picker = LanguagePicker(["sah", "eng"])
    qtbot.addWidget(picker)
    assert [picker.itemText(i) for i in range(2)] == ["Yakut · sah (installed)", "English · eng (installed)"]
    assert picker.count() > 7000, "every ISO 639-3 language"
    completer = picker.completer()
    for typed, expected in (
        ("yak", "Yakut · sah (installed)"),
        ("wol", "Wolof · wol"),
        ("SWAH", "Swahili (macrolanguage) · swa"),
    ):
        completer.setCompletionPrefix(typed)
        found = [completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())]
        assert expected in found, (typed, found[:5])
    picker.setCurrentIndex(picker.findText("Wolof · wol"))
    assert picker.text() == "wol"
    picker.setText("fra")  # a code typed as it is
    assert picker.text() == "fra"
    picker.set_installed(["fra"])
    assert picker.itemText(0) == "French · fra (installed)" and picker.text() == "fra", "what was typed stays"


def test_the_session_form_takes_the_language_from_the_picker(qtbot) -> None:
    from mms_desktop.gui.session_dialog import SessionDialog

    dialog = SessionDialog(None, None, ["spa"])
    qtbot.addWidget(dialog)
    picker = dialog.editors["language"]
    assert isinstance(picker, LanguagePicker) and picker.itemText(0) == "Spanish · spa (installed)"
    dialog.editors["title"].setText("Stories")
    picker.setCurrentIndex(0)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.info is not None and dialog.info.language == "spa"
