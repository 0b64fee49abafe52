"""E-mail to partners: EmailMessage, .eml drafts, iCalendar deadlines, SMTP delivery."""

from __future__ import annotations

import functools
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
    import smtplib

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


SMTP_TIMEOUT = 30  # seconds to wait for the server, per step


def send_all(messages: Sequence[Outgoing], mail: MailConfig, password: str | None,
             on_result: Callable[[Delivery], None] | None = None) -> list[Delivery]:
    """Deliver each message over one SMTP session; a failure is reported per partner.

    When the server drops the connection, it is opened again once for that message and the
    message tried again. `on_result` hears of each message, in order, as it is settled.
    """
    if not mail.starttls and not is_loopback(mail.smtp_host):
        raise MailError(f"verzenden zonder STARTTLS naar '{mail.smtp_host}' is geweigerd: "
                           "zonder versleuteling alleen naar een server op dit apparaat "
                           "(localhost). Zet starttls = true in [mail].")
    if mail.gebruiker and not password:
        raise MailError("geen wachtwoord: zet $OVERLEG_SMTP_PASSWORD. "
                           "Er is niets verzonden.")
    session = _Session(mail, password)
    try:
        session.open()
    except _SetupFailed as failed:
        raise MailError(_setup_message(mail, failed) + " Er is niets verzonden.") from None
    results: list[Delivery] = []
    try:
        for outgoing in messages:
            delivery = session.deliver(outgoing)
            results.append(delivery)
            if on_result:
                on_result(delivery)
    finally:
        session.close()
    return results


class _SetupFailed(Exception):
    """A session could not be set up: at which step, and the error there."""

    def __init__(self, step: str, cause: BaseException) -> None:
        super().__init__(step)
        self.step = step  # connect | starttls | login
        self.cause = cause


class _Session:
    """One SMTP session, opened again when the server drops it."""

    def __init__(self, mail: MailConfig, password: str | None) -> None:
        self.mail = mail
        self.password = password
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        import smtplib
        import ssl

        mail = self.mail
        try:
            smtp = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=SMTP_TIMEOUT)
        except OSError as exc:  # smtplib's and ssl's errors are OSErrors too
            raise _SetupFailed("connect", exc) from None
        step = "connect"
        try:
            smtp.ehlo()
            if mail.starttls:
                step = "starttls"
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if mail.gebruiker and self.password:  # no password was refused before
                step = "login"
                smtp.login(mail.gebruiker, self.password)
        except OSError as exc:
            smtp.close()
            raise _SetupFailed(step, exc) from None
        self.smtp = smtp

    def deliver(self, outgoing: Outgoing) -> Delivery:
        """Send one message; after a dropped connection, reconnect once and try again."""
        import smtplib

        message = _for_sending(outgoing.message)
        retried = False
        while True:
            try:
                if self.smtp is None:
                    self.open()
                assert self.smtp is not None
                refused = self.smtp.send_message(message, to_addrs=list(outgoing.recipients))
            except _SetupFailed as failed:
                return Delivery(outgoing.partner, False, f"{_AGAIN[failed.step]}: "
                                f"{smtp_reason(failed.cause, failed.step)}")
            except OSError as exc:
                dropped = (isinstance(exc, smtplib.SMTPServerDisconnected)
                           or not isinstance(exc, smtplib.SMTPException)
                           or self.smtp is None or self.smtp.sock is None)  # e.g. after a 421
                if dropped:
                    self.close()
                    if not retried:
                        retried = True
                        continue
                detail = smtp_reason(exc, "send")
                return Delivery(outgoing.partner, False,
                                detail + (" (ook na opnieuw verbinden)" if retried else ""))
            return _refused(outgoing, refused) if refused else Delivery(outgoing.partner, True)

    def close(self) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except OSError:
            smtp.close()


# A session opened again for a message (after a drop) that could not be set up, per step.
_AGAIN = {"connect": "opnieuw verbinden mislukt",
          "starttls": "opnieuw verbinden mislukt (STARTTLS)", "login": "opnieuw inloggen mislukt"}


