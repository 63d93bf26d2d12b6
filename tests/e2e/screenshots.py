"""Screenshots of the real application under Xvfb, with speech played into a PulseAudio virtual microphone.

    python tests/e2e/screenshots.py OUT_DIR

Starts a private X server and sound server, opens the window over a fresh data folder (the bundled
demonstration pack is what is installed), and saves PNGs of its main states: idle, dictating with live
text, the language manager and the settings, the field-work windows, and dictation into another
application (the overlay over it, and the tray's menu). Prints a JSON summary (files, the dictated text).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEECH = "son gente sol nueve camino pez viejo pequeño seis gente uno azul. pero voz hombre ojo andar"


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """An Xvfb server of this run's own and its display name: a number no server holds (no socket, no
    lock file), kept only once this very process is seen running and listening there, so that the windows
    can never be drawn on another X server. (Xvfb's -displayfd is no help: it takes no lock, and two
    servers started that way were both given :0.)"""
    for number in range(90 + os.getpid() % 100, 600):
        socket, lock = Path(f"/tmp/.X11-unix/X{number}"), Path(f"/tmp/.X{number}-lock")
        if socket.exists() or lock.exists():
            continue
        xvfb = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while xvfb.poll() is None and not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if xvfb.poll() is None and socket.exists():
            return xvfb, f":{number}"
        xvfb.kill()  # another server took the number meanwhile, or this one did not start
        xvfb.wait()
    raise RuntimeError("Xvfb did not start")


def outer(out: Path) -> dict:
    sys.path.insert(0, str(HERE))
    from pulse import PulseServer

    work = Path(tempfile.mkdtemp(prefix="mms-shots-"))
    (work / "pulse").mkdir()
    pulse = PulseServer(work / "pulse").start()
    xvfb, display = start_xvfb()
    try:
        env = {
            **os.environ,
            **pulse.env,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "MMS_DESKTOP_HOME": str(work / "home"),
            "HOME": str(work),
        }
        env.pop("WAYLAND_DISPLAY", None)
        result = subprocess.run(
            [sys.executable, __file__, "--inner", str(out)], env=env, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise RuntimeError(f"the window script failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        xvfb.terminate()
        pulse.stop()
        shutil.rmtree(work, ignore_errors=True)


def inner(out: Path) -> dict:
    """Runs inside the X and sound servers: the real app, real microphone, real speech."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from mms_desktop import settings as S
    from mms_desktop.app import build_window
    from mms_desktop.paths import resolve

    tray = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "160"])
    time.sleep(1.0)  # the tray is there before the program looks for one
    app = QApplication([sys.argv[0]])
    home = resolve().data
    home.mkdir(parents=True, exist_ok=True)
    S.save(
        S.Settings(
            language="spa",
            favourites=["spa", "deu"],
            input_device="pulse",
            recordings_dir=str(home / "recordings"),
            close_to_tray="no",
        ),
        home / "settings.json",
    )
    window = build_window()
    window.show()

    def wait(condition, seconds: float) -> bool:  # noqa: ANN001
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            loop = QEventLoop()
            QTimer.singleShot(50, loop.quit)
            loop.exec()
        return False

    def shot(name: str, widget=None) -> str:  # noqa: ANN001
        wait(lambda: False, 0.4)  # let the window repaint
        path = out / f"{name}.png"
        frame = (widget or window).frameGeometry()  # by default the main window and any dialog over it
        app.primaryScreen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).save(str(path))
        return str(path)

    files = []
    wait(lambda: window.status_text.text().startswith("Ready"), 120)
    window.view.setPlainText("")
    files.append(shot("1-idle"))
    wav = home / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "es", "-s", "140", "-w", str(wav), SPEECH], check=True)
    window.bar.record_button.click()
    wait(lambda: window.status_text.text() == "Listening…", 60)
    player = subprocess.Popen(["paplay", "--device=virtmic", str(wav)])
    live = wait(lambda: len(window.view.live_text.split()) >= 3 and bool(window.view.tentative_ranges()), 30)
    files.append(shot("2-dictating"))
    player.wait(30)
    wait(lambda: len(window.segments) >= 2, 15)
    window.bar.record_button.click()
    wait(lambda: not window.dictation.is_running, 30)
    text, status = window.view.toPlainText(), window.status_text.text()  # what the dictation ended with
    manager = window.tools.open_language_manager()
    wait(lambda: manager.model.rowCount() > 0, 30)
    manager.select_code("spa")
    manager.search.setText("")
    files.append(shot("3-language-manager"))
    manager.close()
    dialog = window.open_settings()
    files.append(shot("4-settings"))
    dialog.reject()
    files += field_work_shots(window, home, wait, shot)
    typed, anywhere_files = anywhere_shots(window, home, wait, out)
    files += anywhere_files
    window.close()
    wait(lambda: not window.isVisible(), 30)
    window.jobs.wait()
    tray.terminate()
    return {"files": files, "text": text, "live_partial_seen": live, "status": status, "typed": typed}


