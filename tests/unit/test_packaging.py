"""pyproject.toml lists the packages a wheel holds; a sub-package added to the tree must be listed too."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_lists_every_package_of_the_tree_and_the_resources() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    in_tree = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "mms_desktop").rglob("__init__.py")}
    assert set(config["packages"]) == in_tree | {"mms_desktop.resources"}
    assert config["package-dir"] == {"mms_desktop.resources": "resources"}
