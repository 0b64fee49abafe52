"""`overleg export`: the whole register, for a successor chair, the FG or a migration."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from overleg.cli import completion
from overleg.cli.common import emit, err, session
from overleg.cli.options import output_path

if TYPE_CHECKING:
    from overleg.model import Meeting


class ExportFormat(StrEnum):
    """`export --format`: the producers of kind `export` (overleg.documents): the whole
    register (json, csv) or the outcome of one meeting in the national format (uitkomst)."""

    json = "json"
    csv = "csv"
    uitkomst = "uitkomst"


# The file each format makes (json: one file; csv: a .zip of one CSV per table).
SUFFIXES = {"json": ".json", "csv": ".zip", "uitkomst": ".json"}


FormatOpt = Annotated[ExportFormat | None, typer.Option(
    "--format", help="json (één bestand), csv (een .zip met één csv-bestand per tabel; dan "
    "is -o verplicht) of uitkomst (de uitkomst van één gesloten vergadering in het landelijke "
    "formaat Uitkomst Overleg, JSON). Standaard volgt het uit -o, anders json.",
    show_default=False)]
DateOpt = Annotated[str | None, typer.Option(
    "--date", metavar="DATUM", help="Alleen bij --format uitkomst: de vergadering (standaard "
    "de laatste gesloten).", show_default=False)]


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
    on: DateOpt = None,
) -> None:
    """Exporteer alle vergadergegevens, het logboek en het register van verstrekkingen.

    Voor een opvolgend voorzitter, de FG of een overstap. Met --format uitkomst: de uitkomst
    van één gesloten vergadering (besluiten, acties, notulen per casus) in het landelijke
    formaat Uitkomst Overleg, voor het casussysteem van een partner. De export zelf komt in
    het register.

    Voorbeeld: overleg export --format csv -o uit/export.zip
    """
    from overleg.documents import Request

    s = session()
    src = s.sources()
    code = src.ws.config.partner_code(partner) if partner else None
    kind = _format(fmt.value if fmt else None, output)
    meeting = _meeting(s, on) if kind == "uitkomst" else None
    if on is not None and meeting is None:
        from overleg.cli.help import UsageError

        raise UsageError("--date hoort alleen bij --format uitkomst.")
    day = meeting.date.isoformat() if meeting else src.today.isoformat()
    kind, output = _target(kind, output, code, day)
    done = emit(src, Request("export", kind, code, meeting), output, "")
    if output is not None:
        what = (f"{done.count} casus{'' if done.count == 1 else 'sen'}" if kind == "uitkomst"
                else f"{done.count} rijen")
        err(f"Export ({what}) geschreven naar {output}.")


def _format(fmt: str | None, output: Path | None) -> str:
    """--format, else from -o's extension (.zip: csv), else json."""
    if fmt is not None:
        return fmt
    return "csv" if output is not None and output.suffix.lower() == ".zip" else "json"


def _meeting(s: Any, on: str | None) -> Meeting:
    """The closed meeting of --date, else the latest closed one."""
    from overleg.errors import MeetingNotFound

    store = s.store()
    meeting = store.meeting(s.day(on)) if on else store.latest_closed()
    if meeting is None:
        raise MeetingNotFound(f"er is geen vergadering op {on}. Zie 'overleg meeting list'."
                              if on else "er is nog geen gesloten vergadering.")
    if meeting.status != "closed":
        raise MeetingNotFound(f"de vergadering van {meeting.date:%d-%m-%Y} is niet gesloten; "
                              "de uitkomst volgt na 'overleg meeting close'.")
    return meeting


def _target(fmt: str | None, output: Path | None, partner: str | None,
            day: str) -> tuple[str, Path | None]:
    """The format (from --format, else from -o's extension, else json) and the file."""
    from overleg.errors import InvalidInput

    if fmt is None:
        fmt = _format(None, output)
    if output is not None and output.is_dir():
        name = "uitkomst" if fmt == "uitkomst" else "export"
        output = output / f"{name}-{day}{f'-{partner}' if partner else ''}{SUFFIXES.get(fmt, '')}"
    if fmt == "csv" and output is None:
        raise InvalidInput("--format csv maakt een .zip-bestand met één csv per tabel; geef "
                           "met -o aan waar het heen moet, bijv. -o uit/export.zip.")
    if fmt == "csv" and output is not None and output.suffix.lower() != ".zip":
        raise InvalidInput(f"--format csv maakt een .zip-bestand, geen '{output.name}'; "
                           f"kies bijv. -o {output.with_suffix('.zip')}.")
    return fmt, output


def register(app: typer.Typer) -> None:
    app.command("export")(export)
