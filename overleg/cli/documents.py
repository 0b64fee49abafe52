"""`overleg minutes` and `overleg mail`: the documents that leave the table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import confirm, console, emit, err, fail, out, session, stdin_line
from overleg.cli.options import DocumentFormat, MailKind, output_path
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from overleg.mail import Batch, Delivery, Outgoing
    from overleg.mailing import Interrupted
    from overleg.workspace import Workspace

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
    send: Annotated[bool, typer.Option("--send", help="Verstuur via SMTP (TLS of STARTTLS); "
                                       "wat al is aangekomen, gaat niet nog eens.")] = False,
    again: Annotated[list[str] | None, typer.Option(
        "--again", metavar="CODE", help="Met --send: verstuur het bericht van deze partner "
        "opnieuw, ook als het al is aangekomen of in twijfel is (herhaal de optie of geef "
        "codes met komma's; 'alle' voor iedereen).",
        autocompletion=completion.partners)] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Niet om bevestiging vragen.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Toon per partner de adressen, het "
                                        "certificaat en wat er met zijn e-mail gebeurt; "
                                        "verstuurt en schrijft niets.")] = False,
) -> None:
    """Maak per partner een e-mail met alleen zijn casussen (en verstuur ze met --send).

    Met certificaten in overleg.toml is elke e-mail versleuteld (S/MIME), ook het concept.

    Voorbeeld: overleg mail --kind minutes --send
    """
    from overleg.mailing import mail_drafts, mailing_meeting

    if check:
        if send or again:
            raise fail("--check verstuurt niets; gebruik het zonder --send en --again.")
        _check()
        return
    if again and not send:
        raise fail("--again hoort bij --send: overleg mail --send --again CODE.")
    s = session()
    src = s.sources()
    meeting = mailing_meeting(src.store, kind.canonical, s.day(on) if on else None, src.today)
    batch = mail_drafts(src, meeting, kind.canonical, output or src.ws.out_dir / "mail",
                        _smime_password)
    _summary(batch)
    for code, why in batch.refused:
        err(f"Let op: {code} niet bereikt: {why}.")
    if not send:
        if batch.messages and (first := batch.messages[0].path) is not None:
            err(f"Concepten staan in {first.parent}. Verstuur met --send.")
        return
    if not batch.messages:
        out("Niets te versturen.")
        _end_refused(batch)
        return
    _send(batch, again or [], yes)


def _smime_password() -> str | None:
    """The password of the sender's PKCS#12: $OVERLEG_SMIME_PASSWORD, else asked (never from
    the command line, which other users can read in the process list)."""
    import sys

    if secret := os.environ.get("OVERLEG_SMIME_PASSWORD"):
        return secret
    prompt = f"Wachtwoord van {session().workspace().config.mail.ondertekenen}: "
    if sys.stdin.isatty():
        import getpass

        try:
            return getpass.getpass(prompt, stream=sys.stderr)
        except EOFError:
            return None
    typer.echo(prompt, nl=False, err=True)
    return stdin_line()


def _again_codes(values: list[str], batch: Batch) -> set[str]:
    """The partners of --again (codes in any letter case, comma-separated or repeated)."""
    config = session().workspace().config
    codes: set[str] = set()
    have = {o.partner for o in batch.messages}
    for value in values:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if part.lower() in ("alle", "all"):
                codes |= have
                continue
            code = config.partner_code(part)
            if code not in have:
                raise fail(f"--again {part}: {code} krijgt bij deze mailing geen bericht.")
            codes.add(code)
    return codes


def _send(batch: Batch, again: list[str], yes: bool) -> None:
    """Send what was not accepted before (and --again), under the send lock: first the
    messages a crash cut off are settled and reported, then what is skipped, then the
    question, then one line per partner as the server answers."""
    from overleg.mailing import plan_sending, sending_lock, settle_interrupted

    s = session()
    store, ws = s.store(), s.workspace()
    codes = _again_codes(again, batch)
    with sending_lock(ws):
        interrupted = settle_interrupted(store, batch.meeting, batch.kind)
        plan = plan_sending(store, batch, codes)
        for found in interrupted:
            out(_interrupted_line(found))
        doubts = [f.partner for f in interrupted if f.state == "doubt"]
        for code, why in plan.skipped:
            if code not in doubts:  # said just above
                out(f"overgeslagen: {code}: {why}")
        for code, had in plan.rest_only.items():
            out(f"alleen nog aan de rest: {code} ({', '.join(had)} had het al)")
        if not plan.messages:
            out("Niets te versturen: alles is al verstuurd.")
            _end(0, doubts, batch)
            return
        _confirm_sending(plan.messages, plan.again, ws.config.mail.smtp_host, yes)
        failures, doubtful = _deliver(batch, plan.messages)
    _end(failures, doubts + doubtful, batch)
    if not failures and not doubts and not batch.refused:
        out(f"{len(plan.messages)} e-mail(s) verstuurd.")


def _interrupted_line(found: Interrupted) -> str:
    from overleg.mailing import when

    if found.state == "doubt":
        return (f"IN TWIJFEL: {found.partner}: de verzending van {when(found.at)} werd "
                "afgebroken terwijl de server het bericht ontving; misschien is het "
                f"aangekomen. Niet opnieuw verstuurd: vraag het na bij {found.partner} en "
                f"verstuur zo nodig opnieuw met --again {found.partner}.")
    return (f"onderbroken: {found.partner}: de verzending van {when(found.at)} werd afgebroken "
            "voordat het bericht was overgedragen; het gaat nu opnieuw.")


def _confirm_sending(messages: list[Outgoing], again: list[str], host: str, yes: bool) -> None:
    """Ask before sending (saying who gets it a second time)."""
    question = f"{len(messages)} e-mail(s) versturen via {host}?"
    if again:
        question = f"Opnieuw aan {', '.join(again)}, dat het al kreeg (of misschien). " + question
    if not yes and not confirm(question):
        err("Niets verstuurd.")
        raise typer.Exit(ExitStatus.ERROR)


def _deliver(batch: Batch, messages: list[Outgoing]) -> tuple[int, list[str]]:
    """Send with a progress bar; one line per partner as the server answers. Returns how
    many were not accepted whole, and which are in doubt."""
    from rich.progress import Progress

    from overleg.mailing import resolve, send_mailing
    from overleg.privacy import clean

    s = session()
    mail_config, root = s.workspace().config.mail, s.workspace().root
    recipients = {o.partner: o.recipients for o in messages}
    doubtful: list[str] = []
    ca_file = resolve(root, mail_config.ca_bestand) if mail_config.ca_bestand else None
    with Progress(console=console(), transient=True) as progress:
        task = progress.add_task("Versturen", total=len(messages))

        def report(delivery: Delivery) -> None:
            progress.advance(task)
            if delivery.doubt:
                doubtful.append(delivery.partner)
            # soft_wrap: addresses stay whole on one line (the terminal wraps it)
            progress.console.print(clean(_delivery_line(delivery, recipients)), markup=False,
                                   soft_wrap=True)

        failures = send_mailing(s.store(), batch, messages, mail_config,
                                os.environ.get("OVERLEG_SMTP_PASSWORD"), report, ca_file)
    return failures - len(doubtful), doubtful


def _delivery_line(delivery: Delivery, recipients: dict[str, tuple[str, ...]]) -> str:
    code = delivery.partner
    if delivery.ok:
        return f"verstuurd: {code} ({', '.join(recipients[code])})"
    if delivery.doubt:
        return f"IN TWIJFEL: {code}: {delivery.detail}"
    return f"NIET verstuurd: {code}: {delivery.detail}"


def _end(failures: int, doubts: list[str], batch: Batch) -> None:
    """The last words of a send, and exit 1 when anything did not arrive for sure."""
    if doubts:
        codes = ", ".join(doubts)
        err(f"Let op: in twijfel: {codes}. Vraag na of het bericht is aangekomen; zo niet: "
            f"overleg mail --send --again {doubts[0]}.")
    if failures:
        err(f"Fout: {failures} e-mail(s) niet verstuurd; de rest wel. Probeer opnieuw met "
            "--send: wat al is aangekomen, gaat niet nog eens.")
    _end_refused(batch)
    if failures or doubts:
        raise typer.Exit(ExitStatus.ERROR)


def _end_refused(batch: Batch) -> None:
    """Partners that versleutelen keeps from mail in clear: exit 1, they were not reached."""
    if batch.refused:
        codes = ", ".join(code for code, _ in batch.refused)
        err(f"Fout: niet bereikt zonder bruikbaar certificaat: {codes}. Zie 'overleg mail "
            "--check'.")
        raise typer.Exit(ExitStatus.ERROR)


def _summary(batch: Batch) -> None:
    from rich.table import Table

    from overleg.cli.common import plain

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("partner", "aan", *(["S/MIME"] if batch.protected else []), "bestand"):
        table.add_column(column, no_wrap=column == "S/MIME")
    for o in batch.messages:
        cells = [o.partner, ", ".join(o.recipients), str(o.path or "")]
        if batch.protected:
            cells.insert(2, "versleuteld" if o.encrypted else "ONVERSLEUTELD")
        table.add_row(*plain(*cells))
    empty = ["", ""] if batch.protected else [""]
    for code, why in batch.refused:
        table.add_row(*plain(code, f"NIET BEREIKT: {why.split(':')[0]}", *empty))
    for code in batch.not_reached:
        table.add_row(*plain(code, "NIET BEREIKT: geen e-mailadres in overleg.toml", *empty))
    console().print(table)
    if any(o.signed for o in batch.messages):
        err("Elke e-mail is ondertekend met het certificaat uit 'ondertekenen' in [mail].")


def _check() -> None:
    """`mail --check`: per partner its addresses, certificates and what happens to its mail;
    exit 1 when a partner with an address would not be reached or the key cannot be used."""
    from overleg.dates import today
    from overleg.smime import check_lines, check_security

    ws = session().workspace()
    checked = check_security(ws.config, ws.root, today(), _smime_password)
    lines, ok = check_lines(checked, ws.config, today(), _mail_keys(ws),
                            bool(os.environ.get("OVERLEG_SMTP_PASSWORD")))
    for line in lines:
        out(line)
    if not ok:
        raise typer.Exit(ExitStatus.ERROR)


def _mail_keys(ws: Workspace) -> set[str]:
    """The keys written in [mail] of overleg.toml (to tell a default from a choice)."""
    import tomllib

    try:
        table = tomllib.loads((ws.root / "overleg.toml").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return set()
    mail_table = table.get("mail", {})
    return set(mail_table) if isinstance(mail_table, dict) else set()


def register(app: typer.Typer) -> None:
    app.command("minutes")(minutes)
    app.command("mail")(mail)
