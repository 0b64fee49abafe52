"""`overleg minutes` and `overleg mail` through the real CLI; --send against a real SMTP
server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import re
import smtplib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from icalendar import Calendar
from markupsafe import escape

from overleg.casecache import load_cases
from overleg.store import Store
from overleg.workspace import load_workspace

SECOND = date(2026, 12, 1)
AFZENDER = "casusoverleg@veiligheidshuis.example"
SUBJECT = "Verslag en acties Casusoverleg Zorg en Veiligheid Den Haag Zuid 01-12-2026"
ADDRESSES = {
    "RN": ["toezicht.denhaag@reclassering.example"],
    "POL": ["wijkagenten.zuid@politie.example"],
    "GEM": ["zorgenveiligheid@gemeente.example", "casusregie.escamp@gemeente.example"],
    "OM": ["zsm.denhaag@om.example"],
    "GGZ": ["fact.zuid@ggz-hofstad.example"],
    "VT": ["casusoverleg@veiligthuis.example"],
    "WT": ["wijkteam.escamp@wijkteam.example"],
    "WC": ["wijkconsulenten@zuidwaarts.example"],
}
REACHED = list(ADDRESSES)  # in overleg.toml order; VZ has no address
# Open actions of the demo after 01-12-2026, per owner: (id, case, deadline, text).
OPEN_ACTIONS = {
    "GGZ": [(3, "2026-014", date(2026, 12, 15), "Verkennend onderzoek zorgmachtiging starten")],
    "VT": [(5, "2026-027", date(2026, 12, 11), "Veiligheidsplan actualiseren met de melder")],
    "WC": [(2, "2026-017", date(2026, 11, 24), "Voorstel betalingsregeling opstellen")],
    "WT": [(4, "2026-014", date(2026, 12, 8), "Contact met de zus leggen"),
           (6, "2026-041", date(2026, 12, 10), "Huisbezoek samen met GGZ")],
}


def ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def drafts(folder: Path) -> dict[str, EmailMessage]:
    """partner -> parsed .eml, for every draft in `folder`."""
    return {path.stem.rsplit("-", 1)[1]: parse(path.read_bytes())
            for path in sorted(folder.glob("*.eml"))}


def log_actions(ws: Path, prefix: str) -> list[str]:
    """Audit actions starting with `prefix`, made by the tests (not by the demo's run)."""
    store = Store.open(ws / "overleg.db")
    try:
        return [e.action for e in store.audit_log() if e.action.startswith(prefix)
                and e.who != "demo"]
    finally:
        store.close()


def mailed(ws: Path, kind: str = "minutes") -> list[str]:
    store = Store.open(ws / "overleg.db")
    try:
        meeting = store.meeting(SECOND)
        assert meeting is not None
        return sorted(store.mailings(meeting, kind))
    finally:
        store.close()


# --- overleg minutes ---------------------------------------------------------------------

def test_minutes_without_date_takes_the_most_recent_closed_meeting(run, demo_ws):
    latest = ok(run("minutes"))
    assert latest.splitlines()[2].startswith("**Dinsdag 1 december 2026**")
    assert latest == ok(run("minutes", "--date", "2026-12-01"))
    first = ok(run("minutes", "--date", "17-11-2026"))
    assert first.splitlines()[2].startswith("**Dinsdag 17 november 2026**")
    assert "## 1. Casus 2026-005 — L.M. (1986)" in first


def test_minutes_without_a_closed_meeting(run, example_ws):
    ok(run("meeting", "start", "--date", "2026-12-01"))
    result = run("minutes")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Fout: er is nog geen gesloten vergadering. Sluit de vergadering "
                             "met 'overleg meeting close' of kies er een met --date.\n")


def test_minutes_of_a_date_without_meeting(run, demo_ws):
    result = run("minutes", "--date", "2026-12-08")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: er is geen vergadering op 08-12-2026. "
                             "Zie 'overleg meeting list'.\n")


