"""E-mail to partners: EmailMessage, .eml drafts, iCalendar deadlines, SMTP delivery."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from overleg.config import Config, MailConfig
from overleg.errors import MailError
from overleg.model import Action, Meeting
from overleg.privacy import clean

if TYPE_CHECKING:
    from overleg.documents import Disclosed


@dataclass(frozen=True)
class Outgoing:
    """One message for one partner, and where its .eml draft was written."""

    partner: str
    recipients: tuple[str, ...]
    message: EmailMessage
    path: Path | None = None
    disclosed: Disclosed | None = None  # its row in the register of disclosures


@dataclass(frozen=True)
class Delivery:
    partner: str
    ok: bool
    detail: str = ""


def build_message(config: Config, partner: str, subject: str, text: str, html: str,
                  ics: bytes | None = None) -> EmailMessage:
    """A multipart text + HTML message for one partner, as a draft (X-Unsent: 1)."""
    message = EmailMessage()
    sender = config.mail.afzender or "casusoverleg@localhost"
    message["From"] = sender
    message["To"] = ", ".join(config.partners[partner].email)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["X-Unsent"] = "1"  # Outlook opens the .eml as a draft to check and send
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if ics is not None:
        message.add_attachment(ics, maintype="text", subtype="calendar",
                               filename="acties.ics", params={"method": "PUBLISH"})
    # The parts are encoded now (quoted-printable lines stay short). For the headers, the
    # default 78-character fold moves a 70-77 character subject whole onto a continuation
    # line, which reads back with a leading space; 998 is the hard limit of RFC 5322.
    message.policy = message.policy.clone(max_line_length=998)
    return message


def actions_calendar(actions: Sequence[Action], config: Config, partner: str) -> bytes:
    """All-day events for a partner's action deadlines: case id and task, never initials."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//overleg//casusoverleg//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Acties {partner} - {config.naam}")
    stamp = datetime.now().astimezone()
    for action in actions:
        event = Event()
        event.add("uid", f"overleg-actie-{action.id}-{partner}@overleg")
        event.add("dtstamp", stamp)
        event.add("dtstart", action.due)
        event.add("dtend", action.due + timedelta(days=1))
        # Not a template: mask a BSN here, as the Jinja finalize hook does for the documents.
        event.add("summary", clean(f"Actie #{action.id} casus {action.case_id}: "
                                      f"{action.text}"))
        owner = clean(f"{action.owner} ({action.who})") if action.who else action.owner
        event.add("description", f"Eigenaar: {owner}. Deadline van een actie uit "
                                 f"{config.naam}.")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def is_loopback(host: str) -> bool:
    """True when every address `host` resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {str(info[4][0]) for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback
                                   for a in addresses)


def send_all(messages: Sequence[Outgoing], mail: MailConfig, password: str | None,
             on_result: Callable[[Delivery], None] | None = None) -> list[Delivery]:
    """Deliver each message over one SMTP session; a failure is reported per partner."""
    import smtplib
    import ssl

    if not mail.starttls and not is_loopback(mail.smtp_host):
        raise MailError(f"verzenden zonder STARTTLS naar '{mail.smtp_host}' is geweigerd: "
                           "zonder versleuteling alleen naar een server op dit apparaat "
                           "(localhost). Zet starttls = true in [mail].")
    if mail.gebruiker and not password:
        raise MailError("geen wachtwoord: zet $OVERLEG_SMTP_PASSWORD. "
                           "Er is niets verzonden.")
    try:
        smtp = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=30)
    except OSError as exc:
        raise MailError(f"geen verbinding met de mailserver {mail.smtp_host}:"
                           f"{mail.smtp_port} ({exc}). Er is niets verzonden.") from None
    results: list[Delivery] = []
    try:
        smtp.ehlo()
        if mail.starttls:
            try:
                smtp.starttls(context=ssl.create_default_context())
            except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
                raise MailError(f"de mailserver {mail.smtp_host} biedt geen veilige "
                                   f"verbinding (STARTTLS: {exc}). Er is niets verzonden."
                                   ) from None
            smtp.ehlo()
        if mail.gebruiker and password:  # no password was refused before connecting
            try:
                smtp.login(mail.gebruiker, password)
            except smtplib.SMTPException as exc:
                raise MailError(f"inloggen op de mailserver mislukt ({_server_said(exc)}). "
                                   "Controleer 'gebruiker' in [mail] en $OVERLEG_SMTP_PASSWORD. "
                                   "Er is niets verzonden.") from None
        for outgoing in messages:
            message = _for_sending(outgoing.message)
            try:
                refused = smtp.send_message(message, to_addrs=list(outgoing.recipients))
            except (smtplib.SMTPException, OSError) as exc:
                delivery = Delivery(outgoing.partner, False, _smtp_reason(exc))
            else:
                delivery = (_refused(outgoing, refused) if refused
                            else Delivery(outgoing.partner, True))
            results.append(delivery)
            if on_result:
                on_result(delivery)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return results


def _refused(outgoing: Outgoing, refused: dict[str, tuple[int, bytes]]) -> Delivery:
    """Some addresses refused: not sent as a whole, but say who did get it."""
    detail = "geweigerd: " + ", ".join(sorted(refused))
    if delivered := [r for r in outgoing.recipients if r not in refused]:
        detail += f" (wel afgeleverd bij {', '.join(delivered)})"
    return Delivery(outgoing.partner, False, detail)


def sent_bytes(message: EmailMessage) -> bytes:
    """The bytes that go over the wire for a draft (without its X-Unsent marker)."""
    return _for_sending(message).as_bytes()


def _for_sending(message: EmailMessage) -> EmailMessage:
    """A copy without the draft marker (X-Unsent is for the .eml file only)."""
    import copy

    sent = copy.deepcopy(message)
    del sent["X-Unsent"]
    return sent


def _server_said(exc: Exception) -> str:
    """'535 5.7.8 ...' from an SMTP error reply, else the error itself."""
    code, reply = getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", None)
    if code is None:
        return str(exc)
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply or "")
    return f"{code} {text}".strip()


def _smtp_reason(exc: Exception) -> str:
    import smtplib

    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = {c for c, _ in exc.recipients.values()}
        return f"alle ontvangers geweigerd (code {', '.join(map(str, sorted(codes)))})"
    return f"mislukt ({code})" if code else f"mislukt ({exc})"


def subject(config: Config, kind: str, on: date) -> str:
    """The subject: the meeting's name and date, never case details."""
    from overleg.dates import fmt

    what = "Agenda" if kind == "agenda" else "Verslag en acties"
    return f"{what} {config.naam} {fmt(on)}"


@dataclass(frozen=True)
class Batch:
    """The messages of one mailing, and the partners that have no address to reach."""

    meeting: Meeting
    kind: str  # agenda | minutes
    messages: list[Outgoing]
    not_reached: list[str]
