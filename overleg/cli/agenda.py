"""`overleg agenda ...`: build, show, edit and render the agenda of a meeting."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from overleg.cli import completion
from overleg.cli.common import console, emit, err, out, plain, print_json, session
from overleg.cli.options import MAX_NUMBER, DocumentFormat, output_path
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from datetime import date

    from overleg.agenda import AgendaView

app = typer.Typer(help="De agenda van een overleg opbouwen, bekijken, aanpassen en maken.",
                  no_args_is_help=True)


Format = DocumentFormat


DateOpt = Annotated[str | None, typer.Option(
    "--date", help="Datum van het overleg (bijv. 2026-12-01, 1-12-2026, dinsdag, volgende); "
    "standaard het open overleg, anders het volgende geplande of de volgende datum uit het "
    "schema.", show_default=False, autocompletion=completion.meeting_dates)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")]
CaseArg = Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.",
                                        autocompletion=completion.case_ids)]

_STATUS = {"planned": "gepland", "open": "geopend", "closing": "wordt gesloten",
           "closed": "gesloten"}


def _date(text: str | None) -> date:
    from overleg.agenda import default_date

    s = session()
    if text is None:
        return default_date(s.store(), s.workspace().config)
    return s.day(text)


def _view(on: date) -> AgendaView:
    from overleg.agenda import agenda_view, meeting_for

    s = session()
    store = s.store()
    meeting = meeting_for(store, on)
    return agenda_view(store, meeting, s.cases().by_id(), s.workspace().config)


def _as_json(view: AgendaView) -> dict[str, Any]:
    return {
        "date": view.meeting.date.isoformat(),
        "status": view.meeting.status,
        "items": [{"position": e.slot.position, "case": e.slot.case_id,
                   "reasons": list(e.slot.reasons), "minutes": e.slot.minutes,
                   "start": f"{e.slot.start:%H:%M}", "fits": e.slot.fits}
                  for e in view.entries],
    }


def _reasons(view_entry: Any) -> str:
    from overleg.agenda import REASON_LABELS

    slot = view_entry.slot
    labels = [REASON_LABELS.get(code, code) for code in slot.reasons]
    if slot.added:
        labels.append(f"toegevoegd: {slot.note}" if slot.note else "toegevoegd")
    return ", ".join(labels)


def _print(view: AgendaView) -> None:
    from overleg.dates import fmt

    config = session().workspace().config
    meeting = view.meeting
    title = f"Agenda {fmt(meeting.date)} ({_STATUS.get(meeting.status, meeting.status)})"
    if not view.entries:
        out(f"{title}: geen punten.")
        return
    table = _agenda_table(view, title)
    con = console()
    with con.capture() as captured:  # rich pads every line to the table's width
        con.print(table)
    # The cells were cleaned by plain(); what remains are rich's own style codes.
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))
    out(_summary(view, config.duur))
    _print_answers(view)


def _print_answers(view: AgendaView) -> None:
    """Per item who answered the information round (uitvraag), when there was one."""
    from overleg.uitvraag import answers_summary

    answers = session().store().uitvraag_answers(view.meeting)
    for entry in view.entries if answers else ():
        if lines := answers_summary(answers, entry.slot.case_id):
            out(f"{entry.slot.position}. {entry.slot.case_id}  " + "\n   ".join(lines))


def _agenda_table(view: AgendaView, title: str) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=None, header_style="bold",
                  pad_edge=False)
    for column, justify in (("#", "right"), ("tijd", "left"), ("casus", "left"),
                            ("persoon", "left"), ("redenen", "left"), ("min", "right"),
                            ("", "left")):
        table.add_column(column, justify=justify,  # type: ignore[arg-type]
                         no_wrap=column not in ("redenen", "persoon"))
    for entry in view.entries:
        slot = entry.slot
        person = entry.case.label if entry.case else "(casusbestand ontbreekt of bevat fouten)"
        table.add_row(*plain(str(slot.position), f"{slot.start:%H:%M}", slot.case_id, person,
                             _reasons(entry), str(slot.minutes),
                             "" if slot.fits else "past niet"),
                      style=None if slot.fits else "dim")
    return table


def _summary(view: AgendaView, duur: int) -> str:
    late = sum(1 for e in view.entries if not e.slot.fits)
    summary = f"Totaal {view.total_minutes} van {duur} minuten — "
    if late == 0:
        return summary + "alles past."
    return summary + f"{late} {'punt past' if late == 1 else 'punten passen'} niet."


@app.command("build")
def agenda_build(
    on: DateOpt = None,
    keep: Annotated[bool, typer.Option("--keep", help="Bewaar toegevoegde, geschrapte en "
                                       "verschoven punten van een eerdere opbouw.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Stel de agenda samen volgens de regels en bewaar haar als geplande agenda.

    Voorbeeld: overleg agenda build --date 2026-12-01
    """
    from overleg import dates
    from overleg.agenda import build_agenda

    s = session()
    config = s.workspace().config
    day = _date(on)
    case_set = s.cases()
    meeting, replaced = build_agenda(s.store(), case_set.cases, day, config, keep=keep)
    _warn_about(day, config.schema)
    if replaced and keep:
        err(f"Agenda van {dates.fmt(day)} opnieuw opgebouwd; toegevoegde, geschrapte en "
            "verschoven punten zijn bewaard.")
    elif replaced:
        err(f"Agenda van {dates.fmt(day)} vervangen (handmatige wijzigingen vervallen; "
            "gebruik --keep om ze te bewaren).")
    view = _view(meeting.date)
    if as_json:
        print_json(_as_json(view))
    else:
        _print(view)
    if case_set.errors:  # those cases could not be selected: the agenda may be incomplete
        raise typer.Exit(ExitStatus.ERROR)