def test_minutes_for_an_unknown_partner(run, demo_ws):
    result = run("minutes", "--partner", "XX")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Fout: partner 'XX' staat niet in overleg.toml. "
                             "Bekend: RN, POL, GEM, OM, GGZ, VT, WT, WC, VZ.\n")


def test_minutes_partner_code_in_any_letter_case_and_logged(run, demo_ws):
    assert ok(run("minutes", "--partner", "vt")) == ok(run("minutes", "--partner", "VT"))
    assert log_actions(demo_ws, "render.minutes") == ["render.minutes.VT"] * 2


@pytest.mark.parametrize(("fmt", "start"), [
    ("md", "# Verslag Casusoverleg Zorg en Veiligheid Den Haag Zuid — CONCEPT\n"),
    ("html", "<!DOCTYPE html>\n<html lang=\"nl\">\n"),
    ("txt", "VERSLAG CASUSOVERLEG ZORG EN VEILIGHEID DEN HAAG ZUID - CONCEPT\n"),
])
def test_minutes_in_each_format(run, demo_ws, fmt, start):
    text = ok(run("minutes", "--format", fmt))
    assert text.startswith(start)
    basis = ("Grondslag: Wet gegevensverwerking door samenwerkingsverbanden (Wgs) en het "
             "convenant van het Zorg- en Veiligheidshuis.")
    assert text.endswith(f"{basis}*\n" if fmt == "md" else
                         "</html>\n" if fmt == "html" else f"{basis}\n")


def test_minutes_unknown_format(run, demo_ws):
    result = run("minutes", "--format", "pdf")
    assert result.exit_code == 2
    assert result.stderr == ("Fout: ongeldige waarde voor '--format': 'pdf' is niet een van "
                             "'md', 'html', 'txt', 'docx'.\nZie 'overleg minutes --help'.\n")


def test_minutes_to_a_file_is_private_and_atomic(run, demo_ws, tmp_path):
    target = tmp_path / "nieuw" / "verslag.html"
    result = run("minutes", "--format", "html", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"Verslag geschreven naar {target}.\n"
    assert target.read_text(encoding="utf-8") == ok(run("minutes", "--format", "html"))
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.parent.stat().st_mode & 0o777 == 0o700
    # An existing, world-readable file is replaced whole, never left half written.
    target.write_text("oud", encoding="utf-8")
    target.chmod(0o644)
    inode = target.stat().st_ino
    ok(run("minutes", "--partner", "VT", "-o", str(target)))
    assert target.read_text(encoding="utf-8") == ok(run("minutes", "--partner", "VT"))
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.stat().st_ino != inode  # renamed into place
    assert sorted(p.name for p in target.parent.iterdir()) == ["verslag.html"]


# --- overleg mail: drafts ----------------------------------------------------------------

def test_mail_writes_one_draft_per_reachable_partner(run, demo_ws):
    result = run("mail", "-o", "concepten")
    assert result.exit_code == 0, result.stderr
    rows = [line.rstrip() for line in result.stdout.splitlines()]
    assert [row.split()[0] for row in rows] == ["partner", *REACHED, "VZ"]
    assert rows[3] == ("GEM      zorgenveiligheid@gemeente.example, "
                       "casusregie.escamp@gemeente.example  "
                       "concepten/verslag-2026-12-01-GEM.eml")
    assert rows[-1] == "VZ       NIET BEREIKT: geen e-mailadres in overleg.toml"
    assert result.stderr == "Concepten staan in concepten. Verstuur met --send.\n"
    folder = Path("concepten")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"verslag-2026-12-01-{code}.eml" for code in REACHED)
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in folder.iterdir())
    assert log_actions(demo_ws, "render.mail") == [f"render.mail.minutes.{c}" for c in REACHED]
    assert mailed(demo_ws) == []  # a draft is not a mail sent


def test_mail_default_folder_is_uit_mail(run, demo_ws):
    result = run("mail")
    assert result.exit_code == 0
    assert result.stderr == f"Concepten staan in {demo_ws / 'uit' / 'mail'}. Verstuur met --send.\n"
    assert sorted(drafts(demo_ws / "uit" / "mail")) == sorted(REACHED)
    assert (demo_ws / "uit").stat().st_mode & 0o777 == 0o700


