"""E-mail core: messages, .ics deadlines, the loopback rule, compose; the per-partner property."""

from __future__ import annotations

import email
import email.policy
import re
import smtplib
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from overleg import dates
from overleg.cases import Case, CaseSet
from overleg.config import MailConfig, parse_config
from overleg.errors import OverlegError
from overleg.mail import (
    Outgoing,
    actions_calendar,
    build_message,
    is_loopback,
    send_all,
    subject,
)
from overleg.meeting import minutes_view
from overleg.model import Action, Item
from overleg.render import FORMATS, partner_actions, render_minutes
from overleg.store import Store
from overleg.workspace import Workspace

HERE = Path(__file__).resolve().parent


def compose(ws, store, case_set, meeting, kind):
    """Every partner's draft of a mailing, made through the disclosure gate."""
    from overleg.documents import Sources
    from overleg.mailing import mail_drafts

    return mail_drafts(Sources(ws, store, case_set.by_id(), dates.today()), meeting, kind,
                       ws.root / "uit" / "mail")
EXAMPLE = parse_config((HERE.parent / "examples" / "overleg.toml").read_text(encoding="utf-8"))
D = date(2026, 12, 1)
SUBJECT = "Verslag en acties Casusoverleg Zorg en Veiligheid Den Haag Zuid 01-12-2026"


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def action(number: int, due: date, case_id: str = "2026-027", owner: str = "VT",
           who: str | None = None, text: str = "Veiligheidsplan actualiseren") -> Action:
    return Action(number, case_id, owner, who, text, due, "open", 2, D)


# --- one message -------------------------------------------------------------------------

def test_message_is_a_multipart_draft_for_exactly_the_partners_addresses():
    message = parse(build_message(EXAMPLE, "GEM", SUBJECT, "tekst é\n", "<p>html é</p>\n")
                    .as_bytes())
    assert message["From"] == "casusoverleg@veiligheidshuis.example"
    assert [a.addr_spec for a in message["To"].addresses] == [
        "zorgenveiligheid@gemeente.example", "casusregie.escamp@gemeente.example"]
    assert message["Subject"] == SUBJECT
    assert message["X-Unsent"] == "1"
    assert message["Message-ID"].endswith("@veiligheidshuis.example>")
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content() == "tekst é\n"
    assert message.get_body(("html",)).get_content() == "<p>html é</p>\n"
    assert list(message.iter_attachments()) == []


@pytest.mark.parametrize("title", [
    SUBJECT,  # 75 characters: the default fold would move it whole to a continuation line
    "Agenda Casusoverleg Zorg en Veiligheid Den Haag Zuid 01-12-2026",
    "Verslag en acties " + "Casusoverleg Zorg en Veiligheid Den Haag Zuid " * 3 + "01-12-2026",
    "Verslag en acties Casusoverleg Zorg & Veiligheid Den Haag Zuid-Oost Ö 01-12-2026",
])
def test_subject_reads_back_exactly(title):
    message = build_message(EXAMPLE, "RN", title, "t\n", "<p>t</p>\n")
    assert parse(message.as_bytes())["Subject"] == title
    assert all(len(line) <= 998 for line in message.as_bytes().splitlines())


