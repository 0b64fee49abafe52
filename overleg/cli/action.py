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

app = typer.Typer(help="Acties: toevoegen, afronden, corrigeren, overzicht.",
                  no_args_is_help=True)

ActionArg = Annotated[int, typer.Argument(metavar="ACTIE", help="Nummer van de actie.",
                                          min=1, max=MAX_NUMBER,
                                          autocompletion=completion.open_actions)]
DateOpt = Annotated[str | None, typer.Option(
    "--date", help="De open vergadering waarin dit hoort (standaard die van vandaag, als er "
    "een open is).", autocompletion=completion.meeting_dates)]


def warn(messages: list[str]) -> None:
    """Warnings where a slip is likely, on stderr; they change nothing and no exit code."""
    for message in messages:
        err(f"Let op: {message}")


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
    on: DateOpt = None,
    condition: Annotated[str | None, typer.Option(
        "--condition", metavar="TEKST", help="Voorwaarde waaronder de actie wordt uitgevoerd, "
        "bijv. 'als hij niet verschijnt op de meldplicht' (komt in de uitkomst-export).",
        show_default=False)] = None,
) -> None:
    """Voeg een actie toe (eigenaar en deadline verplicht).

    Voorbeeld: overleg action add 2026-014 --owner POL --due +2w "Huisbezoek met wijkteam"
    """
    from overleg import checks
    from overleg.meeting import action_text, add_action

    s = session()
    store, case = s.store(), s.case(case_id)
    action = add_action(store, s.workspace(), case, owner, who, s.day(due), text, add,
                        day=s.day(on) if on else None, condition=condition)
    meeting = store.meeting_by_id(action.meeting_id) if action.meeting_id else None
    # The text is on the command line just typed; the echo resolves owner and deadline.
    out(action_text(action, text=False) + ".")
    warn(checks.deadline(action.due, action.id) + checks.closed_case(store, case, meeting))


@app.command("done")
def action_done(
    action_id: ActionArg,
    comment: Annotated[str | None, typer.Option("--comment", help="Toelichting.")] = None,
    on: DateOpt = None,
) -> None:
    """Markeer een actie als afgerond.

    Voorbeeld: overleg action done 12 --comment "Gesprek gevoerd"
    """
    from overleg.meeting import complete_action

    s = session()
    action = complete_action(s.store(), action_id, comment, day=s.day(on) if on else None)
    out(f"Actie #{action.id} ({action.case_id}, {action.owner}) is afgerond.")


@app.command("edit")
def action_edit(
    action_id: ActionArg,
    owner: Annotated[str | None, typer.Option("--owner", autocompletion=completion.partners,
                                              help="Andere eigenaar (partner van de casus)."
                                              )] = None,
    who: Annotated[str | None, typer.Option("--who", help="Andere uitvoerder ('' wist de "
                                            "naam).")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Andere deadline.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Andere tekst.")] = None,
    on: DateOpt = None,
) -> None:
    """Corrigeer een open actie: eigenaar, uitvoerder, deadline of tekst (de oude waarden
    blijven bewaard).

    Voorbeeld: overleg action edit 12 --due 15-12 --who "S. Öztürk"
    """
    from overleg import checks
    from overleg.meeting import action_text, edit_action

    s = session()
    store = s.store()
    case = s.case(store.action(action_id).case_id)
    action = edit_action(store, s.workspace(), case, action_id, owner=owner, who=who,
                         due=s.day(due) if due else None, text=text,
                         day=s.day(on) if on else None)
    out(f"Gecorrigeerd: {action_text(action)}")
    warn(checks.deadline(action.due, action.id) if due else [])


@app.command("cancel")
def action_cancel(
    action_id: ActionArg,
    reason: Annotated[str, typer.Option("--reason", help="Waarom de actie vervalt "
                                        "(verplicht).")],
    on: DateOpt = None,
) -> None:
    """Laat een actie vervallen (status vervallen, met de reden).

    Voorbeeld: overleg action cancel 12 --reason "Niet meer nodig na verhuizing"
    """
    from overleg.meeting import cancel_action

    s = session()
    action = cancel_action(s.store(), action_id, reason, day=s.day(on) if on else None)
    out(f"Actie #{action.id} ({action.case_id}, {action.owner}) is vervallen.")


@app.command("list")
def action_list(
    partner: Annotated[str | None, typer.Option("--partner", help="Alleen acties van deze "
                                                "organisatie.",
                                                autocompletion=completion.partners)] = None,
    status: Annotated[ActionStatus, typer.Option("--status", help="Open, afgerond (done), "
                                                 "vervallen (cancelled) of alle (all).",
                                                 case_sensitive=False)]
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
    if overdue and wanted in ("done", "cancelled"):
        raise InvalidInput(f"--overdue toont open acties over de deadline; laat --status "
                           f"{status.value} weg of gebruik --status all.")
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
            else "Geen vervallen acties." if status == "cancelled" else "Geen acties.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("#", "casus", "eigenaar", "deadline", "actie", "status"):
        table.add_column(column, no_wrap=column != "actie")
    from overleg.spreadsheet import ACTION_STATES

    for a in actions:
        state = "TE LAAT" if a.overdue(day) else ACTION_STATES[a.status]
        if a.done_on:
            state += f" {fmt(a.done_on)}"
        owner_text = f"{a.owner}/{a.who}" if a.who else a.owner
        table.add_row(*plain(str(a.id), a.case_id, owner_text, fmt(a.due), a.text, state),
                      style="bold red" if a.overdue(day) else None)
    console().print(table)