@pytest.mark.slow
def test_each_draft_is_an_outlook_draft_with_only_that_partners_minutes(run, demo_ws):
    ok(run("mail", "-o", "concepten"))
    for code, message in drafts(Path("concepten")).items():
        assert message["X-Unsent"] == "1"
        assert message["From"] == AFZENDER
        assert [a.addr_spec for a in message["To"].addresses] == ADDRESSES[code]
        assert message["Subject"] == SUBJECT
        alternative = next(p for p in message.walk()
                           if p.get_content_type() == "multipart/alternative")
        assert [p.get_content_type() for p in alternative.iter_parts()] == [
            "text/plain", "text/html"]
        text, html = (p.get_content() for p in alternative.iter_parts())
        assert text == ok(run("minutes", "--partner", code, "--format", "txt")), code
        assert html == ok(run("minutes", "--partner", code, "--format", "html")), code


@pytest.mark.slow
@pytest.mark.parametrize("code", REACHED)
def test_draft_has_an_ics_with_exactly_the_partners_open_deadlines(run, demo_ws, code):
    ok(run("mail", "-o", "concepten"))
    message = drafts(Path("concepten"))[code]
    attachments = list(message.iter_attachments())
    if code not in OPEN_ACTIONS:
        assert message.get_content_type() == "multipart/alternative"
        assert attachments == []
        return
    assert message.get_content_type() == "multipart/mixed"
    (ics,) = attachments
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_filename() == "acties.ics"
    events = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    expected = sorted(OPEN_ACTIONS[code], key=lambda a: (a[2] >= date(2026, 11, 28), a[2]))
    assert [(e.decoded("dtstart"), str(e["summary"])) for e in events] == [
        (due, f"Actie #{number} casus {case_id}: {text}")
        for number, case_id, due, text in expected]
    assert all(type(e.decoded("dtstart")) is date for e in events)  # all-day events
    unfolded = re.sub(r"\r?\n[ \t]", "", ics.get_content())
    initials = [c.initialen for c in load_cases(load_workspace(demo_ws)).cases]
    assert [i for i in initials if i in unfolded] == []  # not even of its own cases


@pytest.mark.slow
def test_mail_agenda_sends_each_partner_its_agenda(run, example_ws):
    ok(run("agenda", "build", "--date", "2026-12-01"))
    result = run("mail", "--kind", "agenda", "-o", "agenda")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1].rstrip() == (
        "VZ       NIET BEREIKT: geen e-mailadres in overleg.toml")
    messages = drafts(Path("agenda"))
    assert sorted(messages) == sorted(REACHED)
    assert sorted(p.name for p in Path("agenda").iterdir())[0] == "agenda-2026-12-01-GEM.eml"
    for code, message in messages.items():
        assert message["Subject"] == ("Agenda Casusoverleg Zorg en Veiligheid Den Haag Zuid "
                                      "01-12-2026")
        assert [a.addr_spec for a in message["To"].addresses] == ADDRESSES[code]
        assert message["X-Unsent"] == "1"
        assert list(message.iter_attachments()) == []
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        render = ("agenda", "render", "--date", "2026-12-01", "--partner", code)
        assert text == ok(run(*render, "--format", "txt")), code
        assert html == ok(run(*render, "--format", "html")), code


def test_mail_agenda_of_a_given_date(run, demo_ws):
    ok(run("mail", "--kind", "agenda", "--date", "2026-11-17", "-o", "agenda"))
    message = drafts(Path("agenda"))["POL"]
    assert message["Subject"] == "Agenda Casusoverleg Zorg en Veiligheid Den Haag Zuid 17-11-2026"


def test_mail_agenda_without_a_planned_meeting(run, demo_ws):
    result = run("mail", "--kind", "agenda")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: er is geen geplande vergadering. Maak de agenda met "
                             "'overleg agenda build' of kies er een met --date.\n")


