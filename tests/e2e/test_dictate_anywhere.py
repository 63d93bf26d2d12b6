"""Dictation into another application, on a real X server (Xvfb) with a tray (trayer), a real sound
server (PulseAudio's virtual microphone) and the real program in its own process: keys are pressed with
XTest as a user's would be, and the text is read back from the application typed into."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pulse import PulseServer, available
from screenshots import start_xvfb

from mms_desktop import settings as settings_module
from mms_desktop.core.training import character_error_rate
from mms_desktop.desktop.instance import send, socket_name

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(
    not (available() and shutil.which("Xvfb") and shutil.which("trayer") and shutil.which("xterm")),
    reason="Xvfb, trayer, xterm and PulseAudio are needed",
)


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


class Desk:
    """A private X display with a tray, where applications are started and keys pressed."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.xvfb, self.display = start_xvfb()
        self.processes: list[subprocess.Popen] = []
        from Xlib import display

        self.x = display.Display(self.display)
        self.spawn(["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "160"])

    def env(self, **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("MMS_DESKTOP", "WAYLAND", "QT_QPA"))}
        return {**base, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb", **extra}

    def spawn(self, command: list[str], **extra: str) -> subprocess.Popen:
        log = open(self.folder / f"{Path(command[0]).name}-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(command, env=self.env(**extra), stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def press(self, *keys: str) -> None:
        """Press the keys together and let them go, as a user would (XTest)."""
        from Xlib import XK, X
        from Xlib.ext import xtest

        codes = [self.x.keysym_to_keycode(XK.string_to_keysym(k)) for k in keys]
        for code in codes:
            xtest.fake_input(self.x, X.KeyPress, code)
        for code in reversed(codes):
            xtest.fake_input(self.x, X.KeyRelease, code)
        self.x.sync()

    def windows(self) -> dict[str, bool]:
        """Every named window on the display, and whether it is shown."""
        found: dict[str, bool] = {}

        def walk(window) -> None:  # noqa: ANN001
            name = window.get_wm_name()
            if name:
                shown = window.get_attributes().map_state == 2  # IsViewable
                found[str(name)] = found.get(str(name), False) or shown
            for child in window.query_tree().children:
                walk(child)

        walk(self.x.screen().root)
        return found

    def tray_icons(self) -> int:
        """How many icons are docked in the tray (the tray's embedded client windows)."""
        count = 0

        def walk(window, in_tray: bool) -> None:  # noqa: ANN001
            nonlocal count
            cls = window.get_wm_class()
            tray = in_tray or bool(cls and "trayer" in cls)
            for child in window.query_tree().children:
                if tray and child.get_attributes().map_state == 2 and child.get_geometry().width <= 64:
                    count += 1
                walk(child, tray)

        walk(self.x.screen().root, False)
        return count

    def close(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.x.close()
        self.xvfb.terminate()
        self.xvfb.wait()


class Target:
    """Another application with the keyboard focus (mms_desktop/benchmark/target.py), its text read back."""

    def __init__(self, desk: Desk, clipboard: str = "before"):
        self.file = desk.folder / "target.json"
        desk.spawn([sys.executable, "-m", "mms_desktop.benchmark.target", str(self.file), clipboard])
        wait_until(lambda: self.state().get("focused"), 30, "the target application has the focus")

    def state(self) -> dict:
        try:
            return json.loads(self.file.read_text())
        except (OSError, ValueError):
            return {}

    @property
    def text(self) -> str:
        return self.state().get("text", "")


@pytest.fixture()
def desk(tmp_path: Path):
    desk = Desk(tmp_path)
    yield desk
    desk.close()


def inject(desk: Desk, spec: dict) -> dict:
    """Type ``spec``'s utterances through the product's paste path (tests/e2e/inject.py)."""
    path = desk.folder / "spec.json"
    path.write_text(json.dumps(spec))
    done = subprocess.run(
        [sys.executable, str(HERE / "inject.py"), str(path)], env=desk.env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_chinese_arabic_and_devanagari_are_pasted_and_scratch_that_takes_the_last_back(desk: Desk) -> None:
    target = Target(desk, clipboard="the user's own words")
    utterances = [
        ["你 好 世 界", "cmn-script_simplified"],
        ["مرحبا بالعالم", "ara"],
        ["नमस्ते दुनिया", "hin"],
        ["hello world", "eng"],
        ["scratch that", "eng"],
    ]
    done = inject(desk, {"paste_key": "Ctrl+V", "utterances": utterances, "target": str(target.file)})
    assert done["results"] == [True] * 5 and done["failed"] == []
    expected = "你好世界。 مرحبا بالعالم. नमस्ते दुनिया।"
    assert done["text"] == expected
    state = done["target"]  # read while the program that pasted still serves the clipboard it put back
    assert state["text"] == expected
    assert state["clipboard"] == "the user's own words", "the user's clipboard is put back"
    assert "text/html" in state["formats"], "with every format it had"


def test_a_terminal_gets_the_words_with_ctrl_shift_v(desk: Desk) -> None:
    out = desk.folder / "terminal.txt"
    paste = "XTerm*VT100.translations: #override Ctrl Shift <Key>V: insert-selection(CLIPBOARD)"
    desk.spawn(["xterm", "-title", "terminal", "-xrm", paste, "-e", "sh", "-c", f"cat > {out}"])
    wait_until(lambda: desk.windows().get("terminal"), 30, "the terminal is open")
    terminal = next(w for w in desk.x.screen().root.query_tree().children if w.get_wm_name() == "terminal")
    wait_until(out.exists, 10, "the shell in the terminal started")
    from Xlib import X

    terminal.set_input_focus(X.RevertToParent, X.CurrentTime)
    desk.x.sync()
    done = inject(desk, {"paste_key": "Ctrl+Shift+V", "utterances": [["hello from the terminal", "eng"]]})
    assert done["results"] == [True]
    desk.press("Return")  # the terminal hands the line to the program when it ends
    wait_until(lambda: out.read_text() == "Hello from the terminal.\n", 10, f"the line arrived: {out.read_text()!r}")


def test_nothing_is_typed_into_the_programs_own_window(desk: Desk) -> None:
    done = inject(desk, {"own_window": True, "utterances": [["hello world", "eng"]]})
    assert done["results"] == [False] and done["own_window_text"] == "" and done["failed"] == []


def start_program(desk: Desk, pulse: PulseServer, home: Path, *args: str) -> subprocess.Popen:
    return desk.spawn([str(BIN / "mms-desktop-gui"), *args], MMS_DESKTOP_HOME=str(home), **pulse.env)


def recordings(home: Path) -> list[Path]:
    return sorted((home / "recordings").glob("dictation-*.wav"))


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    chosen = settings_module.Settings(language="eng", input_device="pulse", recordings_dir=str(home / "recordings"))
    settings_module.save(chosen, home / "settings.json")
    return home


def test_the_shortcut_dictates_speech_into_the_application_in_front(desk: Desk, pulse, home: Path) -> None:
    from mms_desktop.demo.corpus import sentences

    spoken = sentences("eng", 40, 1000)[0]  # held out from the demonstration model's training
    wav = desk.folder / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), spoken], check=True)
    program = start_program(desk, pulse, home, "--tray")
    name = socket_name(home)
    wait_until(lambda: send(name, "ping") == "ok", 60, "the program is running")
    wait_until(lambda: desk.tray_icons() >= 1, 30, "its icon is in the tray")
    assert not desk.windows().get("MMS Desktop"), "started in the tray: no window"
    target = Target(desk)
    desk.press("Control_L", "Alt_L", "space")
    wait_until(lambda: desk.windows().get("MMS Desktop dictation"), 30, "the overlay shows")
    wait_until(lambda: recordings(home) and recordings(home)[0].stat().st_size > 44 + 48000, 30, "audio arrives")
    pulse.play(wav)
    time.sleep(1.5)  # the pause that ends the utterance
    desk.press("Control_L", "Alt_L", "space")
    wait_until(lambda: not desk.windows().get("MMS Desktop dictation"), 30, "the overlay goes when it stops")
    wait_until(lambda: target.text.endswith("."), 10, f"the words arrive: {target.text!r}")
    text = target.text
    assert text[0].isupper(), text
    assert character_error_rate([spoken], [text.rstrip(".").lower()]) <= 0.25, (spoken, text)
    time.sleep(1.0)
    assert target.state()["clipboard"] == "before", "the user's clipboard is back"
    assert len(recordings(home)) == 1, "the dictation was recorded"
    assert program.poll() is None


def test_the_command_line_starts_and_stops_dictation_and_one_instance_listens(desk: Desk, pulse, home: Path) -> None:
    env = {**desk.env(MMS_DESKTOP_HOME=str(home)), **pulse.env}
    command = [str(BIN / "mms-desktop"), "dictation"]
    stopped = subprocess.run([*command, "stop"], env=env, capture_output=True, text=True, timeout=60)
    assert stopped.returncode == 0 and "not running" in stopped.stderr
    started = subprocess.run([*command, "toggle"], env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode == 0, started.stderr
    assert "started in the tray" in started.stderr
    name = socket_name(home)
    try:
        wait_until(lambda: send(name, "ping") == "ok", 60, "the program started")
        wait_until(lambda: desk.windows().get("MMS Desktop dictation"), 30, "it dictates at once")
        second = start_program(desk, pulse, home, "--tray", "--dictate")
        assert second.wait(60) == 0, "a second start hands over to the first and ends"
        assert "already running" in (desk.folder / f"mms-desktop-gui-{len(desk.processes) - 1}.log").read_text()
        toggled = subprocess.run([*command, "toggle"], env=env, capture_output=True, text=True, timeout=60)
        assert toggled.returncode == 0, toggled.stderr
        wait_until(lambda: not desk.windows().get("MMS Desktop dictation"), 30, "the toggle stopped it")
        assert len(recordings(home)) == 1, "one instance recorded: the second never listened"
    finally:
        send(name, "quit")
    wait_until(lambda: send(name, "ping") is None, 60, "quit ends the program")
