"""E-mail to partners: EmailMessage, .eml drafts, iCalendar deadlines, SMTP delivery."""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from overleg.config import Config, MailConfig
from overleg.errors import MailError
from overleg.model import Action, Meeting
from overleg.privacy import clean

if TYPE_CHECKING:
    import smtplib
    import ssl

    from overleg.documents import Disclosed


@dataclass(frozen=True)
class Outgoing:
    """One message for one partner, and where its .eml draft was written."""

    partner: str
    recipients: tuple[str, ...]
    message: EmailMessage
    path: Path | None = None
    disclosed: Disclosed | None = None  # its row in the register of disclosures
    encrypted: bool = False  # S/MIME: only the partner's (and the sender's) keys open it
    signed: bool = False


@dataclass(frozen=True)
class Delivery:
    """How one message ended: accepted (ok), refused, or in doubt (the connection was lost
    after the message was handed over); `accepted`: the addresses the server took."""

    partner: str
    ok: bool
    detail: str = ""
    doubt: bool = False
    accepted: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        """sent | partial (some addresses refused) | failed | doubt."""
        if self.ok:
            return "sent"
        if self.doubt:
            return "doubt"
        return "partial" if self.accepted else "failed"


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


class Tracker(Protocol):
    """Hears of each message as it goes: `begin` before its first byte leaves (the message is
    then on record as pending), `ending` just before the end of its data is sent (from then
    on a crash leaves it in doubt: the server may have accepted it)."""

    def begin(self, outgoing: Outgoing) -> None: ...

    def ending(self, outgoing: Outgoing) -> None: ...


def send_all(messages: Sequence[Outgoing], mail: MailConfig, password: str | None,
             on_result: Callable[[Delivery], None] | None = None,
             tracker: Tracker | None = None, ca_file: Path | None = None) -> list[Delivery]:
    """Deliver each message over one SMTP session; a failure is reported per partner.

    When the server drops the connection before a message was wholly handed over, it is
    opened again once for that message and the message tried again; after the end of its
    data went out, never (the server may have it: the message is in doubt). `on_result` hears
    of each message, in order, as it is settled. `ca_file`: extra CAs to trust
    (`[mail] ca_bestand`, resolved).
    """
    if mail.security == "geen" and not is_loopback(mail.smtp_host):
        raise MailError(f"verzenden zonder STARTTLS naar '{mail.smtp_host}' is geweigerd: "
                           "zonder versleuteling alleen naar een server op dit apparaat "
                           "(localhost). Zet starttls = true in [mail].")
    if mail.gebruiker and not password:
        raise MailError("geen wachtwoord: zet $OVERLEG_SMTP_PASSWORD. "
                           "Er is niets verzonden.")
    session = _Session(mail, password, tls_context(mail, ca_file))
    try:
        session.open()
    except _SetupFailed as failed:
        raise MailError(_setup_message(mail, failed) + " Er is niets verzonden.") from None
    results: list[Delivery] = []
    try:
        for outgoing in messages:
            if tracker:
                tracker.begin(outgoing)
            delivery = session.deliver(outgoing, tracker)
            results.append(delivery)
            if on_result:
                on_result(delivery)
    finally:
        session.close()
    return results


def tls_context(mail: MailConfig, ca_file: Path | None) -> ssl.SSLContext | None:
    """The TLS settings for the server: the system's trusted CAs (and `ca_file`), the
    certificate and the host name always checked, TLS 1.2 at least. None without TLS."""
    if mail.security == "geen":
        return None
    import ssl

    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file is not None:
        shown = mail.ca_bestand or str(ca_file)
        try:
            context.load_verify_locations(cafile=ca_file)
        except FileNotFoundError:
            raise MailError(f"ca_bestand '{shown}' in [mail] bestaat niet. "
                            "Er is niets verzonden.") from None
        except (OSError, ValueError):  # ssl.SSLError is an OSError
            raise MailError(f"ca_bestand '{shown}' in [mail] is niet te lezen als CA-"
                            "certificaten (PEM). Er is niets verzonden.") from None
    return context


class _SetupFailed(Exception):
    """A session could not be set up: at which step, and the error there."""

    def __init__(self, step: str, cause: BaseException) -> None:
        super().__init__(step)
        self.step = step  # connect | tls | starttls | login
        self.cause = cause


