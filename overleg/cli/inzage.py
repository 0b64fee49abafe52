"""`overleg inzage ...`: a person's access request (AVG art. 15) and its term.

`overleg inzage ID...` makes the package; `open`, `list`, `extend` and `close` keep track of
the request. Both share the group name: a first argument that is not a sub-command goes to
the hidden default command (as click-default-group does).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from overleg.cli import completion
from overleg.cli.common import console, emit, err, out, plain, print_json, session
from overleg.cli.help import DutchCommand, DutchGroup, UsageError
from overleg.cli.options import MAX_NUMBER, output_path
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from datetime import date

    from overleg.model import AccessRequest

DEFAULT = "package"


class _InzageGroup(DutchGroup):
    """Routes `overleg inzage ID...` (anything but a sub-command or --help) to `package`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [DEFAULT, *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        """The sub-commands by name; the default one is reached without its name."""
        return [name for name in super().list_commands(ctx) if name != DEFAULT]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "ID... [--format md|html|docx] [-o BESTAND]",
                              prefix="Gebruik: ")
        formatter.write_usage(ctx.command_path, "OPDRACHT [ARGUMENTEN]...", prefix="     of: ")


class _PackageCommand(DutchCommand):
    """The default command: its usage and errors speak of `overleg inzage`, not its name."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        path = ctx.parent.command_path if ctx.parent is not None else "overleg inzage"
        formatter.write_usage(path, "[OPTIES] ID...", prefix="Gebruik: ")

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:
            if parent is not None:
                exc.ctx = parent  # "Zie 'overleg inzage --help'"
            raise


app = typer.Typer(
    cls=_InzageGroup,
    help="Inzageverzoeken (AVG): maak het inzagepakket van een betrokkene en bewaak de "
         "termijn.\n\n"
         "'overleg inzage ID...' maakt het pakket: alles wat overleg over de persoon bewaart "
         "(gegevens en tekst van het casusbestand, besprekingen, besluiten en acties) en welke "
         "organisaties de gegevens ontvingen. Geef meer dan één ID als de persoon opnieuw is "
         "aangemeld. Opties: --format md, html of docx (Word; dan is -o verplicht) en "
         "-o BESTAND (anders naar het scherm).\n\n"
         "Een verzoek moet binnen een maand na ontvangst zijn beantwoord; verlengen kan tot "
         "hoogstens drie maanden na ontvangst.\n\n"
         "Voorbeeld: overleg inzage 2026-014 --format html -o uit/inzage-2026-014.html\n\n"
         "Voorbeeld: overleg inzage open 2026-014 --received 1-12-2026",
    no_args_is_help=True,
)

CaseIds = Annotated[list[str], typer.Argument(metavar="ID...", help="Id van de casus; meer "
                                               "dan één als de persoon opnieuw is aangemeld.",
                                               autocompletion=completion.case_ids,
                                               show_default=False)]
NumberArg = Annotated[int, typer.Argument(metavar="NR", help="Nummer van het inzageverzoek "
                                          "(zie 'overleg inzage list').", min=1,
                                          max=MAX_NUMBER)]


def _broken() -> set[str]:
    """Ids of case files that hold errors (reported on stderr by the session)."""
    return {f.case_id for f in session().cases().errors if f.case_id}


@app.command(DEFAULT, hidden=True, cls=_PackageCommand)
def inzage_package(
    case_ids: CaseIds,
    fmt: Annotated[str, typer.Option("--format", help="md, html of docx (Word; dan is -o "
                                     "verplicht).")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="BESTAND",
                                                help="Schrijf naar dit bestand in plaats van "
                                                "naar het scherm.", parser=output_path,
                                                show_default=False)] = None,
) -> None:
    """Maak het inzagepakket: alles wat overleg over een persoon bewaart, en wie het ontving.

    Voorbeeld: overleg inzage 2026-014 --format html -o uit/inzage-2026-014.html
    """
    from overleg.documents import Request
    from overleg.errors import InvalidCaseFile
    from overleg.inzage import resolve_ids

    if fmt == "docx":
        from overleg.docx import require_output

        output = require_output(output, "uit/inzage.docx")
    s = session()
    src = s.sources()
    broken = _broken()
    ids = resolve_ids(src.store, src.cases, case_ids, broken)
    for case_id in ids:
        if case_id in broken and case_id not in src.cases:
            raise InvalidCaseFile(f'het casusbestand van "{case_id}" bevat fouten; zonder dat '
                                  "bestand is het inzagepakket niet volledig. Herstel het eerst: "
                                  "zie 'overleg cases check'.")
    emit(src, Request("inzage", fmt, None, None, {"cases": ids}), output, "Inzage")
    waiting = [r for r in src.store.access_requests()
               if r.status == "open" and set(r.cases) <= set(ids)]
    for request in waiting:
        err(f"Sluit inzageverzoek #{request.id} af als het pakket is verstuurd: "
            f"'overleg inzage close {request.id}'.")


@app.command("open")
def inzage_open(
    case_ids: CaseIds,
    received: Annotated[str, typer.Option("--received", help="Datum waarop het verzoek "
                                          "binnenkwam, bijv. 1-12-2026 of vandaag.")],
) -> None:
    """Registreer een inzageverzoek; het moet binnen een maand na ontvangst zijn beantwoord.

    Voorbeeld: overleg inzage open 2026-014 --received 1-12-2026
    """
    from overleg.dates import fmt, fmt_short, today
    from overleg.inzage import open_request

    s = session()
    day = s.day(received)
    if day > today():
        err(f"Let op: de ontvangstdatum {fmt(day)} ligt in de toekomst.")
    request = open_request(s.store(), s.cases().by_id(), case_ids, day, _broken())
    out(f"Inzageverzoek #{request.id} geregistreerd voor casus {', '.join(request.cases)} "
        f"(ontvangen {fmt(request.received)}). Uiterlijk beantwoorden op "
        f"{fmt_short(request.due)}.")


@app.command("list")
def inzage_list(
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon de inzageverzoeken, te late eerst; exit 1 als er een over de termijn is.

    Voorbeeld: overleg inzage list --json
    """
    from overleg.dates import fmt, today
    from overleg.inzage import ordered_requests, request_record

    day = today()
    requests = ordered_requests(session().store(), day)
    if as_json:
        print_json([request_record(r) for r in requests])
    elif requests:
        _table(requests, day)
    else:
        out("Geen inzageverzoeken.")
    late = [r for r in requests if r.overdue(day)]
    if late:
        which = ", ".join(f"#{r.id} (termijn {fmt(r.deadline)})" for r in late)
        err(f"Te laat: inzageverzoek {which} {'is' if len(late) == 1 else 'zijn'} niet binnen "
            "de termijn beantwoord. Maak het pakket met 'overleg inzage ID...'.")
        raise typer.Exit(ExitStatus.ERROR)


