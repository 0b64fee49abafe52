"""Tab completion: the completers through typer's shell protocol, and once in a real bash."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from overleg.cli.app import app

# Open cases of the example workspace whose id starts with 2026-0, then the closed 2026-002.
OPEN_2026_0 = ["2026-003", "2026-005", "2026-009", "2026-012", "2026-014", "2026-017",
               "2026-019", "2026-021", "2026-022", "2026-024", "2026-027", "2026-031",
               "2026-033", "2026-038", "2026-041"]


def complete(line: str, shell: str = "bash") -> list[str]:
    """What `overleg` suggests for the command line `line` (completing its last word)."""
    env = {"_OVERLEG_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        words = line.split(" ")
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = CliRunner().invoke(app, [], env=env, prog_name="overleg")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return [line for line in result.stdout.splitlines() if line]  # "" + newline: none


def test_case_ids(example_ws: Path) -> None:
    assert complete("overleg cases show 2026-0") == [*OPEN_2026_0, "2026-002"]
    assert complete("overleg cases show 2026-04") == ["2026-041"]
    assert complete("overleg cases show 2099") == []


@pytest.mark.parametrize("line", [
    "overleg agenda add 2026-01", "overleg meeting decide 2026-01",
    "overleg action add 2026-01",
])
def test_case_ids_wherever_a_case_is_asked(example_ws: Path, line: str) -> None:
    assert complete(line) == ["2026-012", "2026-014", "2026-017", "2026-019"]


def test_case_help_shows_status_never_initials(example_ws: Path) -> None:
    lines = complete("overleg cases show 2026-01", shell="fish")
    assert lines == ["2026-012\tactief, prioriteit laag", "2026-014\taangemeld, prioriteit hoog",
                     "2026-017\tactief, prioriteit midden", "2026-019\tactief, prioriteit hoog"]


def test_partner_codes(example_ws: Path) -> None:
    assert complete("overleg action add 2026-014 --owner G") == ["GEM", "GGZ"]
    assert complete("overleg minutes --partner V") == ["VT", "VZ"]
    assert complete("overleg meeting attend P") == ["POL"]
    assert complete("overleg cases list --partner ") == ["RN", "POL", "GEM", "OM", "GGZ", "VT",
                                                         "WT", "WC", "VZ"]


def test_partner_names_for_zsh(example_ws: Path) -> None:
    output = "\n".join(complete("overleg agenda render --partner W", shell="zsh"))
    assert '"WT":"Wijkteam Escamp"' in output
    assert '"WC":"Woonstichting Zuidwaarts"' in output


def test_meeting_dates_newest_first(example_ws: Path, run) -> None:
    assert complete("overleg minutes --date ") == []
    assert not (example_ws / "overleg.db").exists()  # a Tab press creates no database
    assert run("agenda", "build", "--date", "2026-12-01").exit_code == 0
    assert run("agenda", "build", "--date", "2026-12-15").exit_code == 0
    assert complete("overleg minutes --date ") == ["2026-12-15", "2026-12-01"]
    assert complete("overleg agenda show --date 2026-12-1") == ["2026-12-15"]
    lines = complete("overleg meeting approve --date 2026", shell="fish")
    assert lines == ["2026-12-15\tgepland", "2026-12-01\tgepland"]


def test_open_action_numbers(example_ws: Path, run) -> None:
    assert complete("overleg action done ") == []
    for owner, text in (("POL", "Huisbezoek"), ("GGZ", "Onderzoek"), ("RN", "Rapport")):
        result = run("action", "add", "2026-014", "--owner", owner, "--due", "15-12-2026", text)
        assert result.exit_code == 0, result.output
    assert run("action", "done", "2").exit_code == 0
    assert complete("overleg action done ") == ["1", "3"]
    lines = complete("overleg action done ", shell="fish")
    assert lines == ["1\t2026-014 POL deadline 15-12-2026", "3\t2026-014 RN deadline 15-12-2026"]


def test_statuses(example_ws: Path) -> None:
    assert complete("overleg cases list --status a") == ["aangemeld", "actief", "afgesloten"]


def test_workspace_from_the_command_line(example_ws: Path, monkeypatch) -> None:
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(example_ws.parent / "elders"))
    assert complete("overleg cases show 2026-04") == []
    assert complete(f"overleg -w {example_ws} cases show 2026-04") == ["2026-041"]


def test_no_workspace_no_suggestions_and_no_error(tmp_path: Path) -> None:
    assert complete("overleg cases show 2026") == []
    assert complete("overleg action add 2026-014 --owner P") == []
    assert complete("overleg minutes --date 2") == []
    assert complete("overleg action done ") == []


def test_broken_workspace_gives_no_suggestions(example_ws: Path) -> None:
    (example_ws / "overleg.toml").write_text("[overleg\nnaam = ", encoding="utf-8")
    assert complete("overleg cases show 2026") == []
    assert complete("overleg meeting attend ") == []


def test_broken_database_gives_no_suggestions(example_ws: Path) -> None:
    (example_ws / "overleg.db").write_bytes(b"dit is geen database" * 100)
    assert complete("overleg action done ") == []
    assert complete("overleg minutes --date ") == []


def test_commands_complete_too(example_ws: Path) -> None:
    assert complete("overleg ca") == ["cases"]
    assert complete("overleg cases n") == ["new"]


def test_root_offers_completion_install(run) -> None:
    result = run("--help")
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def test_bash_script_calls_back_into_overleg() -> None:
    result = CliRunner().invoke(app, [], env={"_OVERLEG_COMPLETE": "source_bash"},
                                prog_name="overleg")
    assert result.exit_code == 0
    assert "complete -o default -F _overleg_completion overleg" in result.stdout
    assert "_OVERLEG_COMPLETE=complete_bash" in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_tab_completes_case_ids_in_bash(example_ws: Path, tmp_path: Path) -> None:
    """The whole way: bash loads the script, Tab runs overleg, bash shows the ids."""
    pexpect = pytest.importorskip("pexpect")
    bin_dir = Path(sys.executable).parent
    env = {"PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(tmp_path),
           "OVERLEG_WORKSPACE": str(example_ws), "OVERLEG_TODAY": "2026-11-28",
           "PS1": "$ ", "TERM": "dumb", "INPUTRC": "/dev/null"}
    child = pexpect.spawn("bash", ["--norc", "--noprofile"], env=env, encoding="utf-8",
                          timeout=30, dimensions=(40, 200))
    try:
        child.expect_exact("$ ")
        child.sendline('eval "$(_OVERLEG_COMPLETE=source_bash overleg)"')
        child.expect_exact("$ ")
        child.send("overleg cases show 2026-01\t\t")
        child.expect(r"2026-012\s+2026-014\s+2026-017\s+2026-019")
        child.send("4\t")  # one match left: bash completes it
        child.sendline("")
        child.expect(r"persoon\s+J\.d\.V\. \(1991\)")
    finally:
        child.close(force=True)
