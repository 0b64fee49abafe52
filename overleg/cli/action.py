"""`overleg action ...`: actions with an owner agency and a deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import console, err, out, plain, print_json, session
from overleg.cli.options import MAX_NUMBER, ActionExport, ActionStatus, output_name

if TYPE_CHECKING:
    from datetime import date

    from overleg.model import Action

app = typer.Typer(help="Acties: toevoegen, afronden, overzicht.", no_args_is_help=True)


@app.command("add")
def action_add(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.",
                                           autocompletion=completion.case_ids)],
    text: Annotated[str, typer.Argument(metavar="TEKST", help="Wat er moet gebeuren.")],
    owner: Annotated[str, typer.Option("--owner", autocompletion=completion.partners,
                                       help="Organisatie die de actie uitvoert "
                                       "(code, moet partner van de casus zijn).")],
    due: Annotated[str, typer.Option("--due", help="Deadline, bijv. 15-12, +2w of "
                                     "2026-12-15.")],
    who: Annotated[str | None, typer.Option("--who", help="Naam van de uitvoerder.")] = None,
    add: Annotated[bool, typer.Option("--add", help="Zet de casus op de agenda van de open "
                                      "vergadering als hij er nog niet op staat.")] = False,
) -> None:
    """Voeg een actie toe (eigenaar en deadline verplicht).

    Voorbeeld: overleg action add 2026-014 --owner POL --due +2w "Huisbezoek met wijkteam"
    """
    from overleg.dates import fmt_short
    from overleg.meeting import add_action

    s = session()
    action = add_action(s.store(), s.workspace(), s.case(case_id), owner, who, s.day(due),
                        text, add)
    person = f"/{action.who}" if action.who else ""
    out(f"Actie #{action.id} voor {action.owner}{person}, deadline {fmt_short(action.due)}.")


@app.command("done")
def action_done(
    action_id: Annotated[int, typer.Argument(metavar="ACTIE", help="Nummer van de actie.",
                                             min=1, max=MAX_NUMBER,
                                             autocompletion=completion.open_actions)],
    comment: Annotated[str | None, typer.Option("--comment", help="Toelichting.")] = None,
) -> None:
    """Markeer een actie als afgerond.

    Voorbeeld: overleg action done 12 --comment "Gesprek gevoerd"
    """
    from overleg.meeting import complete_action

    action = complete_action(session().store(), action_id, comment)
    out(f"Actie #{action.id} ({action.case_id}, {action.owner}) is afgerond.")


@app.command("list")
def action_list(
    partner: Annotated[str | None, typer.Option("--partner", help="Alleen acties van deze "
                                                "organisatie.",
                                                autocompletion=completion.partners)] = None,
    status: Annotated[ActionStatus, typer.Option("--status", help="Open, afgerond (done) of "
                                                 "alle (all).", case_sensitive=False)]
    = ActionStatus.open,
    overdue: Annotated[bool, typer.Option("--overdue", help="Alleen acties over de "
                                          "deadline.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
    export: Annotated[ActionExport | None, typer.Option(
        "--format", help="Exporteer het actieregister als xlsx of csv (csv zonder -o naar het "
        "scherm), of maak een Word-actielijst (docx, met -o).", show_default=False,
        case_sensitive=False)] = None,
    output: Annotated[str | None, typer.Option("-o", "--output", metavar="BESTAND",
                                               help="Bestand voor de export (.xlsx, .csv of "
                                               ".docx).", parser=output_name,
                                               show_default=False)] = None,
) -> None:
    """Toon acties, standaard de open acties, te late eerst gemarkeerd.

    Voorbeeld: overleg action list --partner POL --overdue
    Voorbeeld: overleg action list --status all --format xlsx -o acties.xlsx
    Voorbeeld: overleg action list --partner POL --format docx -o uit/acties-POL.docx
    """
    from overleg.documents import selected_actions
    from overleg.errors import InvalidInput

    wanted = status.canonical
    if overdue and wanted == "done":
        raise InvalidInput("--overdue toont open acties over de deadline; laat --status done "
                           "weg of gebruik --status all.")
    if (export is not None or output is not None) and as_json:
        raise InvalidInput("kies --json of --format, niet allebei.")
    s = session()
    src = s.sources()
    if export is not None or output is not None or (as_json and partner):
        _document(partner, wanted, overdue, "json" if as_json else export and export.value,
                  output)
        return
    actions = selected_actions(src, src.ws.config.partner_code(partner) if partner else None,
                               wanted, overdue)
    if as_json:
        from overleg.documents import action_record

        print_json([action_record(a) for a in actions])
        return
    _table(actions, src.today, wanted, overdue)


def _document(partner: str | None, status: str, overdue: bool, fmt: str | None,
              output: str | None) -> None:
    """The action list as a document (json, csv, xlsx or docx) through the disclosure gate."""
    from pathlib import Path

    from overleg.cli.common import emit
    from overleg.documents import Request
    from overleg.spreadsheet import export_format

    path = Path(output) if output is not None else None
    if fmt is None and path is not None and path.suffix.lower() == ".docx":
        fmt = "docx"
    if fmt not in ("json", "docx"):
        fmt = export_format(fmt, path)
    if fmt == "docx":
        from overleg.docx import require_output

        path = require_output(path, "uit/acties.docx")
    s = session()
    done = emit(s.sources(), Request("actions", fmt, partner, None,
                                     {"status": status, "overdue": overdue, "path": path}),
                path, "Actielijst" if fmt == "docx" else "")
    if path is not None and fmt != "docx":
        err(f"{done.count} actie(s) geschreven naar {path}.")


def _table(actions: list[Action], day: date, status: str, overdue: bool) -> None:
    from rich.table import Table

    from overleg.dates import fmt

    actions = sorted(actions, key=lambda a: (not a.overdue(day), a.due, a.id))
    if not actions:
        out("Geen acties over de deadline." if overdue else "Geen open acties."
            if status == "open" else "Geen afgeronde acties." if status == "done"
            else "Geen acties.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("#", "casus", "eigenaar", "deadline", "actie", "status"):
        table.add_column(column, no_wrap=column != "actie")
    for a in actions:
        state = ("TE LAAT" if a.overdue(day) else "open") if a.status == "open" else "afgerond"
        owner_text = f"{a.owner}/{a.who}" if a.who else a.owner
        table.add_row(*plain(str(a.id), a.case_id, owner_text, fmt(a.due), a.text, state),
                      style="bold red" if a.overdue(day) else None)
    console().print(table)
