"""The language manager and the settings dialog, against the local hub and the real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from mms_desktop.gui.settings_dialog import SettingsDialog


def rows(manager) -> dict[str, list[str]]:
    model = manager.model
    return {model.item(r, 1).text(): [model.item(r, c).text() for c in range(model.columnCount())]
            for r in range(model.rowCount())}  # fmt: skip


def test_offline_the_manager_lists_what_is_installed(qtbot, make_window) -> None:
    window = make_window()
    manager = window.tools.open_language_manager()
    qtbot.waitUntil(lambda: manager.model.rowCount() == 6, timeout=30000)  # the pack's six
    assert rows(manager)["spa"][:3] == ["Spanish", "spa", "Installed"]
    assert "Refresh catalogue" in manager.note.text()
    assert "Recognition model: mms-desktop/demo-asr (MMS with language adapters)." in manager.note.text()
    manager.search.setText("germ")
    assert manager.proxy.rowCount() == 1 and manager.proxy.index(0, 1).data() == "deu"
    manager.select_code("deu")  # comes with the app: nothing to remove or export
    assert not manager.buttons["Remove"].isEnabled() and not manager.buttons["Export…"].isEnabled()
    assert manager.buttons["Import pack…"].isEnabled() and manager.buttons["Import folder…"].isEnabled()
    manager.close()


def test_install_with_progress_then_remove(qtbot, make_window, hub) -> None:
    window = make_window(hub_endpoint=hub.url, bundled=[])
    manager = window.tools.open_language_manager()
    manager.refresh_catalogue()
    qtbot.waitUntil(lambda: "more available" in manager.note.text(), timeout=30000)
    assert rows(manager)["fra"][2] == "Available" and rows(manager)["eng"][5] == "available"
    manager.select_code("eng")
    assert manager.buttons["Install"].isEnabled() and not manager.buttons["Remove"].isEnabled()
    progress = []
    manager.progress.valueChanged.connect(progress.append)
    with qtbot.waitSignal(manager.changed, timeout=60000):
        manager.buttons["Install"].click()
        assert manager.progress.isVisible() and manager.cancel_button.isVisible()
    assert progress and max(progress) == 1000, "the progress bar reached the end"
    qtbot.waitUntil(lambda: rows(manager).get("eng", [""] * 3)[2] == "Installed", timeout=30000)
    qtbot.waitUntil(window.bar.record_button.isEnabled, timeout=30000)  # the first-run banner is gone
    assert not window.banner.isVisible()
    manager.select_code("eng")
    with qtbot.waitSignal(manager.changed, timeout=30000):
        manager.buttons["Remove"].click()
    qtbot.waitUntil(lambda: rows(manager).get("eng", [""] * 3)[2] == "Available", timeout=30000)
    manager.close()


def slow_install_in_progress(qtbot, make_window, hub):
    """A window with nothing installed, and its language manager half-way through installing French."""
    window = make_window(hub_endpoint=hub.url, bundled=[])
    hub.faults["model.safetensors"] = "slow"
    manager = window.tools.open_language_manager()
    manager.refresh_catalogue()
    qtbot.waitUntil(lambda: "more available" in manager.note.text(), timeout=30000)
    manager.select_code("fra")
    manager.buttons["Install"].click()
    qtbot.waitUntil(lambda: 0 < manager.progress.value() < 1000, timeout=30000)
    return window, manager


def test_cancelling_a_download_keeps_nothing_half_installed(qtbot, make_window, hub) -> None:
    window, manager = slow_install_in_progress(qtbot, make_window, hub)
    manager.cancel_button.click()
    qtbot.waitUntil(lambda: not manager.busy, timeout=30000)
    assert manager.note.text().startswith("Cancelled")
    assert window.context.store.installed() == []


@pytest.mark.parametrize("how", ["close", "escape"])
def test_closing_the_manager_during_a_download_cancels_it(qtbot, make_window, hub, how) -> None:
    window, manager = slow_install_in_progress(qtbot, make_window, hub)
    if how == "close":
        manager.close()
    else:
        qtbot.keyClick(manager, Qt.Key.Key_Escape)
    assert manager.isVisible(), "the dialog stays until the download has stopped"
    qtbot.waitUntil(lambda: not manager.isVisible(), timeout=30000)
    assert window.context.store.installed() == []


def test_a_download_error_is_one_sentence(qtbot, make_window, hub) -> None:
    window = make_window(hub_endpoint=hub.url, bundled=[])
    manager = window.tools.open_language_manager()
    manager.refresh_catalogue()
    qtbot.waitUntil(lambda: "more available" in manager.note.text(), timeout=30000)
    hub.faults["adapter.fra.safetensors"] = "corrupt"
    manager.select_code("fra")
    manager.buttons["Install"].click()
    qtbot.waitUntil(lambda: not manager.busy, timeout=60000)
    assert "adapter.fra.safetensors" in manager.note.text() and "Traceback" not in manager.note.text()
    assert manager.buttons["Install"].isEnabled()


def test_export_then_import_a_pack(qtbot, make_window, installed_home: Path, tmp_path: Path) -> None:
    window = make_window(installed_home)
    manager = window.tools.open_language_manager()
    qtbot.waitUntil(lambda: "fra" in rows(manager), timeout=30000)
    manager.export_pack(["deu"], tmp_path / "deu.zip")  # from the demonstration pack
    qtbot.waitUntil(lambda: "demonstration pack" in manager.note.text(), timeout=30000)
    manager.export_pack(["fra"], tmp_path / "fra.zip")
    qtbot.waitUntil(lambda: manager.note.text().startswith("Exported"), timeout=30000)
    other = make_window(tmp_path / "other", bundled=[])
    importer = other.tools.open_language_manager()
    with qtbot.waitSignal(importer.changed, timeout=30000):
        importer.import_pack(tmp_path / "fra.zip")
    qtbot.waitUntil(lambda: rows(importer).get("fra", [""] * 3)[2] == "Installed", timeout=30000)
    qtbot.waitUntil(other.bar.record_button.isEnabled, timeout=30000)  # recognition works after the import


def test_settings_are_validated_saved_and_applied(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.bar.language_box.findData("spa") >= 0, timeout=30000)
    dialog = window.open_settings()
    dialog.editors["favourites"].setText("spa, not a code")
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert dialog.isVisible() and "not a language code" in dialog.error.text()
    dialog.editors["favourites"].setText("spa")
    from mms_desktop.gui.language_picker import LanguagePicker

    picker = dialog.editors["favourites"].parentWidget().findChild(LanguagePicker)  # beside the list of codes
    assert picker.itemText(0).endswith("(installed)"), "the installed languages first"
    picker.setCurrentIndex(picker.findText("French · fra (installed)"))
    picker.activated.emit(picker.currentIndex())  # chosen from its list
    assert dialog.editors["favourites"].text() == "spa, fra" and picker.currentText() == ""
    picker.setCurrentIndex(picker.findText("Spanish · spa (installed)"))
    picker.activated.emit(picker.currentIndex())
    assert dialog.editors["favourites"].text() == "spa, fra", "a language already listed is not added twice"
    dialog.editors["device"].setCurrentText("cpu")
    ok.click()
    assert not dialog.isVisible()
    saved = tmp_path / "home" / "settings.json"
    qtbot.waitUntil(lambda: json.loads(saved.read_text()).get("favourites") == ["spa", "fra"], timeout=10000)
    assert json.loads(saved.read_text())["device"] == "cpu"
    qtbot.waitUntil(lambda: window.bar.language_box.itemData(1) == "spa", timeout=30000)
    assert window.bar.language_box.itemData(2) == "fra"  # favourites first, after automatic detection
    assert window.host.device == "cpu"


def test_settings_put_everyday_choices_first_and_say_what_runs(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    dialog = window.open_settings()
    pages = [dialog.pages.tabText(i) for i in range(dialog.pages.count())]
    assert pages == ["General", "Dictation", "Advanced"]
    general, dictation, advanced = (dialog.pages.widget(i) for i in range(3))
    for name in ("shortcut", "shortcut_mode", "paste_key", "between_utterances", "copy_on_stop"):
        assert dictation.isAncestorOf(dialog.editors[name]), name
    for name in ("favourites", "input_device", "recordings_dir", "project_dir"):
        assert general.isAncestorOf(dialog.editors[name]), name
    for name in ("asr_repo", "precision", "window_s", "live_budget"):
        assert advanced.isAncestorOf(dialog.editors[name]), name
    shown = [label.text() for label in advanced.findChildren(QLabel)]
    assert any("How exactly the models compute" in t for t in shown), "a plain line under each setting"
    assert any("Not installed yet: the bundled demonstration model runs instead." in t for t in shown)
    assert dialog.editors["precision"].toolTip().startswith("<p>"), "wrapped, not one line 1,340 px wide"
    microphones = dialog.editors["input_device"]
    assert "" not in [microphones.itemText(i) for i in range(microphones.count())], "no blank first entry"
    assert microphones.lineEdit().placeholderText() == "System default microphone"
    dialog.close()


def test_the_dictation_shortcut_is_recorded_as_keys_and_checked(qtbot, make_window, tmp_path: Path) -> None:
    from PySide6.QtGui import QKeySequence

    window = make_window()
    dialog = window.open_settings()
    keys = dialog.editors["shortcut"]
    assert keys.keySequence().toString(QKeySequence.SequenceFormat.PortableText) == "Ctrl+Alt+Space"
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    keys.setKeySequence(QKeySequence("A"))
    ok.click()
    assert dialog.isVisible() and "add Ctrl, Alt or Meta" in dialog.error.text()
    keys.setKeySequence(QKeySequence("Ctrl+Shift+F9"))
    dialog.editors["shortcut_mode"].setCurrentText("push-to-talk")
    ok.click()
    assert not dialog.isVisible()
    saved = tmp_path / "home" / "settings.json"
    qtbot.waitUntil(lambda: json.loads(saved.read_text()).get("shortcut") == "Ctrl+Shift+F9", timeout=10000)
    assert json.loads(saved.read_text())["shortcut_mode"] == "push-to-talk"


def test_microphones_are_listed_by_plain_names_and_chosen_by_their_own(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    names = ["HDA Intel PCH: ALC3246 Analog (hw:0,0)", "pulse"]
    window.bar.set_microphones(names, "pulse")
    box = window.bar.microphone_box
    assert [box.itemText(i) for i in range(box.count())] == [
        "System default microphone",
        "HDA Intel PCH: ALC3246 Analog",
        "Sound server (PulseAudio)",
    ]
    assert box.currentData() == "pulse"
    window.context.settings.input_device = "pulse"
    dialog = SettingsDialog(window.context.settings, names, window)
    editor = dialog.editors["input_device"]
    assert editor.currentText() == "Sound server (PulseAudio)"
    editor.setCurrentIndex(editor.findData(names[0]))
    assert dialog.values().input_device == names[0], "the device's own name is what is kept"
    editor.setEditText("USB")
    assert dialog.values().input_device == "USB", "part of a name typed by hand still chooses a device"