class _Session:
    """One SMTP session, opened again when the server drops it."""

    def __init__(self, mail: MailConfig, password: str | None,
                 context: ssl.SSLContext | None) -> None:
        self.mail = mail
        self.password = password
        self.context = context
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        import smtplib
        import ssl

        mail = self.mail
        try:
            if mail.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(mail.smtp_host, mail.smtp_port,
                                                      timeout=SMTP_TIMEOUT,
                                                      context=self.context)
            else:
                smtp = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=SMTP_TIMEOUT)
        except ssl.SSLError as exc:
            raise _SetupFailed("tls", exc) from None
        except OSError as exc:  # smtplib's errors are OSErrors too
            raise _SetupFailed("connect", exc) from None
        step = "connect"
        try:
            smtp.ehlo()
            if mail.security == "starttls":
                step = "starttls"
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if mail.gebruiker and self.password:  # no password was refused before
                step = "login"
                smtp.login(mail.gebruiker, self.password)
        except OSError as exc:
            smtp.close()
            raise _SetupFailed(step, exc) from None
        self.smtp = smtp

    def deliver(self, outgoing: Outgoing, tracker: Tracker | None = None) -> Delivery:
        """Send one message; after a dropped connection, reconnect once and try again, unless
        the end of its data had gone out (then it is in doubt, and never sent twice)."""
        import smtplib

        data = wire_bytes(outgoing.message)
        sender = _address(outgoing.message["From"])
        retried = False
        ended = False

        def ending() -> None:
            nonlocal ended
            if tracker:
                tracker.ending(outgoing)
            ended = True

        while True:
            try:
                if self.smtp is None:
                    self.open()
                assert self.smtp is not None
                refused = _transmit(self.smtp, sender, outgoing.recipients, data, ending)
            except _SetupFailed as failed:
                return Delivery(outgoing.partner, False, f"{_AGAIN[failed.step]}: "
                                f"{smtp_reason(failed.cause, failed.step)}")
            except OSError as exc:
                dropped = (isinstance(exc, smtplib.SMTPServerDisconnected)
                           or not isinstance(exc, smtplib.SMTPException)
                           or self.smtp is None or self.smtp.sock is None)  # e.g. after a 421
                if dropped:
                    self.close()
                if ended and not isinstance(exc, smtplib.SMTPResponseException):
                    return Delivery(outgoing.partner, False, "onzeker of het is aangekomen: "
                                    f"{smtp_reason(exc, 'send')} nadat het bericht was "
                                    "overgedragen; niet opnieuw geprobeerd", doubt=True)
                if dropped and not retried and not ended:
                    retried = True
                    continue
                detail = smtp_reason(exc, "send")
                return Delivery(outgoing.partner, False,
                                detail + (" (ook na opnieuw verbinden)" if retried else ""))
            if refused:
                return _refused(outgoing, refused)
            return Delivery(outgoing.partner, True, accepted=outgoing.recipients)

    def close(self) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except OSError:
            smtp.close()


