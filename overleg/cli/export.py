"""`overleg export`: the whole register, for a successor chair, the FG or a migration."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import emit, err, session
from overleg.cli.options import output_path


class ExportFormat(StrEnum):
    """`export --format`: the producers of kind `export` (overleg.documents). DESIGN 9's
    `uitkomst` joins them in a later issue, with its own producer."""

    json = "json"
    csv = "csv"


# The file each format makes (json: one file; csv: a .zip of one CSV per table).
SUFFIXES = {"json": ".json", "csv": ".zip"}


FormatOpt = Annotated[ExportFormat | None, typer.Option(
    "--format", help="json (één bestand) of csv (een .zip met één csv-bestand per tabel; dan "
    "is -o verplicht). Standaard volgt het uit -o, anders json.", show_default=False)]


def export(
    fmt: FormatOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="PAD",
                                                help="Bestand, of een bestaande map (dan heet "
                                                "het export-DATUM.json of .zip). Zonder -o gaat "
                                                "json naar het scherm.", parser=output_path,
                                                show_default=False)] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Alleen wat deze partner "
                                                "mag zien: de gegevens van zijn casussen, "
                                                "zonder logboek, presentie, register en "
                                                "inzageverzoeken.",
                                                autocompletion=completion.partners)] = None,
) -> None:
    """Exporteer alle vergadergegevens, het logboek en het register van verstrekkingen.

    Voor een opvolgend voorzitter, de FG of een overstap. De export zelf komt in het register.

    Voorbeeld: overleg export --format csv -o uit/export.zip
    """
    from overleg.documents import Request

    s = session()
    src = s.sources()
    code = src.ws.config.partner_code(partner) if partner else None
    kind, output = _target(fmt.value if fmt else None, output, code, src.today.isoformat())
    done = emit(src, Request("export", kind, code), output, "")
    if output is not None:
        err(f"Export ({done.count} rijen) geschreven naar {output}.")


def _target(fmt: str | None, output: Path | None, partner: str | None,
            day: str) -> tuple[str, Path | None]:
    """The format (from --format, else from -o's extension, else json) and the file."""
    from overleg.errors import InvalidInput

    if fmt is None:
        by_suffix = {suffix: name for name, suffix in SUFFIXES.items()}
        fmt = by_suffix.get(output.suffix.lower(), "json") if output is not None else "json"
    if output is not None and output.is_dir():
        output = output / f"export-{day}{f'-{partner}' if partner else ''}{SUFFIXES.get(fmt, '')}"
    if fmt == "csv" and output is None:
        raise InvalidInput("--format csv maakt een .zip-bestand met één csv per tabel; geef "
                           "met -o aan waar het heen moet, bijv. -o uit/export.zip.")
    if fmt == "csv" and output is not None and output.suffix.lower() != ".zip":
        raise InvalidInput(f"--format csv maakt een .zip-bestand, geen '{output.name}'; "
                           f"kies bijv. -o {output.with_suffix('.zip')}.")
    return fmt, output


def register(app: typer.Typer) -> None:
    app.command("export")(export)
