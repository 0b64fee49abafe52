"""`overleg uitvraag [--date D] [-o MAP] [--send]`, `uitvraag import` and `uitvraag status`:
the information round before a meeting."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import console, err, out, plain, print_json, session
from overleg.cli.options import output_path
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from overleg.model import Answer
    from overleg.uitvraag import Round

DateOpt = Annotated[str | None, typer.Option("--date", help="Datum van de vergadering "
                                             "(standaard de eerstvolgende geplande).",
                                             autocompletion=completion.meeting_dates)]


def uitvraag(
    ctx: typer.Context,
    on: DateOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Map voor de formulieren "
                                                "en .eml-bestanden (standaard uit/uitvraag).",
                                                metavar="MAP", parser=output_path)] = None,
    send: Annotated[bool, typer.Option("--send", help="Verstuur de e-mails via SMTP; wat al is "
                                       "aangekomen, gaat niet nog eens.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Niet om bevestiging vragen.")] = False,
) -> None:
    """Vraag elke partner wat hij weet van de personen op de agenda (alleen zijn casussen).

    Per partner een antwoordformulier (.xlsx, met formulier-id) en een e-mail met de vraag
    en het formulier (.eml, versleuteld als de partner een certificaat heeft). Lees de
    ingevulde formulieren in met 'overleg uitvraag import'; 'overleg uitvraag status' toont
    wie wat antwoordde.

    Voorbeeld: overleg uitvraag --date 8-12-2026 --send
    """
    if ctx.invoked_subcommand is not None:  # `overleg uitvraag import|status`
        return
    from overleg.cli.documents import _end_refused, _send, _smime_password, _summary
    from overleg.uitvraag import make_round, uitvraag_meeting

    s = session()
    src = s.sources()
    meeting = uitvraag_meeting(src.store, s.day(on) if on else None, src.today)
    folder = output or src.ws.out_dir / "uitvraag"
    done = make_round(src, meeting, folder, _smime_password)
    _report(done)
    _summary(done.batch)
    for code, why in done.batch.refused:
        err(f"Let op: {code} niet bereikt per e-mail: {why}; het formulier staat klaar.")
    if send and done.batch.messages:
        _send(done.batch, [], yes)
    elif send:
        out("Niets te versturen.")
        _end_refused(done.batch)
    elif done.forms:
        err(f"Formulieren en concepten staan in {folder}. Verstuur met --send.")


def _report(done: Round) -> None:
    if not done.forms:
        out("Geen partners te bevragen: er staan geen casussen op deze agenda.")
        return
    out(f"Uitvraag {done.batch.meeting.date:%d-%m-%Y}: {len(done.forms)} "
        f"{'partner' if len(done.forms) == 1 else 'partners'} ({', '.join(done.forms)}).")


app = typer.Typer(help=uitvraag.__doc__, invoke_without_command=True, no_args_is_help=False,
                  subcommand_metavar="[OPDRACHT]")
app.callback()(uitvraag)


@app.command("import")
def uitvraag_import(
    files: Annotated[list[str], typer.Argument(metavar="BESTAND...", help="Ingevulde "
                                               "formulieren (.xlsx).")],
    on: DateOpt = None,
    replace: Annotated[bool, typer.Option("--replace", help="Vervang een eerder, ander "
                                          "antwoord van dezelfde partner.")] = False,
) -> None:
    """Lees ingevulde uitvraagformulieren in; problemen als BESTAND:RIJ: melding.

    Een formulier van een ander overleg, en een rij voor een casus waarin de partner geen
    partner is, worden geweigerd; een eerder antwoord blijft staan zonder --replace.

    Voorbeeld: overleg uitvraag import antwoorden/uitvraag-2026-12-08-POL.xlsx
    """
    from overleg.uitvraag import import_forms, uitvraag_meeting

    s = session()
    src = s.sources()
    meeting = uitvraag_meeting(src.store, s.day(on) if on else None, src.today)
    result = import_forms(src.store, src.cases, meeting, [(Path(f), f) for f in files], replace)
    for finding in sorted(result.findings, key=lambda f: (f.path, f.line)):
        err(str(finding))
    out(f"{len(result.stored)} {'antwoord' if len(result.stored) == 1 else 'antwoorden'} "
        f"ingelezen, {len(result.unchanged)} al bekend, {len(result.findings)} "
        f"{'probleem' if len(result.findings) == 1 else 'problemen'}.")
    if result.findings:
        raise typer.Exit(ExitStatus.ERROR)


@app.command("status")
def uitvraag_status(
    on: DateOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon per casus en partner wat er is gevraagd en geantwoord, en wie nog niet antwoordde.

    Voorbeeld: overleg uitvraag status --json
    """
    from overleg.uitvraag import status_records, uitvraag_meeting

    s = session()
    store = s.store()
    from overleg.dates import today

    answers = store.uitvraag_answers(uitvraag_meeting(store, s.day(on) if on else None,
                                                      today()))
    if as_json:
        print_json(status_records(answers))
    elif not answers:
        out("Er is voor deze vergadering nog niets uitgevraagd. Zie 'overleg uitvraag'.")
    else:
        _status_table(answers)


def _status_table(answers: list[Answer]) -> None:
    from rich.table import Table

    from overleg.mailing import when
    from overleg.uitvraag import ANSWER_LABELS

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("casus", "partner", "antwoord", "informatie", "contact", "op"):
        table.add_column(column, no_wrap=column not in ("informatie", "contact"))
    for a in answers:
        table.add_row(*plain(a.case_id, a.partner, ANSWER_LABELS[a.answer], a.information or "",
                             a.contact or "", when(a.answered_at) if a.answered_at else ""),
                      style="dim" if a.answer is None else None)
    console().print(table)
    waiting = sorted({a.partner for a in answers if a.answer is None})
    if waiting:
        err(f"Nog geen antwoord van: {', '.join(waiting)}.")