def _transmit(smtp: smtplib.SMTP, sender: str, recipients: Sequence[str], data: bytes,
              ending: Callable[[], None]) -> dict[str, tuple[int, bytes]]:
    """smtplib's sendmail, with one step more: `ending()` is called after the message's data
    and before the line that ends it, the moment from which the server may accept it.
    Returns the refused recipients (all refused: SMTPRecipientsRefused)."""
    import smtplib

    smtp.ehlo_or_helo_if_needed()
    options: list[str] = []
    if smtp.does_esmtp and smtp.has_extn("size"):
        options.append(f"SIZE={len(data)}")
    if not all(a.isascii() for a in (sender, *recipients)):
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("SMTPUTF8 not offered")
        options += ["SMTPUTF8", "BODY=8BITMIME"]
    code, reply = smtp.mail(sender, options)
    if code != 250:
        _reset(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        _reset(smtp, 0)
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("data")
    if code != 354:
        _reset(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(re.sub(rb"(?m)^\.", b"..", data))
    ending()
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        _reset(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    return refused


def _reset(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal: the server is closing (421), or the transaction is reset."""
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(OSError):
        smtp.rset()


def _address(header: str | None) -> str:
    """The address in a From header."""
    from email.utils import getaddresses

    found = getaddresses([header or ""])
    return found[0][1] if found and found[0][1] else "casusoverleg@localhost"


# A session opened again for a message (after a drop) that could not be set up, per step.
_AGAIN = {"connect": "opnieuw verbinden mislukt", "tls": "opnieuw verbinden mislukt (TLS)",
          "starttls": "opnieuw verbinden mislukt (STARTTLS)", "login": "opnieuw inloggen mislukt"}


def _setup_message(mail: MailConfig, failed: _SetupFailed) -> str:
    """What went wrong setting up a session, in Dutch (without 'Er is niets verzonden.')."""
    import smtplib
    import ssl

    reason = smtp_reason(failed.cause, failed.step)
    if failed.step == "starttls":
        return (f"de mailserver {mail.smtp_host} biedt geen veilige verbinding (STARTTLS): "
                f"{reason}.")
    if failed.step == "tls":
        hint = ""
        if not isinstance(failed.cause, ssl.SSLCertVerificationError):
            hint = (f" Spreekt poort {mail.smtp_port} wel direct TLS? Voor STARTTLS (meestal "
                    "poort 587): smtp_tls = \"starttls\".")
        return (f"geen veilige verbinding (TLS) met de mailserver {mail.smtp_host}:"
                f"{mail.smtp_port}: {reason}.{hint}")
    if failed.step == "login":
        return (f"inloggen op de mailserver mislukt: {reason}. Controleer 'gebruiker' in "
                "[mail] en $OVERLEG_SMTP_PASSWORD.")
    hint = ""
    if (mail.security == "starttls" and mail.smtp_port == 465
            and isinstance(failed.cause, TimeoutError | smtplib.SMTPServerDisconnected)):
        hint = " Poort 465 spreekt meestal direct TLS: zet smtp_tls = \"tls\" in [mail]."
    return (f"geen verbinding met de mailserver {mail.smtp_host}:{mail.smtp_port}: "
            f"{reason}.{hint}")


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


# Why the server's certificate failed, by OpenSSL's X509_V_ERR_* code.
_UNTRUSTED = {
    9: "het is nog niet geldig",
    10: "het is verlopen",
    18: "het is door de server zelf ondertekend (zet de CA in ca_bestand in [mail])",
    19: "de keten eindigt in een eigen CA (zet die in ca_bestand in [mail])",
    20: "de uitgever is onbekend (zet de CA in ca_bestand in [mail])",
    21: "de uitgever is onbekend (zet de CA in ca_bestand in [mail])",
    62: "het hoort niet bij deze servernaam (klopt smtp_host?)",
    64: "het hoort niet bij dit IP-adres (klopt smtp_host?)",
}

_NEEDS = {"starttls": "STARTTLS", "login": "AUTH (inloggen)", "send": "SMTPUTF8"}


def smtp_reason(exc: BaseException, step: str = "send") -> str:
    """Dutch words for an SMTP or network failure at a step (connect, starttls, login, send):
    the server's own reply is quoted, Python's English never."""
    import errno
    import smtplib
    import ssl

    if (isinstance(exc, smtplib.SMTPServerDisconnected)
            and isinstance(exc.__context__, OSError)
            and not isinstance(exc.__context__, smtplib.SMTPException)):
        exc = exc.__context__  # smtplib wraps a timeout or reset while reading a reply
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = _UNTRUSTED.get(getattr(exc, "verify_code", None) or 0, "")
        return "het certificaat van de server is niet te vertrouwen" + (f": {why}" if why else "")
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
    delivered = tuple(r for r in outgoing.recipients if r not in refused)
    if delivered:
        detail += f" (wel afgeleverd bij {', '.join(delivered)})"
    return Delivery(outgoing.partner, False, detail, accepted=delivered)


def sent_bytes(message: EmailMessage) -> bytes:
    """The bytes that go over the wire for a draft (without its X-Unsent marker)."""
    return _for_sending(message).as_bytes()


def wire_bytes(message: EmailMessage) -> bytes:
    """The bytes of a draft as SMTP carries them: no X-Unsent, CRLF line ends throughout (a
    signed body is kept as text with LF; CRLF is the form that was signed)."""
    from email.policy import EmailPolicy

    sent = _for_sending(message)
    addresses = [_address(sent["From"]), *(a for a in (sent["To"] or "").split(","))]
    policy = cast(EmailPolicy, sent.policy).clone(
        linesep="\r\n", utf8=not all(a.isascii() for a in addresses))
    data = sent.as_bytes(policy=policy)
    data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


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
    not_reached: list[str]  # no address in overleg.toml
    refused: list[tuple[str, str]] = field(default_factory=list)  # (partner, why): no usable
    # certificate where versleutelen asks for one; never sent in clear
    protected: bool = False  # S/MIME is configured (encryption or signing)