def test_mail_unknown_kind(run, demo_ws):
    result = run("mail", "--kind", "brief")
    assert result.exit_code == 2
    assert result.stderr == ("Fout: ongeldige waarde voor '--kind': 'brief' is niet een van "
                             "'agenda', 'minutes', 'verslag'.\nZie 'overleg mail --help'.\n")


def test_mail_kind_in_dutch(run, demo_ws):
    assert run("mail", "--kind", "verslag").stdout == run("mail", "--kind", "minutes").stdout


def test_mail_without_a_closed_meeting(run, example_ws):
    result = run("mail")
    assert result.exit_code == 1
    assert result.stderr.startswith("Fout: er is nog geen gesloten vergadering.")


# --- privacy: every partner of the example table --------------------------------------------

def all_text(message: EmailMessage) -> str:
    """Headers and every decoded part (the .ics unfolded) of a message."""
    texts = [str(value) for value in message.values()]
    for part in message.walk():
        if not part.is_multipart():
            texts.append(re.sub(r"\r?\n[ \t]", "", part.get_content()))
    return "\n".join(texts)


@pytest.mark.slow
def test_no_partner_output_names_a_case_it_is_not_in(run, demo_ws):
    ok(run("mail", "-o", "concepten"))
    messages = drafts(Path("concepten"))
    ws = load_workspace(demo_ws)
    cases = load_cases(ws).cases
    on_agenda = [line.split()[1] for line in ok(run("agenda", "show", "--date", "2026-12-01"))
                 .splitlines()[2:-1]]
    assert len(on_agenda) == 13
    for code in ws.config.partners:
        outputs = [ok(run("minutes", "--partner", code, "--format", fmt))
                   for fmt in ("md", "html", "txt")]
        if code in messages:
            outputs.append(all_text(messages[code]))
        for case in cases:
            secrets = {case.id, case.initialen, case.question, str(escape(case.question))}
            for text in outputs:
                if code in case.partners:
                    if case.id in on_agenda:
                        assert case.id in text and case.label in text, (code, case.id)
                else:
                    leaked = [s for s in secrets if s in text]
                    assert not leaked, (code, case.id, leaked)


# --- overleg mail --send: a real SMTP server on 127.0.0.1 ------------------------------------

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


class Collector:
    """An aiosmtpd handler that keeps every message and refuses the addresses it is told."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse = set(refuse)
        self.received: list[Received] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 Onbekende ontvanger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., int]]:
    """Start a real SMTP server on 127.0.0.1: serve(handler, **smtp_options) -> port."""
    controllers: list[Controller] = []

    def serve(handler: Collector, **options: object) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        controllers.append(controller)
        return controller.port

    yield serve
    for controller in controllers:
        controller.stop()


def set_mail(ws: Path, host: str = "127.0.0.1", port: int = 25, starttls: bool = False,
             gebruiker: str | None = None) -> None:
    """Replace the [mail] table of the workspace's overleg.toml."""
    path = ws / "overleg.toml"
    text = path.read_text(encoding="utf-8")
    table = (f'[mail]\nafzender = "{AFZENDER}"\nsmtp_host = "{host}"\nsmtp_port = {port}\n'
             f"starttls = {'true' if starttls else 'false'}\n")
    if gebruiker:
        table += f'gebruiker = "{gebruiker}"\n'
    path.write_text(text[:text.index("[mail]")] + table, encoding="utf-8")


@pytest.fixture
def no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open an SMTP connection fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("overleg mail tried to connect")

    monkeypatch.setattr(smtplib, "SMTP", refuse)


def by_partner(received: list[Received]) -> dict[str, Received]:
    """Which partner each delivered envelope was for, by its first recipient."""
    owner = {address: code for code, addresses in ADDRESSES.items() for address in addresses}
    return {owner[r.rcpt_tos[0]]: r for r in received}


