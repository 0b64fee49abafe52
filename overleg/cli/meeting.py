"""`overleg meeting ...`: open, record and close the meeting."""

from __future__ import annotations

from typing import Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import err, out, print_json, session

app = typer.Typer(help="De vergadering: openen, vastleggen, sluiten.", no_args_is_help=True)

CaseArg = Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.",
                                        autocompletion=completion.case_ids)]
TextArg = Annotated[str, typer.Argument(metavar="TEKST",
                                        help="De tekst (tussen aanhalingstekens).")]
AddOpt = Annotated[bool, typer.Option("--add", help="Zet de casus op de agenda als hij er "
                                      "nog niet op staat.")]


@app.command("start")
def meeting_start(
    on: Annotated[str | None, typer.Option("--date", help="Datum van de vergadering "
                                           "(standaard: de geplande of volgende).",
                                           autocompletion=completion.meeting_dates)] = None,
) -> None:
    """Open de vergadering (maakt de agenda als die er nog niet is).

    Voorbeeld: overleg meeting start --date volgende
    """
    from overleg.agenda import default_date
    from overleg.dates import fmt
    from overleg.meeting import start_meeting

    s = session()
    ws, store = s.workspace(), s.store()
    day = s.day(on) if on else default_date(store, ws.config)
    meeting, built = start_meeting(store, ws, s.cases().cases, day)
    items = store.items(meeting)
    if built:
        err(f"Agenda gemaakt: {len(items)} punten.")
    out(f"Vergadering van {fmt(meeting.date)} is geopend ({len(items)} agendapunten).")
    if ws.config.geheimhouding:
        out(f"Lees voor: \u201c{ws.config.geheimhouding}\u201d")


@app.command("run")
def meeting_run() -> None:
    """Loop de agenda punt voor punt door en leg alles direct vast (hervatbaar).

    Korte regels: b besluit, n notitie, a CODE DATUM actie, k NR afgerond, v DATUM,
    s STATUS, lege regel = volgend punt; typ ? voor hulp. Stoppen kan altijd: de volgende
    keer gaat het verder bij het eerste punt dat nog niet is besproken.

    Voorbeeld: overleg meeting run
    """
    from overleg.cli.run import run_screen

    run_screen()


@app.command("attend")
def meeting_attend(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Code van de organisatie, "
                                        "bijv. POL.", autocompletion=completion.partners)],
    name: Annotated[str, typer.Argument(metavar="NAAM", help="Naam van de deelnemer.")],
    absent: Annotated[bool, typer.Option("--absent", help="Afgemeld (niet aanwezig).")] = False,
) -> None:
    """Leg aanwezigheid of afmelding vast.

    Voorbeeld: overleg meeting attend POL "K. Bakker"
    """
    from overleg.meeting import attend

    s = session()
    agency = attend(s.store(), s.workspace(), code, name, present=not absent)
    out(f"{name.strip()} ({agency}) {'afgemeld' if absent else 'aanwezig'}.")


@app.command("note")
def meeting_note(case_id: CaseArg, text: TextArg, add: AddOpt = False) -> None:
    """Leg de samenvatting van de bespreking van een casus vast.

    Voorbeeld: overleg meeting note 2026-014 "Situatie besproken; zorgen gedeeld."
    """
    from overleg.meeting import record

    s = session()
    record(s.store(), s.workspace(), s.case(case_id), "note", text, add)
    out(f"Notitie vastgelegd bij {case_id}.")


@app.command("decide")
def meeting_decide(case_id: CaseArg, text: TextArg, add: AddOpt = False) -> None:
    """Leg een besluit over een casus vast.

    Voorbeeld: overleg meeting decide 2026-014 "GGZ start een verkennend onderzoek."
    """
    from overleg.meeting import record

    s = session()
    record(s.store(), s.workspace(), s.case(case_id), "decision", text, add)
    out(f"Besluit vastgelegd bij {case_id}.")


