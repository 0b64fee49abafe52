"""`overleg templates ...`: see the built-in templates and copy one into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from overleg.cli.common import err, out, print_json, session

app = typer.Typer(help="Sjablonen van de documenten bekijken en aanpassen.",
                  no_args_is_help=True)


def _builtin() -> dict[str, Path]:
    """Built-in template file names -> their files."""
    from overleg.workspace import package_dir

    folder = package_dir("templates")
    return {p.name: p for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}


@app.command("list")
def templates_list(
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon de ingebouwde sjablonen en welke de werkmap zelf heeft (in templates/).

    Voorbeeld: overleg templates list
    """
    ws = session().workspace()
    builtin = _builtin()
    own = {p.name for p in ws.templates_dir.iterdir()
           if p.is_file() and not p.name.startswith(".")} if ws.templates_dir.is_dir() else set()
    if as_json:
        print_json([{"name": name, "overridden": name in own} for name in builtin])
        return
    width = max(map(len, builtin), default=0)
    for name in builtin:
        where = f"eigen versie: templates/{name}" if name in own else "ingebouwd"
        out(f"{name:<{width}}  {where}")
    for name in sorted(own - set(builtin)):
        err(f"templates/{name}: geen ingebouwd sjabloon met deze naam; het wordt alleen "
            "gebruikt als een ander sjabloon het insluit.")


@app.command("copy")
def templates_copy(
    name: Annotated[str, typer.Argument(metavar="NAAM", help="Naam van het sjabloon, bijv. "
                                        "verslag.html (zie 'overleg templates list').")],
    force: Annotated[bool, typer.Option("--force", help="Overschrijf een eigen versie die er "
                                        "al staat.")] = False,
) -> None:
    """Kopieer een ingebouwd sjabloon naar templates/ van de werkmap om het aan te passen.

    Voorbeeld: overleg templates copy verslag.html
    """
    from overleg.errors import InvalidInput
    from overleg.files import atomic_write

    ws = session().workspace()
    builtin = _builtin()
    if name not in builtin:
        raise InvalidInput(f"sjabloon '{name}' bestaat niet. Kies uit: {', '.join(builtin)}.")
    target = ws.templates_dir / name
    if target.exists() and not force:
        raise InvalidInput(f"templates/{name} bestaat al in de werkmap; er is niets veranderd. "
                           "Gebruik --force om het te vervangen door het ingebouwde sjabloon.")
    ws.templates_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(target, builtin[name].read_bytes(), mode=0o644)
    out(f"templates/{name} gemaakt. Pas het aan; overleg gebruikt voortaan deze versie.")
