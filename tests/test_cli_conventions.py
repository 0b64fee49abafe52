"""Conventions every command keeps: data on stdout, messages on stderr, --json on listings,
NO_COLOR, and a Dutch help screen grouped in the order of a meeting."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from overleg.cli.app import app

# Recordings act on the open meeting only when it is today's: these tests hold it on 1-12.
pytestmark = pytest.mark.usefixtures("meeting_day")

SCRIPT = Path(sys.executable).parent / "overleg"
LISTINGS = [("cases", "list"), ("agenda", "show"), ("action", "list"), ("meeting", "list"),
            ("log",)]


def commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    if not hasattr(command, "list_commands"):
        return found
    ctx = typer.Context(command)  # groups are built on demand: ask, don't read .commands
    for name in command.list_commands(ctx):
        found.append((*path, name))
        found.extend(commands(command.get_command(ctx, name), (*path, name)))
    return found


ALL = commands(typer.main.get_command(app))


def plain_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return env | {"OVERLEG_TODAY": "2026-11-28", "COLUMNS": "100", "TERM": "xterm"} | extra


@pytest.fixture
def busy_ws(example_ws: Path, run) -> Path:  # type: ignore[no-untyped-def]
    """The example workspace with an agenda, a closed meeting and an overdue action."""
    for args in (("action", "add", "2026-005", "--owner", "POL", "--due", "20-11-2026",
                  "Proces-verbaal delen"),
                 ("agenda", "build", "--date", "2026-12-01"),
                 ("meeting", "start", "--date", "2026-12-01"),
                 ("meeting", "decide", "2026-014", "GGZ start een onderzoek."),
                 ("meeting", "close")):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return example_ws


# --- stdout and stderr -----------------------------------------------------------------------

@pytest.mark.parametrize("listing", LISTINGS, ids=[" ".join(p) for p in LISTINGS])
def test_every_listing_has_json_on_stdout_only(busy_ws: Path, run,
                                               listing: tuple[str, ...]) -> None:
    extra = ("--date", "2026-12-01") if listing == ("agenda", "show") else ()
    result = run(*listing, *extra, "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data  # the busy workspace has something to list everywhere


def test_json_keys_are_the_contract(busy_ws: Path, run) -> None:
    keys = {
        ("cases", "list"): {"id", "initialen", "status", "prioriteit", "partners", "file"},
        ("action", "list"): {"id", "case", "owner", "who", "text", "due", "status", "meeting",
                              "done_on", "comment"},
        ("meeting", "list"): {"date", "status", "items", "decisions", "actions"},
        ("log",): {"at", "who", "action", "case", "meeting"},
    }
    for listing, expected in keys.items():
        rows = json.loads(run(*listing, "--json").stdout)
        assert {frozenset(row) for row in rows} == {frozenset(expected)}, listing
    agenda = json.loads(run("agenda", "show", "--date", "2026-12-01", "--json").stdout)
    assert set(agenda) == {"date", "status", "items"}
    assert set(agenda["items"][0]) == {"position", "case", "reasons", "minutes", "start", "fits"}


@pytest.mark.parametrize(("args", "message"), [
    (("cases", "show", "2099-999"),
     "Fout: casus \"2099-999\" bestaat niet. Zie 'overleg cases list'.\n"),
    (("action", "done", "99"), "Fout: actie #99 bestaat niet. Zie 'overleg action list'.\n"),
    (("cases", "list", "--status", "weg"),
     "Fout: ongeldige waarde voor '--status': 'weg' is niet een van 'aangemeld', 'actief', "
     "'nazorg', 'afgesloten'.\nZie 'overleg cases list --help'.\n"),
    (("minutes", "--format", "pdf"),
     "Fout: ongeldige waarde voor '--format': 'pdf' is niet een van 'md', 'html', 'txt', "
     "'docx'.\nZie 'overleg minutes --help'.\n"),
    (("agenda", "render", "--date", "2026-12-01", "--format", "docx"),
     "Fout: --format docx maakt een Word-bestand; geef met -o aan waar het heen moet, bijv. "
     "-o uit/agenda.docx.\n"),
])
def test_errors_go_to_stderr_and_nothing_to_stdout(busy_ws: Path, run, args: tuple[str, ...],
                                                   message: str) -> None:
    result = run(*args)
    usage = "ongeldige waarde voor" in message  # a value outside a fixed choice: usage, 2
    assert (result.exit_code, result.stdout, result.stderr) == (2 if usage else 1, "", message)


@pytest.mark.parametrize(("args", "message"), [
    (("agenda", "render", "--date", "2026-12-01", "-o", "{out}/agenda.md"),
     "Agenda geschreven naar {out}/agenda.md.\n"),
    (("minutes", "--format", "docx", "-o", "{out}/verslag.docx"),
     "Verslag geschreven naar {out}/verslag.docx.\n"),
    (("action", "list", "--format", "docx", "-o", "{out}/acties.docx"),
     "Actielijst geschreven naar {out}/acties.docx.\n"),
])
def test_a_document_written_to_a_file_leaves_stdout_empty(busy_ws: Path, run, tmp_path: Path,
                                                          args: tuple[str, ...],
                                                          message: str) -> None:
    result = run(*(a.format(out=tmp_path) for a in args))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == message.format(out=tmp_path)


def test_broken_case_files_are_reported_on_stderr(example_ws: Path, run) -> None:
    (example_ws / "casussen" / "kapot.md").write_text("geen front matter\n", encoding="utf-8")
    result = run("cases", "list", "--json")
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 17  # the data is still all there, and valid
    assert result.stderr.startswith("casussen/kapot.md:1: geen front matter")


# --- colour ----------------------------------------------------------------------------------

def on_terminal(args: list[str], env: dict[str, str]) -> str:
    pexpect = pytest.importorskip("pexpect")
    return pexpect.run(str(SCRIPT), args=args, env=env, encoding="utf-8", timeout=30,
                       dimensions=(40, 100))


@pytest.mark.slow
@pytest.mark.parametrize("args", [["action", "list"], ["--help"], ["cases", "show", "2026-014"],
                                  ["agenda", "show", "--date", "2026-12-01"]])
def test_no_color_means_no_escape_codes_on_a_terminal(busy_ws: Path, args: list[str]) -> None:
    env = plain_env(OVERLEG_WORKSPACE=str(busy_ws))
    assert "\x1b[" in on_terminal(args, env)  # styled by default...
    output = on_terminal(args, env | {"NO_COLOR": "1"})
    assert "\x1b" not in output  # ...and plain text under NO_COLOR
    assert output.strip()


@pytest.mark.slow
@pytest.mark.parametrize("args", [["action", "list"], ["--help"], ["cases", "show", "2026-014"],
                                  ["cases", "list"]])
def test_a_pipe_gets_no_escape_codes(busy_ws: Path, args: list[str]) -> None:
    result = subprocess.run([str(SCRIPT), *args], env=plain_env(OVERLEG_WORKSPACE=str(busy_ws)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    assert result.stdout.strip()


# --- the help screen ---------------------------------------------------------------------------

def panels(text: str) -> dict[str, list[str]]:
    """Panel title -> the first word of each row in it."""
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if match := re.match(r"╭─ (.+?) ─", line):
            current = found.setdefault(match.group(1), [])
        elif line.startswith("│") and current is not None:
            words = line.strip("│ ").split()
            if words and not line.startswith("│  "):
                current.append(words[0])
    return found


def test_root_help_follows_the_meeting(run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    found = panels(result.stdout)
    assert list(found) == ["Opties", "Voorbereiden", "Vergaderen", "Na afloop", "Beheer"]
    assert found["Voorbereiden"] == ["cases", "triage", "agenda", "uitvraag"]
    assert found["Vergaderen"] == ["meeting", "action"]
    assert found["Na afloop"] == ["minutes", "mail"]
    assert found["Beheer"][:4] == ["init", "demo", "log", "purge"]
    top = {path[0] for path in ALL}
    assert sorted(sum(found.values(), [])[len(found["Opties"]):]) == sorted(top)
    assert "Toon deze hulp en stop." in result.stdout
    assert "Zet tab-aanvulling aan voor deze shell" in result.stdout


def test_no_help_screen_speaks_english(run) -> None:
    english = ("Options", "Arguments", "Commands", "Show this message", "[default:",
               "[required]", "Install completion", "Show completion")
    screens = [run(*path, "--help").stdout for path in [(), *ALL]]
    screens += [run("cases").stdout, run().stdout, run("agenda", "-h").stdout]  # no arguments, -h
    for screen in screens:
        assert "Opties" in screen
        for word in english:
            assert word not in screen, (word, screen[:200])
    add = run("action", "add", "--help").stdout
    assert "Argumenten" in add
    assert "[verplicht]" in add
    assert "[standaard: open]" in run("action", "list", "--help").stdout


@pytest.mark.slow
def test_help_patches_typer_only_when_help_is_shown(busy_ws: Path) -> None:
    """A normal command never imports typer's rich help code, python-docx or prompt_toolkit."""
    probe = ("import atexit, sys\n"
             "heavy = ('typer.rich_utils', 'docx', 'prompt_toolkit', 'openpyxl')\n"
             "atexit.register(lambda: sys.stderr.write('LOADED ' + ' '.join(sorted(\n"
             "    m for m in sys.modules if m.split('.')[0] in heavy or m in heavy)) + '\\n'))\n"
             "sys.argv = ['overleg', *sys.argv[1:]]\n"
             "from overleg.cli import main\n"
             "main()\n")
    env = plain_env(OVERLEG_WORKSPACE=str(busy_ws), NO_COLOR="1")

    def loaded(*args: str) -> list[str]:
        result = subprocess.run([sys.executable, "-c", probe, *args], env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        line = next(x for x in result.stderr.splitlines() if x.startswith("LOADED"))
        return line.split()[1:]

    assert loaded("cases", "list") == []
    assert loaded("action", "list", "--overdue") == []
    assert loaded("--help") == []  # the root help is drawn without typer's help module
    assert loaded("cases", "--help") == ["typer.rich_utils"]
