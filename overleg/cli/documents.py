"""`overleg minutes` and `overleg mail`: the documents that leave the table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import confirm, console, emit, err, out, session

if TYPE_CHECKING:
    from overleg.mail import Batch, Delivery
    from overleg.store import Meeting

FormatOpt = Annotated[str, typer.Option("--format", help="md, html, txt of docx (Word; dan is "
                                         "-o verplicht).")]


def _closed_meeting(on: str | None) -> Meeting:
    """The meeting of --date, else the most recent closed one."""
    from overleg.dates import fmt
    from overleg.errors import MeetingNotFound

    s = session()
    store = s.store()
    if on:
        day = s.day(on)
        found = store.meeting(day)
        if found is None:
            raise MeetingNotFound(f"er is geen vergadering op {fmt(day)}. "
                                  "Zie 'overleg meeting list'.")
        return found
    meeting = store.latest_closed()
    if meeting is None:
        raise MeetingNotFound("er is nog geen gesloten vergadering. Sluit de vergadering met "
                              "'overleg meeting close' of kies er een met --date.")
    return meeting


def minutes(
    on: Annotated[str | None, typer.Option("--date", help="Datum van de vergadering "
                                           "(standaard de laatst gesloten).",
                                           autocompletion=completion.meeting_dates)] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Alleen de casussen van "
                                                "deze partner, met zijn actielijst.",
                                                autocompletion=completion.partners)] = None,
    fmt: FormatOpt = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Schrijf naar dit "
                                                "bestand in plaats van naar het scherm.")] = None,
) -> None:
    """Maak het verslag: volledig voor de voorzitter, of per partner.

    Voorbeeld: overleg minutes --partner POL --format html -o uit/verslag-POL.html
    """
    from overleg.documents import Request

    if fmt == "docx":
        from overleg.docx import require_output

        output = require_output(output, "uit/verslag.docx")
    s = session()
    meeting = _closed_meeting(on)
    emit(s.sources(), Request("minutes", fmt, partner, meeting), output, "Verslag")


def mail(
    on: Annotated[str | None, typer.Option("--date", help="Datum van de vergadering.",
                                           autocompletion=completion.meeting_dates)] = None,
    kind: Annotated[str, typer.Option("--kind", help="agenda of minutes.")] = "minutes",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Map voor de "
                                                ".eml-bestanden (standaard uit/mail).")] = None,
    send: Annotated[bool, typer.Option("--send", help="Verstuur via SMTP (STARTTLS).")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Niet om bevestiging vragen.")] = False,
) -> None:
    """Maak per partner een e-mail met alleen zijn casussen (en verstuur ze met --send).

    Voorbeeld: overleg mail --kind minutes --send
    """
    from overleg.documents import mail_drafts, record_delivery
    from overleg.errors import InvalidInput
    from overleg.mail import send_all
    from overleg.privacy import clean

    s = session()
    ws, store = s.workspace(), s.store()
    if kind not in ("agenda", "minutes"):
        raise InvalidInput(f"soort '{kind}' bestaat niet. Kies agenda of minutes.")
    if kind == "agenda":
        from overleg.agenda import meeting_for
        from overleg.dates import today
        from overleg.errors import MeetingNotFound

        meeting = meeting_for(store, s.day(on)) if on else store.next_planned(today())
        if meeting is None:
            raise MeetingNotFound("er is geen geplande vergadering. Maak de agenda met "
                                  "'overleg agenda build' of kies er een met --date.")
    else:
        meeting = _closed_meeting(on)
    batch = mail_drafts(s.sources(), meeting, kind, output or ws.out_dir / "mail")
    _summary(batch)
    if not send:
        if batch.messages and (first := batch.messages[0].path) is not None:
            err(f"Concepten staan in {first.parent}. Verstuur met --send.")
        return
    if not batch.messages:
        out("Niets te versturen.")
        return
    already = store.mailings(meeting, kind)
    again = [o.partner for o in batch.messages if o.partner in already]
    if not yes:
        question = f"{len(batch.messages)} e-mail(s) versturen via {ws.config.mail.smtp_host}?"
        if again:
            question = (f"Al eerder verstuurd aan {', '.join(again)}. Opnieuw versturen? "
                        + question)
        if not confirm(question):
            err("Niets verstuurd.")
            raise typer.Exit(1)
    from rich.progress import Progress

    failures = 0
    with Progress(console=console(), transient=True) as progress:
        task = progress.add_task("Versturen", total=len(batch.messages))
        by_partner = {o.partner: o for o in batch.messages}

        def report(delivery: Delivery) -> None:
            nonlocal failures
            progress.advance(task)
            outgoing = by_partner[delivery.partner]
            if delivery.ok:
                record_delivery(store, outgoing, meeting, kind)
                # soft_wrap: addresses stay whole on one line (the terminal wraps it)
                progress.console.print(clean(f"verstuurd: {delivery.partner} "
                                             f"({', '.join(outgoing.recipients)})"),
                                       markup=False, soft_wrap=True)
            else:
                failures += 1
                progress.console.print(clean(f"NIET verstuurd: {delivery.partner}: "
                                             f"{delivery.detail}"), markup=False, soft_wrap=True)

        send_all(batch.messages, ws.config.mail, os.environ.get("OVERLEG_SMTP_PASSWORD"),
                 report)
    if failures:
        err(f"Fout: {failures} e-mail(s) niet verstuurd; de rest wel. Probeer opnieuw met --send.")
        raise typer.Exit(1)
    out(f"{len(batch.messages)} e-mail(s) verstuurd.")


def _summary(batch: Batch) -> None:
    from rich.table import Table

    from overleg.cli.common import plain

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("partner", "aan", "bestand"):
        table.add_column(column)
    for o in batch.messages:
        table.add_row(*plain(o.partner, ", ".join(o.recipients), str(o.path or "")))
    for code in batch.not_reached:
        table.add_row(*plain(code, "NIET BEREIKT: geen e-mailadres in overleg.toml", ""))
    console().print(table)


def register(app: typer.Typer) -> None:
    app.command("minutes")(minutes)
    app.command("mail")(mail)
