"""Finding the workspace (-w, $OVERLEG_WORKSPACE, the nearest overleg.toml) and its paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from overleg.errors import WorkspaceNotFound
from overleg.workspace import find_workspace, load_workspace

CONFIG = """\
[overleg]
naam = "Casusoverleg Zuid"
casussen = "dossiers"

[partners.RN]
naam = "Reclassering Nederland"
"""


def make_ws(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "overleg.toml").write_text(CONFIG, encoding="utf-8")
    return path


def test_explicit_workspace_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = make_ws(tmp_path / "gekozen")
    other = make_ws(tmp_path / "omgeving")
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(other))
    assert find_workspace(chosen) == chosen.resolve()


def test_relative_explicit_workspace_is_resolved(tmp_path: Path) -> None:
    make_ws(tmp_path / "gekozen")
    assert find_workspace(Path("gekozen")) == (tmp_path / "gekozen").resolve()


def test_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = make_ws(tmp_path / "omgeving")
    make_ws(tmp_path / "hier")
    monkeypatch.chdir(tmp_path / "hier")
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(env))
    assert find_workspace() == env.resolve()


def test_nearest_overleg_toml_upwards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVERLEG_WORKSPACE")
    make_ws(tmp_path / "boven")
    inner = make_ws(tmp_path / "boven" / "binnen")
    deep = inner / "casussen" / "archief"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_workspace() == inner.resolve()
    workspace = load_workspace()
    assert workspace.root == inner.resolve()
    assert workspace.cases_dir == inner.resolve() / "dossiers"
    assert workspace.config.naam == "Casusoverleg Zuid"


def test_empty_environment_variable_is_ignored(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLEG_WORKSPACE", "")
    ws = make_ws(tmp_path / "hier")
    monkeypatch.chdir(ws)
    assert find_workspace() == ws.resolve()


def test_no_workspace_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVERLEG_WORKSPACE")
    here = tmp_path / "leeg"
    here.mkdir()
    monkeypatch.chdir(here)
    with pytest.raises(WorkspaceNotFound) as caught:
        find_workspace()
    assert str(caught.value) == (
        f"geen overleg.toml gevonden in '{here.resolve()}' of een map daarboven. "
        "Maak een werkmap met 'overleg init' of kies er een met -w PAD.")


@pytest.mark.parametrize("how", ["explicit", "environment"])
def test_chosen_folder_without_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      how: str) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    if how == "environment":
        monkeypatch.setenv("OVERLEG_WORKSPACE", str(folder))
    with pytest.raises(WorkspaceNotFound) as caught:
        find_workspace(folder if how == "explicit" else None)
    assert str(caught.value) == (
        f"'{folder}' is geen werkmap van overleg: overleg.toml ontbreekt. "
        f"Maak er een met 'overleg init {folder}'.")


def test_workspace_paths(tmp_path: Path) -> None:
    ws = load_workspace(make_ws(tmp_path / "w"))
    root = (tmp_path / "w").resolve()
    assert (ws.db_path, ws.templates_dir, ws.out_dir) == (
        root / "overleg.db", root / "templates", root / "uit")
    assert ws.rel(root / "dossiers" / "a.md") == "dossiers/a.md"
    assert ws.rel(Path("/elders/a.md")) == "/elders/a.md"