def test_body_lines_stay_short_after_the_header_policy_change():
    long_line = "Een heel lange regel met een ë " * 20 + "\n"
    data = build_message(EXAMPLE, "RN", SUBJECT, long_line, f"<p>{long_line}</p>\n",
                         b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").as_bytes()
    body = [line for line in data.split(b"\n\n", 1)[1].splitlines()
            if not line.startswith(b"Content-")]
    assert max(len(line) for line in body) == 78  # quoted-printable, as set_content made it
    assert parse(data).get_body(("plain",)).get_content() == long_line


def test_message_with_deadlines_has_an_ics_attachment():
    ics = actions_calendar([action(5, date(2026, 12, 11))], EXAMPLE, "VT")
    message = parse(build_message(EXAMPLE, "VT", SUBJECT, "t\n", "<p>t</p>\n", ics).as_bytes())
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(("plain", "html"))
    assert body is not None and body.get_content_type() == "text/plain"
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "acties.ics"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_content().encode() == ics.decode().encode()


def test_calendar_has_one_all_day_event_per_deadline():
    actions = [action(5, date(2026, 12, 11)),
               action(8, date(2026, 12, 31), "2026-038", who="R. Smit", text="Gesprek | plan")]
    calendar = Calendar.from_ical(actions_calendar(actions, EXAMPLE, "VT"))
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == ("Acties VT - Casusoverleg Zorg en Veiligheid "
                                             "Den Haag Zuid")
    events = calendar.walk("VEVENT")
    assert [(e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"]), str(e["uid"]))
            for e in events] == [
        (date(2026, 12, 11), date(2026, 12, 12),
         "Actie #5 casus 2026-027: Veiligheidsplan actualiseren", "overleg-actie-5-VT@overleg"),
        (date(2026, 12, 31), date(2027, 1, 1), "Actie #8 casus 2026-038: Gesprek | plan",
         "overleg-actie-8-VT@overleg"),
    ]
    assert [str(e["description"]) for e in events] == [
        "Eigenaar: VT. Deadline van een actie uit Casusoverleg Zorg en Veiligheid Den Haag Zuid.",
        "Eigenaar: VT (R. Smit). Deadline van een actie uit Casusoverleg Zorg en Veiligheid "
        "Den Haag Zuid.",
    ]
    assert all(str(e["transp"]) == "TRANSPARENT" for e in events)


@pytest.mark.parametrize(("kind", "expected"), [
    ("minutes", SUBJECT),
    ("agenda", "Agenda Casusoverleg Zorg en Veiligheid Den Haag Zuid 01-12-2026"),
])
def test_subject_names_the_meeting_and_date_only(kind, expected):
    assert subject(EXAMPLE, kind, D) == expected


# --- the loopback rule and refusals before any connection ----------------------------------

@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", True),
    ("127.0.0.2", True),
    ("::1", True),
    ("localhost", True),
    ("192.0.2.1", False),
    ("10.0.0.1", False),
    ("::ffff:192.0.2.1", False),
])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


@pytest.fixture
def no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open an SMTP connection fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("send_all tried to connect")

    monkeypatch.setattr(smtplib, "SMTP", refuse)


def draft() -> list[Outgoing]:
    return [Outgoing("RN", ("toezicht.denhaag@reclassering.example",),
                     build_message(EXAMPLE, "RN", SUBJECT, "t\n", "<p>t</p>\n"))]


def test_plaintext_to_another_host_is_refused_before_connecting(no_connection):
    with pytest.raises(OverlegError) as caught:
        send_all(draft(), MailConfig("a@b.example", "192.0.2.1", 25, starttls=False), None)
    assert caught.value.message == (
        "verzenden zonder STARTTLS naar '192.0.2.1' is geweigerd: zonder versleuteling alleen "
        "naar een server op dit apparaat (localhost). Zet starttls = true in [mail].")


def test_user_without_password_is_refused_before_connecting(no_connection):
    with pytest.raises(OverlegError) as caught:
        send_all(draft(), MailConfig("a@b.example", "smtp.example", 587, True, "overleg"), "")
    assert caught.value.message == ("geen wachtwoord: zet $OVERLEG_SMTP_PASSWORD. "
                                    "Er is niets verzonden.")


# --- compose on the example workspace --------------------------------------------------------

