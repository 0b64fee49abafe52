"""`overleg action ...`: actions with an owner agency and a deadline."""

from __future__ import annotations

from typing import Annotated

import typer

from overleg.cli.common import console, out, plain, print_json, session

app = typer.Typer(help="Acties: toevoegen, afronden, overzicht.", no_args_is_help=True)


@app.command("add")
def action_add(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.")],
    text: Annotated[str, typer.Argument(metavar="TEKST", help="Wat er moet gebeuren.")],
    owner: Annotated[str, typer.Option("--owner", help="Organisatie die de actie uitvoert "
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
    action_id: Annotated[int, typer.Argument(metavar="ACTIE", help="Nummer van de actie.")],
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
                                                "organisatie.")] = None,
    status: Annotated[str, typer.Option("--status", help="open, done of all.")] = "open",
    overdue: Annotated[bool, typer.Option("--overdue", help="Alleen acties over de "
                                          "deadline.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon acties, standaard de open acties, te late eerst gemarkeerd.

    Voorbeeld: overleg action list --partner POL --overdue
    """
    from overleg.dates import fmt, today
    from overleg.errors import InvalidInput
    from overleg.meeting import check_partner

    s = session()
    if status not in ("open", "done", "all"):
        raise InvalidInput(f"status '{status}' bestaat niet. Kies uit: open, done, all.")
    if overdue and status == "done":
        raise InvalidInput("--overdue toont open acties over de deadline; laat --status done "
                           "weg of gebruik --status all.")
    owner = check_partner(s.workspace(), partner) if partner else None
    day = today()
    # Only an open action can be overdue, whatever --status says.
    actions = s.store().actions(owner=owner, status="open" if overdue else
                                None if status == "all" else status,
                                due_before=day if overdue else None)
    if as_json:
        print_json([{"id": a.id, "case": a.case_id, "owner": a.owner, "who": a.who,
                     "text": a.text, "due": a.due.isoformat(), "status": a.status,
                     "meeting": a.meeting_date.isoformat() if a.meeting_date else None}
                    for a in actions])
        return
    if not actions:
        out("Geen acties over de deadline." if overdue else "Geen open acties."
            if status == "open" else "Geen afgeronde acties." if status == "done"
            else "Geen acties.")
        return
    from rich.table import Table

    actions.sort(key=lambda a: (not a.overdue(day), a.due, a.id))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("#", "casus", "eigenaar", "deadline", "actie", "status"):
        table.add_column(column, no_wrap=column != "actie")
    for a in actions:
        state = ("TE LAAT" if a.overdue(day) else "open") if a.status == "open" else "afgerond"
        owner_text = f"{a.owner}/{a.who}" if a.who else a.owner
        table.add_row(*plain(str(a.id), a.case_id, owner_text, fmt(a.due), a.text, state),
                      style="bold red" if a.overdue(day) else None)
    console().print(table)