def _table(requests: list[AccessRequest], day: date) -> None:
    from rich.table import Table

    from overleg.dates import fmt

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("#", "casus", "ontvangen", "termijn", "status"):
        table.add_column(column, no_wrap=column != "casus")
    for r in requests:
        state = ("TE LAAT" if r.overdue(day) else "afgesloten" if r.status == "closed"
                 else "verlengd" if r.extended_until else "open")
        table.add_row(*plain(str(r.id), ", ".join(r.cases), fmt(r.received), fmt(r.deadline),
                             state), style="bold red" if r.overdue(day) else None)
    console().print(table)


@app.command("extend")
def inzage_extend(
    number: NumberArg,
    until: Annotated[str, typer.Option("--until", help="Nieuwe termijn, hoogstens drie "
                                       "maanden na ontvangst.")],
    reason: Annotated[str, typer.Option("--reason", help="Waarom meer tijd nodig is (de "
                                        "betrokkene krijgt die reden te horen).")],
) -> None:
    """Verleng de termijn van een inzageverzoek (tot hoogstens drie maanden na ontvangst).

    Voorbeeld: overleg inzage extend 1 --until 15-02-2027 --reason "Stukken bij vijf partners"
    """
    from overleg.dates import fmt, fmt_short, today
    from overleg.inzage import extend_request

    s = session()
    request = extend_request(s.store(), number, s.day(until), reason)
    assert request.extended_until is not None
    out(f"Inzageverzoek #{request.id}: termijn verlengd tot {fmt_short(request.extended_until)}.")
    if today() > request.due:
        err(f"Let op: de eerste termijn liep af op {fmt(request.due)}; een verlenging moet de "
            "betrokkene binnen die termijn horen, met de reden.")
    else:
        err(f"Laat de betrokkene vóór {fmt(request.due)} weten dat de termijn is verlengd, en "
            "waarom.")


@app.command("close")
def inzage_close(number: NumberArg) -> None:
    """Sluit een inzageverzoek af als het is beantwoord.

    Voorbeeld: overleg inzage close 1
    """
    from overleg.inzage import answered, close_request

    store = session().store()
    request = close_request(store, number)
    out(f"Inzageverzoek #{request.id} is afgesloten.")
    if not answered(store, request):
        err("Let op: sinds de ontvangst is voor deze casus geen inzagepakket gemaakt "
            f"('overleg inzage {' '.join(request.cases)}').")