def _warn_about(day: date, schema: str | None) -> None:
    """A date in the past, or off the schedule: most likely a slip (`agenda delete` undoes it)."""
    from overleg import dates

    if day < dates.today():
        err(f"Let op: {dates.fmt_long(day)} ligt in het verleden. Was dat een vergissing, "
            f"verwijder de vergadering dan met 'overleg agenda delete --date {day.isoformat()}'.")
    if schema and dates.next_meeting(schema, day) != day:
        err(f"Let op: {dates.fmt_long(day)} is geen datum uit het schema van het overleg.")


@app.command("show")
def agenda_show(on: DateOpt = None, as_json: JsonOpt = False) -> None:
    """Toon de agenda: tijden, casussen, redenen en wat niet in de tijd past.

    Voorbeeld: overleg agenda show --date 2026-12-01
    """
    view = _view(_date(on))
    if as_json:
        print_json(_as_json(view))
    else:
        _print(view)


@app.command("add")
def agenda_add(
    case_id: CaseArg,
    on: DateOpt = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Waarom de casus erbij "
                                               "komt (komt op de agenda).")] = None,
    minutes: Annotated[int | None, typer.Option("--minutes", min=1, max=240,
                                                help="Minuten voor dit punt.")] = None,
) -> None:
    """Zet een casus op de agenda (achteraan); een geschrapt punt komt terug.

    Voorbeeld: overleg agenda add 2026-033 --reason "vraag van de GGZ" --minutes 10
    """
    from overleg.agenda import add_to_agenda, meeting_for
    from overleg.dates import fmt

    s = session()
    day = _date(on)
    meeting = meeting_for(s.store(), day)
    case = s.case(case_id)
    item = add_to_agenda(s.store(), meeting, case, s.workspace().config, reason, minutes)
    err(f"Casus {case.id} staat op de agenda van {fmt(day)} als punt {item.position}.")


