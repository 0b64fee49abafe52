"""Workspace-level commands: init, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from overleg.cli.common import out


def workspace_init(
    path: Annotated[Path, typer.Argument(help="Map voor de nieuwe werkmap.")] = Path("."),
    example: Annotated[bool, typer.Option("--example", help="Neem de voorbeeldcasussen "
                                          "(fictief) over.")] = False,
) -> None:
    """Maak een nieuwe werkmap met overleg.toml, casussen/ en templates/.

    Voorbeeld: overleg init mijn-overleg --example
    """
    from overleg.config import init_workspace

    init_workspace(path, example)
    out(f"Werkmap gemaakt in {path.resolve()}.")  # not "in .." for `overleg init .`
    out(f"Pas {path / 'overleg.toml'} aan (partners, e-mailadressen) en zet casussen in "
        f"{path / 'casussen'}.")
    if example:
        out(f"Probeer: overleg -w {path} agenda build --date 2026-12-01")


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Map voor de resultaten.")] = Path("uit"),
) -> None:
    """Doorloop het hele overleg op een kopie van de voorbeeldwerkmap.

    Voorbeeld: overleg demo --out uit
    """
    from overleg.demo import run_demo

    results = run_demo(out_dir)
    from rich.table import Table

    from overleg.cli.common import console

    table = Table(title="Demo: wat is waar geschreven", box=None, header_style="bold")
    table.add_column("wat")
    table.add_column("waar")
    for what, where in results:
        table.add_row(what, str(where))
    console().print(table)


def register(app: typer.Typer) -> None:
    app.command("init")(workspace_init)
    app.command("demo")(demo)