def test_compose_minutes_of_a_small_meeting(run, example_ws, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-01")  # recording acts on today's meeting
    for args in (("meeting", "start", "--date", "2026-12-01"),
                 ("meeting", "decide", "2026-027", "Veiligheidsplan afstemmen"),
                 ("action", "add", "2026-027", "--owner", "VT", "--due", "2026-12-11",
                  "Veiligheidsplan actualiseren"),
                 ("meeting", "close")):
        assert run(*args).exit_code == 0
    from overleg.casecache import load_cases
    from overleg.workspace import load_workspace

    ws = load_workspace(example_ws)
    store = Store.open(ws.db_path)
    case_set = load_cases(ws)
    meeting = store.meeting(D)
    assert meeting is not None
    batch = compose(ws, store, case_set, meeting, "minutes")
    # Every partner with an item on the agenda gets the minutes; VZ has no address.
    assert [o.partner for o in batch.messages] == ["RN", "POL", "GEM", "OM", "GGZ", "VT",
                                                   "WT", "WC"]
    assert batch.not_reached == ["VZ"]
    by_partner = {o.partner: o for o in batch.messages}
    assert by_partner["GEM"].recipients == EXAMPLE.partners["GEM"].email
    vt = by_partner["VT"].message
    (attachment,) = vt.iter_attachments()
    events = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Actie #1 casus 2026-027: Veiligheidsplan actualiseren"]
    assert list(by_partner["POL"].message.iter_attachments()) == []
    written = batch
    assert [o.path.name for o in written.messages if o.path] == [
        f"verslag-2026-12-01-{code}.eml" for code in by_partner]
    assert all(o.path and o.path.stat().st_mode & 0o777 == 0o600 for o in written.messages)
    assert (example_ws / "uit" / "mail").stat().st_mode & 0o777 == 0o700
    store.close()


# --- property: a partner never receives another partner's case ------------------------------

CODES = ("PA", "PB", "PC", "PD")
PROPERTY_CONFIG = parse_config("""
[overleg]
naam = "Testoverleg"
geheimhouding = "Geheim."
[partners.PA]
naam = "Partner A"
email = ["a@pa.example"]
[partners.PB]
naam = "Partner B"
email = ["b@pb.example", "b2@pb.example"]
[partners.PC]
naam = "Partner C"
email = ["c@pc.example"]
[partners.PD]
naam = "Partner D"
[mail]
afzender = "overleg@vh.example"
""")
# Consonants only: no word of a template, the config or the iCalendar syntax matches.
TOKEN = st.text(alphabet="BCDFGHJKLMNPQRSTVWXZ", min_size=8, max_size=8)
TOKENS_PER_CASE = 7


@dataclass
class Plan:
    case: Case
    secrets: tuple[str, ...]  # every text of this case that must stay with its partners
    on_agenda: bool
    note: str | None
    decision: str | None
    action_owner: str | None  # a new action in the meeting
    earlier_owner: str | None  # an open action from the meeting before
    done_earlier: bool  # that earlier action is ticked off in this meeting


@st.composite
def plans(draw: st.DrawFn) -> list[Plan]:
    count = draw(st.integers(2, 4))
    tokens = draw(st.lists(TOKEN, min_size=count * TOKENS_PER_CASE,
                           max_size=count * TOKENS_PER_CASE, unique=True))
    result = []
    for n in range(count):
        t = tokens[n * TOKENS_PER_CASE:(n + 1) * TOKENS_PER_CASE]
        partners = tuple(draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3,
                                       unique=True)))
        informed = draw(st.sampled_from([None, True, False]))
        case = Case(id=f"X-{t[0]}", initialen=f"{t[1]}.", status="actief",
                    aangemeld_op=date(2026, 1, 5), aangemeld_door=partners[0],
                    partners=partners, path=Path(f"{t[0]}.md"),
                    geboortejaar=draw(st.integers(1940, 2010)), regie=partners[-1],
                    geinformeerd=informed,
                    reden_niet_geinformeerd=f"Reden {t[6]}" if informed is False else "",
                    question=f"Vraag {t[2]}?")
        any_code = st.none() | st.sampled_from(CODES)  # an owner may have left the case since
        result.append(Plan(
            case=case,
            secrets=(case.id, case.initialen, case.question, f"Notitie {t[3]}",
                     f"Besluit {t[4]}", f"Actie {t[5]}", f"Reden {t[6]}"),
            on_agenda=draw(st.booleans()),
            note=f"Notitie {t[3]}" if draw(st.booleans()) else None,
            decision=f"Besluit {t[4]}" if draw(st.booleans()) else None,
            action_owner=draw(any_code),
            earlier_owner=draw(any_code),
            done_earlier=draw(st.booleans()),
        ))
    return result


