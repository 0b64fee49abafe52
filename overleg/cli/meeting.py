"""`overleg meeting ...`: open, record and close the meeting."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli import completion
from overleg.cli.action import warn
from overleg.cli.common import err, out, print_json, session
from overleg.cli.options import MAX_NUMBER

if TYPE_CHECKING:
    from overleg.model import Review

app = typer.Typer(help="De vergadering: openen, vastleggen, sluiten.", no_args_is_help=True)

CaseArg = Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.",
                                        autocompletion=completion.case_ids)]
TextArg = Annotated[str, typer.Argument(metavar="TEKST",
                                        help="De tekst (tussen aanhalingstekens).")]
AddOpt = Annotated[bool, typer.Option("--add", help="Zet de casus op de agenda als hij er "
                                      "nog niet op staat.")]
DateOpt = Annotated[str | None, typer.Option(
    "--date", help="De open vergadering waarin dit hoort (standaard die van vandaag).",
    autocompletion=completion.meeting_dates)]
NumberArg = Annotated[int, typer.Argument(metavar="NR", help="Nummer van de regel (#NR, zie "
                                          "'overleg meeting entries').", min=1,
                                          max=MAX_NUMBER)]


def _day(on: str | None) -> date | None:
    return session().day(on) if on else None


@app.command("start")
def meeting_start(
    on: Annotated[str | None, typer.Option("--date", help="Datum van de vergadering "
                                           "(standaard: de geplande of volgende).",
                                           autocompletion=completion.meeting_dates)] = None,
) -> None:
    """Open de vergadering (maakt de agenda als die er nog niet is).

    Voorbeeld: overleg meeting start --date volgende
    """
    from overleg.dates import fmt
    from overleg.meeting import start_date, start_meeting

    s = session()
    ws, store = s.workspace(), s.store()
    day = s.day(on) if on else start_date(store, ws.config)
    already = store.open_meeting()
    meeting, built = start_meeting(store, ws, s.cases().cases, day)
    items = store.items(meeting)
    if already is not None and already.id == meeting.id:
        out(f"Vergadering van {fmt(meeting.date)} is al open ({len(items)} agendapunten). "
            "Ga verder met 'overleg meeting run'.")
        return
    if built:
        err(f"Agenda gemaakt: {len(items)} punten.")
    out(f"Vergadering van {fmt(meeting.date)} is geopend ({len(items)} agendapunten).")
    if ws.config.geheimhouding:
        out(f"Lees voor: \u201c{ws.config.geheimhouding}\u201d")


@app.command("run")
def meeting_run(
    on: Annotated[str | None, typer.Option("--date", help="Datum van de open vergadering "
                                           "(standaard: die van vandaag).",
                                           autocompletion=completion.meeting_dates)] = None,
) -> None:
    """Loop de agenda punt voor punt door en leg alles direct vast (hervatbaar).

    Korte regels: b besluit, n notitie, a CODE DATUM actie, k NR afgerond,
    x NR vervalt, v DATUM, s STATUS, u ongedaan maken, c NR corrigeren,
    +CODE/-CODE binnen/weg, p aanwezigheid, + ID op de agenda, lege regel =
    volgend punt; typ ? voor hulp. Ctrl-C wist de regel (twee keer: stoppen).
    Na een onderbreking gaat het verder bij het punt dat werd besproken, met
    zijn tijd.

    Voorbeeld: overleg meeting run --date 2026-12-01
    """
    from overleg.cli.run import run_screen

    run_screen(on)


@app.command("attend")
def meeting_attend(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Code van de organisatie, "
                                        "bijv. POL.", autocompletion=completion.partners)],
    name: Annotated[str, typer.Argument(metavar="NAAM", help="Naam van de deelnemer.")],
    absent: Annotated[bool, typer.Option("--absent", help="Afgemeld (niet aanwezig).")] = False,
    on: DateOpt = None,
) -> None:
    """Leg aanwezigheid of afmelding vast.

    Voorbeeld: overleg meeting attend POL "K. Bakker"
    """
    from overleg.meeting import attend_record

    s = session()
    agency, number = attend_record(s.store(), s.workspace(), code, name, present=not absent,
                                   day=_day(on))
    out(f"{' '.join(name.split())} ({agency}) {'afgemeld' if absent else 'aanwezig'} "
        f"(#{number}).")


@app.command("note")
def meeting_note(case_id: CaseArg, text: TextArg, add: AddOpt = False,
                 on: DateOpt = None) -> None:
    """Leg de samenvatting van de bespreking van een casus vast.

    Voorbeeld: overleg meeting note 2026-014 "Situatie besproken; zorgen gedeeld."
    """
    from overleg.meeting import record

    s = session()
    case = s.case(case_id)
    entry = record(s.store(), s.workspace(), case, "note", text, add, day=_day(on))
    out(f"Notitie #{entry.id} vastgelegd bij {case.id}.")


@app.command("decide")
def meeting_decide(case_id: CaseArg, text: TextArg, add: AddOpt = False,
                   on: DateOpt = None) -> None:
    """Leg een besluit over een casus vast.

    Voorbeeld: overleg meeting decide 2026-014 "GGZ start een verkennend onderzoek."
    """
    from overleg.meeting import record

    s = session()
    case = s.case(case_id)
    entry = record(s.store(), s.workspace(), case, "decision", text, add, day=_day(on))
    out(f"Besluit #{entry.id} vastgelegd bij {case.id}.")


@app.command("review")
def meeting_review(
    case_id: CaseArg,
    next_date: Annotated[str | None, typer.Option("--next", help="Volgende bespreking.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Nieuwe status: aangemeld, "
                                               "actief, nazorg of afgesloten.")] = None,
    add: AddOpt = False,
    on: DateOpt = None,
) -> None:
    """Leg de volgende bespreekdatum en/of een nieuwe status vast.

    Voorbeeld: overleg meeting review 2026-014 --next +4w --status actief
    """
    from overleg import checks
    from overleg.meeting import review

    s = session()
    ws, store, case = s.workspace(), s.store(), s.case(case_id)
    day = s.day(next_date) if next_date else None
    result = review(store, ws, case, day, status, add, day=_day(on))
    out(f"{case.id}: {_review_text(result)} (#{result.id}; wordt bij sluiten in het "
        "casusbestand gezet).")
    warn(checks.review(store, ws.config.schema, result))


def _review_text(result: Review) -> str:
    from overleg.dates import fmt_short

    parts = []
    if result.next_date:
        parts.append(f"volgende bespreking {fmt_short(result.next_date)}")
    if result.status:
        parts.append(f"status {result.status}")
    return ", ".join(parts)


@app.command("close")
def meeting_close(
    on: Annotated[str | None, typer.Option("--date", help="De open vergadering die sluit "
                                           "(standaard de open vergadering).",
                                           autocompletion=completion.meeting_dates)] = None,
) -> None:
    """Sluit de vergadering en werk de besproken casusbestanden bij.

    Voorbeeld: overleg meeting close
    """
    from overleg.dates import fmt
    from overleg.meeting import close_meeting

    s = session()
    result = close_meeting(s.store(), s.workspace(), s.cases(), _day(on))
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
    on: Annotated[str | None, typer.Option("--date", help="De gesloten vergadering "
                                           "(standaard de laatst gesloten).",
                                           autocompletion=completion.meeting_dates)] = None,
) -> None:
    """Heropen een gesloten vergadering (standaard de laatst gesloten).

    Een vastgesteld verslag wordt weer concept en vermeldt de reden.

    Voorbeeld: overleg meeting reopen --reason "Besluit 2026-014 onvolledig"
    """
    from overleg.dates import fmt
    from overleg.meeting import reopen_meeting

    s = session()
    before = s.store().meeting(s.day(on)) if on else s.store().latest_closed()
    meeting = reopen_meeting(s.store(), reason, _day(on))
    out(f"Vergadering van {fmt(meeting.date)} is weer open.")
    if before is not None and before.approved_at:
        err("Het verslag was vastgesteld; het is weer concept en vermeldt de reden van het "
            "heropenen.")


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


_STATE_LABELS = {"active": "", "corrected": "gecorrigeerd", "withdrawn": "ingetrokken"}


@app.command("entries")
def meeting_entries(
    on: Annotated[str | None, typer.Option("--date", help="Datum van de vergadering "
                                           "(standaard de open, anders de laatst gesloten).",
                                           autocompletion=completion.meeting_dates)] = None,
    case_id: Annotated[str | None, typer.Option("--case", metavar="ID", help="Alleen deze "
                                                "casus.", autocompletion=completion.case_ids)]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon de genummerde regels van een vergadering: aanwezigheid, notities, besluiten en
    vervolgafspraken, ook gecorrigeerde en ingetrokken (acties: 'overleg action list').

    Voorbeeld: overleg meeting entries --case 2026-014
    """
    from overleg.meeting import closed_meeting, entry_rows, kind_name

    s = session()
    store = s.store()
    meeting = store.open_meeting() if on is None else None
    meeting = meeting or closed_meeting(store, _day(on))
    rows = entry_rows(store, meeting, s.case(case_id).id if case_id else None)
    if as_json:
        print_json(rows)
        return
    if not rows:
        out("Geen regels vastgelegd.")
    for row in rows:
        state = _STATE_LABELS[str(row["status"])]
        where = f" {row['case']}" if row["case"] else ""
        out(f"#{row['id']}{where} {kind_name(str(row['kind']))}: {row['text']}"
            + (f" ({state})" if state else ""))


