"""A private PulseAudio server with a null sink: a virtual microphone that tests can speak into."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

CONFIG = """
load-module module-native-protocol-unix auth-anonymous=1 socket={socket}
load-module module-null-sink sink_name=virtmic rate=48000 channels=1
set-default-sink virtmic
set-default-source virtmic.monitor
"""


class PulseServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.socket = folder / "native"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {"PULSE_SERVER": f"unix:{self.socket}", "XDG_RUNTIME_DIR": str(self.folder)}

    def start(self) -> PulseServer:
        (self.folder / "default.pa").write_text(CONFIG.format(socket=self.socket))
        env = {**os.environ, **self.env, "HOME": str(self.folder)}
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "-F", str(self.folder / "default.pa"), "--daemonize=no",
             "--exit-idle-time=-1", "--disallow-exit", "--log-target=stderr"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(self.folder / "log", "wb"),
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
                return self
            time.sleep(0.1)
        raise RuntimeError("PulseAudio did not start: " + (self.folder / "log").read_text())

    def play(self, wav: Path) -> None:
        """Play a file into the virtual microphone and wait until it has been played."""
        subprocess.run(["paplay", "--device=virtmic", str(wav)], env={**os.environ, **self.env}, check=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def available() -> bool:
    return all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "paplay"))