def record(store: Store, plan: list[Plan]) -> None:
    """An earlier meeting with open actions, then the meeting of D, through the Store."""
    earlier = store.create_meeting(D - timedelta(days=14))
    earlier = store.set_meeting_status(earlier, "open", "meeting.start")
    for p in plan:
        if p.earlier_owner:
            store.add_action(p.case.id, p.earlier_owner, None, p.secrets[5] + " eerder",
                             D - timedelta(days=3), earlier)
    store.set_meeting_status(earlier, "closed", "meeting.close")
    meeting = store.create_meeting(D)
    listed = [p for p in plan if p.on_agenda]
    store.replace_items(meeting, [Item(0, 0, p.case.id, n, ("review",), 10)
                                  for n, p in enumerate(listed, start=1)], "agenda.build")
    meeting = store.set_meeting_status(meeting, "open", "meeting.start")
    store.attend(meeting, "PA", "A. Aanwezig", True)
    store.attend(meeting, "PB", "B. Afwezig", False)
    for p in listed:
        if p.note:
            store.add_entry(meeting, p.case.id, "note", p.note)
        if p.decision:
            store.add_entry(meeting, p.case.id, "decision", p.decision)
        if p.action_owner:
            store.add_action(p.case.id, p.action_owner, "W. Wie", p.secrets[5],
                             D + timedelta(days=10), meeting)
        if p.done_earlier:
            for a in store.actions(case_id=p.case.id):
                if a.meeting_id == earlier.id:
                    store.complete_action(a, "gedaan", meeting)
        store.add_review(meeting, p.case.id, D + timedelta(days=28), "nazorg")
    store.set_meeting_status(meeting, "closed", "meeting.close")


def texts_of(message: EmailMessage) -> str:
    """Headers and every decoded part, the .ics unfolded, as one text."""
    parsed = parse(message.as_bytes())
    texts = [str(value) for value in parsed.values()]
    for part in parsed.walk():
        if not part.is_multipart():
            texts.append(re.sub(r"\r?\n[ \t]", "", part.get_content()))
    return "\n".join(texts)


@pytest.fixture(scope="module")
def property_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("property")
    (root / "templates").mkdir()
    return Workspace(root, PROPERTY_CONFIG)


@pytest.mark.slow
@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(plan=plans())
def test_no_partner_document_or_message_names_another_partners_case(property_ws, plan):
    ws = property_ws
    store = Store(sqlite3.connect(":memory:", isolation_level=None), actor="test")
    record(store, plan)
    meeting = store.meeting(D)
    assert meeting is not None
    cases = {p.case.id: p.case for p in plan}
    minutes = minutes_view(store, meeting, cases, ws.config)
    open_actions = store.actions(status="open")
    messages = {kind: {o.partner: o.message
                       for o in compose(ws, store, CaseSet([p.case for p in plan], []),
                                        meeting, kind).messages}
                for kind in ("minutes", "agenda")}
    for code in CODES:
        foreign = [s for p in plan if code not in p.case.partners for s in p.secrets]
        own_listed = [p.case.id for p in plan if code in p.case.partners and p.on_agenda]
        own_actions = partner_actions(open_actions, code, cases, dates.today())
        outputs = [render_minutes(ws, minutes, fmt, code, own_actions) for fmt in FORMATS]
        for kind in ("minutes", "agenda"):
            if code in messages[kind]:
                outputs.append(texts_of(messages[kind][code]))
        for text in outputs:
            leaked = [s for s in foreign if s in text]
            assert not leaked, (code, leaked)
            assert all(case_id in text for case_id in own_listed), code
        # Whoever has an item or an open action and an address gets the minutes.
        reachable = bool(PROPERTY_CONFIG.partners[code].email)
        assert (code in messages["minutes"]) is (reachable and bool(own_listed or own_actions))
    store.close()


# --- SMTP over a real server on 127.0.0.1: drops, one reconnect per message, Dutch reasons ------

