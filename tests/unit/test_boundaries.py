"""House rules: the layers of the program and of its engine, checked on the source.

The engine (``mms_desktop/core``) is a set of sub-packages, each with a face (its ``__init__.py`` and
``__all__``). They stand in layers (``LAYERS``, lowest first): a sub-package imports only those below
it, and only through their faces. ``core`` imports no front end; the command line and the window never
import each other; the window and the engine know nothing of dictation anywhere (``desktop``), and the
command line uses only its running-instance socket; ELAN's recognizers (``elan``) stand on the public
engine, and only the command line starts them. No import cycle exists, counting imports placed inside
functions too, so none of those can be hiding one: they are there only to put off importing torch until a
model is loaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "mms_desktop"
CORE = ROOT / "core"
LAYERS = [
    "base",
    "audio",
    "checkpoints",
    "store",
    "formats",
    "recognition",
    "synthesis",
    "fieldwork",
    "training",
    "engine",
    "batch",
]
HEAVY = ("torch", "transformers")  # libraries whose import alone takes a second or more


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in ROOT.rglob("*.py")}


def imports(path: Path) -> list[tuple[ast.ImportFrom | ast.Import, bool]]:
    """Every import statement of ``path`` (absolute) that runs, and whether it is inside a function (those
    under ``if TYPE_CHECKING:`` only name types for the checker)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
              for n in ast.walk(f)}  # fmt: skip
    typing_only = {id(n) for f in ast.walk(tree) if isinstance(f, ast.If) and ast.unparse(f.test) == "TYPE_CHECKING"
                   for n in ast.walk(f)}  # fmt: skip
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in typing_only:
            assert not (isinstance(node, ast.ImportFrom) and node.level), f"{path}: relative import"
            found.append((node, id(node) in nested))
    return found


def targets(node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    """The program's modules an import statement loads (a name that is a submodule counts as one)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in known]
    if node.module is None or node.module not in known:
        return []
    return [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names]


def faces() -> dict[str, set[str]]:
    result = {}
    for layer in LAYERS:
        tree = ast.parse((CORE / layer / "__init__.py").read_text(encoding="utf-8"))
        names = [ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__all__"]  # fmt: skip
        assert names, f"core/{layer}/__init__.py has no __all__"
        result[layer] = set(names[0])
    return result


def imports_heavy(path: Path) -> bool:
    return any(isinstance(node, ast.Import | ast.ImportFrom) and not nested and
               any(name.split(".")[0] in HEAVY for name in ([a.name for a in node.names]
                   if isinstance(node, ast.Import) else [node.module or ""]))
               for node, nested in imports(path))  # fmt: skip


def test_every_engine_module_belongs_to_a_layer_and_every_face_exports_what_it_names() -> None:
    assert sorted(p.name for p in CORE.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(LAYERS)
    assert [p.name for p in CORE.glob("*.py")] == ["__init__.py"], "a module outside every sub-package"
    for layer, names in faces().items():
        module = __import__(f"mms_desktop.core.{layer}", fromlist=["_"])
        assert all(hasattr(module, n) for n in names), layer


def test_layers_import_downwards_and_only_through_faces() -> None:
    known, public = modules(), faces()
    offenders = []
    for name, path in known.items():
        if not name.startswith("mms_desktop.core."):
            continue
        layer = name.split(".")[2]
        for node, _ in imports(path):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for target in [module] if module else [a.name for a in node.names]:
                if not target or not target.startswith("mms_desktop"):
                    continue
                if not target.startswith("mms_desktop.core"):
                    offenders.append(f"{name} imports the front end {target}")
                    continue
                bits = target.split(".")
                if target == "mms_desktop.core":  # from mms_desktop.core import <layer>
                    other = [a.name for a in node.names if a.name != layer]
                    offenders += [f"{name} imports {o} above it" for o in other
                                  if LAYERS.index(o) > LAYERS.index(layer)]  # fmt: skip
                    continue
                if bits[2] == layer:
                    continue
                if LAYERS.index(bits[2]) > LAYERS.index(layer):
                    offenders.append(f"{name} imports {target}, a layer above its own")
                if len(bits) > 3:
                    offenders.append(f"{name} imports {target} past its face")
                elif isinstance(node, ast.ImportFrom):
                    offenders += [f"{name} imports {a.name}, which {target} does not export"
                                  for a in node.names if a.name not in public[bits[2]]]  # fmt: skip
    assert offenders == []


def test_front_ends_stay_apart() -> None:
    offenders = []
    for name, path in modules().items():
        for node, _ in imports(path):
            for target in [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]:
                target = target or ""
                if name.startswith("mms_desktop.cli") and target.startswith("mms_desktop.gui"):
                    offenders.append(f"{name} imports {target}")
                if name.startswith("mms_desktop.gui") and target.startswith("mms_desktop.cli"):
                    offenders.append(f"{name} imports {target}")
                if name.startswith("mms_desktop.core") and target.startswith("PySide6"):
                    offenders.append(f"{name} imports {target}")
                # Dictation anywhere wraps the window: the window never reaches out to it, and the command
                # line only talks to the running instance.
                desktop = target.startswith("mms_desktop.desktop")
                if desktop and name.startswith(("mms_desktop.gui", "mms_desktop.core")):
                    offenders.append(f"{name} imports {target}")
                if desktop and name.startswith("mms_desktop.cli") and target != "mms_desktop.desktop.instance":
                    offenders.append(f"{name} imports {target}")
                # The recognizers ELAN runs stand on the public engine: only the command line starts them,
                # and they reach neither the window nor the desktop.
                if target.startswith("mms_desktop.elan") and not name.startswith(
                    ("mms_desktop.cli", "mms_desktop.elan")
                ):
                    offenders.append(f"{name} imports {target}")
                elan_reach = ("mms_desktop.gui", "mms_desktop.cli", "mms_desktop.desktop", "PySide6")
                if name.startswith("mms_desktop.elan") and target.startswith(elan_reach):
                    offenders.append(f"{name} imports {target}")
    assert offenders == []


def test_no_import_cycle_even_through_imports_inside_functions() -> None:
    known = modules()
    graph = {name: set() for name in known}
    for name, path in known.items():
        for node, _ in imports(path):
            graph[name].update(t for t in targets(node, known) if t != name)
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(trail[trail.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_imports_inside_engine_functions_only_put_off_torch() -> None:
    known = modules()
    offenders = []
    for name, path in known.items():
        if not name.startswith("mms_desktop.core"):
            continue
        for node, nested in imports(path):
            if nested:
                offenders += [f"{name} → {t}" for t in targets(node, known) if not imports_heavy(known[t])]
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
    faces_only = "import sys, " + ", ".join(f"mms_desktop.core.{layer}" for layer in LAYERS)
    subprocess.run([sys.executable, "-c", faces_only + "; assert 'torch' not in sys.modules"], check=True)
