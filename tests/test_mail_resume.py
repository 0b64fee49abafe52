"""`mail --send` against real SMTP servers on 127.0.0.1: implicit TLS and STARTTLS with a CA
made in the test, a server that drops after three messages, a kill -9 of the installed
`overleg` while it sends, and the rerun that sends each message exactly once in total; every
attempt, failure and success on the register and in the audit log."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import smime_pki as pki
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization

from overleg.store import Store

SCRIPT = Path(sys.executable).parent / "overleg"
REACHED = list(pki.ADDRESSES)  # RN POL GEM OM GGZ VT WT WC: the demo's minutes of 01-12-2026
OWNER = {a: code for code, addresses in pki.ADDRESSES.items() for a in addresses}


@dataclass
class Received:
    rcpt_tos: list[str]
    content: bytes

    @property
    def partner(self) -> str:
        return OWNER[self.rcpt_tos[0]]


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and, when told, misbehaves: drops every
    connection at MAIL from message `drop_from` on, closes the connection after receiving
    message `lose_reply` (the client never hears the answer), or kills process `victim` at
    the RCPT or the end of DATA of message `kill_at[1]`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.drop_from: int | None = None
        self.lose_reply: int | None = None
        self.victim: int | None = None
        self.kill_at: tuple[str, int] | None = None

    def _kill(self, step: str) -> None:
        if self.kill_at == (step, len(self.received) + (step == "rcpt")):
            assert self.victim is not None
            os.kill(self.victim, signal.SIGKILL)
            self.kill_at = None  # once: the rerun is another process

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.drop_from is not None and len(self.received) + 1 >= self.drop_from:
            server.transport.close()
            return "421 4.3.0 weg"  # never arrives
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self._kill("rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(Received(list(envelope.rcpt_tos), envelope.content))
        self._kill("data")
        if self.lose_reply == len(self.received):
            server.transport.close()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """The TLS context of the test server: its certificate for 127.0.0.1 from the test CA."""
    folder = tmp_path_factory.mktemp("tls")
    identity = pki.server()
    (folder / "server.pem").write_bytes(identity.pem())
    (folder / "server.key").write_bytes(identity.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    return context


@pytest.fixture
def serve(server_tls: ssl.SSLContext) -> Iterator[Callable[..., int]]:
    """serve(inbox, tls=None|"tls"|"starttls") -> the port of a real server on 127.0.0.1."""
    controllers: list[Controller] = []

    def start(inbox: Inbox, tls: str | None = None) -> int:
        options: dict[str, object] = {}
        if tls == "tls":
            options["ssl_context"] = server_tls
        elif tls == "starttls":
            options |= {"tls_context": server_tls, "require_starttls": True}
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        controllers.append(controller)
        return controller.port

    yield start
    for controller in controllers:
        controller.stop()
    asyncio.set_event_loop(None)


def point_at(ws: Path, port: int, tls: str | None = None, ca: bool = True,
             smime: bool = False) -> None:
    """[mail] to the test server (no login); with `smime`, every partner's certificate and
    the sender's PKCS#12 (its password in the environment, see `environment`)."""
    mail = {"smtp_host": '"127.0.0.1"', "smtp_port": str(port)}
    text = (ws / "overleg.toml").read_text(encoding="utf-8")
    text = text.replace('gebruiker = "casusoverleg"\n', "")
    if tls is None:
        text = text.replace("starttls = true", "starttls = false")
    else:
        mail["smtp_tls"] = f'"{tls}"'
    (ws / "overleg.toml").write_text(text, encoding="utf-8")
    if ca:
        (ws / "certs").mkdir(exist_ok=True)
        (ws / "certs" / "ca.pem").write_bytes(pki.ca().pem())
        mail["ca_bestand"] = '"certs/ca.pem"'
    pki.install(ws, pki.all_partners() if smime else {}, mail,
                p12=pki.sender_p12() if smime else None)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLEG_SMIME_PASSWORD", pki.P12_PASSWORD)


def rows(ws: Path, table: str, where: str = "") -> list[dict]:
    conn = sqlite3.connect(ws / "overleg.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} {where} ORDER BY id")]
    finally:
        conn.close()


def trail(ws: Path, code: str) -> tuple[list[str], list[str]]:
    """The register formats and the audit actions of `code`'s e-mails, made by the tests."""
    formats = [r["format"] for r in rows(ws, "disclosures", f"WHERE partner = '{code}' AND "
                                                            "kind = 'mail' AND who != 'demo'")]
    actions = [r["action"] for r in rows(ws, "audit", f"WHERE action LIKE 'mail.%.{code}'")]
    return formats, actions


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


