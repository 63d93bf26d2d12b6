"""The real window program starts, loads its models in the background and says when it was ready."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


def test_the_window_opens_at_once_and_gets_ready_in_the_background(tmp_path: Path) -> None:
    gui = shutil.which("mms-desktop-gui", path=str(Path(sys.executable).parent))
    assert gui is not None
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_STATE_HOME": str(tmp_path / "state")}
    shot = tmp_path / "window.png"
    result = subprocess.run([gui, "--data-dir", str(tmp_path / "home"), "--screenshot", str(shot)],
                            capture_output=True, text=True, env=env, timeout=180)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r"window open after ([\d.]+) s; ready ([\d.]+) s later", result.stdout)
    assert found, (result.stdout, result.stderr[-2000:])
    assert float(found.group(1)) < 10  # the window does not wait for the models
    assert shot.stat().st_size > 10_000
    log = next((tmp_path / "state").rglob("mms-desktop.log")).read_text(encoding="utf-8")
    assert "model code imported" in log and "could not be loaded" not in log