def _setup_message(mail: MailConfig, failed: _SetupFailed) -> str:
    """What went wrong setting up a session, in Dutch (without 'Er is niets verzonden.')."""
    reason = smtp_reason(failed.cause, failed.step)
    if failed.step == "starttls":
        return (f"de mailserver {mail.smtp_host} biedt geen veilige verbinding (STARTTLS): "
                f"{reason}.")
    if failed.step == "login":
        return (f"inloggen op de mailserver mislukt: {reason}. Controleer 'gebruiker' in "
                "[mail] en $OVERLEG_SMTP_PASSWORD.")
    return f"geen verbinding met de mailserver {mail.smtp_host}:{mail.smtp_port}: {reason}."


@functools.cache
def _failures() -> tuple[tuple[type[BaseException], str], ...]:
    """Every kind of failure and its Dutch words, most specific first (smtplib's and ssl's
    errors are OSErrors, so those come last). {server}: the server's own reply, code first;
    {codes}: the codes of refused recipients; {what}: the extension the step needed."""
    import smtplib
    import ssl

    return (
        (smtplib.SMTPRecipientsRefused, "alle ontvangers geweigerd (code {codes})"),
        (smtplib.SMTPSenderRefused, "de server weigert de afzender ({server})"),
        (smtplib.SMTPDataError, "de server weigert het bericht ({server})"),
        (smtplib.SMTPAuthenticationError, "de server weigert gebruiker of wachtwoord "
                                          "({server})"),
        (smtplib.SMTPConnectError, "de server weigert de verbinding ({server})"),
        (smtplib.SMTPHeloError, "de server weigert de begroeting ({server})"),
        (smtplib.SMTPServerDisconnected, "de server verbrak de verbinding"),
        (smtplib.SMTPNotSupportedError, "de server kent {what} niet"),
        (smtplib.SMTPResponseException, "de server weigert ({server})"),
        (smtplib.SMTPException, "onverwacht antwoord van de server"),
        (ssl.SSLCertVerificationError, "het certificaat van de server is niet te vertrouwen"),
        (ssl.SSLError, "de versleutelde verbinding (TLS) mislukte"),
        (ConnectionRefusedError, "verbinding geweigerd: er luistert niets op die poort "
                                 "(klopt smtp_port?)"),
        (socket.gaierror, "de naam van de server is onbekend (klopt smtp_host?)"),
        (TimeoutError, "de server antwoordt niet (na {timeout} seconden gestopt)"),
        (ConnectionError, "de server verbrak de verbinding"),  # reset, aborted, broken pipe
        (OSError, "netwerkfout ({errno})"),
    )


_NEEDS = {"starttls": "STARTTLS", "login": "AUTH (inloggen)", "send": "SMTPUTF8"}


def smtp_reason(exc: BaseException, step: str = "send") -> str:
    """Dutch words for an SMTP or network failure at a step (connect, starttls, login, send):
    the server's own reply is quoted, Python's English never."""
    import errno
    import smtplib

    if (isinstance(exc, smtplib.SMTPServerDisconnected)
            and isinstance(exc.__context__, OSError)
            and not isinstance(exc.__context__, smtplib.SMTPException)):
        exc = exc.__context__  # smtplib wraps a timeout or reset while reading a reply
    for kind, text in _failures():
        if isinstance(exc, kind):
            codes = sorted({c for c, _ in getattr(exc, "recipients", {}).values()})
            number = getattr(exc, "errno", None)
            return text.format(server=_server_said(exc), codes=", ".join(map(str, codes)),
                               what=_NEEDS.get(step, step), timeout=f"{SMTP_TIMEOUT:g}",
                               errno=errno.errorcode.get(number, number) if number else "?")
    return f"onbekende fout ({type(exc).__name__})"


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


def _server_said(exc: BaseException) -> str:
    """'535 5.7.8 ...' from an SMTP error reply ('' without one)."""
    code, reply = getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", None)
    if code is None:
        return ""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply or "")
    return f"{code} {text}".strip()


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