# --- TLS: implicit and STARTTLS, the server's certificate always checked --------------------

@pytest.mark.slow
@pytest.mark.parametrize("tls", ["tls", "starttls"])
def test_tls_delivers_messages_only_each_partner_can_open(run, demo_ws, serve, environment,
                                                          tls):
    inbox = Inbox()
    point_at(demo_ws, serve(inbox, tls), tls, smime=True)
    out = ok(run("mail", "--send", "--yes", "-o", "concepten"))
    assert out.endswith("8 e-mail(s) verstuurd.\n")
    assert [r.partner for r in inbox.received] == REACHED
    for number, received in enumerate(inbox.received):
        code = received.partner
        assert received.rcpt_tos == list(pki.ADDRESSES[code])
        assert b"2026-0" not in received.content  # no case id in clear on the wire
        inner = pki.decrypt(received.content, code)
        draft = Path(f"concepten/verslag-2026-12-01-{code}.eml").read_bytes()
        assert inner == pki.decrypt(draft, code)  # the draft is what was sent
        with pytest.raises(ValueError):
            pki.decrypt(received.content, REACHED[(number + 1) % len(REACHED)])


@pytest.mark.slow
@pytest.mark.parametrize("tls, start", [
    ("tls", "Fout: geen veilige verbinding (TLS) met de mailserver 127.0.0.1:{port}: "),
    ("starttls", "Fout: de mailserver 127.0.0.1 biedt geen veilige verbinding (STARTTLS): "),
])
def test_a_server_certificate_from_an_unknown_ca_is_refused(run, demo_ws, serve, tls, start):
    inbox = Inbox()
    port = serve(inbox, tls)
    point_at(demo_ws, port, tls, ca=False)  # the test CA is not trusted
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (start.format(port=port) + "het certificaat van de server is niet "
                             "te vertrouwen: de uitgever is onbekend (zet de CA in ca_bestand "
                             "in [mail]). Er is niets verzonden.\n")
    assert inbox.received == []
    assert rows(demo_ws, "mailings") == []


@pytest.mark.slow
def test_implicit_tls_to_a_server_that_speaks_starttls(run, demo_ws, serve):
    inbox = Inbox()
    port = serve(inbox, "starttls")
    point_at(demo_ws, port, "tls")
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (f"Fout: geen veilige verbinding (TLS) met de mailserver "
                             f"127.0.0.1:{port}: de versleutelde verbinding (TLS) mislukte. "
                             f"Spreekt poort {port} wel direct TLS? Voor STARTTLS (meestal poort "
                             "587): smtp_tls = \"starttls\". Er is niets verzonden.\n")


def test_a_missing_ca_file_is_named(run, demo_ws):
    point_at(demo_ws, free_port(), "tls", ca=False)
    pki.install(demo_ws, {}, {"ca_bestand": '"certs/weg.pem"'})
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: ca_bestand 'certs/weg.pem' in [mail] bestaat niet. Er is "
                             "niets verzonden.\n")


# --- a server that drops after three messages, and the rerun -----------------------------------

@pytest.mark.slow
def test_after_a_drop_the_rerun_sends_only_what_did_not_arrive(run, demo_ws, serve):
    inbox = Inbox()
    inbox.drop_from = 4
    point_at(demo_ws, serve(inbox))
    first = run("mail", "--send", "--yes")
    assert first.exit_code == 1
    lines = [line for line in first.stdout.splitlines() if "verstuurd" in line]
    assert lines[:3] == [f"verstuurd: {c} ({', '.join(pki.ADDRESSES[c])})" for c in REACHED[:3]]
    assert lines[3:] == [f"NIET verstuurd: {c}: de server verbrak de verbinding (ook na opnieuw "
                         "verbinden)" for c in REACHED[3:]]
    assert first.stderr == ("Fout: 5 e-mail(s) niet verstuurd; de rest wel. Probeer opnieuw met "
                            "--send: wat al is aangekomen, gaat niet nog eens.\n")
    inbox.drop_from = None
    second = run("mail", "--send", "--yes")
    out = ok(second)
    skipped = [line.split(":")[1].strip() for line in out.splitlines()
               if line.startswith("overgeslagen: ")]
    assert skipped == REACHED[:3]
    assert out.endswith("5 e-mail(s) verstuurd.\n")
    assert Counter(r.partner for r in inbox.received) == dict.fromkeys(REACHED, 1)
    # Every attempt, failure and success: on the register and in the audit log.
    assert trail(demo_ws, "OM") == (
        ["eml", "smtp-poging", "smtp-mislukt", "eml", "smtp-poging", "smtp"],
        ["mail.attempt.minutes.OM", "mail.failed.minutes.OM", "mail.attempt.minutes.OM",
         "mail.sent.minutes.OM"])
    assert trail(demo_ws, "RN") == (["eml", "smtp-poging", "smtp", "eml"],
                                    ["mail.attempt.minutes.RN", "mail.sent.minutes.RN"])
    om = rows(demo_ws, "mailings", "WHERE partner = 'OM'")
    assert [(r["state"], r["detail"]) for r in om] == [
        ("failed", "de server verbrak de verbinding (ook na opnieuw verbinden)"), ("sent", "")]


