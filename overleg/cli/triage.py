"""`overleg triage ...`: the triage of new referrals (on with `[overleg] triage = true`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import console, err, out, plain, print_json, session

if TYPE_CHECKING:
    from overleg.triage import Waiting

app = typer.Typer(
    help="Triage van nieuwe aanmeldingen: casusoverleg, advies, doorverwijzing of afwijzing, "
         "en de terugkoppeling aan de aanmelder binnen de termijn.",
    no_args_is_help=True)


def _outcomes(incomplete: str) -> list[tuple[str, str]]:
    from overleg.triage import OUTCOMES

    return [(o, "") for o in OUTCOMES if o.startswith(incomplete.lower())]


@app.command("list")
def triage_list(
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon de aanmeldingen die op triage of terugkoppeling wachten; verlopen eerst.

    De termijn is aangemeld_op plus 'terugkoppeling_werkdagen' werkdagen (zonder weekenden
    en feestdagen).

    Voorbeeld: overleg triage list --json
    """
    from overleg.dates import today
    from overleg.triage import require_triage, triage_list

    s = session()
    config = s.workspace().config
    require_triage(config)
    waiting = triage_list(s.cases().cases, config, today())
    if as_json:
        print_json([w.record() for w in waiting])
    elif not waiting:
        out("Geen aanmeldingen die op triage of terugkoppeling wachten.")
    else:
        _table(waiting)


def _table(waiting: list[Waiting]) -> None:
    from rich.table import Table

    from overleg.dates import fmt

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("casus", "aangemeld", "dagen", "terugkoppelen vóór", "wacht op"):
        table.add_column(column, no_wrap=True)
    for w in waiting:
        what = "triage" if w.status == "awaiting_triage" else "terugkoppeling"
        table.add_row(*plain(w.case_id, fmt(w.aangemeld_op), str(w.waiting_days),
                             fmt(w.feedback_due) + (" VERLOPEN" if w.overdue else ""), what),
                      style="bold" if w.overdue else None)
    console().print(table)


@app.command("decide")
def triage_decide(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.",
                                           autocompletion=completion.case_ids)],
    outcome: Annotated[str, typer.Option("--outcome", metavar="UITKOMST", help="casusoverleg, "
                                         "advies, doorverwezen of afgewezen.",
                                         autocompletion=_outcomes)],
    criteria: Annotated[str, typer.Option("--criteria", metavar="a,b,c,d", help="De landelijke "
                                          "criteria die gelden (verplicht bij casusoverleg).")
                        ] = "",
    reason: Annotated[str, typer.Option("--reason", metavar="TEKST", help="Reden voor de "
                                        "aanmelder (verplicht behalve bij casusoverleg).")] = "",
    to: Annotated[str | None, typer.Option("--to", metavar="CODE", help="Partner die het advies "
                                           "of de doorverwijzing krijgt.",
                                           autocompletion=completion.partners)] = None,
) -> None:
    """Leg het triagebesluit vast in het casusbestand (triage: datum, uitkomst, criteria, ...).

    Casusoverleg: de casus komt op de agenda van het volgende overleg. Elke andere uitkomst
    sluit de casus af (status afgesloten, afgesloten_op vandaag).

    Voorbeeld: overleg triage decide 2026-041 --outcome casusoverleg --criteria a,b,c
    """
    from overleg.dates import fmt, today
    from overleg.triage import decide, parse_criteria, qualifies

    s = session()
    letters = parse_criteria(criteria) if criteria.strip() else ()
    case = s.case(case_id)
    result = decide(s.store(), case, s.workspace().config, today(), outcome.strip().lower(),
                    letters, reason, to)
    where = s.workspace().rel(case.path)
    if result.uitkomst == "casusoverleg":
        out(f'Casus "{case.id}": casusoverleg (criteria {", ".join(letters)}); de casus komt op '
            f"de volgende agenda ({where}).")
        if not qualifies(letters):
            err("Let op: de landelijke criteria vragen a, b en c samen, of d.")
    else:
        out(f'Casus "{case.id}": {result.uitkomst}; de casus is afgesloten op {fmt(today())} '
            f"({where}).")
    err(f"Koppel terug aan {case.aangemeld_door} en leg dat vast met 'overleg triage "
        f"feedback {case.id}'.")


@app.command("feedback")
def triage_feedback(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.",
                                           autocompletion=completion.case_ids)],
    on: Annotated[str | None, typer.Option("--date", help="Wanneer de aanmelder het hoorde "
                                           "(standaard vandaag).")] = None,
) -> None:
    """Leg vast dat de aanmelder de uitkomst van de triage heeft gehoord.

    Voorbeeld: overleg triage feedback 2026-041 --date 25-11-2026
    """
    from overleg.dates import fmt, today
    from overleg.triage import record_feedback

    s = session()
    day = s.day(on) if on else today()
    case = s.case(case_id)
    if record_feedback(s.store(), case, s.workspace().config, day):
        out(f'Casus "{case.id}": teruggekoppeld aan {case.aangemeld_door} op {fmt(day)}.')
    else:
        out(f'Casus "{case.id}": de terugkoppeling op {fmt(day)} stond er al.')
