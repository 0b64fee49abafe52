"""The built wheel ships the templates, the example workspace and the default config."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # builds the wheel


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Build the wheel once (about 2 s) and list what is inside."""
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)]
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(4, "--no-isolation")  # no temporary build environment: faster, offline
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = list(out.glob("overleg-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as archive:
        return set(archive.namelist())


def shipped(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_wheel_contains_the_templates(wheel_names: set[str]) -> None:
    inside = {n.removeprefix("overleg/templates/") for n in wheel_names
              if n.startswith("overleg/templates/")}
    assert inside, "no templates in the wheel"
    assert inside == shipped(ROOT / "templates")


def test_wheel_contains_the_example_workspace(wheel_names: set[str]) -> None:
    assert "overleg/examples/overleg.toml" in wheel_names
    cases = {n.removeprefix("overleg/examples/") for n in wheel_names
             if n.startswith("overleg/examples/casussen/")}
    assert cases == {f"casussen/{p.name}" for p in (ROOT / "examples" / "casussen").glob("*.md")}


def test_wheel_contains_the_default_config_and_code(wheel_names: set[str]) -> None:
    assert {"overleg/data/overleg.toml", "overleg/__init__.py", "overleg/cli/app.py",
            "overleg/cases.py", "overleg/config.py"} <= wheel_names
    entry_points = next(n for n in wheel_names if n.endswith(".dist-info/entry_points.txt"))
    assert entry_points.startswith("overleg-")
    assert not any("/tests/" in n or n.startswith("tests/") for n in wheel_names)
