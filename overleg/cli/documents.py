"""`overleg minutes` and `overleg mail`: the documents that leave the table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import confirm, console, emit, err, out, session
from overleg.cli.options import DocumentFormat, MailKind, output_path
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from overleg.mail import Batch, Delivery

FormatOpt = Annotated[DocumentFormat, typer.Option("--format", help="Formaat; docx (Word) "
                                                    "vraagt -o.", case_sensitive=False)]


def minutes(
    on: Annotated[str | None, typer.Option("--date", help="Datum van de vergadering "
                                           "(standaard de laatst gesloten).",
                                           autocompletion=completion.meeting_dates)] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Alleen de casussen van "
                                                "deze partner, met zijn actielijst.",
                                                autocompletion=completion.partners)] = None,
    fmt: FormatOpt = DocumentFormat.md,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Schrijf naar dit "
                                                "bestand in plaats van naar het scherm.",
                                                metavar="BESTAND", parser=output_path)] = None,
) -> None:
    """Maak het verslag: volledig voor de voorzitter, of per partner.

    Voorbeeld: overleg minutes --partner POL --format html -o uit/verslag-POL.html
    """
    from overleg.documents import Request
    from overleg.meeting import closed_meeting

    if fmt is DocumentFormat.docx:
        from overleg.docx import require_output

        output = require_output(output, "uit/verslag.docx")
    s = session()
    meeting = closed_meeting(s.store(), s.day(on) if on else None)
    emit(s.sources(), Request("minutes", fmt.value, partner, meeting), output, "Verslag")


def mail(
    on: Annotated[str | None, typer.Option("--date", help="Datum van de vergadering.",
                                           autocompletion=completion.meeting_dates)] = None,
    kind: Annotated[MailKind, typer.Option("--kind", help="Agenda of verslag (minutes).",
                                           case_sensitive=False)] = MailKind.minutes,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Map voor de "
                                                ".eml-bestanden (standaard uit/mail).",
                                                metavar="MAP", parser=output_path)] = None,
    send: Annotated[bool, typer.Option("--send", help="Verstuur via SMTP (STARTTLS).")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Niet om bevestiging vragen.")] = False,
) -> None:
    """Maak per partner een e-mail met alleen zijn casussen (en verstuur ze met --send).

    Voorbeeld: overleg mail --kind minutes --send
    """
    from overleg.mailing import mail_drafts, mailing_meeting

    s = session()
    src = s.sources()
    meeting = mailing_meeting(src.store, kind.canonical, s.day(on) if on else None, src.today)
    batch = mail_drafts(src, meeting, kind.canonical, output or src.ws.out_dir / "mail")
    _summary(batch)
    if not send:
        if batch.messages and (first := batch.messages[0].path) is not None:
            err(f"Concepten staan in {first.parent}. Verstuur met --send.")
        return
    if not batch.messages:
        out("Niets te versturen.")
        return
    _confirm_sending(batch, yes)
    _send(batch)


def _confirm_sending(batch: Batch, yes: bool) -> None:
    """Ask before sending (again, when some partners had this mailing already)."""
    from overleg.mailing import sent_before

    s = session()
    question = (f"{len(batch.messages)} e-mail(s) versturen via "
                f"{s.workspace().config.mail.smtp_host}?")
    if again := sent_before(s.store(), batch):
        question = f"Al eerder verstuurd aan {', '.join(again)}. Opnieuw versturen? " + question
    if not yes and not confirm(question):
        err("Niets verstuurd.")
        raise typer.Exit(ExitStatus.ERROR)


def _send(batch: Batch) -> None:
    """Send with a progress bar; one line per partner as the server answers."""
    from rich.progress import Progress

    from overleg.mailing import send_mailing
    from overleg.privacy import clean

    s = session()
    recipients = {o.partner: o.recipients for o in batch.messages}
    with Progress(console=console(), transient=True) as progress:
        task = progress.add_task("Versturen", total=len(batch.messages))

        def report(delivery: Delivery) -> None:
            progress.advance(task)
            line = (f"verstuurd: {delivery.partner} ({', '.join(recipients[delivery.partner])})"
                    if delivery.ok else f"NIET verstuurd: {delivery.partner}: {delivery.detail}")
            # soft_wrap: addresses stay whole on one line (the terminal wraps it)
            progress.console.print(clean(line), markup=False, soft_wrap=True)

        failures = send_mailing(s.store(), batch, s.workspace().config.mail,
                                os.environ.get("OVERLEG_SMTP_PASSWORD"), report)
    if failures:
        err(f"Fout: {failures} e-mail(s) niet verstuurd; de rest wel. Probeer opnieuw met --send.")
        raise typer.Exit(ExitStatus.ERROR)
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