class Flaky:
    """An aiosmtpd handler that keeps what it receives and misbehaves at the MAIL commands
    numbered in `at` (counted over all sessions): it drops the connection (`drop`), also stops
    listening (`gone`), or answers `reply`; `data` answers every DATA command instead."""

    def __init__(self, at: tuple[int, ...] | range = (), how: str = "drop",
                 reply: str = "", data: str = "") -> None:
        self.at, self.how, self.reply, self.data = set(at), how, reply, data
        self.mails = 0
        self.sessions = 0
        self.received: list[tuple[str, ...]] = []  # recipients, per message accepted
        self.controller: object = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.mails += 1
        if not getattr(session, "counted", False):
            session.counted = True
            self.sessions += 1
        if self.mails in self.at:
            if self.how == "reply":
                return self.reply
            if self.how == "gone":
                self.controller.server.close()  # type: ignore[attr-defined]
            server.transport.close()
            return "421 4.3.0 weg"  # never arrives
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.data:
            return self.data
        self.received.append(tuple(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve():
    """serve(handler) -> the port of a real SMTP server on 127.0.0.1 with that handler."""
    import asyncio

    from aiosmtpd.controller import Controller

    controllers = []

    def start(handler: Flaky) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
        handler.controller = controller
        controller.start()
        controllers.append(controller)
        return controller.port

    yield start
    for controller in controllers:
        controller.stop()
    asyncio.set_event_loop(None)


PARTNERS = ("RN", "POL", "GEM")


def drafts() -> list[Outgoing]:
    return [Outgoing(code, EXAMPLE.partners[code].email,
                     build_message(EXAMPLE, code, SUBJECT, "t\n", "<p>t</p>\n"))
            for code in PARTNERS]


def local(port: int) -> MailConfig:
    return MailConfig("overleg@vh.example", "127.0.0.1", port, starttls=False)


def send(port: int) -> tuple[list, list]:
    heard: list = []
    results = send_all(drafts(), local(port), None, heard.append)
    assert heard == results  # the callback hears every message, in order
    return [(d.partner, d.ok) for d in results], [d.detail for d in results]


@pytest.mark.parametrize("how, reply", [
    ("drop", ""),  # the server closes the connection (smtplib: Connection unexpectedly closed)
    ("reply", "421 4.3.2 Even niet, probeer later"),  # closing, and smtplib closes too
])
def test_a_dropped_connection_is_opened_again_and_the_message_sent(serve, how, reply):
    handler = Flaky(at=(2,), how=how, reply=reply)
    outcome, details = send(serve(handler))
    assert outcome == [(code, True) for code in PARTNERS]
    assert details == ["", "", ""]
    assert handler.received == [EXAMPLE.partners[code].email for code in PARTNERS]
    assert (handler.sessions, handler.mails) == (2, 4)


def test_a_server_that_keeps_dropping_gets_one_reconnect_per_message(serve):
    handler = Flaky(at=range(2, 100))
    outcome, details = send(serve(handler))
    assert outcome == [("RN", True), ("POL", False), ("GEM", False)]
    assert details[1:] == ["de server verbrak de verbinding (ook na opnieuw verbinden)"] * 2
    assert handler.mails == 1 + 2 + 2  # each failed message: its try, one reconnect, one more


def test_a_server_that_is_gone_after_a_drop(serve):
    handler = Flaky(at=(2,), how="gone")
    outcome, details = send(serve(handler))
    assert outcome == [("RN", True), ("POL", False), ("GEM", False)]
    assert details[1:] == ["opnieuw verbinden mislukt: verbinding geweigerd: er luistert niets "
                           "op die poort (klopt smtp_port?)"] * 2
    assert handler.received == [EXAMPLE.partners["RN"].email]


def test_a_refused_message_is_not_tried_again(serve):
    handler = Flaky(data="554 5.6.0 Bericht past niet")
    outcome, details = send(serve(handler))
    assert outcome == [(code, False) for code in PARTNERS]
    assert details == ["de server weigert het bericht (554 5.6.0 Bericht past niet)"] * 3
    assert (handler.sessions, handler.mails) == (1, 3)


def test_a_server_that_never_answers(monkeypatch):
    import socket

    import overleg.mail

    monkeypatch.setattr(overleg.mail, "SMTP_TIMEOUT", 0.3)
    with socket.socket() as listener:  # accepts connections (the kernel does) but says nothing
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(OverlegError) as caught:
            send_all(drafts(), local(port), None)
    assert caught.value.message == (f"geen verbinding met de mailserver 127.0.0.1:{port}: de "
                                    "server antwoordt niet (na 0.3 seconden gestopt). Er is "
                                    "niets verzonden.")


def test_no_server_listening_is_said_in_dutch():
    port = _free_port()
    with pytest.raises(OverlegError) as caught:
        send_all(drafts(), local(port), None)
    assert caught.value.message == (f"geen verbinding met de mailserver 127.0.0.1:{port}: "
                                    "verbinding geweigerd: er luistert niets op die poort "
                                    "(klopt smtp_port?). Er is niets verzonden.")


def _wrapped(cause: OSError) -> smtplib.SMTPServerDisconnected:
    """smtplib's own wrapping of an error while it reads a reply."""
    try:
        try:
            raise cause
        except OSError as exc:
            raise smtplib.SMTPServerDisconnected(  # noqa: B904 (as smtplib raises it)
                f"Connection unexpectedly closed: {exc}")
    except smtplib.SMTPServerDisconnected as wrapped:
        return wrapped


def _failures() -> list[tuple[BaseException, str, str]]:
    import socket
    import ssl

    return [
        (ConnectionRefusedError(111, "Connection refused"), "connect",
         "verbinding geweigerd: er luistert niets op die poort (klopt smtp_port?)"),
        (socket.gaierror(-2, "Name or service not known"), "connect",
         "de naam van de server is onbekend (klopt smtp_host?)"),
        (TimeoutError("timed out"), "connect", "de server antwoordt niet (na 30 seconden "
                                               "gestopt)"),
        (_wrapped(TimeoutError("timed out")), "send",
         "de server antwoordt niet (na 30 seconden gestopt)"),
        (smtplib.SMTPConnectError(554, b"5.7.1 Ga weg"), "connect",
         "de server weigert de verbinding (554 5.7.1 Ga weg)"),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."),
         "starttls", "de server kent STARTTLS niet"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "starttls",
         "het certificaat van de server is niet te vertrouwen"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "starttls",
         "de versleutelde verbinding (TLS) mislukte"),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"),
         "login", "de server weigert gebruiker of wachtwoord (535 5.7.8 Authentication "
                  "credentials invalid)"),
        (smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server."),
         "login", "de server kent AUTH (inloggen) niet"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "send",
         "de server verbrak de verbinding"),
        (smtplib.SMTPServerDisconnected("please run connect() first"), "send",
         "de server verbrak de verbinding"),
        (_wrapped(ConnectionResetError(104, "Connection reset by peer")), "send",
         "de server verbrak de verbinding"),
        (BrokenPipeError(32, "Broken pipe"), "send", "de server verbrak de verbinding"),
        (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"Nee"),
                                        "b@x.example": (553, b"Nee")}), "send",
         "alle ontvangers geweigerd (code 550, 553)"),
        (smtplib.SMTPSenderRefused(553, b"5.1.8 Afzender onbekend", "a@b.example"), "send",
         "de server weigert de afzender (553 5.1.8 Afzender onbekend)"),
        (smtplib.SMTPDataError(554, b"5.6.0 Te groot"), "send",
         "de server weigert het bericht (554 5.6.0 Te groot)"),
        (smtplib.SMTPResponseException(502, b"Hoe bedoelt u"), "send",
         "de server weigert (502 Hoe bedoelt u)"),
        (smtplib.SMTPException("No suitable authentication method found."), "login",
         "onverwacht antwoord van de server"),
        (OSError(113, "No route to host"), "connect", "netwerkfout (EHOSTUNREACH)"),
        (ValueError("something else"), "send", "onbekende fout (ValueError)"),
    ]


@pytest.mark.parametrize("exc, step, expected", _failures())
def test_every_failure_is_said_in_dutch(exc, step, expected):
    from overleg.mail import smtp_reason

    assert smtp_reason(exc, step) == expected
