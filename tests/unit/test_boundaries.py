"""House rules: the engine never imports Qt, and importing the CLI loads no model library."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "mms_desktop" / "core"


def test_core_never_imports_pyside6_or_the_gui() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(("PySide6", "mms_desktop.gui"))]
    assert offenders == []


def test_importing_the_engine_loads_no_qt_and_the_cli_no_torch() -> None:
    code = (
        "import sys, pkgutil, importlib, mms_desktop.core as c\n"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(c.__path__, 'mms_desktop.core.')]\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'\n"
        "import mms_desktop.cli\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    fast = "import sys, mms_desktop.cli; assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", fast], check=True)
