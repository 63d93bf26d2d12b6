"""The main window, driven as a user would: record and speak, switch language, open files, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import espeak
from helpers import choose, hold_identifier_loads, start_dictating
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


def test_starts_ready_with_the_bundled_model(qtbot, make_window) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    codes = [window.bar.language_box.itemData(i) for i in range(window.bar.language_box.count())]
    assert codes[0] == "auto" and {"eng", "deu", "spa", "fra"} <= set(codes)
    assert not window.banner.isVisible() and window.bar.record_button.isEnabled()


def test_dictation_shows_the_spoken_words_live(qtbot, make_window, microphone, tmp_path: Path) -> None:
    from mms_desktop.core.training import character_error_rate
    from mms_desktop.demo.corpus import sentences

    window = make_window()
    box = window.bar.language_box
    qtbot.waitUntil(lambda: box.findData("spa") >= 0, timeout=60000)
    box.setCurrentIndex(box.findData("spa"))
    box.activated.emit(box.currentIndex())
    text = sentences("spa", 40, 1000)[1]  # held out from the demonstration model's training
    speech = espeak(text, "es", tmp_path)
    qtbot.mouseClick(window.bar.record_button, qtbot_button())
    qtbot.waitUntil(lambda: window.status_text.text() == "Listening…", timeout=60000)
    microphone.say(speech)
    qtbot.waitUntil(lambda: bool(window.view.tentative_ranges()), timeout=30000)  # the live tail, greyed
    qtbot.waitUntil(lambda: len(window.segments) == 1, timeout=30000)
    assert character_error_rate([text], [window.view.toPlainText().strip()]) <= 0.2
    assert window.view.tentative_ranges() == []
    qtbot.mouseClick(window.bar.record_button, qtbot_button())
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)
    assert "recording was saved" in window.status_text.text()
    recordings = list((tmp_path / "home" / "recordings").glob("dictation-*.wav"))
    assert len(recordings) == 1 and recordings[0].stat().st_size > len(speech) * 2


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_switching_language_while_dictating_applies_to_the_next_sentence(qtbot, make_window, microphone,
                                                                          tmp_path: Path) -> None:  # fmt: skip
    window = make_window()
    start_dictating(qtbot, window, "spa")
    microphone.say(espeak("son gente sol nueve camino", "es", tmp_path))
    qtbot.waitUntil(lambda: len(window.segments) == 1, timeout=30000)
    choose(qtbot, window, "deu")
    assert "next sentence" in window.status_text.text()
    microphone.say(espeak("der Hund ist sehr alt", "de", tmp_path))
    qtbot.waitUntil(lambda: len(window.segments) == 2, timeout=30000)
    assert window.transcript_language == "deu"
    assert window.context.settings.language == "deu"  # remembered for the next start
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)


def test_a_file_in_a_language_outside_the_installed_ones_is_said_to_be_unsure(qtbot, make_window, tmp_path) -> None:
    """With Detect automatically, Italian (which the demonstration pack does not have) is not silently
    transcribed as one of its languages: the status line says the language is unsure and what to do."""
    from mms_desktop.core.audio import write_wav
    from mms_desktop.demo import corpus
    from mms_desktop.demo.evaluate import UNHEARD_VARIANTS

    window = make_window()
    choose(qtbot, window, "auto")
    files = []
    for i, text in enumerate(corpus.open_sentences("ita", 4, 11, (3000, 8000))):
        files.append(tmp_path / f"ita-{i}.wav")
        write_wav(files[-1], corpus.speak_one(text, "it" + UNHEARD_VARIANTS[i % 3], i), 16000)
    window.transcribe_files(files)
    qtbot.waitUntil(lambda: window.status_text.text().startswith("The language is unsure"), timeout=60000)
    said = window.status_text.text()
    assert "so the speech is probably in another language; choose the language" in said and "install" in said
    assert window.status_text.isVisible() and not window.files.transcribing, said


def test_switching_to_detection_while_dictating_detects_the_next_sentence(qtbot, make_window, microphone,
                                                                         tmp_path: Path) -> None:  # fmt: skip
    window = make_window()
    start_dictating(qtbot, window, "spa")  # begun without the identifier
    choose(qtbot, window, "auto")
    assert "next sentence" in window.status_text.text()
    microphone.say(espeak("der alte Mann kann ein Buch lesen und das Haus ist sehr groß", "de", tmp_path))
    qtbot.waitUntil(lambda: len(window.segments) == 1, timeout=30000)
    assert window.bar.detected.text().startswith("Detected: German (") and window.transcript_language == "deu"
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)


def test_each_sentence_is_identified_and_the_label_follows(qtbot, make_window, microphone, tmp_path: Path) -> None:
    """One dictation in French, then German, then English, with pauses: each sentence in its own language."""
    window = make_window()
    start_dictating(qtbot, window, "auto")
    from mms_desktop.demo.corpus import sentences

    said = [
        (voice, sentences(code, 40, 1000)[1], name, code)  # words the demonstration pack knows
        for voice, name, code in (("fr", "French", "fra"), ("de", "German", "deu"), ("en", "English", "eng"))
    ]
    for n, (voice, sentence, name, code) in enumerate(said, start=1):
        microphone.say(espeak(sentence, voice, tmp_path))
        qtbot.waitUntil(lambda n=n: len(window.segments) == n, timeout=30000)
        assert window.bar.detected.text().startswith(f"Detected: {name} (") and window.bar.detected.text().endswith(
            "%)"
        )
        assert window.transcript_language == code
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)


def test_dictation_with_detection_starts_while_the_identifier_is_still_loading(
    qtbot, make_window, microphone, monkeypatch, tmp_path: Path
) -> None:
    """The identifier is needed only seconds into the first utterance; the words spoken before it has
    loaded wait for it and are transcribed in the detected language, none lost."""
    release, loads = hold_identifier_loads(monkeypatch)
    window = make_window()
    try:
        qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
        assert window.bar.language == "auto" and "load language identifier" in window.jobs.running
        start_dictating(qtbot, window, "auto")
        microphone.say(espeak("der alte Mann kann ein Buch lesen und das Haus ist sehr groß", "de", tmp_path))
        qtbot.waitUntil(microphone.spoken.is_set, timeout=30000)  # all of it has been heard
        assert window.segments == [] and not window.bar.detected.text()
    finally:
        release.set()
    qtbot.waitUntil(lambda: len(window.segments) == 1, timeout=60000)
    assert window.bar.detected.text().startswith("Detected: German (")
    words = window.view.toPlainText().lower().split()
    # from the first words to the last ("Mann" may come out as "man", which sounds the same and is commoner)
    assert {"alte", "buch", "lesen", "haus"} <= set(words), words
    assert len(loads) == 1  # the window's job and the dictation shared one load
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)


def test_an_identifier_that_cannot_load_ends_detection_in_one_sentence_and_keeps_the_recording(
    qtbot, make_window, microphone, monkeypatch, tmp_path: Path
) -> None:
    import soundfile as sf

    from mms_desktop.core.base import ModelError
    from mms_desktop.core.recognition import LanguageIdentifier

    def broken(cls, *args, **kwargs):
        raise ModelError("The language identifier is damaged; install it again in Tools → Languages.")

    monkeypatch.setattr(LanguageIdentifier, "load", classmethod(broken))
    window = make_window()
    qtbot.waitUntil(lambda: "damaged" in window.status_text.text(), timeout=60000)  # said after the preload
    start_dictating(qtbot, window, "auto")  # dictation still starts: the recording does not need it
    speech = espeak("der alte Mann kann ein Buch lesen", "de", tmp_path)
    microphone.say(speech)
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=60000)
    status = window.status_text.text()
    assert status.startswith("The language identifier is damaged") and "recording was saved" in status
    recording = next((tmp_path / "home" / "recordings").glob("dictation-*.wav"))
    assert sf.info(recording).frames >= len(speech)  # complete and readable, all of the speech in it
    assert window.bar.record_button.isEnabled()


def test_dropped_file_is_transcribed_with_progress_then_exported(qtbot, make_window, tmp_path: Path) -> None:
    import json

    import soundfile as sf
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    window = make_window()
    choose(qtbot, window, "spa")
    wav = tmp_path / "dropped.wav"
    sf.write(wav, espeak("casa pez la viejo pequeño", "es", tmp_path), 16000)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(wav))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)  # fmt: skip
    window.dropEvent(drop)
    assert window.progress.isVisible() and window.cancel_button.isVisible()
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Transcribed"), timeout=60000)
    assert not window.progress.isVisible()
    assert "casa" in window.view.toPlainText()
    for fmt in ("srt", "vtt", "json", "txt"):
        window.files.export(tmp_path / f"out.{fmt}", fmt, window.document.transcript(), window.view.toPlainText())
        qtbot.waitUntil(lambda fmt=fmt: window.status_text.text() == f"Saved {tmp_path / f'out.{fmt}'}.", timeout=10000)
    assert "-->" in (tmp_path / "out.srt").read_text() and (tmp_path / "out.vtt").read_text().startswith("WEBVTT")
    assert json.loads((tmp_path / "out.json").read_text())["language"] == "spa"
    assert (tmp_path / "out.txt").read_text().strip() == window.view.toPlainText().strip()


def test_files_dropped_together_are_transcribed_one_after_the_other(qtbot, make_window, tmp_path: Path) -> None:
    import soundfile as sf
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    window = make_window()
    choose(qtbot, window, "spa")
    first, second, notes, last = (tmp_path / n for n in ("first.wav", "second.wav", "notes.wav", "last.wav"))
    sf.write(first, espeak("casa pez", "es", tmp_path), 16000)
    sf.write(second, espeak("sol nueve camino", "es", tmp_path), 16000)
    notes.write_text("not audio " * 50)
    sf.write(last, espeak("azul", "es", tmp_path), 16000)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in (first, second, notes, last)])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))  # fmt: skip
    assert window.status_text.text() == "Transcribing first.wav… (3 more after it)"
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Transcribed 3 of 4"), timeout=60000)
    unreadable = f"{notes} could not be read as audio; the file may be damaged."
    assert window.status_text.text() == f"Transcribed 3 of 4 files. {unreadable}", "the others are transcribed"
    text = window.view.toPlainText()
    assert 0 <= text.index("casa") < text.index("sol") < text.index("azul")
    assert len(window.segments) >= 2 and window.segments[-1].start >= window.segments[0].end


def test_a_dropped_folder_transcribes_the_recordings_in_it(qtbot, make_window, tmp_path: Path) -> None:
    import soundfile as sf
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    def drop(folder: Path) -> None:
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(folder))])
        window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                                    Qt.KeyboardModifier.NoModifier))  # fmt: skip

    window = make_window()
    choose(qtbot, window, "spa")
    folder, empty = tmp_path / "field", tmp_path / "empty"
    folder.mkdir(), empty.mkdir()
    (empty / "notes.txt").write_text("no recordings here")
    drop(empty)
    assert (
        window.status_text.text()
        == f"{empty} holds no audio files (WAV, FLAC, OGG or MP3); choose the recordings themselves."
    )
    sf.write(folder / "2-second.wav", espeak("sol nueve camino", "es", tmp_path), 16000)
    sf.write(folder / "1-first.flac", espeak("casa pez", "es", tmp_path), 16000)
    (folder / "2-second.txt").write_text("a transcript beside its recording is not audio")
    drop(folder)
    assert window.status_text.text() == "Transcribing 1-first.flac… (1 more after it)"
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Transcribed"), timeout=60000)
    text = window.view.toPlainText()
    assert 0 <= text.index("casa") < text.index("sol")


def transcribed_window(qtbot, make_window, wav: Path):  # noqa: ANN201
    """A window that has transcribed ``wav``, Spanish speech written there first."""
    import soundfile as sf

    window = make_window()
    choose(qtbot, window, "spa")
    sf.write(wav, espeak("casa pez la viejo pequeño", "es", wav.parent), 16000)
    window.transcribe_files([wav])
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Transcribed"), timeout=60000)
    return window


def test_clear_can_be_undone_with_the_word_timings(qtbot, make_window, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    window = transcribed_window(qtbot, make_window, tmp_path / "speech.wav")
    text, segments = window.view.toPlainText(), list(window.segments)
    assert "casa" in text and segments
    window.menu_actions["Clear"].trigger()
    assert window.view.toPlainText() == "" and window.segments == []
    assert "Ctrl+Z" in window.status_text.text()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step, not two
    assert window.view.toPlainText() == text and window.segments == segments
    window.menu_actions["Redo"].trigger()
    assert window.view.toPlainText() == "" and window.segments == []


def test_a_file_that_is_not_audio_gets_one_sentence_and_the_window_stays_usable(qtbot, make_window,
                                                                                 tmp_path: Path) -> None:  # fmt: skip
    window = make_window()
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    window.transcribe_files([bad])
    qtbot.waitUntil(lambda: not window.files.transcribing, timeout=30000)
    message = window.status_text.text()
    assert "notes.wav" in message and message.endswith(".") and "Traceback" not in message
    assert window.menu_actions["Open audio file…"].isEnabled() and window.bar.record_button.isEnabled()


@pytest.mark.parametrize("how", ["button", "Esc"])
def test_cancelling_a_file_transcription(qtbot, make_window, tmp_path: Path, how: str) -> None:
    import numpy as np
    import soundfile as sf

    window = make_window()
    choose(qtbot, window, "eng")
    wav = tmp_path / "long.wav"
    sf.write(wav, np.tile(espeak("casa pez la viejo pequeño", "es", tmp_path), 400)[: 16000 * 600], 16000)
    window.transcribe_files([wav])
    qtbot.waitUntil(lambda: window.view.toPlainText() != "", timeout=60000)  # lines appear as they are found
    assert window.progress.maximum() == 1000 and window.view.tentative_ranges(), "the last line may still change"
    if how == "button":
        window.cancel_button.click()
    else:
        qtbot.keyClick(window.view, Qt.Key.Key_Escape)  # typing in the text, as the user would be
    qtbot.waitUntil(lambda: not window.files.transcribing, timeout=30000)
    assert window.status_text.text() == "Transcription cancelled."
    question = window.question
    assert question.isVisible() and question.defaultButton() == question.button(QMessageBox.StandardButton.Yes)
    found = question.text()
    assert found.startswith("The transcription was cancelled after ") and "Keep them in the text?" in found
    if how == "button":  # kept: the lines found stay, as final text, and export with their timings
        question.button(QMessageBox.StandardButton.Yes).click()
        assert window.view.toPlainText() != "" and not window.view.tentative_ranges()
        assert len(window.document.segments) == int(found.split(" after ")[1].split()[0])
    else:
        question.button(QMessageBox.StandardButton.No).click()
        assert window.view.toPlainText() == "" and window.document.segments == []


def test_closing_while_dictating_saves_the_recording_then_closes(qtbot, make_window, microphone,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    window = make_window()
    start_dictating(qtbot, window, "spa")
    microphone.say(espeak("pero voz hombre ojo andar", "es", tmp_path))
    qtbot.waitUntil(lambda: bool(window.view.toPlainText()), timeout=30000)
    window.close()
    assert window.isVisible(), "the window waits for the dictation to finish"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)
    assert not window.dictation.is_running
    from mms_desktop.core.audio import Sidecar

    recording = next((tmp_path / "home" / "recordings").glob("dictation-*.wav"))
    assert Sidecar.read(recording).state == "complete"


def test_a_dictation_a_crash_left_unfinished_is_repaired_and_said_at_start(qtbot, make_window,
                                                                           tmp_path: Path) -> None:  # fmt: skip
    from mms_desktop.core.audio import Sidecar, wav_header

    recordings = tmp_path / "home" / "recordings"
    recordings.mkdir(parents=True)
    crashed = recordings / "dictation-20261101-093000.wav"
    crashed.write_bytes(wav_header(16000, 1, 0) + b"\x01\x00" * 16000)  # its header never updated
    Sidecar("recording", 16000, 1).write(crashed)
    window = make_window()
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    assert window.status_text.text().endswith(
        "dictation-20261101-093000.wav was left unfinished (a crash?) and was repaired into "
        "dictation-20261101-093000.recovered.wav."
    )
    assert (recordings / "dictation-20261101-093000.recovered.wav").stat().st_size == 44 + 32000


def test_no_microphone_says_so_and_the_window_stays_usable(qtbot, make_window) -> None:
    from mms_desktop.core.base import AudioError

    def no_microphone(spec):
        raise AudioError("No microphone was found; connect one and try again.")

    window = make_window()
    window.dictation._capture_factory = no_microphone
    choose(qtbot, window, "eng")
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)
    assert window.status_text.text() == "No microphone was found; connect one and try again."
    assert not window.bar.record_button.isChecked() and window.bar.record_button.isEnabled()


def test_first_run_with_nothing_installed_offers_the_language_manager(qtbot, make_window) -> None:
    window = make_window(bundled=[])
    qtbot.waitUntil(window.banner.isVisible, timeout=30000)
    assert "No speech recognition model is installed" in window.banner_text.text()
    assert not window.bar.record_button.isEnabled()
    manager = window.tools.open_language_manager()
    assert manager.isVisible()


def english_voice_window(qtbot, make_window, installed_home: Path, tmp_path: Path):  # noqa: ANN201
    """A window with every tiny voice installed, ready (its status line free), reading English."""
    import shutil

    home = tmp_path / "voices-home"
    shutil.copytree(installed_home, home)
    window = make_window(home)
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    window.document.language = "eng"
    return window


def test_read_aloud_plays_the_text_and_saves_it(qtbot, make_window, player, installed_home: Path,
                                                 tmp_path: Path) -> None:  # fmt: skip
    import soundfile as sf

    window = english_voice_window(qtbot, make_window, installed_home, tmp_path)
    window.view.setPlainText("Hello everyone. How are you?")
    window.read_aloud()
    qtbot.waitUntil(lambda: bool(player.played), timeout=60000)
    samples, rate = player.played[0]
    assert rate == 16000 and len(samples) > 1000
    # The voice's job starts playing, then tells the window (a queued signal, so a moment later).
    qtbot.waitUntil(lambda: window.status_text.text() == "Reading aloud…", timeout=5000)
    window.reader.stop()
    qtbot.waitUntil(lambda: not window.reader._watch.isActive(), timeout=5000)
    window.reader.save("Hello everyone.", "eng", tmp_path / "speech.wav")
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Saved the speech"), timeout=60000)
    assert sf.info(tmp_path / "speech.wav").samplerate == 16000
    window.view.setPlainText("Good morning to you all. " * 30)
    player.before_first.clear()  # the first sentence is not ready yet
    streamed = len(player.streamed)
    window.read_aloud()
    window.menu_actions["Stop reading"].trigger()  # Esc while the speech is still being prepared
    player.before_first.set()
    qtbot.waitUntil(lambda: window.status_text.text() == "Stopped reading.", timeout=60000)
    assert len(player.played) == 1 and len(player.streamed) == streamed, "stopped before it was ready: never played"
    window.document.language = "fra"  # recognition is installed for French, a voice is not
    window.read_aloud()
    qtbot.waitUntil(lambda: "No voice is installed for 'fra'" in window.status_text.text(), timeout=30000)
    assert "install it with Tools → Languages (fra)" in window.status_text.text()
    assert len(player.played) == 1


def test_reading_aloud_begins_with_the_first_sentence(qtbot, make_window, player, installed_home: Path,
                                                      tmp_path: Path) -> None:  # fmt: skip
    """The first sentence sounds, and the window says it reads, while the others are still being made."""
    import numpy as np

    window = english_voice_window(qtbot, make_window, installed_home, tmp_path)
    window.view.setPlainText("Hello everyone. How are you? Good morning to you all.\nA fine day.")
    player.after_first.clear()  # the player takes the first sentence, then waits
    window.read_aloud()
    qtbot.waitUntil(lambda: window.status_text.text() == "Reading aloud…", timeout=60000)
    assert window.reader._preparing is not None and len(player.streamed) == 1, "the others are still to come"
    assert window.reader.busy
    player.after_first.set()
    qtbot.waitUntil(lambda: window.reader._preparing is None, timeout=60000)
    assert len(player.streamed) == 4 and len(player.played) == 1
    assert len(player.played[0][0]) == sum(len(piece) for piece in player.streamed)
    window.read_aloud()  # the same text again: the speech just made is played whole
    qtbot.waitUntil(lambda: len(player.played) == 2, timeout=10000)
    assert np.array_equal(player.played[1][0], player.played[0][0]) and len(player.streamed) == 4


def test_recorder_warnings_reach_the_status_line(qtbot, make_window) -> None:
    from mms_desktop.core.audio import RecorderEvent

    window = make_window()
    message = "The disk is nearly full; recording to x.wav stopped and everything so far was saved."
    window.dictation.happened.emit(RecorderEvent("disk-full", message))
    assert window.status_text.text() == message
    window.dictation.happened.emit(RecorderEvent("finished", "Saved x.wav."))
    assert window.status_text.text() == message  # the end of a recording is reported by the stop itself


def test_a_model_that_fails_to_load_is_one_sentence(qtbot, make_window, installed_home: Path, tmp_path: Path) -> None:
    import shutil

    home = tmp_path / "broken-home"
    shutil.copytree(installed_home, home)
    weights = home / "store" / "facebook" / "mms-1b-all" / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(b"\xff" * 64 + data[64:])  # damaged on disk after it was installed (same size)
    window = make_window(home)
    qtbot.waitUntil(lambda: "reinstall it" in window.status_text.text(), timeout=60000)
    assert window.status_text.text().count(".") >= 1 and "Traceback" not in window.status_text.text()
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=60000)
    assert "reinstall it" in window.status_text.text() and window.bar.record_button.isEnabled()


def test_help_shows_what_is_in_use_and_opens_the_folders(qtbot, make_window, tmp_path: Path) -> None:
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices, QGuiApplication

    from mms_desktop import __version__

    class FileManager(QObject):  # stands in for the desktop's: takes the file URLs the window opens
        def __init__(self) -> None:
            super().__init__()
            self.opened: list[str] = []

        @Slot(QUrl)
        def show(self, url: QUrl) -> None:
            self.opened.append(url.toLocalFile())

    window = make_window()
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    manager = FileManager()
    QDesktopServices.setUrlHandler("file", manager, "show")
    try:
        recordings = tmp_path / "home" / "recordings"
        assert not recordings.exists()
        window.menu_actions["Open recordings folder"].trigger()
        assert manager.opened == [str(recordings)] and recordings.is_dir(), "created, then shown"
        assert window.status_text.text() == f"Opened {recordings}."
    finally:
        QDesktopServices.unsetUrlHandler("file")
    import re

    import numpy as np

    window.host.loaded_recognizer().log_probs(np.zeros(16000, np.float32), "eng")  # as the first dictation would
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.tools.about is not None and window.tools.about.isVisible(), timeout=30000)
    rows = dict(window.tools.about.rows)
    assert rows["MMS Desktop"] == __version__
    assert rows["Recognition model"] == "mms-desktop/demo-asr (MMS with language adapters, float32 on cpu)"
    assert re.fullmatch(r"8 \+ 1 s \(a pass over them takes \d+\.\d s here\)", rows["Live windows"]), "the longest"
    assert rows["Models and settings folder"] == str(tmp_path / "home")
    assert "CC-BY-NC 4.0" in window.tools.about.text.text()
    window.tools.about.copy()
    assert f"MMS Desktop: {__version__}\n" in QGuiApplication.clipboard().text()


def test_save_dialogs_offer_a_name_after_the_recording_beside_it(qtbot, make_window, tmp_path: Path,
                                                                 monkeypatch) -> None:  # fmt: skip
    import soundfile as sf
    from PySide6.QtWidgets import QFileDialog

    offered: list[str] = []

    def save_dialog(parent, title, suggested, filters, selected=""):  # noqa: ANN001, ANN202 - the user cancels
        offered.append(suggested)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    window = make_window()
    choose(qtbot, window, "spa")
    (tmp_path / "field").mkdir()
    wav = tmp_path / "field" / "interview.wav"
    sf.write(wav, espeak("casa pez", "es", tmp_path), 16000)
    window.transcribe_files([wav])
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Transcribed"), timeout=60000)
    for action in ("Export transcript…", "Save text…", "Save speech…"):
        window.menu_actions[action].trigger()
    assert offered == [str(wav.with_suffix(".srt")), str(wav.with_suffix(".txt"))], "no voice: no file is asked for"
    assert window.status_text.text() == "No voice is installed for 'spa'; install one with Tools → Languages first."
    window.menu_actions["Clear"].trigger()
    window.menu_actions["Save text…"].trigger()
    assert offered[-1] == str(wav.parent / "transcript.txt"), "no recording now: the folder last used"


def test_a_recording_without_speech_says_so(qtbot, make_window, tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    window = make_window()
    choose(qtbot, window, "spa")
    wav = tmp_path / "hum.wav"
    sf.write(wav, (0.3 * np.sin(2 * np.pi * 50 * np.arange(16000 * 5) / 16000)).astype(np.float32), 16000)
    window.transcribe_files([wav])
    qtbot.waitUntil(lambda: not window.files.transcribing, timeout=60000)
    assert window.status_text.text() == "No speech was found in hum.wav (5.0 s); nothing was transcribed."
    assert window.view.toPlainText() == ""


def test_speech_said_while_the_model_loads_is_recorded_and_transcribed(
    qtbot, make_window, microphone, tmp_path, monkeypatch
) -> None:
    """Pressing Record before the model has loaded: the microphone listens at once, the window says the model
    is still loading, and the first sentence is in the text and in the recording once it has loaded."""
    import threading

    from mms_desktop.core.recognition import Recognizer
    from mms_desktop.gui.dictation_controller import RECORDING_WHILE_LOADING

    window = make_window()
    choose(qtbot, window, "spa")
    release, real_load = threading.Event(), Recognizer.load.__func__
    monkeypatch.setattr(
        Recognizer, "load", classmethod(lambda cls, *a, **k: release.wait(60) and real_load(cls, *a, **k))
    )
    window.host.forget()  # the next dictation loads the model afresh, and is held in it
    speech = espeak("son gente sol nueve camino", "es", tmp_path)
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: window.status_text.text() == RECORDING_WHILE_LOADING, timeout=30000)
    microphone.say(speech)
    qtbot.waitUntil(lambda: microphone.spoken.is_set() and microphone._pending.empty(), timeout=30000)
    assert window.segments == [], "nothing could be recognized yet"
    release.set()
    qtbot.waitUntil(lambda: len(window.segments) == 1, timeout=60000)
    assert "gente" in window.view.toPlainText() or "camino" in window.view.toPlainText()
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)
    (recording,) = (tmp_path / "home" / "recordings").glob("dictation-*.wav")
    assert recording.stat().st_size > len(speech) * 2


def test_an_export_takes_the_format_of_the_name_the_user_accepts(
    qtbot, make_window, tmp_path: Path, monkeypatch
) -> None:
    """The dialog offers name.srt; whatever type it shows, the file holds what its name says."""
    from PySide6.QtWidgets import QFileDialog

    window = transcribed_window(qtbot, make_window, tmp_path / "interview.wav")
    asked = []
    for name, shown in (("a.srt", "Text (*.txt)"), ("b.vtt", "Subtitles (*.srt)"), ("c", "JSON (*.json)")):
        answer = (str(tmp_path / name), shown)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, answer=answer: asked.append(a) or answer)
        window.export_transcript()
        qtbot.waitUntil(lambda name=name: window.status_text.text() == f"Saved {tmp_path / name}.", timeout=10000)
    assert asked[0][2].endswith("interview.srt") and asked[0][4] == "Subtitles (*.srt)", "the type matches the name"
    assert "-->" in (tmp_path / "a.srt").read_text() and not (tmp_path / "a.srt").read_text().startswith("WEBVTT")
    assert (tmp_path / "b.vtt").read_text().startswith("WEBVTT")
    assert (tmp_path / "c").read_text().startswith("{"), "no suffix: the type chosen"


def test_reading_aloud_says_when_it_ends_and_esc_then_cancels_a_transcription(
    qtbot, make_window, player, installed_home: Path, tmp_path
) -> None:
    import numpy as np
    import soundfile as sf

    window = english_voice_window(qtbot, make_window, installed_home, tmp_path)
    window.view.setPlainText("Hello everyone.")
    window.read_aloud()
    qtbot.waitUntil(lambda: window.status_text.text() == "Reading aloud…", timeout=60000)
    player.playing = False  # the sound came to its end
    qtbot.waitUntil(lambda: window.status_text.text() == "Finished reading aloud.", timeout=5000)
    assert not window.reader.busy
    window.read_aloud()  # again, and stopped while it sounds: Stop reading says so
    qtbot.waitUntil(lambda: window.status_text.text() == "Reading aloud…", timeout=60000)
    window.menu_actions["Stop reading"].trigger()
    assert window.status_text.text() == "Stopped reading." and not window.reader.busy
    wav = tmp_path / "long.wav"
    sf.write(wav, np.tile(espeak("hello world", "en", tmp_path), 300)[: 16000 * 300], 16000)
    choose(qtbot, window, "eng")  # (the tiny identifier, with random weights, would call the language unsure)
    window.transcribe_files([wav])
    qtbot.waitUntil(lambda: window.progress.maximum() == 1000, timeout=60000)
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)  # reading is over: Esc is for the transcription
    qtbot.waitUntil(lambda: not window.files.transcribing, timeout=30000)
    assert window.status_text.text() == "Transcription cancelled."


def test_the_detected_language_clears_when_it_no_longer_applies_and_never_widens_the_window(
    qtbot, make_window, microphone, tmp_path: Path
) -> None:
    from mms_desktop.demo.corpus import sentences

    window = make_window()
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Ready"), timeout=60000)
    width, bar = window.width(), window.bar
    for clear in ("stop", "clear", "language"):
        start_dictating(qtbot, window, "auto")
        microphone.say(espeak(sentences("deu", 40, 1000)[1], "de", tmp_path))
        qtbot.waitUntil(lambda: bar.detected.text().startswith("Detected: German"), timeout=30000)
        assert window.width() == width, "the label takes the room the bar has, never more"
        if clear == "language":
            choose(qtbot, window, "deu")  # chosen by hand: the detection no longer applies
            assert bar.detected.text() == ""
        window.bar.record_button.click()
        qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)
        assert bar.detected.text() == "", clear
        if clear == "clear":
            bar.show_detected("deu", 0.9)
            window.clear_text()
            assert bar.detected.text() == ""
    bar.show_detected("deu", 0.31)  # a guess, not an identification: said so, in no more room
    assert bar.detected.text() == "Detected: German? (31%)" and "unsure" in bar.detected.toolTip()
    assert window.width() == width
    bar.show_detected("deu", 0.9)
    assert bar.detected.text() == "Detected: German (90%)" and "unsure" not in bar.detected.toolTip()


def test_a_busy_computer_is_said_until_the_text_has_caught_up(qtbot, make_window, microphone, tmp_path) -> None:
    from mms_desktop.core.base import CaughtUp, FallingBehind, PartialResult

    window = make_window()
    start_dictating(qtbot, window, "spa")
    window.dictation._event(FallingBehind(12.4))  # as the stream reports it, on the GUI thread
    notice = "This computer is too busy to keep up: the text is 12 s behind your voice. Nothing is lost; it catches"
    assert window.status_text.text().startswith(notice)
    window.dictation._event(PartialResult(0, "son", "gente"))
    assert window.status_text.text().startswith(notice), "not replaced by the progress of the text"
    window.dictation._event(CaughtUp())
    assert window.status_text.text() == "Listening…"
    window.bar.record_button.click()
    qtbot.waitUntil(lambda: not window.dictation.is_running, timeout=30000)


def test_the_window_says_when_the_demonstration_model_is_what_runs(qtbot, make_window, installed_home: Path) -> None:
    from PySide6.QtWidgets import QPushButton

    window = make_window()  # an empty data folder: the bundled demonstration pack stands in
    notice = window.demo_notice
    qtbot.waitUntil(notice.isVisible, timeout=30000)
    assert notice.text.text().startswith("Demonstration model: trained on synthetic speech")
    assert not window.banner.isVisible(), "nothing is missing: the demonstration works"
    close = next(b for b in notice.findChildren(QPushButton) if b.text() == "✕")
    close.click()
    assert not notice.isVisible()
    window.readiness.refresh()  # surveyed again (after an install, say): it stays closed
    qtbot.wait(500)
    assert not notice.isVisible()
    installed = make_window(installed_home)  # a full recognition model installed: no notice
    qtbot.waitUntil(installed.bar.record_button.isEnabled, timeout=30000)
    qtbot.wait(300)
    assert not installed.demo_notice.isVisible()