@pytest.mark.slow
def test_send_delivers_exactly_the_drafts_to_exactly_the_configured_addresses(
        run, demo_ws, smtp_server):
    handler = Collector()
    set_mail(demo_ws, port=smtp_server(handler))
    result = run("mail", "-o", "concepten", "--send", "--yes")
    assert result.exit_code == 0, result.stderr
    sent_lines = [line for line in result.stdout.splitlines() if "verstuurd" in line]
    assert sent_lines == [f"verstuurd: {code} ({', '.join(ADDRESSES[code])})"
                          for code in REACHED] + ["8 e-mail(s) verstuurd."]
    delivered = by_partner(handler.received)
    assert list(delivered) == REACHED
    for code, draft in drafts(Path("concepten")).items():
        envelope = delivered[code]
        assert envelope.mail_from == AFZENDER
        assert envelope.rcpt_tos == ADDRESSES[code]
        sent = parse(envelope.content)
        assert "X-Unsent" not in sent
        assert [(k, str(v)) for k, v in sent.items()] == [
            (k, str(v)) for k, v in draft.items() if k != "X-Unsent"]
        # SMTP carries CRLF line ends; the content is otherwise the same.
        assert [p.get_content().replace("\r\n", "\n") for p in sent.walk()
                if not p.is_multipart()] == [
            p.get_content().replace("\r\n", "\n") for p in draft.walk() if not p.is_multipart()]
    assert log_actions(demo_ws, "mail.sent") == [f"mail.sent.minutes.{c}" for c in REACHED]
    assert mailed(demo_ws) == sorted(REACHED)


@pytest.mark.slow
def test_send_asks_first_and_again_when_already_sent(run, demo_ws, smtp_server):
    handler = Collector()
    set_mail(demo_ws, port=smtp_server(handler))
    first = run("mail", "--send", input="n\n")
    assert first.exit_code == 1
    assert first.stderr.endswith("8 e-mail(s) versturen via 127.0.0.1? [j/N] Niets verstuurd.\n")
    assert handler.received == []
    assert ok(run("mail", "--send", input="j\n")).endswith("8 e-mail(s) verstuurd.\n")
    assert len(handler.received) == 8
    # A rerun sends nothing that arrived: it says what it skips and asks nothing.
    rerun = run("mail", "--send", input="n\n")
    assert rerun.exit_code == 0, rerun.stderr
    skipped = [line for line in rerun.stdout.splitlines() if line.startswith("overgeslagen")]
    assert [line.split(":")[1].strip() for line in skipped] == REACHED
    assert re.fullmatch(r"overgeslagen: RN: al verstuurd op \d\d-\d\d-\d{4} \d\d:\d\d; "
                        r"opnieuw met --again RN", skipped[0])
    assert rerun.stdout.endswith("Niets te versturen: alles is al verstuurd.\n")
    # --again sends one partner's message a second time, after asking.
    again = run("mail", "--send", "--again", "pol", input="n\n")
    assert again.exit_code == 1
    assert again.stderr.endswith(
        "Opnieuw aan POL, dat het al kreeg (of misschien). "
        "1 e-mail(s) versturen via 127.0.0.1? [j/N] Niets verstuurd.\n")
    assert len(handler.received) == 8
    assert log_actions(demo_ws, "mail.sent") == [f"mail.sent.minutes.{c}" for c in REACHED]


@pytest.mark.slow
def test_refused_recipient_is_reported_and_not_recorded_as_sent(run, demo_ws, smtp_server):
    handler = Collector(refuse=("casusoverleg@veiligthuis.example",))
    set_mail(demo_ws, port=smtp_server(handler))
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert "NIET verstuurd: VT: alle ontvangers geweigerd (code 550)\n" in result.stdout
    assert result.stderr == ("Fout: 1 e-mail(s) niet verstuurd; de rest wel. Probeer opnieuw "
                             "met --send: wat al is aangekomen, gaat niet nog eens.\n")
    others = [code for code in REACHED if code != "VT"]
    assert list(by_partner(handler.received)) == others
    assert mailed(demo_ws) == sorted(others)
    assert log_actions(demo_ws, "mail.sent") == [f"mail.sent.minutes.{c}" for c in others]


