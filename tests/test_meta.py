"""Meta-tests: every command has help text; the installed `overleg` script starts and fails well."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

from overleg import __version__
from overleg.cli.app import app

SCRIPT = Path(sys.executable).parent / "overleg"
ROOT = Path(__file__).resolve().parent.parent


def walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every (path, command) below the root, groups included."""
    found = []
    if not hasattr(command, "list_commands"):
        return found
    ctx = typer.Context(command)  # groups are built on demand: ask, don't read .commands
    for name in sorted(command.list_commands(ctx)):
        sub = command.get_command(ctx, name)
        found.append(((*path, name), sub))
        found.extend(walk(sub, (*path, name)))
    return found


COMMANDS = walk(typer.main.get_command(app))
IDS = [" ".join(path) for path, _ in COMMANDS]


def test_the_tree_holds_the_foundation_commands() -> None:
    assert {"init", "demo", "cases", "cases list", "cases show", "cases check"} <= set(IDS)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_has_help(run, path: tuple[str, ...], command: Any) -> None:
    assert command.get_short_help_str(limit=200).strip(), f"{' '.join(path)} has no help text"
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert f"Gebruik: overleg {' '.join(path)} " in " ".join(result.stdout.split())
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("path", "command"),
                         [(p, c) for p, c in COMMANDS if not hasattr(c, "commands")],
                         ids=[i for i, (_, c) in zip(IDS, COMMANDS, strict=True)
                              if not hasattr(c, "commands")])
def test_every_command_has_an_example(path: tuple[str, ...], command: Any) -> None:
    assert f"Voorbeeld: overleg {path[-1]}" in " ".join((command.help or "").split()) or \
        f"Voorbeeld: overleg {' '.join(path)}" in " ".join((command.help or "").split())


def test_root_help(run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "Assistent voor het casusoverleg van het Zorg- en Veiligheidshuis." in result.stdout


def test_no_arguments_shows_help(run) -> None:
    result = run()
    assert "Gebruik: overleg" in result.output
    assert "cases" in result.output


def test_unknown_command_is_a_usage_error(run) -> None:
    result = run("vergader")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# --- the installed console script ------------------------------------------------------------

def script_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OVERLEG_WORKSPACE"}
    return env | {"HOME": str(tmp_path), "OVERLEG_TODAY": "2026-11-28", "NO_COLOR": "1"}


@pytest.mark.slow
def test_installed_script_version(tmp_path: Path) -> None:
    done = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True,
                          cwd=tmp_path, env=script_env(tmp_path), timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"overleg {__version__}\n", "")


@pytest.mark.slow
def test_installed_script_fails_cleanly_without_workspace(tmp_path: Path) -> None:
    done = subprocess.run([str(SCRIPT), "cases", "list"], capture_output=True, text=True,
                          cwd=tmp_path, env=script_env(tmp_path), timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("Fout: geen overleg.toml gevonden in ")
    assert "overleg init" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stdout == ""


@pytest.mark.slow
def test_installed_script_reports_bad_case_files_without_traceback(tmp_path: Path) -> None:
    ws = tmp_path / "w"
    init = subprocess.run([str(SCRIPT), "init", str(ws)], capture_output=True, text=True,
                          cwd=tmp_path, env=script_env(tmp_path), timeout=60)
    assert init.returncode == 0, init.stderr
    (ws / "casussen" / "kapot.md").write_bytes(b"---\nid: [\n---\n\xff\xfe")
    (ws / "casussen" / "lus.md").write_bytes(
        b"---\nid: 2026-001\ninitialen: A.B.\nstatus: actief\naangemeld_op: 2026-11-02\n"
        b"aangemeld_door: RN\npartners: [RN]\nlus: &a [*a]\n---\n")
    done = subprocess.run([str(SCRIPT), "-w", str(ws), "cases", "check"], capture_output=True,
                          text=True, cwd=tmp_path, env=script_env(tmp_path), timeout=60)
    assert done.returncode == 1
    assert done.stdout == (
        "casussen/kapot.md:4: het bestand is geen UTF-8-tekst; sla het op als UTF-8\n"
        "casussen/lus.md:8: 'lus': de waarde is te diep genest of te groot (YAML-anker?)\n")
    assert done.stderr == "2 casusbestanden gecontroleerd: 2 fouten, 0 waarschuwingen.\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--bogus"], "Fout: onbekende optie --bogus\nZie 'overleg --help'.\n"),
    (["-w"], "Fout: de optie -w vraagt een waarde.\nZie 'overleg --help'.\n"),
    (["bogus"], "Fout: onbekende opdracht 'bogus'.\nZie 'overleg --help'.\n"),
    (["action", "add"], "Fout: het argument ID ontbreekt.\nZie 'overleg action add --help'.\n"),
    (["action", "done", "abc"], "Fout: ongeldige waarde voor 'ACTIE': 'abc' is geen geheel "
                                "getal.\nZie 'overleg action done --help'.\n"),
])
def test_usage_errors_are_dutch_with_exit_code_2(run, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""


# --- docs/cli.md -------------------------------------------------------------------------

@pytest.mark.slow
def test_docs_cli_md_is_the_help_of_every_command() -> None:
    """docs/cli.md is what `make docs` writes from the real --help (make lint checks it too)."""
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "gen_cli.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