def anywhere_shots(window, home: Path, wait, out: Path) -> tuple[str, list[str]]:  # noqa: ANN001
    """Dictation into another application (as the global shortcut starts it): the overlay with the words in
    progress over that application, then the tray's menu. Returns the text the application received."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QApplication

    from mms_desktop.desktop.setup import attach

    state = home / "target.json"
    target = subprocess.Popen([sys.executable, "-m", "mms_desktop.benchmark.target", str(state)])
    wait(lambda: state.exists() and json.loads(state.read_text()).get("focused"), 30)
    desktop = attach(window, None)
    window.readiness.refresh()  # the window surveyed before the tray was there: again, for its menu
    window.hide()
    desktop.start()
    wait(lambda: window.status_text.text() == "Listening…", 60)
    first, second = home / "anywhere-1.wav", home / "anywhere-2.wav"
    subprocess.run(["espeak-ng", "-v", "es", "-s", "140", "-w", str(first), "son gente sol nueve camino"], check=True)
    subprocess.run(["espeak-ng", "-v", "es", "-s", "140", "-w", str(second), SPEECH], check=True)
    subprocess.run(["paplay", "--device=virtmic", str(first)], check=True)
    wait(lambda: json.loads(state.read_text())["text"], 30)  # the first sentence is in the other application
    player = subprocess.Popen(["paplay", "--device=virtmic", str(second)])
    wait(lambda: "#9aa0a6" in desktop.overlay.words.text() and len(desktop.overlay.words.text()) > 60, 30)
    screen = QApplication.primaryScreen()
    area = QRect(20, 280, 640, 0).united(desktop.overlay.frameGeometry()).adjusted(0, 0, 16, 16)
    path = out / "7-dictate-anywhere.png"
    screen.grabWindow(0, area.x(), area.y(), area.width(), area.height()).save(str(path))
    files = [str(path)]
    player.wait(30)
    wait(lambda: False, 2.0)
    desktop.stop()
    wait(lambda: not window.dictation.is_running, 30)
    typed = json.loads(state.read_text())["text"]
    if desktop.tray is not None:
        tray = desktop.tray
        wait(lambda: tray.languages.actions(), 30)
        menu = tray.menu
        menu.popup(tray.icon.geometry().bottomLeft())
        wait(lambda: False, 0.3)
        menu.setActiveAction(tray.languages.menuAction())  # as the pointer resting on Language opens it
        tray.languages.popup(QPoint(menu.x() - tray.languages.sizeHint().width(), menu.y()))
        wait(lambda: False, 0.5)
        shown = menu.frameGeometry().united(tray.languages.frameGeometry()).united(tray.icon.geometry())
        shown = shown.adjusted(-8, -4, 8, 8)
        path = out / "8-tray-menu.png"
        screen.grabWindow(0, shown.x(), max(0, shown.y()), shown.width(), shown.height()).save(str(path))
        files.append(str(path))
        tray.languages.hide()
        menu.hide()
    target.terminate()
    return typed, files


def field_work_shots(window, home: Path, wait, shot) -> list[str]:  # noqa: ANN001
    """The sessions window over a session recorded from the dictation's WAV, and the teaching window."""
    from mms_desktop.core.fieldwork import Project, SessionInfo, Speaker

    project = Project(home / "project")
    info = project.create(
        SessionInfo(
            id="", title="Stories of the village", language="spa", place="Oaxaca", speakers=[Speaker("SP1", "Maria")]
        )
    )
    recording = next((home / "recordings").glob("dictation-*.wav"))
    target = project.next_recording(info.id)
    target.write_bytes(recording.read_bytes())
    sessions = window.tools.open_sessions()
    sessions.resize(window.size())
    sessions.move(window.pos())
    sessions.open_project(project.folder)
    wait(lambda: sessions.sessions.count() == 1, 30)
    sessions.sessions.setCurrentRow(0)
    wait(lambda: sessions.recordings.count() == 1, 30)
    sessions.recordings.setCurrentRow(0)
    sessions.transcribe()
    wait(lambda: sessions.table.rowCount() > 0, 60)
    files = [shot("5-field-sessions")]
    sessions.close()
    trainer = window.tools.open_training()
    trainer.resize(window.size())
    trainer.move(window.pos())
    trainer.add_source(spoken_pairs(home / "teaching", "it", TEACHING))
    trainer.language.setText("ita")
    trainer.steps.setValue(60)
    trainer.train()  # a real run on the demonstration model, short enough for a screenshot
    wait(lambda: trainer.job is None, 300)
    files.append(shot("6-teach-a-language", trainer))
    trainer.close()
    return files


TEACHING = [
    "buongiorno a tutti",
    "la casa rossa",
    "il cane nero",
    "una bella giornata",
    "grazie mille amico",
    "dove sei andato",
    "il libro aperto",
    "acqua fresca",
    "la luna piena",
    "sei sette otto",
]


def spoken_pairs(folder: Path, voice: str, phrases: list[str]) -> Path:
    """A folder of espeak-ng recordings, each with its transcript beside it (``01.wav`` + ``01.txt``)."""
    folder.mkdir(parents=True)
    for i, text in enumerate(phrases):
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(folder / f"{i:02d}.wav"), text], check=True)
        (folder / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    return folder


if __name__ == "__main__":
    if sys.argv[1] == "--inner":
        print(json.dumps(inner(Path(sys.argv[2]))))
    else:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        print(json.dumps(outer(target), indent=1))
