"""The one running instance: its socket takes commands, a second one steps aside, and a crashed one's
leftovers do not stop the next start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mms_desktop.desktop.instance import InstanceServer, send


def test_commands_reach_the_running_instance_and_a_second_one_steps_aside(qtbot, tmp_path: Path) -> None:
    first = InstanceServer(tmp_path / "data")
    assert first.listen()
    heard: list[str] = []
    first.command.connect(heard.append)
    second = InstanceServer(tmp_path / "data")
    assert not second.listen(), "the first holds the data folder"
    other_folder = InstanceServer(tmp_path / "other")
    assert other_folder.listen() and other_folder.name != first.name
    code = (
        f"from mms_desktop.desktop.instance import send; print(send({first.name!r}, 'toggle'), "
        f"send({first.name!r}, 'format c:'))"
    )
    client = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    qtbot.waitUntil(lambda: client.poll() is not None, timeout=20000)  # the server answers from this event loop
    assert client.stdout.read().split() == ["ok", "unknown"]
    assert heard == ["toggle"]
    first.close()
    other_folder.close()
    assert send(first.name, "ping", 500) is None
    third = InstanceServer(tmp_path / "data")
    assert third.listen(), "once the first is gone, the next start runs"
    third.close()


def test_a_crashed_instance_does_not_stop_the_next_start(qtbot, tmp_path: Path) -> None:
    code = (
        "import os; from pathlib import Path; from PySide6.QtCore import QCoreApplication; "
        "from mms_desktop.desktop.instance import InstanceServer; app = QCoreApplication([]); "
        f"assert InstanceServer(Path({str(tmp_path / 'data')!r})).listen(); os._exit(9)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 9  # killed with its socket and lock left
    after = InstanceServer(tmp_path / "data")
    assert after.listen()
    after.close()