@app.command("review")
def meeting_review(
    case_id: CaseArg,
    next_date: Annotated[str | None, typer.Option("--next", help="Volgende bespreking.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Nieuwe status: aangemeld, "
                                               "actief, nazorg of afgesloten.")] = None,
    add: AddOpt = False,
) -> None:
    """Leg de volgende bespreekdatum en/of een nieuwe status vast.

    Voorbeeld: overleg meeting review 2026-014 --next +4w --status actief
    """
    from overleg.dates import fmt_short
    from overleg.meeting import review

    s = session()
    day = s.day(next_date) if next_date else None
    result = review(s.store(), s.workspace(), s.case(case_id), day, status, add)
    parts = []
    if result.next_date:
        parts.append(f"volgende bespreking {fmt_short(result.next_date)}")
    if result.status:
        parts.append(f"status {result.status}")
    out(f"{case_id}: {', '.join(parts)} (wordt bij sluiten in het casusbestand gezet).")


@app.command("close")
def meeting_close() -> None:
    """Sluit de vergadering en werk de besproken casusbestanden bij.

    Voorbeeld: overleg meeting close
    """
    from overleg.dates import fmt
    from overleg.meeting import close_meeting

    s = session()
    result = close_meeting(s.store(), s.workspace(), s.cases())
    if result.resumed:
        err("Het eerder afgebroken sluiten is afgemaakt.")
    for case_id, keys in sorted(result.written.items()):
        err(f"{case_id}: {', '.join(keys)} bijgewerkt in het casusbestand.")
    out(f"Vergadering van {fmt(result.meeting.date)} is gesloten. Maak het verslag met "
        "'overleg minutes' en de e-mails met 'overleg mail'.")


@app.command("reopen")
def meeting_reopen(
    reason: Annotated[str, typer.Option("--reason", help="Waarom de vergadering weer open "
                                        "moet (verplicht).")],
) -> None:
    """Heropen de laatst gesloten vergadering.

    Voorbeeld: overleg meeting reopen --reason "Besluit 2026-014 onvolledig"
    """
    from overleg.dates import fmt
    from overleg.meeting import reopen_meeting

    meeting = reopen_meeting(session().store(), reason)
    out(f"Vergadering van {fmt(meeting.date)} is weer open.")


@app.command("approve")
def meeting_approve(
    on: Annotated[str, typer.Option("--date", help="Datum van de vergadering waarvan het "
                                    "verslag is vastgesteld.",
                                    autocompletion=completion.meeting_dates)],
) -> None:
    """Stel het verslag van een eerdere vergadering vast (niet langer CONCEPT).

    Voorbeeld: overleg meeting approve --date 2026-11-17
    """
    from overleg.dates import fmt
    from overleg.meeting import approve_minutes

    s = session()
    meeting = approve_minutes(s.store(), s.day(on))
    out(f"Verslag van {fmt(meeting.date)} is vastgesteld.")


_STATUS_LABELS = {"planned": "gepland", "open": "open", "closing": "wordt gesloten",
                  "closed": "gesloten"}


@app.command("list")
def meeting_list(
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon alle vergaderingen met aantallen punten, besluiten en acties.

    Voorbeeld: overleg meeting list
    """
    from overleg.meeting import meeting_summaries

    rows = meeting_summaries(session().store())
    if as_json:
        print_json(rows)
        return
    if not rows:
        out("Nog geen vergaderingen.")
        return
    from rich.table import Table

    from overleg.cli.common import console
    from overleg.dates import fmt, weekday_name

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("datum", "status", "punten", "besluiten", "acties"):
        table.add_column(column, justify="right" if column in ("punten", "besluiten",
                                                                "acties") else "left")
    from datetime import date

    for row in rows:
        day = date.fromisoformat(str(row["date"]))
        table.add_row(f"{weekday_name(day)[:2]} {fmt(day)}", _STATUS_LABELS[str(row["status"])],
                      str(row["items"]), str(row["decisions"]), str(row["actions"]))
    console().print(table)
