"""The command-line interface. `main` answers `--version` before importing typer."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    if sys.argv[1:] == ["--version"]:
        from overleg import __version__

        sys.stdout.write(f"overleg {__version__}\n")
        return
    from overleg.cli.app import main as run

    run()
