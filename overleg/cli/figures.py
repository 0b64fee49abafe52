"""`overleg cijfers`: key figures of a year or period (md, html with charts, xlsx, json)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli.common import console, err, out, plain, print_json, session
from overleg.cli.options import output_path

if TYPE_CHECKING:
    from overleg.config import Config
    from overleg.figures import Figures


class FiguresFormat(StrEnum):
    md = "md"
    html = "html"
    xlsx = "xlsx"
    json = "json"


def cijfers(
    jaar: Annotated[int | None, typer.Option("--jaar", metavar="JAAR", help="Een kalenderjaar, "
                                             "bijv. 2026 (standaard: dit jaar).",
                                             show_default=False)] = None,
    van: Annotated[str | None, typer.Option("--van", metavar="DATUM", help="Begin van de "
                                            "periode, bijv. 1-1-2026.",
                                            show_default=False)] = None,
    tot: Annotated[str | None, typer.Option("--tot", metavar="DATUM", help="Einde van de "
                                            "periode (telt mee), bijv. 30-6-2026; standaard "
                                            "vandaag.", show_default=False)] = None,
    fmt: Annotated[FiguresFormat | None, typer.Option(
        "--format", help="md, html (met grafieken), xlsx of json. Standaard volgt het uit -o; "
        "zonder beide: een overzicht op het scherm.", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="PAD",
                                                help="Bestand om te schrijven.",
                                                parser=output_path, show_default=False)] = None,
    exact: Annotated[bool, typer.Option("--exact", help="Alleen met --format json, voor eigen "
                                        "gebruik: ook aantallen onder 5 precies.")] = False,
) -> None:
    """Toon de kerncijfers van een jaar of periode, voor jaarverslag en monitoring.

    Aanmeldingen per partner, casussen per thema en wijk, vergaderingen en agendapunten,
    doorlooptijden en acties op tijd. Aantallen van 1 tot 5 staan als "<5"; niets noemt
    een persoon.

    Voorbeeld: overleg cijfers --jaar 2026 --format html -o uit/cijfers.html
    """
    from overleg.dates import today
    from overleg.figures import figures, period_of

    kind = _format(jaar, van, tot, fmt.value if fmt else None, output, exact)
    s = session()
    config = s.workspace().config
    period = period_of(jaar, s.day(van) if van else None, s.day(tot) if tot else None, today())
    fig = figures(s.store(), s.cases().cases, config, period, today())
    if kind is None:
        _screen(fig, config)
    elif kind == "json" and output is None:
        from overleg.figures import figures_json

        print_json(figures_json(fig, config, exact))
    else:
        _write(fig, config, kind, output, exact)


def _format(jaar: int | None, van: str | None, tot: str | None, fmt: str | None,
            output: Path | None, exact: bool) -> str | None:
    """The output format (None: the screen); usage errors for options that do not go along."""
    from overleg.cli.help import UsageError

    if jaar is not None and (van or tot):
        raise UsageError("kies --jaar of --van/--tot, niet allebei.")
    if fmt is None and output is not None:
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in FiguresFormat.__members__:
            raise UsageError(f"uit '{output.name}' blijkt geen formaat; geef --format md, html, "
                             "xlsx of json.")
    if exact and fmt != "json":
        raise UsageError("--exact kan alleen met --format json (voor eigen gebruik).")
    if fmt == "xlsx" and output is None:
        raise UsageError("--format xlsx maakt een bestand; geef -o, bijv. -o uit/cijfers.xlsx.")
    return fmt


def _write(fig: Figures, config: Config, kind: str, output: Path | None, exact: bool) -> None:
    import json
    import sys

    from overleg import figures as f

    content: str | bytes = (
        f.render_xlsx(fig, config) if kind == "xlsx" else f.render_html(fig, config)
        if kind == "html" else f.render_md(fig, config) if kind == "md" else
        json.dumps(f.figures_json(fig, config, exact), ensure_ascii=False, indent=2) + "\n")
    if output is None:
        sys.stdout.write(content if isinstance(content, str) else content.decode())
        return
    from overleg.files import write_output

    write_output(output, content)
    err(f"Kerncijfers {fig.period.label} geschreven naar {output}.")


def _screen(fig: Figures, config: Config) -> None:
    """Every table on the terminal; counts per partner, theme and wijk with a bar."""
    from rich.table import Table as RichTable
    from rich.text import Text

    from overleg.figures import HIDDEN, tables

    con = console()
    out(f"Kerncijfers {fig.period.label} (aantallen van 1 tot 5 als \"{HIDDEN}\")")
    for table in tables(fig, config):
        grid = RichTable(title=table.title, title_justify="left", box=None,
                         header_style="bold", pad_edge=False)
        for header in table.headers:
            grid.add_column(header)
        counts = [v for row in table.rows for v in row[1:2] if isinstance(v, int)]
        bar = table.headers[1:] == ("aantal",) and bool(table.headers[0]) and bool(counts)
        if bar:
            grid.add_column("")
        for row in table.rows:
            cells = plain(*(str(v) for v in row))
            if bar:
                value = row[1] if isinstance(row[1], int) else 0
                cells.append(Text("█" * round(30 * value / max(counts)) if max(counts) else "",
                                  style="cyan"))
            grid.add_row(*cells)
        con.print()
        con.print(grid if table.rows else Text(f"{table.title}: geen gegevens."))


def register(app: typer.Typer) -> None:
    app.command("cijfers")(cijfers)
