"""The project as `pip install` gives it: a wheel built from the tree, installed in a fresh environment."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_an_installed_wheel_finds_its_demonstration_pack_and_sample(tmp_path: Path) -> None:
    """Built and installed (not editable), the program transcribes the shipped sample offline from
    anywhere: the resources travel inside the package."""
    dist, env = tmp_path / "dist", tmp_path / "env"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)], check=True, cwd=tmp_path
    )
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    (wheel,) = dist.glob("mms_desktop-*.whl")
    python = env / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The dependencies come from this environment (the .pth adds its folder, whose own .pth files, the
    # editable install of the tree among them, are not read): only the wheel provides mms_desktop.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "MMS_DESKTOP"))}
    environ |= {"MMS_DESKTOP_HOME": str(tmp_path / "home"), "PYTHONPATH": ""}
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import mms_desktop, mms_desktop.paths as p; print(mms_desktop.__file__); print(p.resources_dir())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=environ,
    ).stdout.split()
    assert where[0].startswith(str(site)) and where[1].startswith(str(site)), where
    result = subprocess.run(
        [str(env / "bin" / "mms-desktop"), "transcribe", str(Path(where[1]) / "sample.wav")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "the old man can read a book"