@pytest.mark.slow
def test_a_reply_lost_after_the_message_went_over_is_in_doubt_and_not_sent_twice(
        run, demo_ws, serve):
    inbox = Inbox()
    inbox.lose_reply = 4
    point_at(demo_ws, serve(inbox))
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert ("IN TWIJFEL: OM: onzeker of het is aangekomen: de server verbrak de verbinding "
            "nadat het bericht was overgedragen; niet opnieuw geprobeerd\n") in result.stdout
    assert result.stderr == ("Let op: in twijfel: OM. Vraag na of het bericht is aangekomen; "
                             "zo niet: overleg mail --send --again OM.\n")
    assert Counter(r.partner for r in inbox.received) == dict.fromkeys(REACHED, 1)
    assert trail(demo_ws, "OM")[1] == ["mail.attempt.minutes.OM", "mail.doubt.minutes.OM"]


# --- kill -9 while sending ---------------------------------------------------------------------

def send_in_a_process(ws: Path, inbox: Inbox, step: str) -> None:
    """`overleg mail --send --yes` as installed, killed by the server at `step` of the fourth
    message (OM's)."""
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env |= {"OVERLEG_WORKSPACE": str(ws), "NO_COLOR": "1"}
    process = subprocess.Popen([str(SCRIPT), "mail", "--send", "--yes"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    inbox.victim, inbox.kill_at = process.pid, (step, 4)
    try:
        _, error = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == -signal.SIGKILL, error.decode()


@pytest.mark.slow
def test_kill_while_the_server_takes_a_message_leaves_it_in_doubt(run, demo_ws, serve,
                                                                  environment):
    inbox = Inbox()
    point_at(demo_ws, serve(inbox), smime=True)
    send_in_a_process(demo_ws, inbox, "data")
    assert [r.partner for r in inbox.received] == REACHED[:4]  # the server kept OM's
    assert [(r["partner"], r["state"]) for r in rows(demo_ws, "mailings")] == [
        ("RN", "sent"), ("POL", "sent"), ("GEM", "sent"), ("OM", "awaiting")]
    rerun = run("mail", "--send", "--yes")
    assert rerun.exit_code == 1
    lines = rerun.stdout.splitlines()
    doubt = next(line for line in lines if line.startswith("IN TWIJFEL: OM: "))
    assert doubt.endswith("werd afgebroken terwijl de server het bericht ontving; misschien "
                          "is het aangekomen. Niet opnieuw verstuurd: vraag het na bij OM en "
                          "verstuur zo nodig opnieuw met --again OM.")
    assert [line.split(":")[1].strip() for line in lines if line.startswith("overgeslagen")] == (
        REACHED[:3])
    assert "Let op: in twijfel: OM. Vraag na of het bericht is aangekomen" in rerun.stderr
    assert Counter(r.partner for r in inbox.received) == dict.fromkeys(REACHED, 1)
    assert trail(demo_ws, "OM")[1] == ["mail.attempt.minutes.OM", "mail.doubt.minutes.OM"]
    assert "smtp-onzeker" in trail(demo_ws, "OM")[0]
    # Later runs skip it, until the chair asks for it again.
    out = ok(run("mail", "--send", "--yes"))
    assert "overgeslagen: OM: in twijfel sinds " in out
    assert out.endswith("Niets te versturen: alles is al verstuurd.\n")
    out = ok(run("mail", "--send", "--yes", "--again", "om"))
    assert out.endswith("1 e-mail(s) verstuurd.\n")
    assert Counter(r.partner for r in inbox.received)["OM"] == 2


@pytest.mark.slow
def test_kill_before_a_message_went_over_sends_it_on_the_rerun(run, demo_ws, serve):
    inbox = Inbox()
    point_at(demo_ws, serve(inbox))
    send_in_a_process(demo_ws, inbox, "rcpt")
    assert [r.partner for r in inbox.received] == REACHED[:3]
    assert rows(demo_ws, "mailings")[-1]["state"] == "pending"
    out = ok(run("mail", "--send", "--yes"))
    assert "onderbroken: OM: de verzending van " in out
    assert out.endswith("5 e-mail(s) verstuurd.\n")
    assert Counter(r.partner for r in inbox.received) == dict.fromkeys(REACHED, 1)
    assert trail(demo_ws, "OM")[1] == ["mail.attempt.minutes.OM", "mail.failed.minutes.OM",
                                       "mail.attempt.minutes.OM", "mail.sent.minutes.OM"]


# --- one send at a time; the register as the chair reads it; an old database -------------------

def test_a_second_send_at_the_same_time_is_refused(run, demo_ws, no_connection):
    from overleg.mailing import sending_lock
    from overleg.workspace import load_workspace

    point_at(demo_ws, free_port())
    with sending_lock(load_workspace(demo_ws)):
        result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: er wordt al verstuurd door een andere opdracht ('overleg "
                             "mail --send'); wacht tot die klaar is en probeer het dan "
                             "opnieuw.\n")


@pytest.fixture
def no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    import smtplib

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to connect")

    monkeypatch.setattr(smtplib, "SMTP", refuse)


def test_an_old_database_keeps_its_mailings_as_accepted(tmp_path):
    from test_migrations import made_by_steps

    from overleg.migrations import MIGRATIONS

    db = tmp_path / "oud.db"
    steps = [m.__name__ for m in MIGRATIONS].index("m007_mail_states")
    made_by_steps(db, steps)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO mailings (meeting_id, kind, partner, recipients, sent_at) "
                     "VALUES (1, 'minutes', 'POL', '[\"a@pol.example\"]', "
                     "'2026-11-17T12:00:00')")
    store = Store.open(db)
    try:
        meeting = store.meetings()[0]
        assert store.mailings(meeting, "minutes") == {"POL": "2026-11-17T12:00:00"}
        (row,) = store.mailing_rows(meeting, "minutes")
        assert (row["state"], row["accepted"], row["settled_at"]) == (
            "sent", ["a@pol.example"], "2026-11-17T12:00:00")
    finally:
        store.close()


@pytest.mark.slow
def test_the_register_lists_each_step_for_the_fg(run, demo_ws, serve):
    inbox = Inbox()
    inbox.drop_from = 1
    point_at(demo_ws, serve(inbox))
    assert run("mail", "--send", "--yes").exit_code == 1
    listed = json.loads(ok(run("verstrekkingen", "--partner", "POL", "--json")))
    mine = [r for r in listed if r["who"] != "demo"]
    assert [(r["kind"], r["format"]) for r in mine] == [
        ("mail", "eml"), ("mail", "smtp-poging"), ("mail", "smtp-mislukt")]
    assert mine[1]["addresses"] == list(pki.ADDRESSES["POL"])
    assert mine[1]["sha256"] == mine[2]["sha256"]
    assert mine[1]["cases"] == mine[0]["cases"]


@pytest.mark.slow
def test_verplicht_never_sends_in_clear(run, demo_ws, serve, environment):
    inbox = Inbox()
    point_at(demo_ws, serve(inbox), smime=True)
    pki.install(demo_ws, {})  # the certificates as point_at wrote them, two of them now bad
    (demo_ws / "certs" / "pol.pem").write_bytes(pki.bad("expired"))
    (demo_ws / "certs" / "ggz.pem").write_bytes(pki.bad("garbage"))
    result = run("mail", "--send", "--yes")
    assert result.exit_code == 1
    assert [r.partner for r in inbox.received] == [c for c in REACHED if c not in ("POL", "GGZ")]
    for received in inbox.received:
        assert b"Content-Type: application/pkcs7-mime" in received.content
    assert result.stderr.splitlines()[1:3] == [
        "Let op: POL niet bereikt: geen bruikbaar certificaat: certs/pol.pem: certificaat "
        "'POL casusoverleg' is verlopen op 01-03-2026.",
        "Let op: GGZ niet bereikt: geen bruikbaar certificaat: certs/ggz.pem: bevat geen "
        "leesbaar certificaat (PEM of DER)."]
    assert result.stderr.endswith("Fout: niet bereikt zonder bruikbaar certificaat: POL, GGZ. "
                                  "Zie 'overleg mail --check'.\n")
    assert trail(demo_ws, "POL") == ([], [])  # not even a draft