@app.command("correct")
def meeting_correct(number: NumberArg, text: TextArg) -> None:
    """Corrigeer regel NR (de oude blijft bewaard als gecorrigeerd; het verslag toont de
    nieuwe). Aanwezigheid: 'CODE NAAM' of 'NAAM'; vervolgafspraak: een datum en/of status.

    Voorbeeld: overleg meeting correct 5 "VT R. Smit"
    """
    from overleg.meeting import correct_record, kind_name

    s = session()
    new = correct_record(s.store(), s.workspace(), number, text)
    out(f"#{number} gecorrigeerd: {kind_name(new.kind)} #{new.id}: {new.text}")


@app.command("withdraw")
def meeting_withdraw(
    number: NumberArg,
    reason: Annotated[str, typer.Option("--reason", help="Waarom de regel wordt ingetrokken "
                                        "(verplicht).")],
) -> None:
    """Trek regel NR in: hij verdwijnt uit het verslag; het logboek bewaart dat het gebeurde.

    Voorbeeld: overleg meeting withdraw 7 --reason "Verkeerde casus"
    """
    from overleg.meeting import kind_name, withdraw_record

    record = withdraw_record(session().store(), number, reason)
    out(f"{kind_name(record.kind).capitalize()} #{record.id} is ingetrokken.")
