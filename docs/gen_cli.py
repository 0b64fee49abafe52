"""Write docs/cli.md from the real `--help` of every overleg command; `--check` compares.

    python docs/gen_cli.py            # (re)write docs/cli.md      (make docs)
    python docs/gen_cli.py --check    # exit 1 when it is stale    (make lint)

The help screens are rendered in a child process with a fixed environment (COLUMNS=100,
NO_COLOR=1 and nothing else that rich or typer read at import time), so the result does
not depend on the terminal, the CI runner or the caller's environment.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "OVERLEG_TODAY": "2026-11-28",
       "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}

HEADER = """\
# Opdrachten van overleg

De hulptekst (`--help`) van elke opdracht, precies zoals `overleg` die toont (in een
terminal van 100 tekens breed). Dit bestand wordt gemaakt door `docs/gen_cli.py`: pas het
niet met de hand aan, maar draai `make docs` na een wijziging aan een opdracht. `make lint`
controleert dat het bij de opdrachten past.

"""


def commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every visible command path below `command`, in the order its help lists them."""
    import typer

    found: list[tuple[str, ...]] = []
    if not hasattr(command, "list_commands"):
        return found
    ctx = typer.Context(command)  # groups are built on demand: ask, don't read .commands
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is None or getattr(sub, "hidden", False):
            continue
        found.append((*path, name))
        found.extend(commands(sub, (*path, name)))
    return found


def anchor(title: str) -> str:
    """The anchor GitHub and most Markdown viewers give a heading of plain words."""
    return title.lower().replace(" ", "-")


def render() -> str:
    """docs/cli.md as it should be; run in the child process with the fixed environment."""
    import typer.main
    from typer.testing import CliRunner

    from overleg.cli.app import app

    runner = CliRunner()
    paths = [(), *commands(typer.main.get_command(app))]
    titles = [" ".join(("overleg", *path)) for path in paths]
    parts = [HEADER]
    parts.extend(f"- [`{title}`](#{anchor(title)})\n" for title in titles)
    for path, title in zip(paths, titles, strict=True):
        result = runner.invoke(app, [*path, "--help"], catch_exceptions=False)
        if result.exit_code != 0:
            raise SystemExit(f"'{title} --help' exited with {result.exit_code}:\n"
                             f"{result.output}")
        text = "\n".join(line.rstrip() for line in result.stdout.split("\n")).strip("\n")
        parts.append(f"\n## {title}\n\n```text\n{text}\n```\n")
    return "".join(parts)


def rendered() -> str:
    """docs/cli.md as it should be, rendered in a child process with a fixed environment."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "SYSTEMROOT") if key in os.environ}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--render"],
                          capture_output=True, env=env | ENV, cwd=ROOT, timeout=300)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"rendering the help screens failed (exit code {done.returncode})")
    return done.stdout.decode("utf-8")


def main(argv: list[str]) -> int:
    if argv == ["--render"]:
        sys.stdout.write(render())
        return 0
    if argv not in ([], ["--check"]):
        sys.stderr.write("usage: python docs/gen_cli.py [--check]\n")
        return 2
    text = rendered()
    shown = TARGET.relative_to(ROOT).as_posix()
    if argv == ["--check"]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current == text:
            return 0
        diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(),
                                         f"{shown} (now)", f"{shown} (from --help)",
                                         lineterm=""))
        sys.stderr.write(f"{shown} does not match the commands' --help. Run 'make docs' "
                         f"(python docs/gen_cli.py) and commit the result.\n")
        sys.stderr.write("\n".join(diff[:60]) + ("\n..." if len(diff) > 60 else "") + "\n")
        return 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"{shown} written: {text.count(chr(10) + '## ')} help screens.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