@app.command("drop")
def agenda_drop(case_id: CaseArg, on: DateOpt = None) -> None:
    """Haal een punt van de geplande agenda (blijft eraf bij 'build --keep').

    Voorbeeld: overleg agenda drop 2026-009 --date 2026-12-01
    """
    from overleg.agenda import drop_from_agenda, meeting_for
    from overleg.dates import fmt

    s = session()
    day = _date(on)
    item = drop_from_agenda(s.store(), meeting_for(s.store(), day), case_id)
    err(f"Casus {item.case_id} is van de agenda van {fmt(day)} gehaald.")


@app.command("move")
def agenda_move(
    case_id: CaseArg,
    position: Annotated[int, typer.Argument(metavar="POSITIE", help="Nieuwe plaats (1 is de "
                                            "eerste).", max=MAX_NUMBER)],  # 0: said by the core
    on: DateOpt = None,
) -> None:
    """Verplaats een punt op de geplande agenda.

    Voorbeeld: overleg agenda move 2026-021 1 --date 2026-12-01
    """
    from overleg.agenda import meeting_for, move_on_agenda
    from overleg.dates import fmt

    s = session()
    day = _date(on)
    item = move_on_agenda(s.store(), meeting_for(s.store(), day), case_id, position)
    err(f"Casus {item.case_id} staat nu op punt {position} van de agenda van {fmt(day)}.")


@app.command("delete")
def agenda_delete(
    on: Annotated[str, typer.Option(
        "--date", help="Datum van de geplande vergadering die weg moet (bijv. 2026-12-01).",
        show_default=False, autocompletion=completion.meeting_dates)],
    yes: Annotated[bool, typer.Option("--yes", help="Niet om bevestiging vragen.")] = False,
) -> None:
    """Verwijder een geplande vergadering met haar agenda (bijv. een verkeerde datum).

    Alleen een vergadering die nog niet is gestart; een geopende of gesloten vergadering
    blijft bewaard.

    Voorbeeld: overleg agenda delete --date 2020-01-01
    """
    from overleg.agenda import delete_agenda
    from overleg.cli.common import confirm, fail
    from overleg.dates import fmt, fmt_long

    s = session()
    day = s.day(on)
    meeting = s.store().meeting(day)
    if meeting is None:
        raise fail(f"er is geen vergadering op {fmt(day)}; er is niets te verwijderen. Zie "
                   "'overleg meeting list'.")
    count = len(s.store().items(meeting))
    if meeting.status == "planned" and not yes and not confirm(
            f"Geplande vergadering van {fmt_long(day)} ({count} "
            f"{'punt' if count == 1 else 'punten'}) verwijderen?"):
        err("Niets verwijderd.")
        raise typer.Exit(ExitStatus.ERROR)
    mailed = delete_agenda(s.store(), meeting)
    err(f"Geplande vergadering van {fmt(day)} verwijderd, met haar agenda.")
    if mailed:
        err(f"Let op: de agenda was al gemaild aan {', '.join(mailed)}; laat hen weten dat deze "
            "vergadering niet doorgaat.")


@app.command("render")
def agenda_render(
    on: DateOpt = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Alleen de punten van deze "
                                                "partner (code, bijv. POL).",
                                                autocompletion=completion.partners)] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Formaat van het document.")]
    = Format.md,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Schrijf naar dit "
                                                "bestand in plaats van naar het scherm.",
                                                metavar="BESTAND", parser=output_path)]
    = None,
) -> None:
    """Maak de agenda als document: volledig (voorzitter) of per partner.

    Met --format docx een Word-bestand (dan is -o verplicht).

    Voorbeeld: overleg agenda render --partner POL --format html -o uit/agenda-POL.html
    """
    from overleg.agenda import meeting_for
    from overleg.documents import Request

    if fmt is Format.docx:
        from overleg.docx import require_output

        output = require_output(output, "uit/agenda.docx")
    s = session()
    meeting = meeting_for(s.store(), _date(on))
    emit(s.sources(), Request("agenda", fmt.value, partner, meeting), output, "Agenda")