@pytest.mark.slow
def test_one_of_two_addresses_refused(run, demo_ws, smtp_server):
    handler = Collector(refuse=("casusregie.escamp@gemeente.example",))
    set_mail(demo_ws, port=smtp_server(handler))
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert ("NIET verstuurd: GEM: geweigerd: casusregie.escamp@gemeente.example (wel "
            "afgeleverd bij zorgenveiligheid@gemeente.example)\n") in result.stdout
    assert by_partner(handler.received)["GEM"].rcpt_tos == ["zorgenveiligheid@gemeente.example"]
    assert mailed(demo_ws) == sorted(REACHED)  # GEM's message arrived, at one address
    # The rerun sends GEM's message to the address that refused it, and to nobody else.
    handler.refuse.clear()
    rerun = run("mail", "--send", "--yes")
    assert rerun.exit_code == 0, rerun.stderr
    assert ("alleen nog aan de rest: GEM (zorgenveiligheid@gemeente.example had het al)\n"
            "verstuurd: GEM (casusregie.escamp@gemeente.example)\n") in rerun.stdout
    assert [r.rcpt_tos for r in handler.received[8:]] == [["casusregie.escamp@gemeente.example"]]


@pytest.mark.slow
def test_starttls_required_but_not_offered(run, demo_ws, smtp_server):
    handler = Collector()
    set_mail(demo_ws, port=smtp_server(handler), starttls=True)
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: de mailserver 127.0.0.1 biedt geen veilige verbinding "
                             "(STARTTLS): de server kent STARTTLS niet. "
                             "Er is niets verzonden.\n")
    assert handler.received == []
    assert log_actions(demo_ws, "mail.sent") == []


def test_plaintext_to_a_host_elsewhere_is_refused_without_connecting(run, demo_ws,
                                                                     no_connection):
    set_mail(demo_ws, host="192.0.2.1", port=25)
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: verzenden zonder STARTTLS naar '192.0.2.1' is geweigerd: "
                             "zonder versleuteling alleen naar een server op dit apparaat "
                             "(localhost). Zet starttls = true in [mail].\n")
    assert log_actions(demo_ws, "mail.sent") == []


@pytest.mark.slow
def test_no_server_listening(run, demo_ws):
    port = free_port()
    set_mail(demo_ws, port=port)
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (f"Fout: geen verbinding met de mailserver 127.0.0.1:{port}: "
                             "verbinding geweigerd: er luistert niets op die poort (klopt "
                             "smtp_port?). Er is niets verzonden.\n")
    assert log_actions(demo_ws, "mail.sent") == []


def test_user_without_password(run, demo_ws, no_connection):
    set_mail(demo_ws, gebruiker="casusoverleg")
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: geen wachtwoord: zet $OVERLEG_SMTP_PASSWORD. "
                             "Er is niets verzonden.\n")


def accept_geheim(server, session, envelope, mechanism, auth_data) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and (
        auth_data.login, auth_data.password) == (b"casusoverleg", b"geheim")
    return AuthResult(success=good, handled=False)  # handled=False: the server answers 535


@pytest.mark.slow
@pytest.mark.parametrize(("password", "delivered"), [("geheim", 8), ("verkeerd-Xq7", 0)])
def test_login_with_the_password_from_the_environment(run, demo_ws, smtp_server, monkeypatch,
                                                      password, delivered):
    handler = Collector()
    port = smtp_server(handler, authenticator=accept_geheim, auth_require_tls=False)
    set_mail(demo_ws, port=port, gebruiker="casusoverleg")
    monkeypatch.setenv("OVERLEG_SMTP_PASSWORD", password)
    result = run("mail", "--send", "--yes")
    assert len(handler.received) == delivered
    if delivered:
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 1
        assert result.stderr == (
            "Fout: inloggen op de mailserver mislukt: de server weigert gebruiker of "
            "wachtwoord (535 5.7.8 Authentication credentials invalid). Controleer "
            "'gebruiker' in [mail] en $OVERLEG_SMTP_PASSWORD. "
            "Er is niets verzonden.\n")
        assert log_actions(demo_ws, "mail.sent") == []
