"""`overleg init` and what happens without a workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from overleg.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def test_init_creates_a_workspace(run, tmp_path: Path) -> None:
    target = tmp_path / "mijn-overleg"
    result = run("init", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Werkmap gemaakt in {target.resolve()}.\n"
        f"Pas {target / 'overleg.toml'} aan (partners, e-mailadressen) en zet casussen in "
        f"{target / 'casussen'}.\n")
    assert sorted(p.name for p in target.iterdir()) == ["casussen", "overleg.toml", "templates"]
    assert list((target / "casussen").iterdir()) == []
    assert (target / "overleg.toml").read_bytes() == (
        ROOT / "overleg" / "data" / "overleg.toml").read_bytes()
    config = load_config(target / "overleg.toml")
    assert list(config.partners) == ["RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "RvdK", "WC",
                                     "VZ"]


def test_init_in_the_current_folder(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "hier"
    here.mkdir()
    monkeypatch.chdir(here)
    result = run("init")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"Werkmap gemaakt in {here.resolve()}."
    assert (here / "overleg.toml").is_file()
    monkeypatch.delenv("OVERLEG_WORKSPACE")
    check = run("cases", "check")
    assert (check.exit_code, check.stdout) == (0, "")
    assert check.stderr == "0 casusbestanden gecontroleerd: 0 fouten, 0 waarschuwingen.\n"


def test_init_refuses_an_existing_workspace(run, tmp_path: Path) -> None:
    target = tmp_path / "bestaand"
    target.mkdir()
    (target / "overleg.toml").write_text("# mijn eigen instellingen\n", encoding="utf-8")
    result = run("init", str(target), "--example")
    assert result.exit_code == 1
    assert result.stderr == (f"Fout: in '{target}' staat al een overleg.toml; er is niets "
                             "veranderd.\n")
    assert result.stdout == ""
    assert (target / "overleg.toml").read_text(encoding="utf-8") == "# mijn eigen instellingen\n"
    assert sorted(p.name for p in target.iterdir()) == ["overleg.toml"]


def test_init_example_copies_the_cases(run, tmp_path: Path) -> None:
    target = tmp_path / "voorbeeld"
    result = run("init", str(target), "--example")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        f"Probeer: overleg -w {target} agenda build --date 2026-12-01")
    copied = sorted(p.name for p in (target / "casussen").iterdir())
    assert copied == sorted(p.name for p in (ROOT / "examples" / "casussen").iterdir())
    assert len(copied) >= 12
    assert (target / "overleg.toml").read_bytes() == (
        ROOT / "examples" / "overleg.toml").read_bytes()
    check = run("-w", str(target), "cases", "check")
    assert check.exit_code == 0, check.output
    assert check.stdout == ""
    assert check.stderr == (f"{len(copied)} casusbestanden gecontroleerd: 0 fouten, "
                            "0 waarschuwingen.\n")


def test_no_workspace_says_to_run_init(run, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVERLEG_WORKSPACE")
    result = run("cases", "list")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Fout: geen overleg.toml gevonden in '{tmp_path.resolve()}' of een map daarboven. "
        "Maak een werkmap met 'overleg init' of kies er een met -w PAD.\n")


def test_workspace_option_without_config(run, tmp_path: Path) -> None:
    result = run("-w", str(tmp_path), "cases", "check")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Fout: '{tmp_path}' is geen werkmap van overleg: overleg.toml ontbreekt. "
        f"Maak er een met 'overleg init {tmp_path}'.\n")


def test_bad_config_is_a_clear_error(run, empty_ws: Path) -> None:
    config = empty_ws / "overleg.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'begintijd = "09:30"', 'begintijd = "9 uur"'), encoding="utf-8")
    result = run("cases", "list")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: overleg.toml:17: 'begintijd' = '9 uur' is geen tijd "
                             "(schrijf bijv. \"09:30\")\n")
